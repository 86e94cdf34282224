package dev.bpfh.interp;

import static dev.bpfh.interp.Prog.assertTrap;
import static dev.bpfh.interp.Prog.prog;
import static dev.bpfh.interp.Prog.returned;
import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bpfh.exec.Helpers;
import dev.bpfh.spi.TrapKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** architecture.md "Traps" and the budget rule: kinds, pcs, and the exact instruction count. */
class TrapAndBudgetTest {

    @Test
    void fallingOffTheEndTrapsAtTheProgramLength() {
        assertTrap(TrapKind.FELL_OFF_END, 1, prog().mov(0, 1).run());
        // a not-taken jump as the last instruction
        assertTrap(TrapKind.FELL_OFF_END, 2, prog().mov(0, 1).jmp(JEQ, 0, 0, -2).run());
        // lddw as the last instruction: the length counts both slots
        assertTrap(TrapKind.FELL_OFF_END, 3, prog().mov(0, 1).lddw(0, 5).run());
    }

    @Test
    void infiniteLoopTrapsInsteadOfHanging() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            assertTrap(TrapKind.BUDGET_EXHAUSTED, 1, prog().mov(0, 0).ja(-1).run());
            assertTrap(TrapKind.BUDGET_EXHAUSTED, 0, prog().ja(-1).exit().run());
            // a tight loop with the default budget of 10^8 also ends
            assertTrap(TrapKind.BUDGET_EXHAUSTED, 2, prog().mov(0, 0).alu64(ADD, 0, 1).ja(-2).run());
        });
    }

    /** 0: mov r0,0; 1: add r0,1; 2: jne r0,3,-2 -> 1; 3: exit. Checks at counts 3 and 5; 8 executed in all. */
    static Prog threeIterations(long budget) {
        return prog().budget(budget).mov(0, 0).alu64(ADD, 0, 1).jmp(JNE, 0, 3, -2).exit();
    }

    @Test
    void budgetIsCheckedOnlyAtTakenBackwardJumps() {
        assertEquals(3, returned(threeIterations(5).run()).r0()); // 8 executed, but no check sees more than 5
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 2, threeIterations(4).run());
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 2, threeIterations(2).run());
        assertEquals(3, returned(threeIterations(1_000).run()).r0());
    }

    @Test
    void straightLineCodeAndForwardJumpsAreNeverChecked() {
        // 5 instructions with a forward jump, budget 1.
        assertEquals(2, prog().budget(1).mov(0, 1).ja(1).mov(0, 9).alu64(ADD, 0, 1).exit().r0());
    }

    @Test
    void lddwCountsOnce() {
        // 0-1: lddw r0,0; 2: add r0,1; 3: jne r0,2,-2 -> 2; 4: exit. The one check sees count 3.
        Prog ok = prog().budget(3).lddw(0, 0).alu64(ADD, 0, 1).jmp(JNE, 0, 2, -2).exit();
        assertEquals(2, ok.r0());
        Prog over = prog().budget(2).lddw(0, 0).alu64(ADD, 0, 1).jmp(JNE, 0, 2, -2).exit();
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 3, over.run());
    }

    /**
     * 0: mov r6,2; 1: call +3 -> 5; 2: add r6,-1; 3: jne r6,0,-3 -> 1; 4: exit; 5: mov r0,7; 6: exit.
     * Executed: 0 1 5 6 2 3 1 5 6 2 3 4; checks: call at count 2, jne at 6, call at 7.
     */
    static Prog callsInALoop(long budget) {
        return prog().budget(budget).mov(6, 2).callLocal(3).alu64(ADD, 6, -1).jmp(JNE, 6, 0, -3).exit()
                .mov(0, 7).exit();
    }

    @Test
    void budgetCountsThroughLocalCallsAndReturns() {
        assertEquals(7, callsInALoop(7).r0());
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 1, callsInALoop(6).run());
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 3, callsInALoop(5).run());
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 1, callsInALoop(1).run());
    }

    @Test
    void helperCallsAndCallxAreChecked() {
        assertEquals(0, prog().budget(2).mov(0, 5).call(Helpers.GET_SMP_PROCESSOR_ID).exit().r0());
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 1, prog().budget(1).mov(0, 5).call(Helpers.GET_SMP_PROCESSOR_ID).exit().run());
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 2, prog().budget(2).mov(0, 5).mov(1, 8).callx(1).exit().run());
    }

    @Test
    void budgetIsCheckedBeforeTheCallExecutes() {
        // Over budget and over depth at the same call: the budget is found first.
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 0, prog().budget(5).callLocal(-1).run());
        assertTrap(TrapKind.CALL_DEPTH, 0, prog().budget(1_000).callLocal(-1).run());
    }

    @Test
    void aTrappedRunDoesNotSpoilTheNext() {
        var e = prog().ldx(SIZE_B, 0, 1, 0).exit().load();
        assertTrap(TrapKind.OUT_OF_BOUNDS, 0, e.run(new byte[0]));
        assertEquals(9, returned(e.run(new byte[] {9})).r0());
    }
}
