package dev.bpfh.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The edge cases of isa.md §2.1–§2.2, each stated as the spec states it. */
class AluTest {
    static final long MIN64 = Long.MIN_VALUE;
    static final long INT_MIN_U32 = 0x80000000L;

    @Nested
    @DisplayName("division and modulo never trap")
    class DivisionByZero {
        @Test
        void unsignedAndSignedDivisionByZeroGiveZero() {
            assertEquals(0, Alu.div64(77, 0));
            assertEquals(0, Alu.sdiv64(-77, 0));
            assertEquals(0, Alu.div32(77, 0));
            assertEquals(0, Alu.sdiv32(-77, 0));
        }

        @Test
        void moduloByZeroLeavesTheDividend() {
            assertEquals(77, Alu.mod64(77, 0));
            assertEquals(-77, Alu.smod64(-77, 0));
        }

        @Test
        void moduloByZeroIn32BitsStillClearsTheUpperHalf() {
            assertEquals(0x00000002L, Alu.mod32(0x1_0000_0002L, 0));
            assertEquals(0xfffffffeL, Alu.smod32(0xffff_ffff_ffff_fffeL, 0));
        }

        @Test
        void the32BitDivisorIsOnlyTheLowHalf() {
            // 0x1_0000_0000 has a zero low half: a 32-bit division by it is a division by zero.
            assertEquals(0, Alu.div32(10, 0x1_0000_0000L));
            assertEquals(5, Alu.div32(10, 0x1_0000_0002L));
        }
    }

    @Nested
    @DisplayName("signed division wraps at MIN / -1")
    class SignedOverflow {
        @Test
        void min64DividedByMinusOneIsMin() {
            assertEquals(MIN64, Alu.sdiv64(MIN64, -1));
            assertEquals(0, Alu.smod64(MIN64, -1));
        }

        @Test
        void intMinDividedByMinusOneIsIntMinZeroExtended() {
            assertEquals(INT_MIN_U32, Alu.sdiv32(INT_MIN_U32, -1));
            assertEquals(0, Alu.smod32(INT_MIN_U32, -1));
        }

        @Test
        void signedModuloTruncatesWithTheSignOfTheDividend() {
            assertEquals(-1, Alu.smod64(-13, 3));
            assertEquals(-1, Alu.smod64(-13, -3));
            assertEquals(1, Alu.smod64(13, -3));
        }

        @Test
        void sdiv32TakesTheImmediateAsSigned() {
            // isa.md: sdiv32 r0, -4 on 12 gives 0xfffffffd
            assertEquals(0xfffffffdL, Alu.sdiv32(12, -4));
        }
    }

    @Nested
    @DisplayName("unsigned operations see sign-extended 64-bit immediates")
    class ImmediateExtension {
        @Test
        void divideByMinusTenMeansByAHugeUnsignedNumber() {
            assertEquals(1, Alu.div64(0xffff_ffff_ffff_ffffL, -10));
        }

        @Test
        void moduloByAllOnesImmediateIsModulo2To64Minus1() {
            assertEquals(0, Alu.mod64(0xffff_ffff_ffff_ffffL, (long) 0xffffffff));
        }
    }

    @Nested
    @DisplayName("shift amounts are masked")
    class ShiftMasking {
        @Test
        void shift32MasksToFiveBits() {
            assertEquals(0x10000000L, Alu.lsh32(1, 60));
        }

        @Test
        void shift64MasksToSixBits() {
            assertEquals(16, Alu.lsh64(1, 68));
            assertEquals(16, Alu.lsh64(1, -60));
        }

        @Test
        void rightShiftsAreLogicalOrArithmetic() {
            assertEquals(0x7fff_ffff_ffff_ffffL, Alu.rsh64(-1, 1));
            assertEquals(-1, Alu.arsh64(-1, 1));
            assertEquals(0x7fffffffL, Alu.rsh32(-1, 1));
            assertEquals(0xffffffffL, Alu.arsh32(0x8000_0000L, 31));
        }
    }

    @Nested
    @DisplayName("32-bit results are zero-extended")
    class ZeroExtension {
        @Test
        void arithmeticWrapsAtThirtyTwoBits() {
            assertEquals(0, Alu.add32(0xffffffffL, 1));
            assertEquals(0xffffffffL, Alu.sub32(0, 1));
            assertEquals(4, Alu.mul32(0x40000001L, 4));
            assertEquals(INT_MIN_U32, Alu.mul32(INT_MIN_U32, -1));
        }

        @Test
        void negationOfTheLowHalf() {
            assertEquals(0xfffffffeL, Alu.neg32(0x1_0000_0002L));
        }
    }

    @Nested
    @DisplayName("sign-extending moves")
    class Movsx {
        @Test
        void examplesFromTheSpec() {
            assertEquals(0xffffffefL, Alu.movsx32(0xef, 8));
            assertEquals(0xffff_ffff_ffff_ffefL, Alu.movsx64(0xef, 8));
            assertEquals(0xffff_ffff_89ab_cdefL, Alu.movsx64(0x0123_4567_89ab_cdefL, 32));
            assertEquals(0x0000_0000_0000_7fffL, Alu.movsx64(0x7fff, 16));
        }
    }

    @Nested
    @DisplayName("byte order: truncate to the width, zero-extend")
    class ByteOrder {
        @Test
        void leTruncatesOnALittleEndianHost() {
            assertEquals(0x1122, Alu.le(0xBBCC_DDEE_FF00_1122L, 16));
            assertEquals(0xFF00_1122L, Alu.le(0xBBCC_DDEE_FF00_1122L, 32));
            assertEquals(0xBBCC_DDEE_FF00_1122L, Alu.le(0xBBCC_DDEE_FF00_1122L, 64));
        }

        @Test
        void bswapReversesTheLowBytesAndClearsTheRest() {
            assertEquals(0x1122, Alu.bswap(0xffff_ffff_ffff_2211L, 16));
            assertEquals(0x11223344L, Alu.bswap(0x8877_6655_4433_2211L, 32));
            assertEquals(0x1122_3344_5566_7788L, Alu.bswap(0x8877_6655_4433_2211L, 64));
        }
    }

    @Test
    void atomicArithmeticOpsIgnoreTheFetchBit() {
        assertEquals(5, Alu.atomicResult(Opcodes.ATOMIC_ADD | Opcodes.FETCH, 2, 3));
        assertEquals(0b111, Alu.atomicResult(Opcodes.ATOMIC_OR, 0b101, 0b010));
        assertEquals(0b100, Alu.atomicResult(Opcodes.ATOMIC_AND, 0b101, 0b110));
        assertEquals(0b011, Alu.atomicResult(Opcodes.ATOMIC_XOR, 0b101, 0b110));
        assertEquals(9, Alu.atomicResult(Opcodes.ATOMIC_XCHG, 2, 9));
    }
}
