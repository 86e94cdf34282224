package dev.bpfh.jit;

import static dev.bpfh.jit.Engines.asm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import org.junit.jupiter.api.Test;

/**
 * Frame accesses through a loop counter that the facts bound but do not prove inside the frame
 * (MethodGen.frameIndexed: one int compare, the checked path past the end), and 32-bit ALU
 * operations done in int arithmetic (MethodGen.intAlu32). Expected values come from the
 * interpreter or from Java arithmetic written here, never from the jit.
 */
class JitIndexedAccessTest {

    private static Outcome both(String text, byte[] memory, Outcome.Trapped expectedTrap) {
        var p = asm(text);
        Outcome jit = Engines.run(Engines.JIT, p, LoadOptions.DEFAULTS, memory.clone());
        Outcome interp = Engines.run(Engines.INTERP, p, LoadOptions.DEFAULTS, memory.clone());
        assertEquals(interp, jit, "jit and interpreter differ");
        if (expectedTrap != null) {
            Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, jit, jit::toString);
            assertEquals(expectedTrap.kind(), t.kind(), t::toString);
            assertEquals(expectedTrap.pc(), t.pc(), t::toString);
        }
        return jit;
    }

    /** copy_to_stack's shape: 8-byte stores and loads at r10 + r3 - 256, r3 stepping by 8. */
    private static String copyLoop(int limit, int storeOff, int loadOff) {
        return String.join("\n",
                "mov %r3, 0",
                "mov %r0, 0",
                "copy:",
                "mov %r4, %r10",
                "add %r4, %r3",
                "stxdw [%r4" + storeOff + "], %r3",
                "add %r3, 8",
                "jlt %r3, " + limit + ", copy",
                "mov %r3, 0",
                "check:",
                "mov %r4, %r10",
                "add %r4, %r3",
                "ldxdw %r5, [%r4" + loadOff + "]",
                "mul %r0, 3",
                "xor %r0, %r5",
                "add %r3, 8",
                "jlt %r3, " + limit + ", check",
                "exit");
    }

    private static long copyLoopModel(int limit) {
        long r0 = 0;
        for (long r3 = 0; r3 < limit; r3 += 8) {
            r0 = r0 * 3 ^ r3;
        }
        return r0;
    }

    @Test
    void strideEightFrameLoopRunsInsideTheFrame() {
        Outcome o = both(copyLoop(256, -256, -256), new byte[0], null);
        assertEquals(copyLoopModel(256), Engines.r0(o));
        // The whole frame, 64 slots.
        assertEquals(copyLoopModel(512), Engines.r0(both(copyLoop(512, -512, -512), new byte[0], null)));
    }

    @Test
    void frameLoopPastTheEndTrapsAtTheStore() {
        // r3 reaches 256: the store at r10 + 0 is past the frame; pc 4 is the stxdw.
        both(copyLoop(264, -256, -256), new byte[0], new Outcome.Trapped(TrapKind.OUT_OF_BOUNDS, 4, ""));
        // Off by 4: the last slot's 8 bytes straddle the frame's end.
        both(copyLoop(256, -252, -256), new byte[0], new Outcome.Trapped(TrapKind.OUT_OF_BOUNDS, 4, ""));
    }

    @Test
    void frameLoopPastTheEndTrapsAtTheLoad() {
        // Stores stay inside; the load at -252 of the last slot crosses the end: pc 10 is the ldxdw.
        both(copyLoop(256, -256, -252), new byte[0], new Outcome.Trapped(TrapKind.OUT_OF_BOUNDS, 10, ""));
    }

    @Test
    void frameLoopBelowTheFrameStillTrapsOnTheCheckedPath() {
        // -520 + 0 is below the frame: not frameIndexed (lower bound not proven), Memory traps.
        both(copyLoop(256, -520, -256), new byte[0], new Outcome.Trapped(TrapKind.OUT_OF_BOUNDS, 4, ""));
    }

    @Test
    void storesBelowTheFrameWriteFloorAreZeroedForTheNextRun() throws Exception {
        // The first run writes slots -256..-8; the second run reads them before writing: zero again.
        String readFirst = """
                mov %r3, 0
                mov %r0, 0
                read:
                mov %r4, %r10
                add %r4, %r3
                ldxdw %r5, [%r4-256]
                or %r0, %r5
                add %r3, 8
                jlt %r3, 256, read
                mov %r3, 0
                write:
                mov %r4, %r10
                add %r4, %r3
                stxdw [%r4-256], %r1
                add %r3, 8
                jlt %r3, 256, write
                exit""";
        var e = Engines.JIT.load(asm(readFirst), LoadOptions.DEFAULTS);
        assertEquals(0, Engines.r0(e.run(new byte[8])));
        assertEquals(0, Engines.r0(e.run(new byte[8])));
    }

    /**
     * The index check is {@code length - (size - 1) < 0 || index >= that} unsigned: inputs shorter
     * than the access (down to empty) must trap like the interpreter, not pass the unsigned compare
     * with a negative bound. Each access of each size at offsets 0..9 of inputs of 0..9 bytes.
     */
    @Test
    void accessesOfEverySizeNearTheEndOfShortInputs() {
        String[] sizes = {"b", "h", "w", "dw"};
        for (int len = 0; len < 10; len++) {
            for (String sz : sizes) {
                for (int off = 0; off < 10; off++) {
                    byte[] mem = new byte[len];
                    for (int i = 0; i < len; i++) {
                        mem[i] = (byte) (0x11 * (i + 1));
                    }
                    both("mov %r0, 7\nldx" + sz + " %r0, [%r1+" + off + "]\nexit", mem, null);
                    both("mov %r0, 7\nst" + sz + " [%r1+" + off + "], 0x55\nldxb %r0, [%r1+0]\nexit", mem, null);
                }
            }
        }
    }

    @Test
    void thirtyTwoBitOperationsMatchJavaIntArithmetic() {
        int seed = 0x9e3779b9;
        int words = 64;
        byte[] mem = new byte[words * 4];
        for (int i = 0; i < mem.length; i++) {
            mem[i] = (byte) (i * 29 + 101);
        }
        String text = """
                mov32 %r0, 0x9e3779b9
                mov %r3, 0
                loop:
                mov %r4, %r1
                add %r4, %r3
                ldxw %r5, [%r4+0]
                xor32 %r0, %r5
                mov32 %r5, %r0
                lsh32 %r0, 13
                rsh32 %r5, 19
                or32 %r0, %r5
                mul32 %r0, 5
                add32 %r0, 0xe6546b64
                sub32 %r0, %r3
                mov32 %r6, %r0
                arsh32 %r6, 7
                and32 %r6, 0x0ff0ff0f
                xor32 %r0, %r6
                mov %r7, 35
                lsh32 %r6, %r7
                neg32 %r6
                add32 %r0, %r6
                add %r3, 4
                jlt %r3, 256, loop
                exit""";
        int h = seed;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(mem).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < words; i++) {
            h ^= b.getInt(i * 4);
            h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64 - i * 4;
            int t = (h >> 7) & 0x0ff0ff0f;
            h ^= t;
            h += -(t << 3); // 35 & 31
        }
        Outcome o = both(text, mem, null);
        assertEquals(Integer.toUnsignedLong(h), Engines.r0(o));
    }

    @Test
    void thirtyTwoBitOperationsClearTheUpperHalf() {
        // Each result must be zero-extended, whatever the upper half of the operands held.
        String[] ops = {"add32 %r0, %r2", "sub32 %r0, %r2", "mul32 %r0, %r2", "or32 %r0, %r2", "and32 %r0, %r2",
            "xor32 %r0, %r2", "lsh32 %r0, %r2", "rsh32 %r0, %r2", "arsh32 %r0, %r2", "neg32 %r0", "mov32 %r0, %r2"};
        long a = 0xfedc_ba98_8765_4321L;
        long bv = 0x0123_4567_89ab_cd05L;
        int ai = (int) a;
        int bi = (int) bv;
        int[] expected = {ai + bi, ai - bi, ai * bi, ai | bi, ai & bi, ai ^ bi, ai << bi, ai >>> bi, ai >> bi, -ai, bi};
        for (int k = 0; k < ops.length; k++) {
            String text = "lddw %r0, 0x" + Long.toHexString(a) + "\nlddw %r2, 0x" + Long.toHexString(bv) + "\n" + ops[k] + "\nexit";
            assertEquals(Integer.toUnsignedLong(expected[k]), Engines.r0(both(text, new byte[0], null)), ops[k]);
        }
    }
}
