package dev.bpfh.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bpfh.asm.Disassembler;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The jit and the interpreter give the same outcome (r0 and memory, or trap kind and pc) on many
 * random valid programs and random memory. A failure prints the seed and the program.
 */
class JitDifferentialTest {
    static final int PROGRAMS = Integer.getInteger("bpfh.jit.differential", 4000);

    @Test
    void jitAgreesWithTheInterpreterOnRandomPrograms() throws Exception {
        compare(Engines.JIT, 0xb9f_d1ffL, "direct");
    }

    /** The same with regions of a few blocks, so region exits, re-entry and the dispatch tree run. */
    @Test
    void splitFormAgreesWithTheInterpreterToo() throws Exception {
        JitBackend tiny = new JitBackend(200);
        compare(tiny, 0x5b1_17L, "split");
    }

    private static void compare(JitBackend backend, long rootSeed, String label) throws Exception {
        SplittableRandom seeds = new SplittableRandom(rootSeed);
        int split = 0;
        int returned = 0;
        Map<dev.bpfh.spi.TrapKind, Integer> traps = new EnumMap<>(dev.bpfh.spi.TrapKind.class);
        for (int i = 0; i < PROGRAMS; i++) {
            long seed = seeds.nextLong();
            SplittableRandom rnd = new SplittableRandom(seed);
            int len = rnd.nextInt(0, 48);
            Program p = new RandomPrograms(rnd, len).next("random-" + i);
            byte[] memory = new byte[len];
            rnd.nextBytes(memory);
            LoadOptions options = LoadOptions.DEFAULTS.withInstructionBudget(rnd.nextInt(4) == 0 ? rnd.nextInt(1, 200) : 100_000);
            Outcome expected;
            Outcome actual;
            try (Executable interp = Engines.INTERP.load(p, options); Executable jit = backend.load(p, options)) {
                expected = interp.run(memory.clone());
                actual = jit.run(memory.clone());
                assertTrue(!jit.info().containsKey("fallback"), () -> "unexpected fallback: " + jit.info().get("fallback"));
                split += ((Long) jit.info().get("splitFunctions")) > 0 ? 1 : 0;
            } catch (dev.bpfh.spi.LoadRejected e) {
                fail("generator made an invalid program (seed " + seed + "): " + e.getMessage() + "\n" + listing(p));
                return;
            }
            String where = "seed " + seed + ", budget " + options.instructionBudget() + "\n" + listing(p);
            if (expected instanceof Outcome.Trapped t) {
                Outcome.Trapped a = actual instanceof Outcome.Trapped x ? x : null;
                if (a == null) {
                    fail("interp trapped " + t + " but jit " + actual + "; " + where);
                }
                assertEquals(t.kind() + "@" + t.pc(), a.kind() + "@" + a.pc(), where);
                traps.merge(t.kind(), 1, Integer::sum);
            } else {
                assertEquals(expected, actual, where);
                returned++;
            }
        }
        System.out.printf("differential (%s): %d programs agree (%d returned, traps %s, %d in split form)%n",
                label, PROGRAMS, returned, traps, split);
        assertTrue(returned > PROGRAMS / 10, "too few programs ran to the end: " + returned);
    }

    private static String listing(Program p) {
        try {
            return Disassembler.disassemble(p);
        } catch (RuntimeException e) {
            return p.toString();
        }
    }
}
