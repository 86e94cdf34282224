package dev.bpfh.interp;

import static dev.bpfh.interp.Prog.assertTrap;
import static dev.bpfh.interp.Prog.prog;
import static dev.bpfh.interp.Prog.returned;
import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.exec.Helpers;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.Trap;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** isa.md §2.4 and architecture.md "Helpers": helper calls, callx, local calls and frames. */
class CallTest {

    @Test
    void helperGetsR1ToR5AndReturnsInR0() {
        Helpers h = Helpers.standard().register(100, "weighted_sum",
                (ctx, a, b, c, d, e, pc) -> a + 10 * b + 100 * c + 1000 * d + 10000 * e);
        long r0 = prog().helpers(h).mov(1, 1).mov(2, 2).mov(3, 3).mov(4, 4).mov(5, 5).call(100).exit().r0();
        assertEquals(54321, r0);
    }

    @Test
    void helperSeesTheCallsPc() {
        Helpers h = Helpers.standard().register(100, "pc", (ctx, a, b, c, d, e, pc) -> pc);
        assertEquals(2, prog().helpers(h).mov(0, 0).mov(1, 0).call(100).exit().r0());
    }

    @Test
    void smpProcessorIdIsZeroAndKtimeAdvances() {
        assertEquals(0, prog().mov(0, 7).call(Helpers.GET_SMP_PROCESSOR_ID).exit().r0());
        // r6 = ktime; r0 = ktime; r0 -= r6: never negative
        long diff = prog().call(Helpers.KTIME_GET_NS).movx(6, 0).call(Helpers.KTIME_GET_NS).alu64x(SUB, 0, 6).exit().r0();
        assertTrue(diff >= 0, "ktime went backwards by " + diff);
    }

    /** r0 = (first prandom << 32) | second prandom. */
    static Prog twoRandoms(long seed) {
        return prog().seed(seed).call(Helpers.GET_PRANDOM_U32).movx(6, 0).alu64(LSH, 6, 32)
                .call(Helpers.GET_PRANDOM_U32).alu64x(OR, 0, 6).exit();
    }

    @Test
    void prandomIsTheSeededStreamRestartedEveryRun() {
        SplittableRandom expected = new SplittableRandom(42); // LoadOptions.randomSeed seeds this stream
        long first = expected.nextInt() & 0xffffffffL;
        long second = expected.nextInt() & 0xffffffffL;
        Executable e = twoRandoms(42).load();
        long want = first << 32 | second;
        assertEquals(want, returned(e.run(new byte[0])).r0());
        assertEquals(want, returned(e.run(new byte[0])).r0(), "second run restarts the stream");
        assertEquals(want, returned(twoRandoms(42).load().run(new byte[0])).r0(), "another load, same seed");
        assertNotEquals(want, returned(twoRandoms(43).load().run(new byte[0])).r0(), "another seed");
    }

    @Test
    void callxCallsTheHelperNamedByTheRegister() {
        assertEquals(0, prog().mov(0, 99).mov(2, Helpers.GET_SMP_PROCESSOR_ID).callx(2).exit().r0());
    }

    @Test
    void callxToAnUnknownIdTrapsAtTheCallx() {
        assertTrap(TrapKind.UNKNOWN_HELPER, 1, prog().mov(2, 1000).callx(2).exit().run());
        assertTrap(TrapKind.UNKNOWN_HELPER, 1, prog().mov(2, -1).callx(2).exit().run());
        assertTrap(TrapKind.UNKNOWN_HELPER, 2, prog().lddw(2, 1L << 32 | Helpers.GET_SMP_PROCESSOR_ID).callx(2).exit().run());
        assertTrap(TrapKind.UNKNOWN_HELPER, 1, prog().mov(2, 6).callx(2).exit().run()); // a gap in the table
    }

    @Test
    void helperFaultsBecomeTraps() {
        Helpers h = Helpers.standard()
                .register(100, "fails", (ctx, a, b, c, d, e, pc) -> {
                    throw new Trap(TrapKind.HELPER_FAILED, pc, "no");
                })
                .register(101, "buggy", (ctx, a, b, c, d, e, pc) -> {
                    throw new IllegalStateException("bug");
                });
        assertTrap(TrapKind.HELPER_FAILED, 1, prog().helpers(h).mov(0, 0).call(100).exit().run());
        assertTrap(TrapKind.RUNTIME_ERROR, 1, prog().helpers(h).mov(0, 0).call(101).exit().run());
    }

    @Test
    void helperCanReadMemoryThroughTheContext() {
        Helpers h = Helpers.standard().register(100, "peek",
                (ctx, addr, b, c, d, e, pc) -> ctx.memory().load8(addr, pc));
        byte[] mem = {0, 42};
        Outcome o = prog().helpers(h).alu64(ADD, 1, 1).call(100).exit().run(mem);
        assertEquals(42, returned(o).r0());
    }

    // ---- local calls ----------------------------------------------------------------------------

    @Test
    void localCallPassesArgumentsAndReturnsR0() {
        // 0: mov r1, 20; 1: call +1 -> 3; 2: exit; 3: mov r0, r1; 4: add r0, 22; 5: exit
        assertEquals(42, prog().mov(1, 20).callLocal(1).exit().movx(0, 1).alu64(ADD, 0, 22).exit().r0());
    }

    @Test
    void calleeSavedRegistersArePreserved() {
        // caller: r6..r9 = 6..9; call f; r0 = r6+r7+r8+r9; f zeroes r6..r9 (call_local.data)
        Prog p = prog().mov(6, 6).mov(7, 7).mov(8, 8).mov(9, 9).callLocal(5)
                .movx(0, 6).alu64x(ADD, 0, 7).alu64x(ADD, 0, 8).alu64x(ADD, 0, 9).exit()
                .mov(6, 0).mov(7, 0).mov(8, 0).mov(9, 0).exit();
        assertEquals(30, p.r0());
    }

    @Test
    void calleeGetsItsOwnFrame() {
        // caller: [r10-8] = 0x55; r6 = r10; call f; r0 = [r10-8] (must still be 0x55);
        // f: r0 = [r10-8] (fresh frame: 0); [r10-8] = 0x66; r0 += r10 - r6 (frames differ); exit
        Prog p = prog().st(SIZE_DW, 10, -8, 0x55).movx(6, 10).callLocal(3)
                .ldx(SIZE_DW, 1, 10, -8).alu64x(ADD, 0, 1).exit()
                .ldx(SIZE_DW, 0, 10, -8).st(SIZE_DW, 10, -8, 0x66).exit();
        assertEquals(0x55, p.r0()); // callee read 0 from its fresh frame, caller reads back 0x55
    }

    @Test
    void calleeFramePointerIsTheNextFrame() {
        // caller: call f; exit;  f: r0 = r10; exit  -> frameTop(1)
        assertEquals(Memory.frameTop(1), prog().callLocal(1).exit().movx(0, 10).exit().r0());
        // after the return r10 is the caller's again
        assertEquals(Memory.frameTop(0), prog().callLocal(2).movx(0, 10).exit().exit().r0());
    }

    @Test
    void aLaterRunFindsTheFramesAnEarlierRunsCallsWroteZeroed() {
        // depth n (from the input's first byte) by recursion; the deepest frame returns what it finds
        // at [r10-8], then leaves 0x77 there. architecture.md: every run starts with a zeroed stack.
        // 0: r1 = the input's first byte; 1: call +1 -> 3; 2: exit
        // 3: jeq r1, 0, +2 -> 6; 4: add r1, -1; 5: call -3 -> 3 (and falls to 6 on return)
        // 6: ldxdw r0, [r10-8]; 7: stdw [r10-8], 0x77; 8: exit
        Executable e = prog().ldx(SIZE_B, 1, 1, 0).callLocal(1).exit()
                .jmp(JEQ, 1, 0, 2).alu64(ADD, 1, -1).callLocal(-3)
                .ldx(SIZE_DW, 0, 10, -8).st(SIZE_DW, 10, -8, 0x77).exit().load();
        for (int depth : new int[] {6, 6, 2, 5, 6, 1, 6}) { // each frame written by some earlier run
            // every level passes r0 up unchanged: the run returns the deepest frame's first read
            assertEquals(0, returned(e.run(new byte[] {(byte) depth})).r0(), "frame " + (depth + 1));
        }
    }

    /** Calls itself until r1 counts down to zero: the deepest frame is at depth {@code n}. */
    static Prog recursion(int n) {
        // 0: mov r1, n; 1: mov r0, 0; 2: call +1 -> 4; 3: exit
        // 4: add r0, 1; 5: add r1, -1; 6: jeq r1, 0, +1 -> 8; 7: call -4 -> 4; 8: exit
        return prog().mov(1, n).mov(0, 0).callLocal(1).exit()
                .alu64(ADD, 0, 1).alu64(ADD, 1, -1).jmp(JEQ, 1, 0, 1).callLocal(-4).exit();
    }

    @Test
    void eightFramesAreAllowed() {
        assertEquals(7, recursion(7).r0()); // depths 0..7: eight frames
    }

    @Test
    void aNinthFrameTrapsAtTheCall() {
        assertTrap(TrapKind.CALL_DEPTH, 7, recursion(8).run());
    }

    @Test
    void everyFrameCanUseItsWholeStack() {
        // Each depth writes its depth+1 at [r10-512] and [r10-1] before recursing and sums them afterwards.
        // 0: mov r1, 6; 1: call +1 -> 3; 2: exit
        // 3: stxdw [r10-512], r1; 4: stxb [r10-1], r1; 5: mov r0, 0; 6: jeq r1, 0, +3 -> 10
        // 7: add r1, -1; 8: call -6 -> 3; 9: ja +0
        // 10: ldxdw r2, [r10-512]; 11: add r0, r2; 12: ldxb r2, [r10-1]; 13: add r0, r2; 14: exit
        Prog p = prog().mov(1, 6).callLocal(1).exit()
                .stx(SIZE_DW, 10, -512, 1).stx(SIZE_B, 10, -1, 1).mov(0, 0).jmp(JEQ, 1, 0, 3)
                .alu64(ADD, 1, -1).callLocal(-6).ja(0)
                .ldx(SIZE_DW, 2, 10, -512).alu64x(ADD, 0, 2).ldx(SIZE_B, 2, 10, -1).alu64x(ADD, 0, 2).exit();
        // frames 1..7 hold r1 = 6, 5, ..., 0 and each adds its value twice: 2 * (0 + 1 + ... + 6) = 42
        assertEquals(42, p.r0());
    }
}
