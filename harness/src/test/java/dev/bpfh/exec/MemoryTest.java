package dev.bpfh.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpfh.isa.Opcodes;
import dev.bpfh.spi.TrapKind;
import org.junit.jupiter.api.Test;

/** The tagged address space: every access checked, little-endian, unaligned allowed. */
class MemoryTest {
    final Memory memory = new Memory();
    final byte[] input = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88, (byte) 0x99};

    MemoryTest() {
        memory.startRun(input, 0);
    }

    @Test
    void loadsAreLittleEndianAndMayBeUnaligned() {
        long base = Memory.inputAddress();
        assertEquals(0x22, memory.load8(base + 1, 0));
        assertEquals(0x3322, memory.load16(base + 1, 0));
        assertEquals(0x55443322L, memory.load32(base + 1, 0));
        assertEquals(0x9988776655443322L, memory.load64(base + 1, 0));
    }

    @Test
    void storesWriteOnlyTheirSizeInPlace() {
        memory.store16(Memory.inputAddress() + 2, 0xabcd_ef01L, 0);
        assertArrayEquals(new byte[] {0x11, 0x22, 0x01, (byte) 0xef, 0x55, 0x66, 0x77, (byte) 0x88, (byte) 0x99}, input);
    }

    @Test
    void anAccessStraddlingTheEndTrapsWithThePc() {
        Trap t = assertThrows(Trap.class, () -> memory.load64(Memory.inputAddress() + 2, 42));
        assertEquals(TrapKind.OUT_OF_BOUNDS, t.kind());
        assertEquals(42, t.pc());
    }

    @Test
    void nullAndSmallIntegersAreNeverPointers() {
        assertThrows(Trap.class, () -> memory.load8(0, 0));
        assertThrows(Trap.class, () -> memory.load8(8, 0));
    }

    @Test
    void anOffsetBelowARegionWrapsToAHugeOffsetAndTraps() {
        // r10 - 513 at depth 0 lands in region 1 with offset 2^32 - 1: not a valid input offset.
        assertThrows(Trap.class, () -> memory.load8(Memory.frameTop(0) - 513, 0));
        assertThrows(Trap.class, () -> memory.store64(Memory.frameTop(0) - 4, 0, 0));
    }

    @Test
    void unmappedHighRegionsTrap() {
        assertThrows(Trap.class, () -> memory.load8(Memory.address(Memory.FIRST_FREE_REGION, 0), 0));
        assertThrows(Trap.class, () -> memory.load8(0xffff_ffff_0000_0000L, 0));
    }

    @Test
    void eachCallDepthHasItsOwn512ByteFrame() {
        memory.store64(Memory.frameTop(0) - 8, 7, 0);
        memory.store64(Memory.frameTop(1) - 8, 9, 0);
        assertEquals(7, memory.load64(Memory.frameTop(0) - 8, 0));
        assertEquals(9, memory.load64(Memory.frameTop(1) - 8, 0));
        assertEquals(0, memory.load64(Memory.frameTop(1) - 512, 0));
    }

    @Test
    void startRunZeroesTheFramesThePreviousRunUsed() {
        memory.store64(Memory.frameTop(0) - 8, 7, 0);
        memory.startRun(input, 1);
        assertEquals(0, memory.load64(Memory.frameTop(0) - 8, 0));
    }

    @Test
    void atomic32ChangesOnlyTheLowHalfAndReturnsTheZeroExtendedOldValue() {
        long slot = Memory.frameTop(0) - 8;
        memory.store64(slot, 0x1111_1111_ffff_fffeL, 0);
        long old = memory.atomic32(Opcodes.ATOMIC_ADD | Opcodes.FETCH, slot, 3, 0, 0);
        assertEquals(0xffff_fffeL, old);
        assertEquals(0x1111_1111_0000_0001L, memory.load64(slot, 0));
    }

    @Test
    void cmpxchgWritesOnlyOnAMatchButAlwaysReturnsTheOldValue() {
        long slot = Memory.frameTop(0) - 8;
        memory.store64(slot, 5, 0);
        assertEquals(5, memory.atomic64(Opcodes.ATOMIC_CMPXCHG, slot, 9, 4, 0));
        assertEquals(5, memory.load64(slot, 0));
        assertEquals(5, memory.atomic64(Opcodes.ATOMIC_CMPXCHG, slot, 9, 5, 0));
        assertEquals(9, memory.load64(slot, 0));
    }

    @Test
    void cmpxchg32ComparesAgainstTheLowHalfOfR0() {
        long slot = Memory.frameTop(0) - 8;
        memory.store32(slot, 5, 0);
        assertEquals(5, memory.atomic32(Opcodes.ATOMIC_CMPXCHG, slot, 9, 0xffff_0000_0000_0005L, 0));
        assertEquals(9, memory.load32(slot, 0));
    }
}
