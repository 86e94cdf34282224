package dev.bpfh.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile profile (formerly conformance-suite's HostileInputTest, same generators and the same
 * 20,000 programs per run): no engine throws, hangs or refuses without a reason and a pc inside the
 * program; interp and jit refuse the same programs, and on the others agree on r0 and memory or on
 * the trap kind and pc. Every run has a budget of 10,000 instructions ({@link Profile#HOSTILE}).
 */
class HostileProfileTest {

    static final int PROGRAMS = 20_000;
    static final int KERNEL_PROGRAMS = 600;

    @TempDir
    Path out;

    Summary run(List<Backend> backends, int programs) {
        Campaign.Options o = Campaign.Options.defaults().withProfile(Profile.HOSTILE).withCount(programs).withInputs(1).withOut(out);
        return assertTimeoutPreemptively(Duration.ofSeconds(120), () -> new Campaign(o, backends).run(null, null));
    }

    @Test
    void interpAndJitRefuseOrRunEveryHostileProgramAndAgreeOnThoseTheyRun() {
        try (Backend interp = Backends.find("interp").orElseThrow(); Backend jit = Backends.find("jit").orElseThrow()) {
            Summary s = run(List.of(interp, jit), PROGRAMS);
            assertEquals(PROGRAMS, s.programs());
            assertEquals(0, s.disagreeingPrograms(), () -> "disagreements: " + s.reproducers());
            for (String b : List.of("interp", "jit")) {
                assertEquals(0, s.outcomes().get(b).getOrDefault("crashed", 0L), b + " crashed: see " + out);
            }
            long ran = s.outcomes().get("interp").getOrDefault("returned", 0L) + s.outcomes().get("interp").getOrDefault("trapped", 0L);
            // The generator is only useful if many hostile programs get past the validator.
            assertTrue(ran > PROGRAMS / 10, "only " + ran + " programs ran");
        }
    }

    @Test
    void theKernelRefusesOrRunsHostilePrograms() {
        try (Backend kernel = Backends.find("kernel").orElseThrow()) {
            Availability a = kernel.probe();
            if (!a.available()) {
                if ("1".equals(System.getenv("BPFH_REQUIRE_KERNEL"))) {
                    fail("BPFH_REQUIRE_KERNEL=1 but the kernel backend is unavailable: " + a.reason());
                }
                Assumptions.abort("kernel backend unavailable: " + a.reason());
            }
            Summary s = run(List.of(kernel), KERNEL_PROGRAMS);
            assertEquals(0, s.outcomes().get("kernel").getOrDefault("crashed", 0L), "the kernel backend crashed");
            assertEquals(KERNEL_PROGRAMS, s.programs());
        }
    }

    @Test
    void theSequenceIsReproducible() {
        for (long i = 0; i < 300; i++) {
            FuzzCase a = HostileGenerator.generate(7, i, 2);
            FuzzCase b = HostileGenerator.generate(7, i, 2);
            assertEquals(a.program(), b.program());
            assertTrue(java.util.Arrays.equals(a.memories().get(1), b.memories().get(1)));
        }
    }
}
