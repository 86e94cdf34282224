package dev.bpfh.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bpfh.data.DataFile;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The budget-free form ({@link BudgetBound}, {@link Compiler#budgetFree}): the jit leaves out every
 * budget count and check when it proves no run can execute more than the budget. Each program runs
 * on the interpreter (an independent engine that counts every instruction) and on the jit, direct
 * and split form, at budgets around its exact instruction count and far above it; the outcomes must
 * be the same (r0, or the trap's kind, pc and message). Whether the proof must apply is stated per
 * program from its shape (one loop whose back-edge block steps a bounded counter, or not), and it
 * must never apply at a budget the interpreter runs out of.
 */
class JitBudgetBoundTest {
    static final JitBackend SPLIT = new JitBackend(200);
    static final long LARGE = 1_000_000;

    /** A program (a data file's sections), and whether the proof applies at a large budget. */
    record Case(String name, String text, boolean provable) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("byte sum over the input", asm(LoopPrograms.byteSum("64")), true),
                new Case("two loops: copy to the stack, then read it back", asm("""
                        mov %r3, 0
                        copy:
                        mov %r4, %r1
                        add %r4, %r3
                        ldxdw %r5, [%r4+0]
                        mov %r4, %r10
                        add %r4, %r3
                        stxdw [%r4-64], %r5
                        add %r3, 8
                        jlt %r3, 64, copy
                        mov %r0, 0
                        mov %r3, 0
                        check:
                        mov %r4, %r10
                        add %r4, %r3
                        ldxdw %r5, [%r4-64]
                        mul %r0, 3
                        xor %r0, %r5
                        add %r3, 8
                        jlt %r3, 64, check
                        exit
                        """), true),
                new Case("inlined array lookups in a loop", """
                        -- map counters
                        type=array key=4 value=8 entries=8
                        -- asm
                        mov %r6, 0
                        mov %r7, 0
                        loop:
                        mov %r1, %r6
                        and %r1, 15
                        stxw [%r10-4], %r1
                        lddw %r1, map:counters
                        mov %r2, %r10
                        add %r2, -4
                        call 1
                        jeq %r0, 0, next
                        ldxdw %r1, [%r0]
                        add %r1, %r6
                        stxdw [%r0], %r1
                        add %r7, 1
                        next:
                        add %r6, 1
                        jlt %r6, 40, loop
                        mov %r0, %r7
                        exit
                        """, true),
                // The counter steps in the block before the back edge's: the loop stalls at 5.
                new Case("counter stepped outside the back edge's block", asm("""
                        mov %r0, 0
                        mov %r3, 0
                        loop:
                        add %r0, 1
                        jeq %r3, 5, +1
                        add %r3, 1
                        jlt %r3, 10, loop
                        exit
                        """), false),
                // The counter also goes down in the loop: it never leaves 0.
                new Case("counter stepped down too", asm("""
                        mov %r3, 0
                        loop:
                        add %r3, 1
                        add %r3, -1
                        jlt %r3, 10, loop
                        mov %r0, %r3
                        exit
                        """), false),
                // The 32-bit add wraps: not a step the proof counts.
                new Case("32-bit counter", asm("""
                        mov %r0, 0
                        mov %r3, 0
                        loop:
                        add %r0, 2
                        add32 %r3, 1
                        jlt %r3, 10, loop
                        exit
                        """), false),
                new Case("nested loops", asm("""
                        mov %r0, 0
                        mov %r3, 0
                        outer:
                        mov %r4, 0
                        inner:
                        add %r0, %r4
                        add %r4, 1
                        jlt %r4, 5, inner
                        add %r3, 1
                        jlt %r3, 6, outer
                        exit
                        """), false),
                // A helper call may count elsewhere (callbacks): never proven.
                new Case("helper call in the loop", asm("""
                        mov %r6, 0
                        loop:
                        call 8
                        add %r6, 1
                        jlt %r6, 4, loop
                        mov %r0, %r6
                        exit
                        """), false));
    }

    private static String asm(String body) {
        return "-- asm\n" + body;
    }

    static Stream<Object[]> casesAndForms() {
        return cases().flatMap(c -> Stream.of(new Object[] {c, Engines.JIT}, new Object[] {c, SPLIT}));
    }

    @ParameterizedTest
    @MethodSource("casesAndForms")
    // a wrong proof on a program that never ends would leave out the only exit: fail, not hang
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void sameOutcomeAsTheInterpreterAtEveryBudget(Case c, JitBackend jit) throws Exception {
        TreeSet<Long> budgets = new TreeSet<>();
        for (long b = 1; b <= 40; b++) {
            budgets.add(b);
        }
        budgets.add(LARGE);
        Long count = exactCount(c);
        if (count != null) {
            budgets.add(count - 1);
            budgets.add(count);
            budgets.add(count + 1);
        }
        List<String> freeAt = new ArrayList<>();
        for (long budget : budgets) {
            Outcome expected;
            try (Executable interp = load(Engines.INTERP, c.text(), budget)) {
                expected = interp.run(input());
            }
            try (Executable compiled = load(jit, c.text(), budget)) {
                boolean free = (boolean) compiled.info().get("budgetFree");
                if (free) {
                    freeAt.add(Long.toString(budget));
                }
                Outcome actual = compiled.run(input());
                assertEquals(describe(expected), describe(actual), "budget " + budget + ", " + c.name());
                if (expected instanceof Outcome.Trapped t && t.kind() == TrapKind.BUDGET_EXHAUSTED) {
                    assertFalse(free, "budget-free although the interpreter runs out of budget " + budget);
                }
                if (budget == LARGE) {
                    assertEquals(c.provable(), free, "budgetFree at budget " + LARGE + ", " + c.name());
                }
            }
        }
        if (count != null && c.provable()) {
            assertFalse(freeAt.contains(Long.toString(count - 1)), "free below the exact count " + count);
        }
    }

    /**
     * The exact instruction count of one run, from the interpreter: the least budget at which it
     * returns (it returns exactly at budgets at or above the count); null when it runs out at
     * {@link #LARGE}.
     */
    private static Long exactCount(Case c) throws Exception {
        if (!returns(c, LARGE)) {
            return null;
        }
        long lo = 1;
        long hi = LARGE;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (returns(c, mid)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static boolean returns(Case c, long budget) throws Exception {
        try (Executable interp = load(Engines.INTERP, c.text(), budget)) {
            return interp.run(input()) instanceof Outcome.Returned;
        }
    }

    private static byte[] input() {
        byte[] in = new byte[64];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (i * 37 + 5);
        }
        return in;
    }

    private static String describe(Outcome o) {
        if (o instanceof Outcome.Trapped t) {
            return "trap " + t.kind() + " at " + t.pc() + ": " + t.message();
        }
        return "r0 " + assertInstanceOf(Outcome.Returned.class, o).r0();
    }

    private static Executable load(Backend b, String text, long budget) throws Exception {
        DataFile d = DataFileParser.parse("t", null, text + "-- result\n0x0\n");
        return b.load(d.program(), LoadOptions.DEFAULTS.withInstructionBudget(budget));
    }
}
