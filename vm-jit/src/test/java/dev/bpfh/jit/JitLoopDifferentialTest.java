package dev.bpfh.jit;

import static dev.bpfh.jit.Engines.asm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The jit agrees with the interpreter on random counted loops that walk a pointer through the input
 * or the frame: the shapes whose counters the register facts bound and whose accesses they try to
 * prove in bounds. Start, stride, limit, condition, access size and offset are random, so some loops
 * stay inside, some leave the region on a later iteration (a trap at the access), and some never
 * end (the budget). A failure prints the seed and the program.
 */
class JitLoopDifferentialTest {
    static final int CASES = 1500;
    static final String[] CONDITIONS = {"jlt", "jle", "jne", "jslt", "jsle", "jgt", "jsgt", "jge"};
    static final String[] LOADS = {"ldxb", "ldxh", "ldxw", "ldxdw"};
    static final String[] STORES = {"stxb", "stxh", "stxw", "stxdw"};

    @Test
    void jitAgreesWithTheInterpreterOnRandomPointerLoops() {
        SplittableRandom seeds = new SplittableRandom(0x100b5L);
        JitBackend split = new JitBackend(200);
        int returned = 0;
        int trapped = 0;
        for (int i = 0; i < CASES; i++) {
            long seed = seeds.nextLong();
            SplittableRandom rnd = new SplittableRandom(seed);
            String text = program(rnd);
            byte[] memory = new byte[rnd.nextInt(0, 72)];
            rnd.nextBytes(memory);
            Program p = asm(text);
            LoadOptions options = LoadOptions.DEFAULTS.withInstructionBudget(rnd.nextBoolean() ? 5_000 : 100_000);
            Outcome expected = Engines.run(Engines.INTERP, p, options, memory.clone());
            String where = "seed " + seed + ", memory " + memory.length + " bytes\n" + text;
            assertSame(expected, Engines.run(Engines.JIT, p, options, memory.clone()), "direct: " + where);
            assertSame(expected, Engines.run(split, p, options, memory.clone()), "split: " + where);
            if (expected instanceof Outcome.Returned) {
                returned++;
            } else {
                trapped++;
            }
        }
        System.out.printf("loop differential: %d cases agree (%d returned, %d trapped)%n", CASES, returned, trapped);
        assertTrue(returned > CASES / 10 && trapped > CASES / 10, "both outcomes must be exercised");
    }

    private static void assertSame(Outcome expected, Outcome actual, String where) {
        if (expected instanceof Outcome.Trapped t && actual instanceof Outcome.Trapped a) {
            assertEquals(t.kind() + "@" + t.pc(), a.kind() + "@" + a.pc(), where);
        } else {
            assertEquals(expected, actual, where);
        }
    }

    private static String program(SplittableRandom rnd) {
        boolean frame = rnd.nextInt(3) == 0;
        int size = rnd.nextInt(4);
        int start = frame ? -rnd.nextInt(0, 520) : rnd.nextInt(-4, 24);
        int stride = new int[] {1, 1, 2, 4, 8, -1, 3}[rnd.nextInt(7)];
        int limit = frame ? rnd.nextInt(-520, 8) : rnd.nextInt(-2, 80);
        int off = frame ? rnd.nextInt(-16, 8) : rnd.nextInt(-4, 12);
        String cond = CONDITIONS[rnd.nextInt(CONDITIONS.length)];
        boolean store = rnd.nextInt(3) == 0;
        boolean masked = rnd.nextInt(4) == 0;
        StringBuilder b = new StringBuilder();
        b.append("mov %r0, 0\n");
        b.append("mov %r3, ").append(start).append('\n');
        b.append("loop:\n");
        b.append("mov %r4, ").append(frame ? "%r10" : "%r1").append('\n');
        if (masked) { // a bounded index from an unbounded counter
            b.append("mov %r6, %r3\nand %r6, ").append(rnd.nextInt(1, 64)).append("\nadd %r4, %r6\n");
        } else {
            b.append("add %r4, %r3\n");
        }
        if (store) {
            b.append(STORES[size]).append(" [%r4").append(signed(off)).append("], %r3\n");
            b.append("add %r0, 1\n");
        } else {
            b.append(LOADS[size]).append(" %r5, [%r4").append(signed(off)).append("]\n");
            b.append("add %r0, %r5\n");
        }
        b.append("add %r3, ").append(stride).append('\n');
        b.append(cond).append(" %r3, ").append(limit).append(", loop\n");
        b.append("exit\n");
        return b.toString();
    }

    private static String signed(int v) {
        return v < 0 ? String.valueOf(v) : "+" + v;
    }
}
