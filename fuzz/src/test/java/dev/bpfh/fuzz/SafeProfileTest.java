package dev.bpfh.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bpfh.exec.Helpers;
import dev.bpfh.isa.Validator;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safe profile keeps its promises: valid, deterministic, reproducible, and accepted by the kernel. */
class SafeProfileTest {

    @TempDir
    Path out;

    /**
     * Safe programs return (no trap: accesses are in bounds by construction) and are deterministic by construction. The dataflow of {@link Determinism} is
     * conservative (a stack pointer moved in a loop loses its offset), so it may doubt a few; if it
     * doubted many, the minimiser could not shrink disagreements with the kernel.
     */
    @Test
    void everySafeProgramIsValidAndReproducibleAndTheDataflowTrustsMostOfThem() throws Exception {
        int trusted = 0;
        Backend interp = Backends.find("interp").orElseThrow();
        for (long i = 0; i < 2_000; i++) {
            FuzzCase c = SafeGenerator.generate(3, i, 2);
            Validator.validate(c.program(), Helpers.standard());
            for (Observed o : Trial.observe(interp, c.program(), c.inputs(), dev.bpfh.spi.LoadOptions.DEFAULTS)) {
                assertTrue(o instanceof Observed.Returned, () -> "a safe program did not return: " + o.describe() + " on " + c.describe());
            }
            assertTrue(Determinism.clockFree(c.program()), () -> "the dataflow says a safe program reads the clock: " + c.describe());
            assertEquals(c.program(), SafeGenerator.generate(3, i, 2).program());
            trusted += Determinism.deterministic(c.program()) ? 1 : 0;
        }
        assertTrue(trusted >= 1_800, "the dataflow trusts only " + trusted + " of 2000 safe programs");
    }

    @Test
    void theKernelAcceptsAtLeast80PercentAndAgreesWithInterpAndJit() throws Exception {
        Backend kernel = Backends.find("kernel").orElseThrow();
        Availability a = kernel.probe();
        if (!a.available()) {
            if ("1".equals(System.getenv("BPFH_REQUIRE_KERNEL"))) {
                fail("BPFH_REQUIRE_KERNEL=1 but the kernel backend is unavailable: " + a.reason());
            }
            Assumptions.abort("kernel backend unavailable: " + a.reason());
        }
        List<Backend> all = List.of(Backends.find("interp").orElseThrow(), Backends.find("jit").orElseThrow(), kernel);
        Summary s = new Campaign(Campaign.Options.defaults().withCount(300).withOut(out), all).run(null, null);
        Summary.Acceptance k = s.acceptance().get("kernel");
        assertTrue(k.rate() >= 0.8, () -> "the kernel accepted only " + k.accepted() + " of " + k.programs() + ": " + k.topRejections());
        assertEquals(0, s.disagreeingPrograms(), () -> "disagreements: " + s.reproducers());
    }

    @Test
    void twoShardsMergeIntoTheWholeCampaign() throws Exception {
        List<Backend> interp = List.of(Backends.find("interp").orElseThrow());
        Campaign.Options o = Campaign.Options.defaults().withOut(out).withThreads(2);
        Summary whole = new Campaign(o.withCount(200), interp).run(null, null);
        Summary first = new Campaign(o.withCount(100).withShard(0, 2), interp).run(null, null);
        Summary second = new Campaign(o.withCount(100).withShard(1, 2), interp).run(null, null);
        first.write(out.resolve("a.json"));
        second.write(out.resolve("b.json"));
        Summary merged = Summary.merge(List.of(Summary.read(out.resolve("b.json")), Summary.read(out.resolve("a.json"))));
        assertEquals(List.of("0/2", "1/2"), merged.shards());
        assertEquals(whole.programs(), merged.programs());
        assertEquals(whole.outcomes(), merged.outcomes());
        assertEquals(whole.coverage(), merged.coverage());
    }
}
