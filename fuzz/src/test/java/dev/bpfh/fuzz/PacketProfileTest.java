package dev.bpfh.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bpfh.ctx.ContextAccesses;
import dev.bpfh.exec.Helpers;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.isa.Validator;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.ProgramType;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packet profile keeps its promises: valid, reproducible, varied, and accepted by the kernel. */
class PacketProfileTest {

    @TempDir
    Path out;

    /**
     * Every case is typed, passes our validator and context check, is the same when generated
     * again (program and inputs), and the dataflow trusts it (else the minimiser could not shrink a
     * disagreement with the kernel). The three types and the typed features all show up.
     */
    @Test
    void casesAreValidReproducibleAndTrusted() throws Exception {
        Map<ProgramType, Integer> types = new EnumMap<>(ProgramType.class);
        Set<Integer> helpers = new HashSet<>();
        int trusted = 0, ldAbs = 0, withCtx = 0, inputs = 0;
        for (long i = 0; i < 1_000; i++) {
            FuzzCase c = PacketGenerator.generate(9, i, 2);
            assertNotEquals(ProgramType.RAW, c.program().type());
            Validator.validate(c.program(), Helpers.standard());
            ContextAccesses.find(c.program());
            FuzzCase again = PacketGenerator.generate(9, i, 2);
            assertEquals(c.program(), again.program());
            assertEquals(c.inputs(), again.inputs());
            types.merge(c.program().type(), 1, Integer::sum);
            trusted += Determinism.deterministic(c.program()) ? 1 : 0;
            for (long s : c.program().slots()) {
                int op = Insn.opcode(s);
                if (op == Opcodes.CALL_IMM && Insn.src(s) == Opcodes.CALL_HELPER) {
                    helpers.add(Insn.imm(s));
                }
                ldAbs += (op & 0xe7) == (Opcodes.LD | Opcodes.MODE_ABS) || (op & 0xe7) == (Opcodes.LD | Opcodes.MODE_IND) ? 1 : 0;
            }
            for (var in : c.inputs()) {
                inputs++;
                withCtx += in.ctx() != null ? 1 : 0;
            }
        }
        assertEquals(3, types.size(), types::toString);
        assertTrue(types.values().stream().allMatch(n -> n > 250), types::toString);
        assertTrue(trusted >= 980, "the dataflow trusts only " + trusted + " of 1000 packet programs");
        assertTrue(helpers.containsAll(List.of(1, 2, 3, 9, 10, 11, 26, 28, 44, 54, 65)), helpers::toString);
        assertTrue(ldAbs > 500, "LD_ABS/LD_IND " + ldAbs);
        assertTrue(withCtx > inputs / 3 && withCtx < inputs * 2 / 3, withCtx + " of " + inputs + " inputs have a ctx_in");
    }

    @Test
    void theKernelAcceptsAtLeast95PercentAndAgreesWithInterpAndJit() throws Exception {
        Backend kernel = Backends.find("kernel").orElseThrow();
        Availability a = kernel.probe();
        if (!a.available()) {
            if ("1".equals(System.getenv("BPFH_REQUIRE_KERNEL"))) {
                fail("BPFH_REQUIRE_KERNEL=1 but the kernel backend is unavailable: " + a.reason());
            }
            Assumptions.abort("kernel backend unavailable: " + a.reason());
        }
        List<Backend> all = List.of(Backends.find("interp").orElseThrow(), Backends.find("jit").orElseThrow(), kernel);
        Summary s = new Campaign(Campaign.Options.defaults().withProfile(Profile.PACKET).withCount(400).withOut(out), all)
                .run(null, null);
        Summary.Acceptance k = s.acceptance().get("kernel");
        assertTrue(k.rate() >= 0.95, () -> "the kernel accepted only " + k.accepted() + " of " + k.programs() + ": " + k.topRejections());
        assertEquals(0, s.disagreeingPrograms(), () -> "disagreements: " + s.reproducers());
    }
}
