package dev.bpfh.interp;

import static dev.bpfh.interp.Prog.prog;
import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import org.junit.jupiter.api.Test;

/**
 * {@link InterpreterBackend#countInstructions}: the executed-instruction count of one run, as the
 * architecture.md budget rule counts (lddw once, callee instructions and every exit included).
 * Expected counts are worked out by hand from the programs below.
 */
class InstructionCountTest {

    private static long count(Prog p) throws LoadRejected {
        return InterpreterBackend.countInstructions(p.program(), new byte[0]);
    }

    @Test
    void straightLineCountsEveryInstructionOnce() throws LoadRejected {
        assertEquals(2, count(prog().mov(0, 7).exit()));
        assertEquals(4, count(prog().mov(0, 1).alu64(ADD, 0, 2).alu64(MUL, 0, 3).exit()));
    }

    @Test
    void lddwCountsOnceAlthoughItTakesTwoSlots() throws LoadRejected {
        // slots: lddw (2), lddw (2), exit: 5 slots, 3 instructions
        assertEquals(3, count(prog().lddw(0, 0x1_0000_0001L).lddw(1, 5).exit()));
    }

    @Test
    void loopOfKnownTripCount() throws LoadRejected {
        // 0: r0 = 0; 1: r1 = N; 2: r0 += 1; 3: r1 -= 1; 4: if r1 != 0 goto 2; 5: exit
        // two set-up instructions, three per iteration, one exit: 3N + 3
        for (int n : new int[] {1, 2, 10, 1000}) {
            Prog loop = prog().mov(0, 0).mov(1, n).alu64(ADD, 0, 1).alu64(SUB, 1, 1).jmp(JNE, 1, 0, -3).exit();
            assertEquals(3L * n + 3, count(loop), "trip count " + n);
        }
    }

    @Test
    void nestedLoopsMultiply() throws LoadRejected {
        // 0: r0 = 0; 1: r1 = 10
        // 2: r2 = 20                      outer body
        // 3: r0 += 1; 4: r2 -= 1; 5: if r2 != 0 goto 3       inner: 3 per trip, 20 trips
        // 6: r1 -= 1; 7: if r1 != 0 goto 2                   outer: 1 + 60 + 2 = 63 per trip, 10 trips
        // 8: exit
        Prog p = prog().mov(0, 0).mov(1, 10)
                .mov(2, 20).alu64(ADD, 0, 1).alu64(SUB, 2, 1).jmp(JNE, 2, 0, -3)
                .alu64(SUB, 1, 1).jmp(JNE, 1, 0, -6)
                .exit();
        assertEquals(2 + 10 * 63 + 1, count(p));
    }

    @Test
    void skippedInstructionsAreNotCounted() throws LoadRejected {
        // 0: r0 = 0; 1: goto 4; 2, 3 skipped; 4: exit
        assertEquals(3, count(prog().mov(0, 0).ja(2).alu64(ADD, 0, 1).alu64(ADD, 0, 1).exit()));
    }

    @Test
    void calleeInstructionsAndBothExitsCount() throws LoadRejected {
        // 0: r0 = 1; 1: call 3; 2: exit; 3: r0 += 1; 4: exit   executed: 0, 1, 3, 4, 2
        assertEquals(5, count(prog().mov(0, 1).callLocal(1).exit().alu64(ADD, 0, 1).exit()));
        // a helper call is one instruction: r1 = 0 ... call 7 (prandom); exit
        assertEquals(2, count(prog().call(7).exit()));
    }

    @Test
    void countDoesNotDependOnTheBudget() throws LoadRejected {
        // TrapAndBudgetTest.threeIterations: 8 executed; with budget 5 no check sees more than 5
        Prog p = prog().mov(0, 0).alu64(ADD, 0, 1).jmp(JNE, 0, 3, -2).exit();
        assertEquals(8, InterpreterBackend.countInstructions(p.program(), new byte[0],
                LoadOptions.DEFAULTS.withInstructionBudget(5)));
        assertEquals(8, count(p));
    }

    @Test
    void aTrappingRunHasNoCount() {
        var e = assertThrows(IllegalArgumentException.class, () -> count(prog().mov(0, 1)));
        assertTrue(e.getMessage().contains("FELL_OFF_END"), e.getMessage());
    }

    @Test
    void countsAgainOnEveryRunOfTheSameExecutable() {
        // through the package-private accessor: the second run's count replaces the first
        Interpreter i = (Interpreter) prog().mov(0, 0).ldx(SIZE_B, 1, 1, 0).jmp(JEQ, 1, 0, 1).alu64(ADD, 0, 1).exit()
                .load();
        i.run(new byte[] {0});
        assertEquals(4, i.executedInstructions()); // jump taken over the add
        i.run(new byte[] {1});
        assertEquals(5, i.executedInstructions());
        i.run(new byte[0]); // out of bounds at pc 1
        assertEquals(-1, i.executedInstructions());
    }
}
