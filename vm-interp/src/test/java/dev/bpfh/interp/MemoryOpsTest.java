package dev.bpfh.interp;

import static dev.bpfh.interp.Prog.assertTrap;
import static dev.bpfh.interp.Prog.prog;
import static dev.bpfh.interp.Prog.returned;
import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.HexFormat;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** isa.md §2.5–§2.6 and the architecture.md memory model: loads, stores, atomics, bounds. */
class MemoryOpsTest {

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static final String INPUT = "11223344556677889900";

    static long load(int opcode, int off) {
        return returned(prog().insn(opcode, 0, 1, off, 0).exit().run(bytes(INPUT))).r0();
    }

    @Nested
    class Loads {
        @Test
        void zeroExtendEachSizeLittleEndian() {
            assertEquals(0x33L, load(LDX | MODE_MEM | SIZE_B, 2));
            assertEquals(0x3322L, load(LDX | MODE_MEM | SIZE_H, 1));
            assertEquals(0x4433_2211L, load(LDX | MODE_MEM | SIZE_W, 0));
            assertEquals(0x8877_6655L, load(LDX | MODE_MEM | SIZE_W, 4)); // high bit set, still zero-extended
            assertEquals(0x8877_6655_4433_2211L, load(LDX | MODE_MEM | SIZE_DW, 0));
        }

        @Test
        void unalignedDoublewordLoad() {
            assertEquals(0x0099_8877_6655_4433L, load(LDX | MODE_MEM | SIZE_DW, 2));
        }

        @Test
        void signExtendingLoads() {
            assertEquals(0xFFFF_FFFF_FFFF_FF88L, load(LDX | MODE_MEMSX | SIZE_B, 7));
            assertEquals(0x11L, load(LDX | MODE_MEMSX | SIZE_B, 0));
            assertEquals(0xFFFF_FFFF_FFFF_8877L, load(LDX | MODE_MEMSX | SIZE_H, 6));
            assertEquals(0x2211L, load(LDX | MODE_MEMSX | SIZE_H, 0));
            assertEquals(0xFFFF_FFFF_8877_6655L, load(LDX | MODE_MEMSX | SIZE_W, 4));
            assertEquals(0x4433_2211L, load(LDX | MODE_MEMSX | SIZE_W, 0));
        }

        @Test
        void lastByteIsReadableAndOnePastIsNot() {
            assertEquals(0x00L, load(LDX | MODE_MEM | SIZE_B, 9));
            assertTrap(TrapKind.OUT_OF_BOUNDS, 0, prog().ldx(SIZE_B, 0, 1, 10).exit().run(bytes(INPUT)));
            // A 4-byte load at offset 7 of 10 bytes straddles the end.
            assertTrap(TrapKind.OUT_OF_BOUNDS, 1, prog().mov(0, 0).ldx(SIZE_W, 0, 1, 7).exit().run(bytes(INPUT)));
        }
    }

    @Nested
    class Stores {
        @Test
        void storeImmediateTakesTheLowBytesOfTheSignExtendedImm() {
            byte[] mem = new byte[16];
            Outcome o = prog().st(SIZE_B, 1, 0, 0x1ff).st(SIZE_H, 1, 1, 0x12345678).st(SIZE_W, 1, 3, -2)
                    .st(SIZE_DW, 1, 8, -2).mov(0, 0).exit().run(mem);
            assertArrayEquals(bytes("ff7856feffffff000000000000000000".substring(0, 16) + "feffffffffffffff"),
                    returned(o).memory());
        }

        @Test
        void storeRegisterEachSize() {
            byte[] mem = new byte[15];
            Outcome o = prog().lddw(2, 0x0102_0304_0506_0708L)
                    .stx(SIZE_B, 1, 0, 2).stx(SIZE_H, 1, 1, 2).stx(SIZE_W, 1, 3, 2).stx(SIZE_DW, 1, 7, 2)
                    .mov(0, 0).exit().run(mem);
            assertArrayEquals(bytes("08" + "0807" + "08070605" + "0807060504030201"), returned(o).memory());
        }

        @Test
        void memoryIsModifiedInPlaceAndReturned() {
            byte[] mem = new byte[2];
            Outcome.Returned r = returned(prog().st(SIZE_B, 1, 1, 7).mov(0, 0).exit().run(mem));
            assertEquals(7, mem[1]);
            assertArrayEquals(new byte[] {0, 7}, r.memory());
        }

        @Test
        void stackIsReadableAndWritableAcrossAllOf512Bytes() {
            long r0 = prog().st(SIZE_DW, 10, -512, 5).st(SIZE_B, 10, -1, 6)
                    .ldx(SIZE_DW, 0, 10, -512).ldx(SIZE_B, 2, 10, -1).alu64x(ADD, 0, 2).exit().r0();
            assertEquals(11, r0);
        }

        @Test
        void outsideTheStackFrameTraps() {
            assertTrap(TrapKind.OUT_OF_BOUNDS, 0, prog().st(SIZE_B, 10, -513, 1).exit().run());
            assertTrap(TrapKind.OUT_OF_BOUNDS, 0, prog().st(SIZE_B, 10, 0, 1).exit().run());
            assertTrap(TrapKind.OUT_OF_BOUNDS, 1, prog().mov(0, 0).ldx(SIZE_DW, 0, 10, -4).exit().run());
        }

        @Test
        void outOfBoundsStoreLeavesMemoryUnchanged() {
            byte[] mem = new byte[4];
            assertTrap(TrapKind.OUT_OF_BOUNDS, 0, prog().st(SIZE_W, 1, 1, -1).exit().run(mem));
            assertArrayEquals(new byte[4], mem);
        }

        @Test
        void nullAndSmallIntegersAreNotPointers() {
            assertTrap(TrapKind.OUT_OF_BOUNDS, 1, prog().mov(2, 0).ldx(SIZE_B, 0, 2, 0).exit().run());
            assertTrap(TrapKind.OUT_OF_BOUNDS, 1, prog().mov(2, 64).stx(SIZE_B, 2, 0, 2).exit().run(new byte[100]));
            // Below the start of the input: the offset wraps to a huge unsigned value.
            assertTrap(TrapKind.OUT_OF_BOUNDS, 0, prog().ldx(SIZE_B, 0, 1, -1).exit().run(new byte[4]));
        }
    }

    @Nested
    class Atomics {
        /** Runs {@code atomic op} on the 8 bytes of input at offset 0 (initially {@code memory}), src = r2, r0 preset. */
        Outcome.Returned run(int size, int op, long memory, long src, long r0, boolean returnSrc) {
            byte[] mem = new byte[8];
            for (int i = 0; i < 8; i++) {
                mem[i] = (byte) (memory >>> (8 * i));
            }
            Prog p = prog().lddw(2, src).lddw(0, r0).atomic(size, op, 1, 0, 2);
            if (returnSrc) {
                p.movx(0, 2);
            }
            return returned(p.exit().run(mem));
        }

        long memAfter(Outcome.Returned r) {
            long v = 0;
            for (int i = 7; i >= 0; i--) {
                v = (v << 8) | (r.memory()[i] & 0xff);
            }
            return v;
        }

        @Test
        void arithmetic64WithoutFetchLeavesSrc() {
            Outcome.Returned add = run(SIZE_DW, ATOMIC_ADD, 0x10, 3, 0, true);
            assertEquals(0x13, memAfter(add));
            assertEquals(3, add.r0());
            assertEquals(0x13, memAfter(run(SIZE_DW, ATOMIC_OR, 0x10, 3, 0, true)));
            assertEquals(0x10, memAfter(run(SIZE_DW, ATOMIC_AND, 0x1F, 0xF0, 0, true)));
            assertEquals(0x0F, memAfter(run(SIZE_DW, ATOMIC_XOR, 0xFF, 0xF0, 0, true)));
            assertEquals(-1L, memAfter(run(SIZE_DW, ATOMIC_ADD, -2L, 1, 0, true)));
        }

        @Test
        void fetch64WritesTheOldValueToSrc() {
            for (int op : new int[] {ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR}) {
                Outcome.Returned r = run(SIZE_DW, op | FETCH, 0x8000_0000_0000_0010L, 3, 0, true);
                assertEquals(0x8000_0000_0000_0010L, r.r0(), "old value for op 0x" + Integer.toHexString(op));
            }
            assertEquals(0x8000_0000_0000_0013L, memAfter(run(SIZE_DW, ATOMIC_ADD | FETCH, 0x8000_0000_0000_0010L, 3, 0, true)));
            assertEquals(0x10, memAfter(run(SIZE_DW, ATOMIC_AND | FETCH, 0x1F, 0xF0, 0, true)));
        }

        @Test
        void xchg64() {
            Outcome.Returned r = run(SIZE_DW, ATOMIC_XCHG, 0x1111, 0x2222, 0, true);
            assertEquals(0x2222, memAfter(r));
            assertEquals(0x1111, r.r0());
        }

        @Test
        void cmpxchg64AlwaysWritesTheOldValueToR0() {
            Outcome.Returned hit = run(SIZE_DW, ATOMIC_CMPXCHG, 0x10, 3, 0x10, false);
            assertEquals(3, memAfter(hit));
            assertEquals(0x10, hit.r0());
            Outcome.Returned miss = run(SIZE_DW, ATOMIC_CMPXCHG, 0x10, 3, 5, false);
            assertEquals(0x10, memAfter(miss));
            assertEquals(0x10, miss.r0());
        }

        @Test
        void cmpxchg64LeavesSrc() {
            assertEquals(3, run(SIZE_DW, ATOMIC_CMPXCHG, 0x10, 3, 0x10, true).r0());
        }

        @Test
        void atomic32ChangesOnlyTheLowFourBytesAndUsesU32OfSrc() {
            Outcome.Returned r = run(SIZE_W, ATOMIC_ADD, 0x1111_1111_2222_2222L, 0xFFFF_FFFF_0000_0001L, 0, true);
            assertEquals(0x1111_1111_2222_2223L, memAfter(r));
            assertEquals(0xFFFF_FFFF_0000_0001L, r.r0()); // no fetch: src untouched
            assertEquals(0x1111_1111_2222_3333L, memAfter(run(SIZE_W, ATOMIC_OR, 0x1111_1111_2222_2222L, 0x1111, 0, false)));
            assertEquals(0x1111_1111_0000_0022L, memAfter(run(SIZE_W, ATOMIC_AND, 0x1111_1111_2222_2222L, 0xFF, 0, false)));
            assertEquals(0x1111_1111_DDDD_DDDDL, memAfter(run(SIZE_W, ATOMIC_XOR, 0x1111_1111_2222_2222L, -1L, 0, false)));
        }

        @Test
        void fetch32ZeroExtendsTheOldValue() {
            for (int op : new int[] {ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR}) {
                Outcome.Returned r = run(SIZE_W, op | FETCH, 0x1111_1111_8000_0001L, -1L, 0, true);
                assertEquals(0x8000_0001L, r.r0(), "old value for op 0x" + Integer.toHexString(op));
            }
            assertEquals(0x1111_1111_8000_0000L, memAfter(run(SIZE_W, ATOMIC_ADD | FETCH, 0x1111_1111_8000_0001L, -1L, 0, true)));
        }

        @Test
        void xchg32() {
            Outcome.Returned r = run(SIZE_W, ATOMIC_XCHG, 0x1111_1111_2222_2222L, 0xFFFF_FFFF_3333_3333L, 0, true);
            assertEquals(0x1111_1111_3333_3333L, memAfter(r));
            assertEquals(0x2222_2222L, r.r0());
        }

        @Test
        void cmpxchg32ComparesU32OfR0AndZeroExtendsTheOldValue() {
            Outcome.Returned hit = run(SIZE_W, ATOMIC_CMPXCHG, 0x1111_1111_A222_2222L, 0x4444, 0xFFFF_FFFF_A222_2222L, false);
            assertEquals(0x1111_1111_0000_4444L, memAfter(hit));
            assertEquals(0xA222_2222L, hit.r0());
            Outcome.Returned miss = run(SIZE_W, ATOMIC_CMPXCHG, 0x1111_1111_A222_2222L, 0x4444, 0xA222_2223L, false);
            assertEquals(0x1111_1111_A222_2222L, memAfter(miss));
            assertEquals(0xA222_2222L, miss.r0());
        }

        /** The 64-bit cmpxchg has a case of its own (Op.CMPXCHG64); the 32-bit one stays with the other atomics. */
        @Test
        void cmpxchg64IsItsOwnOpWithTheSameTrapsAndResults() {
            Prog p = prog().mov(2, 1).atomic(SIZE_DW, ATOMIC_CMPXCHG, 1, 4, 2).atomic(SIZE_W, ATOMIC_CMPXCHG, 1, 0, 2).exit();
            long[] code = Predecoder.decode(p.program()).code();
            assertEquals(Op.CMPXCHG64, (int) code[1] & 0xff);
            assertEquals(Op.ATOMIC32, (int) code[2] & 0xff);
            // bytes 4..11 of an 8-byte input: out of bounds at the cmpxchg's pc
            assertTrap(TrapKind.OUT_OF_BOUNDS, 1, p.run(new byte[8]));
            // address 0 (region 0 is never mapped)
            assertTrap(TrapKind.OUT_OF_BOUNDS, 2, prog().mov(2, 1).mov(1, 0)
                    .atomic(SIZE_DW, ATOMIC_CMPXCHG, 1, 0, 2).exit().run(new byte[8]));
        }

        /**
         * atomics_stack's pattern: an atomic xor, then a cmpxchg of the same stack slot. By hand:
         * 0x0F ^ 0xF0 = 0xFF; cmpxchg with r0 = 0xFF matches, so the slot becomes 7 and r0 = 0xFF;
         * a second cmpxchg with r0 = 6 misses: the slot stays 7 and r0 = 7.
         */
        @Test
        void cmpxchgAfterAnUpdateOfTheSameSlot() {
            Prog p = prog().st(SIZE_DW, 10, -16, 0x0F).mov(4, 0xF0).atomic(SIZE_DW, ATOMIC_XOR, 10, -16, 4)
                    .mov(0, 0xFF).mov(4, 7).atomic(SIZE_DW, ATOMIC_CMPXCHG, 10, -16, 4) // r0 = 0xFF, slot = 7
                    .movx(6, 0).mov(0, 6).atomic(SIZE_DW, ATOMIC_CMPXCHG, 10, -16, 4) // r0 = 7, slot stays 7
                    .ldx(SIZE_DW, 5, 10, -16).alu64(LSH, 5, 16).alu64(LSH, 6, 8).alu64x(OR, 0, 5).alu64x(OR, 0, 6).exit();
            assertEquals(7L << 16 | 0xFFL << 8 | 7, p.r0());
        }

        @Test
        void outOfBoundsAtomicTrapsAtItsPc() {
            assertTrap(TrapKind.OUT_OF_BOUNDS, 1,
                    prog().mov(2, 1).atomic(SIZE_DW, ATOMIC_ADD, 1, 1, 2).exit().run(new byte[8]));
            assertTrap(TrapKind.OUT_OF_BOUNDS, 1,
                    prog().mov(2, 1).atomic(SIZE_W, ATOMIC_CMPXCHG, 10, 0, 2).exit().run());
        }
    }
}
