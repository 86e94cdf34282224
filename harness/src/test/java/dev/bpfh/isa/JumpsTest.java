package dev.bpfh.isa;

import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Conditional-jump conditions of isa.md §2.3 at their signed/unsigned boundaries. */
class JumpsTest {

    @Test
    void unsignedCompareTreatsMinusOneAsTheLargestValue() {
        assertTrue(Jumps.taken64(JGT, -1, 1));
        assertFalse(Jumps.taken64(JSGT, -1, 1));
        assertTrue(Jumps.taken64(JLT, 1, -1));
        assertTrue(Jumps.taken64(JSLT, -1, 1));
    }

    @Test
    void equalityBoundariesOfTheInclusiveForms() {
        assertTrue(Jumps.taken64(JGE, 5, 5));
        assertTrue(Jumps.taken64(JLE, 5, 5));
        assertTrue(Jumps.taken64(JSGE, -5, -5));
        assertTrue(Jumps.taken64(JSLE, -5, -5));
        assertFalse(Jumps.taken64(JGT, 5, 5));
        assertFalse(Jumps.taken64(JSLT, -5, -5));
    }

    @Test
    void jsetTestsAnyCommonBit() {
        assertTrue(Jumps.taken64(JSET, 0b1010, 0b0010));
        assertFalse(Jumps.taken64(JSET, 0b1010, 0b0101));
    }

    @Test
    void signExtendedImmediateMatchesTheRegisterPattern() {
        // j-signed-imm.data: jeq r1, 0x80000000 with r1 = 0xFFFFFFFF80000000 is taken.
        assertTrue(Jumps.taken64(JEQ, 0xFFFF_FFFF_8000_0000L, (long) 0x80000000));
    }

    @Test
    void jmp32IgnoresTheUpperHalves() {
        assertTrue(Jumps.taken32(JEQ, 0x1_0000_000bL, 11));
        assertTrue(Jumps.taken32(JSLT, 0x0000_0000_ffff_ffffL, 0)); // low half is -1
        assertFalse(Jumps.taken64(JSLT, 0x0000_0000_ffff_ffffL, 0));
        assertTrue(Jumps.taken32(JGT, 0x0000_0000_ffff_ffffL, 0x7fff_ffffL));
        assertFalse(Jumps.taken32(JNE, 0xdead_0000_0000_0001L, 1));
    }
}
