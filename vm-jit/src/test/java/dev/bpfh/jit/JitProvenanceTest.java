package dev.bpfh.jit;

import static dev.bpfh.jit.Engines.asm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import org.junit.jupiter.api.Test;

/**
 * Accesses through pointers whose provenance the JIT tracks across blocks stay checked: a pointer
 * proven in the input (or the frame) on loop entry that walks out of bounds on a later iteration
 * traps with the interpreter's kind and pc, and registers kept as ints never lose bits.
 */
class JitProvenanceTest {

    private static Outcome both(String text, byte[] memory, LoadOptions options) {
        Program p = asm(text);
        Outcome interp = Engines.run(Engines.INTERP, p, options, memory.clone());
        Outcome jit = Engines.run(Engines.JIT, p, options, memory.clone());
        Outcome split = Engines.run(new JitBackend(200), p, options, memory.clone());
        assertSame(interp, jit, "direct form");
        assertSame(interp, split, "split form");
        return jit;
    }

    private static Outcome both(String text, byte[] memory) {
        return both(text, memory, LoadOptions.DEFAULTS);
    }

    private static void assertSame(Outcome expected, Outcome actual, String what) {
        if (expected instanceof Outcome.Trapped t) {
            Outcome.Trapped a = assertInstanceOf(Outcome.Trapped.class, actual, what + ": " + actual);
            assertEquals(t.kind() + "@" + t.pc(), a.kind() + "@" + a.pc(), what);
        } else {
            assertEquals(expected, actual, what);
        }
    }

    private static void assertTrap(TrapKind kind, int pc, Outcome o) {
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, o, () -> "expected a trap, got " + o);
        assertEquals(kind + "@" + pc, t.kind() + "@" + t.pc(), t::toString);
    }

    /** Sums [r1 + r3] for r3 = 0..15: 16 bytes of input are needed. */
    static final String SUM_16 = LoopPrograms.byteSum("16");

    @Test
    void anInputLoopReadsEveryByte() {
        byte[] m = new byte[16];
        for (int i = 0; i < 16; i++) {
            m[i] = (byte) (0xf0 + i);
        }
        Outcome o = both(SUM_16, m);
        assertEquals(16 * 0xf0 + 120, ((Outcome.Returned) o).r0(), "bytes are zero-extended");
    }

    @Test
    void anInputPointerInBoundsOnLoopEntryTrapsWhenItWalksPastTheEnd() {
        assertTrap(TrapKind.OUT_OF_BOUNDS, 4, both(SUM_16, new byte[9])); // r3 = 9 reads offset 9 of 9
        assertTrap(TrapKind.OUT_OF_BOUNDS, 4, both(SUM_16, new byte[0]));
    }

    @Test
    void aWideLoadNearTheEndNeedsAllItsBytes() {
        String text = """
                mov %r0, 0
                mov %r3, 0
                loop:
                mov %r4, %r1
                add %r4, %r3
                ldxw %r5, [%r4+0]
                add %r0, %r5
                add %r3, 2
                jlt %r3, 8, loop
                exit
                """;
        assertTrap(TrapKind.OUT_OF_BOUNDS, 4, both(text, new byte[9])); // r3 = 6 needs bytes 6..9
        Outcome ok = both(text, new byte[10]);
        assertEquals(0L, ((Outcome.Returned) ok).r0());
    }

    @Test
    void aStoreWalkingPastTheInputTrapsAtTheStore() {
        String text = """
                mov %r3, 0
                loop:
                mov %r4, %r1
                add %r4, %r3
                stb [%r4+2], 7
                add %r3, 1
                jlt %r3, 8, loop
                mov %r0, 0
                exit
                """;
        assertTrap(TrapKind.OUT_OF_BOUNDS, 3, both(text, new byte[6])); // r3 = 4 writes offset 6
        Outcome ok = both(text, new byte[10]);
        assertEquals("00000707070707070707", java.util.HexFormat.of().formatHex(((Outcome.Returned) ok).memory()));
    }

    @Test
    void aFramePointerProvenOnLoopEntryTrapsWhenItLeavesTheFrame() {
        String text = """
                mov %r4, %r10
                add %r4, -16
                mov %r3, 0
                loop:
                stxdw [%r4+0], %r3
                add %r4, 8
                add %r3, 1
                jlt %r3, 4, loop
                mov %r0, 0
                exit
                """;
        assertTrap(TrapKind.OUT_OF_BOUNDS, 3, both(text, new byte[0])); // third store at r10 + 0
    }

    @Test
    void aFrameLoopInsideTheFrameKeepsItsValues() {
        String text = """
                mov %r3, 0
                fill:
                mov %r4, %r10
                add %r4, %r3
                stxb [%r4-64], %r3
                add %r3, 1
                jlt %r3, 64, fill
                mov %r0, 0
                mov %r3, 0
                sum:
                mov %r4, %r10
                add %r4, %r3
                ldxb %r5, [%r4-64]
                add %r0, %r5
                add %r3, 1
                jlt %r3, 64, sum
                exit
                """;
        assertEquals(63 * 64 / 2, ((Outcome.Returned) both(text, new byte[0])).r0());
    }

    @Test
    void atomicsOnAProvenFrameSlotHaveMemorysSemantics() {
        // cmpxchg32 compares the zero-extended low word with r0's low 32 bits and leaves the high word.
        String text = """
                stdw [%r10-8], -1
                mov %r4, %r10
                add %r4, -8
                ja go
                go:
                mov %r0, -1
                mov %r5, 7
                lock cmpxchg32 [%r4+0], %r5
                ldxdw %r1, [%r10-8]
                xor %r0, %r1
                exit
                """;
        // r0 = old low word 0xffffffff; the slot becomes 0xffffffff00000007
        assertEquals(0xfffffffffffffff8L, ((Outcome.Returned) both(text, new byte[0])).r0());
    }

    @Test
    void aCounterThatLeavesTheIntRangeKeepsAll64Bits() {
        String text = """
                mov %r3, 0
                loop:
                add %r3, 0x40000000
                jlt %r3, 0x7fffffff, loop
                mov %r0, %r3
                exit
                """;
        assertEquals(0x80000000L, ((Outcome.Returned) both(text, new byte[0])).r0());
    }

    @Test
    void aSignedCounterBelowZeroComparesUnsignedAsTheSpecSays() {
        // r3 = -1 is 0xffff...ff unsigned: "jlt %r3, 5" is not taken, so the loop body runs once.
        String text = """
                mov %r0, 0
                mov %r3, -1
                loop:
                add %r0, 1
                jlt %r3, 5, more
                exit
                more:
                add %r3, 1
                ja loop
                """;
        assertEquals(1L, ((Outcome.Returned) both(text, new byte[0])).r0());
    }

    @Test
    void theBudgetCountsTheSameInAnIntCounter() {
        // 1 + 2k instructions at the k-th jlt: budget 2001 lets exactly 1000 backward jumps through.
        String text = """
                mov %r0, 0
                loop:
                add %r0, 1
                jlt %r0, 5000, loop
                exit
                """;
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 2, both(text, new byte[0], LoadOptions.DEFAULTS.withInstructionBudget(2001)));
        Outcome ok = both(text, new byte[0], LoadOptions.DEFAULTS.withInstructionBudget(10_002));
        assertEquals(5000L, ((Outcome.Returned) ok).r0());
    }

    @Test
    void aBudgetBeyondTheIntRangeIsCountedExactly() {
        // lddw (counted once) and mov, then 2 instructions per iteration: the k-th jlt (pc 4) sees
        // 2 + 2k. Budget 2^31 + 11 does not fit an int, so the generated code counts in a long:
        // k = 2^30 + 5 is the first count over it, while r0 < 2^30 + 16 still loops: a trap at pc 4.
        // With 64 more the last taken jump (k = 2^30 + 15) sees 2^31 + 32 and the run returns.
        String text = """
                lddw %r2, 0x40000010
                mov %r0, 0
                loop:
                add %r0, 1
                jlt %r0, %r2, loop
                exit
                """;
        Program p = asm(text);
        long budget = (1L << 31) + 11;
        Outcome o = Engines.run(Engines.JIT, p, LoadOptions.DEFAULTS.withInstructionBudget(budget), new byte[0]);
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 4, o);
        Outcome ok = Engines.run(Engines.JIT, p, LoadOptions.DEFAULTS.withInstructionBudget(budget + 64), new byte[0]);
        assertEquals(0x40000010L, ((Outcome.Returned) ok).r0());
    }
}
