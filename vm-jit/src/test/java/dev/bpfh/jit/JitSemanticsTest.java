package dev.bpfh.jit;

import static dev.bpfh.jit.Engines.jit;
import static dev.bpfh.jit.Engines.r0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every instruction family and the isa.md §2 edge cases, expected values from the spec. */
class JitSemanticsTest {

    /** Each row: program lines separated by '|', then the expected r0 as unsigned hex. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        // ALU64, K and X
        "mov %r0, 7|add %r0, 5|exit; c",
        "mov %r0, 3|add %r0, -5|exit; fffffffffffffffe",
        "mov %r0, 6|mov %r1, 7|mul %r0, %r1|exit; 2a",
        "mov %r0, 0xfffffffe|exit; fffffffffffffffe",
        "mov %r0, -1|div %r0, -10|exit; 1",
        "mov %r0, 10|div %r0, 0|exit; 0",
        "mov %r0, 10|mod %r0, 0|exit; a",
        "mov %r0, -13|smod %r0, 3|exit; ffffffffffffffff",
        "mov %r0, 13|smod %r0, -3|exit; 1",
        "mov %r0, -13|smod %r0, -3|exit; ffffffffffffffff",
        "lddw %r0, 0x8000000000000000|sdiv %r0, -1|exit; 8000000000000000",
        "lddw %r0, 0x8000000000000000|smod %r0, -1|exit; 0",
        "mov %r0, 12|sdiv %r0, 0|exit; 0",
        "mov %r0, 12|sdiv %r0, -4|exit; fffffffffffffffd",
        "mov %r0, -1|mod %r0, 0xffffffff|exit; 0",
        "mov %r0, 1|lsh %r0, 68|exit; 10",
        "mov %r0, 1|lsh %r0, -60|exit; 10",
        "mov %r0, 0x10|mov %r1, 0x44|rsh %r0, %r1|exit; 1",
        "mov %r0, -16|arsh %r0, 2|exit; fffffffffffffffc",
        "mov %r0, -16|rsh %r0, 60|exit; f",
        "mov %r0, 0xf0|or %r0, 0x0f|exit; ff",
        "mov %r0, 0xf0|and %r0, 0x3c|exit; 30",
        "mov %r0, 0xf0|xor %r0, 0xff|exit; f",
        "mov %r0, 2|neg %r0|exit; fffffffffffffffe",
        "lddw %r0, 0x8000000000000000|neg %r0|exit; 8000000000000000",
        "lddw %r0, 0x1122334455667788|exit; 1122334455667788",
        // ALU32: upper half cleared
        "lddw %r0, 0x1ffffffff|add32 %r0, 1|exit; 0",
        "mov32 %r0, 3|add32 %r0, -5|exit; fffffffe",
        "mov32 %r0, 0x40000001|mul32 %r0, 4|exit; 4",
        "mov32 %r0, 0x80000000|mul32 %r0, -1|exit; 80000000",
        "mov32 %r0, -1|exit; ffffffff",
        "mov %r0, 12|sdiv32 %r0, -4|exit; fffffffd",
        "mov32 %r0, 0x80000000|sdiv32 %r0, -1|exit; 80000000",
        "lddw %r0, 0x100000007|div32 %r0, 0|exit; 0",
        "lddw %r0, 0x100000007|mod32 %r0, 0|exit; 7",
        "mov %r0, -1|div32 %r0, -2|exit; 1",
        "mov32 %r0, -13|smod32 %r0, 3|exit; ffffffff",
        "mov32 %r0, 1|lsh32 %r0, 60|exit; 10000000",
        "mov32 %r0, 0x80000000|arsh32 %r0, 4|exit; f8000000",
        "mov32 %r0, 0x80000000|rsh32 %r0, 36|exit; 8000000",
        "lddw %r0, 0x1ffff0000|or32 %r0, 0xff|exit; ffff00ff",
        "lddw %r0, 0x1ffff0000|and32 %r0, -1|exit; ffff0000",
        "lddw %r0, 0x1ffff0000|xor32 %r0, 0|exit; ffff0000",
        "lddw %r0, 0x100000002|neg32 %r0|exit; fffffffe",
        "lddw %r1, 0x1ffffffff|mov32 %r0, %r1|exit; ffffffff",
        // MOVSX
        "mov %r1, 0xef|movsx832 %r0, %r1|exit; ffffffef",
        "mov %r1, 0xef|movsx864 %r0, %r1|exit; ffffffffffffffef",
        "mov %r1, 0x8001|movsx1632 %r0, %r1|exit; ffff8001",
        "mov %r1, 0x8001|movsx1664 %r0, %r1|exit; ffffffffffff8001",
        "lddw %r1, 0x0123456789abcdef|movsx3264 %r0, %r1|exit; ffffffff89abcdef",
        // byte order
        "lddw %r0, 0xbbccddeeff001122|le16 %r0|exit; 1122",
        "lddw %r0, 0xbbccddeeff001122|le32 %r0|exit; ff001122",
        "lddw %r0, 0xbbccddeeff001122|le64 %r0|exit; bbccddeeff001122",
        "mov %r0, 0x2211|be16 %r0|exit; 1122",
        "lddw %r0, 0x8877665544332211|be32 %r0|exit; 11223344",
        "lddw %r0, 0x8877665544332211|bswap32 %r0|exit; 11223344",
        "lddw %r0, 0x8877665544332211|bswap64 %r0|exit; 1122334455667788",
        "lddw %r0, 0x8877665544332211|bswap16 %r0|exit; 1122",
        // jumps: 64-bit sign extension of K, 32-bit halves, every condition
        "lddw %r1, 0xffffffff80000000|mov %r0, 0|jeq %r1, 0x80000000, +1|exit|mov %r0, 1|exit; 1",
        "lddw %r1, 0x10000000b|mov %r0, 0|jeq32 %r1, 11, +1|exit|mov %r0, 1|exit; 1",
        "lddw %r1, 0x10000000b|mov %r0, 0|jeq %r1, 11, +1|exit|mov %r0, 1|exit; 0",
        "mov %r1, -1|mov %r0, 0|jgt %r1, 1, +1|exit|mov %r0, 1|exit; 1",
        "mov %r1, -1|mov %r0, 0|jsgt %r1, 1, +1|exit|mov %r0, 1|exit; 0",
        "mov %r1, 5|mov %r0, 0|jge %r1, 5, +1|exit|mov %r0, 1|exit; 1",
        "mov %r1, 5|mov %r0, 0|jlt %r1, 5, +1|exit|mov %r0, 1|exit; 0",
        "mov %r1, 5|mov %r0, 0|jle %r1, 5, +1|exit|mov %r0, 1|exit; 1",
        "mov %r1, -5|mov %r0, 0|jslt %r1, -4, +1|exit|mov %r0, 1|exit; 1",
        "mov %r1, -5|mov %r0, 0|jsle %r1, -6, +1|exit|mov %r0, 1|exit; 0",
        "mov %r1, -5|mov %r0, 0|jsge %r1, -5, +1|exit|mov %r0, 1|exit; 1",
        "mov %r1, 6|mov %r0, 0|jset %r1, 2, +1|exit|mov %r0, 1|exit; 1",
        "mov %r1, 6|mov %r0, 0|jset %r1, 9, +1|exit|mov %r0, 1|exit; 0",
        "mov %r1, 6|mov %r2, 7|mov %r0, 0|jne %r1, %r2, +1|exit|mov %r0, 1|exit; 1",
        "lddw %r1, 0x1ffffffff|mov %r0, 0|jgt32 %r1, 0x7fffffff, +1|exit|mov %r0, 1|exit; 1",
        "lddw %r1, 0x1ffffffff|mov %r0, 0|jsgt32 %r1, 0, +1|exit|mov %r0, 1|exit; 0",
        "lddw %r1, 0x100000000|mov %r0, 0|jlt32 %r1, 1, +1|exit|mov %r0, 1|exit; 1",
        "lddw %r1, 0x1fffffffe|mov %r2, -1|mov %r0, 0|jsle32 %r1, %r2, +1|exit|mov %r0, 1|exit; 1",
        "mov %r1, 0x100|mov %r0, 0|jset32 %r1, 0x100, +1|exit|mov %r0, 1|exit; 1",
        "mov %r0, 1|ja +1|mov %r0, 2|exit; 1",
        "mov %r0, 1|ja32 +1|mov %r0, 2|exit; 1",
        // loops (backward jumps): sum 1..10
        "mov %r0, 0|mov %r1, 10|add %r0, %r1|add %r1, -1|jne %r1, 0, -3|exit; 37",
        // stack: stores and loads through r10, direct and through a copied pointer
        "stdw [%r10-8], -2|ldxdw %r0, [%r10-8]|exit; fffffffffffffffe",
        "stw [%r10-512], 0x11223344|ldxh %r0, [%r10-510]|exit; 1122",
        "mov %r1, %r10|add %r1, -16|stxdw [%r1], %r1|ldxdw %r0, [%r10-16]|rsh %r0, 32|exit; 2",
        "mov %r2, 0x80|stxb [%r10-1], %r2|ldxsb %r0, [%r10-1]|exit; ffffffffffffff80",
        "mov %r2, 0x8000|stxh [%r10-2], %r2|ldxsh %r0, [%r10-2]|exit; ffffffffffff8000",
        "mov32 %r2, 0x80000000|stxw [%r10-4], %r2|ldxsw %r0, [%r10-4]|exit; ffffffff80000000",
        "stdw [%r10-8], 1|stw [%r10-4], 2|ldxdw %r0, [%r10-8]|exit; 200000001",
        // atomics (isa.md §2.6)
        "stdw [%r10-8], 5|mov %r1, 3|lock add [%r10-8], %r1|ldxdw %r0, [%r10-8]|exit; 8",
        "stdw [%r10-8], 5|mov %r1, 3|lock fetch add [%r10-8], %r1|mov %r0, %r1|exit; 5",
        "stdw [%r10-8], 6|mov %r1, 3|lock fetch or [%r10-8], %r1|ldxdw %r0, [%r10-8]|add %r0, %r1|exit; d",
        "stdw [%r10-8], 6|mov %r1, 3|lock and [%r10-8], %r1|ldxdw %r0, [%r10-8]|exit; 2",
        "stdw [%r10-8], 6|mov %r1, 3|lock fetch xor [%r10-8], %r1|ldxdw %r0, [%r10-8]|lsh %r0, 8|or %r0, %r1|exit; 506",
        "stdw [%r10-8], -1|lddw %r1, 0x11111111|lock xchg32 [%r10-8], %r1|mov %r0, %r1|exit; ffffffff",
        "stdw [%r10-8], -1|lddw %r1, 0x11111111|lock xchg32 [%r10-8], %r1|ldxdw %r0, [%r10-8]|exit; ffffffff11111111",
        "stdw [%r10-8], 7|mov %r0, 7|mov %r1, 9|lock cmpxchg [%r10-8], %r1|ldxdw %r1, [%r10-8]|lsh %r0, 8|or %r0, %r1|exit; 709",
        "stdw [%r10-8], 7|mov %r0, 8|mov %r1, 9|lock cmpxchg [%r10-8], %r1|ldxdw %r1, [%r10-8]|lsh %r0, 8|or %r0, %r1|exit; 707",
        "stdw [%r10-8], -1|lddw %r0, 0xffffffff|mov %r1, 2|lock cmpxchg32 [%r10-8], %r1|ldxdw %r1, [%r10-8]|exit; ffffffff",
        "stdw [%r10-8], 1|mov %r1, -1|lock add32 [%r10-8], %r1|ldxdw %r0, [%r10-8]|exit; 0",
        // helpers: 8 is bpf_get_smp_processor_id (0), also through callx; r1-r5 and r6-r9 survive
        "mov %r0, 5|mov %r6, 3|call 8|add %r0, %r6|exit; 3",
        "mov %r2, 8|mov %r0, 9|call %r2|exit; 0",
        // local calls: fresh frame, r6-r9 restored, r0 returned
        "mov %r6, 1|stdw [%r10-8], 40|call local f|ldxdw %r0, [%r10-8]|add %r0, %r6|exit|f:|mov %r6, 99|stdw [%r10-8], 2|mov %r0, 0|exit; 29",
        "mov %r1, 20|call local f|add %r0, %r1|exit|f:|mov %r0, %r1|add %r0, 2|mov %r1, 100|exit; 7a",
    })
    void computesTheSpecifiedValue(String program, String expectedHex) {
        String text = program.replace('|', '\n');
        assertEquals(Long.parseUnsignedLong(expectedHex, 16), r0(jit(text, new byte[0])), text);
    }

    /** sub as raw slots, independent of the assembler. */
    @Test
    void subtractsIn64And32Bits() {
        long mov3 = dev.bpfh.isa.Insn.encode(0xb7, 0, 0, 0, 3);
        long sub5 = dev.bpfh.isa.Insn.encode(0x17, 0, 0, 0, 5);
        long sub32r = dev.bpfh.isa.Insn.encode(0x1c, 0, 1, 0, 0);
        long mov1 = dev.bpfh.isa.Insn.encode(0xb7, 1, 0, 0, 1);
        long exit = dev.bpfh.isa.Insn.encode(0x95, 0, 0, 0, 0);
        var p64 = dev.bpfh.isa.Program.of("sub", mov3, sub5, exit);
        var p32 = dev.bpfh.isa.Program.of("sub32", mov3, mov1, sub32r, sub32r, sub32r, exit);
        var o = dev.bpfh.spi.LoadOptions.DEFAULTS;
        assertEquals(-2L, r0(Engines.run(Engines.JIT, p64, o, new byte[0])));
        assertEquals(0L, r0(Engines.run(Engines.JIT, p32, o, new byte[0])));
    }

    @Test
    void inputMemoryIsReadAndWrittenInPlace() {
        byte[] mem = HexFormat.of().parseHex("0011223344556677");
        String text = """
                ldxdw %r0, [%r1+0]
                ldxw %r3, [%r1+2]
                stxw [%r1+4], %r3
                stb [%r1], 0xaa
                exit
                """;
        var o = jit(text, mem);
        assertEquals(0x7766554433221100L, r0(o));
        assertArrayEquals(HexFormat.of().parseHex("aa11223322334455"), mem);
    }

    /**
     * isa.md: every run starts with a zeroed stack, so what one run stored is gone in the next. Each
     * program reads a frame slot and then stores to it; a second run on the same executable must read
     * 0 again, whether the store's offset is a constant, a range or through a copied pointer.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "constant offset; ldxdw %r0, [%r10-8]|stdw [%r10-8], 7|exit",
        "lowest slot; ldxdw %r0, [%r10-512]|stdw [%r10-512], 7|exit",
        "byte below an untouched slot; ldxb %r0, [%r10-9]|stb [%r10-9], 7|stdw [%r10-8], 9|exit",
        "variable offset; ldxb %r0, [%r10-200]|mov %r3, %r2|and %r3, 255|mov %r4, %r10|sub %r4, 256|add %r4, %r3|stb [%r4], 7|exit",
        "forged address; ldxdw %r0, [%r10-64]|lddw %r4, 0x2000001c0|stdw [%r4], 7|exit",
    })
    void eachRunStartsWithAZeroedFrame(String label, String program) {
        var p = Engines.asm(program.replace('|', '\n'));
        try (var e = Engines.JIT.load(p, dev.bpfh.spi.LoadOptions.DEFAULTS)) {
            assertEquals(0L, r0(e.run(new byte[56])), "first run");
            assertEquals(0L, r0(e.run(new byte[56])), "second run");
        } catch (dev.bpfh.spi.LoadRejected r) {
            throw new AssertionError(r);
        }
    }

    /**
     * Pointer arithmetic whose low 32 bits feed array indexes (the jit keeps them in int locals):
     * mov, add and sub of registers and constants, a register added to itself, and a pointer moved
     * a multiple of 2^32 away whose low half is unchanged but which is out of bounds (expected values from the
     * input bytes, 0x10 + i at offset i).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "add register; mov %r3, 5|mov %r4, %r1|add %r4, %r3|ldxb %r0, [%r4+1]|exit; 16",
        "add then sub; mov %r4, %r1|add %r4, 9|sub %r4, 4|ldxb %r0, [%r4]|exit; 15",
        "sub register; mov %r3, 3|mov %r4, %r1|add %r4, 10|sub %r4, %r3|ldxb %r0, [%r4]|exit; 17",
        "self add; mov %r3, 4|add %r3, %r3|mov %r4, %r1|add %r4, %r3|ldxb %r0, [%r4]|exit; 18",
        "loop; mov %r0, 0|mov %r3, 0|mov %r4, %r1|l:|ldxb %r5, [%r4]|add %r0, %r5|add %r4, 1|add %r3, 1|jlt %r3, 4, l|exit; 46",
    })
    void pointerArithmeticIndexesTheInput(String label, String program, String hex) {
        byte[] mem = new byte[32];
        for (int i = 0; i < mem.length; i++) {
            mem[i] = (byte) (0x10 + i);
        }
        assertEquals(Long.parseUnsignedLong(hex, 16), r0(jit(program.replace('|', '\n'), mem)));
    }

    @Test
    void aPointerMovedByAMultipleOf2To32TrapsThoughItsLowHalfIsInBounds() {
        String text = """
                lddw %r3, 0x7f00000000
                mov %r4, %r1
                add %r4, %r3
                ldxb %r0, [%r4]
                exit
                """;
        var o = jit(text, new byte[8]);
        assertTrue(o instanceof dev.bpfh.spi.Outcome.Trapped t && t.kind() == dev.bpfh.spi.TrapKind.OUT_OF_BOUNDS
                && t.pc() == 4, () -> "got " + o);
    }

    @Test
    void entryStateIsInputAddressLengthAndFramePointer() {
        assertEquals(8, r0(jit("mov %r0, %r2\nexit", new byte[8])));
        assertEquals(0x1_0000_0000L, r0(jit("mov %r0, %r1\nexit", new byte[8])));
        assertEquals(0x2_0000_0200L, r0(jit("mov %r0, %r10\nexit", new byte[0])));
        assertEquals(0, r0(jit("mov %r0, %r3\nor %r0, %r9\nexit", new byte[0])));
    }

    @Test
    void calleeGetsTheNextFrameAndItsOwnR10() {
        String text = """
                call local f
                exit
                f:
                mov %r0, %r10
                exit
                """;
        assertEquals(0x3_0000_0200L, r0(jit(text, new byte[0])));
    }

    @Test
    void stackIsZeroedBetweenRuns() throws Exception {
        var p = Engines.asm("ldxdw %r0, [%r10-8]\nstdw [%r10-8], 77\nexit");
        try (var e = Engines.JIT.load(p, dev.bpfh.spi.LoadOptions.DEFAULTS)) {
            assertEquals(0, r0(e.run(new byte[0])));
            assertEquals(0, r0(e.run(new byte[0])));
        }
    }
}
