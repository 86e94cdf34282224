package dev.bpfh.jit;

import static dev.bpfh.jit.Engines.asm;
import static dev.bpfh.jit.Engines.jit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import org.junit.jupiter.api.Test;

/** Traps: kind and pc as docs/architecture.md defines them. */
class JitTrapTest {

    private static void assertTrap(TrapKind kind, int pc, Outcome o) {
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, o, () -> "expected a trap, got " + o);
        assertEquals(kind, t.kind(), t::toString);
        assertEquals(pc, t.pc(), t::toString);
    }

    @Test
    void loadPastTheInputTrapsAtTheLoad() {
        assertTrap(TrapKind.OUT_OF_BOUNDS, 1, jit("mov %r0, 0\nldxw %r0, [%r1+5]\nexit", new byte[8]));
        assertTrap(TrapKind.OUT_OF_BOUNDS, 0, jit("ldxb %r0, [%r1-1]\nexit", new byte[8]));
    }

    @Test
    void accessOutsideTheFrameTrapsAtTheAccess() {
        assertTrap(TrapKind.OUT_OF_BOUNDS, 0, jit("stdw [%r10-4], 1\nexit", new byte[0]));
        assertTrap(TrapKind.OUT_OF_BOUNDS, 1, jit("mov %r0, 0\nldxb %r0, [%r10+0]\nexit", new byte[0]));
        assertTrap(TrapKind.OUT_OF_BOUNDS, 0, jit("ldxb %r0, [%r10-513]\nexit", new byte[0]));
        assertTrap(TrapKind.OUT_OF_BOUNDS, 2, jit("mov %r1, 0\nmov %r0, 1\nlock add [%r1+0], %r0\nexit", new byte[0]));
    }

    @Test
    void copiedFramePointerIsCheckedAgainstTheFrame() {
        assertTrap(TrapKind.OUT_OF_BOUNDS, 3, jit("mov %r1, %r10\nadd %r1, -4\nmov %r0, 0\nstxdw [%r1+0], %r0\nexit", new byte[0]));
        assertTrap(TrapKind.OUT_OF_BOUNDS, 2, jit("mov %r1, %r10\nadd %r1, -600\nldxb %r0, [%r1+80]\nexit", new byte[0]));
        assertEquals(7, Engines.r0(jit("mov %r1, %r10\nadd %r1, -600\nstb [%r1+89], 7\nldxb %r0, [%r10-511]\nexit", new byte[0])));
    }

    @Test
    void nullAndSmallIntegersAreNotPointers() {
        assertTrap(TrapKind.OUT_OF_BOUNDS, 1, jit("mov %r2, 16\nstxb [%r2+0], %r2\nexit", new byte[32]));
    }

    @Test
    void runningPastTheLastSlotTrapsAtTheProgramLength() {
        assertTrap(TrapKind.FELL_OFF_END, 2, jit("mov %r0, 1\nadd %r0, 1", new byte[0]));
        assertTrap(TrapKind.FELL_OFF_END, 4, jit("mov %r0, 1\njeq %r0, 1, +1\nexit\nmov %r0, 2", new byte[0]));
    }

    @Test
    void infiniteLoopExhaustsTheBudgetAtTheBackwardJump() throws Exception {
        // ja -1 at pc 1 executes once per iteration; with budget 10: mov (1) + 9 ja = 10 <= 10,
        // the 10th ja makes 11 > 10.
        var p = asm("mov %r0, 0\nja -1");
        var o = Engines.run(Engines.JIT, p, LoadOptions.DEFAULTS.withInstructionBudget(10), new byte[0]);
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 1, o);
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 1, jit("mov %r0, 0\nja -1", new byte[0]));
    }

    @Test
    void budgetCountsEveryExecutedInstructionAtTheCheck() {
        // Loop body of 3 (add, add, jne) runs 5 times: 1 + 15 = 16 instructions, then exit = 17.
        String loop = "mov %r1, 5\nadd %r0, 1\nadd %r1, -1\njne %r1, 0, -3\nexit";
        var o = LoadOptions.DEFAULTS;
        assertEquals(5, Engines.r0(Engines.run(Engines.JIT, asm(loop), o.withInstructionBudget(13), new byte[0])));
        // The 4th taken jne is instruction 13 and the 5th iteration's... the last taken jump is the
        // 4th (the 5th falls through): count at it = 1 + 4*3 = 13. Budget 12 traps there.
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 3,
                Engines.run(Engines.JIT, asm(loop), o.withInstructionBudget(12), new byte[0]));
    }

    /**
     * Programs that add constants of 2..16 make the jit count the budget in fractions of an
     * instruction (Compiler.budgetScale). The outcome at every budget around the exact count must
     * still be the interpreter's: the same r0, or BUDGET_EXHAUSTED at the same pc, including across
     * a local call (which hands the remaining budget over through RunState).
     */
    @Test
    void scaledBudgetTrapsExactlyWhereTheInterpreterDoes() throws Exception {
        String[] programs = {
            "mov %r0, 0\nmov %r3, 0\nadd %r0, 1\nadd %r3, 2\njlt %r3, 10, -3\nexit",
            "mov %r0, 0\nmov %r3, 30\nadd %r0, 3\nsub %r3, 6\nadd %r0, 4\njgt %r3, 0, -4\nexit",
            "mov %r0, 0\nmov %r6, 0\ncall local f\nadd %r6, 4\njlt %r6, 16, -3\nexit\nf:\nadd %r0, 12\nexit",
        };
        for (String text : programs) {
            var p = asm(text);
            for (long budget = 1; budget <= 40; budget++) {
                var o = LoadOptions.DEFAULTS.withInstructionBudget(budget);
                var expected = Engines.run(Engines.INTERP, p, o, new byte[0]);
                var actual = Engines.run(Engines.JIT, p, o, new byte[0]);
                assertEquals(expected.toString(), actual.toString(), "budget " + budget + " for\n" + text);
            }
        }
    }

    @Test
    void callsCheckTheBudgetIncludingTheCall() {
        // call at pc 1 is instruction 2: budget 1 traps there.
        String text = "mov %r0, 0\ncall 8\nexit";
        var o = LoadOptions.DEFAULTS;
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 1, Engines.run(Engines.JIT, asm(text), o.withInstructionBudget(1), new byte[0]));
        assertEquals(0, Engines.r0(Engines.run(Engines.JIT, asm(text), o.withInstructionBudget(2), new byte[0])));
    }

    @Test
    void eighthNestedLocalCallTrapsAtTheCall() {
        // Each level calls itself: depths 0..7 exist (8 frames); the call at depth 7 traps.
        String text = """
                mov %r0, 0
                call local f
                exit
                f:
                add %r0, 1
                call local f
                exit
                """;
        assertTrap(TrapKind.CALL_DEPTH, 4, jit(text, new byte[0]));
    }

    @Test
    void sevenNestedCallsAreAllowed() {
        // One call from depth 0, then six more: depth 7 is reached and is the eighth frame.
        String text = """
                mov %r0, 0
                mov %r1, 6
                call local f
                exit
                f:
                jeq %r1, 0, +4
                add %r1, -1
                add %r0, 1
                call local f
                exit
                exit
                """;
        assertEquals(6, Engines.r0(jit(text, new byte[0])));
    }

    @Test
    void recursionRunsOutOfBudgetBeforeTheStackWhenTheBudgetIsSmall() {
        String text = "call local f\nexit\nf:\ncall local f\nexit";
        var o = Engines.run(Engines.JIT, asm(text), LoadOptions.DEFAULTS.withInstructionBudget(3), new byte[0]);
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 2, o);
    }

    @Test
    void callxToAnUnknownHelperTraps() {
        assertTrap(TrapKind.UNKNOWN_HELPER, 1, jit("mov %r2, 99\ncall %r2\nexit", new byte[0]));
        assertTrap(TrapKind.UNKNOWN_HELPER, 1, jit("mov %r2, -1\ncall %r2\nexit", new byte[0]));
    }

    @Test
    void localCallFramesAreIsolated() {
        // The callee writes its own [r10-8]; the caller's slot keeps 1. The callee reads 0 first.
        String text = """
                stdw [%r10-8], 1
                call local f
                ldxdw %r1, [%r10-8]
                lsh %r0, 8
                or %r0, %r1
                exit
                f:
                ldxdw %r0, [%r10-8]
                stdw [%r10-8], 2
                exit
                """;
        assertEquals(0x001, Engines.r0(jit(text, new byte[0])));
    }

    @Test
    void invalidProgramsAreRejectedWithThePc() {
        var e = assertThrows(LoadRejected.class,
                () -> Engines.JIT.load(dev.bpfh.isa.Program.of("bad", 0xffL), LoadOptions.DEFAULTS));
        assertEquals(0, e.pc());
        assertThrows(LoadRejected.class, () -> Engines.JIT.load(asm("call 12345\nexit"), LoadOptions.DEFAULTS));
    }
}
