package dev.bpfh.asm;

import static dev.bpfh.isa.Insn.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every mnemonic of isa.md §4.4 encodes to the opcode and fields of the §3.5 table. */
class AssemblerEncodingTest {

    static long[] asm(String text) throws AssemblyException {
        return Assembler.assemble("t", text).slots();
    }

    static Arguments a(String line, int op, int dst, int src, int off, int imm) {
        return Arguments.of(line, encode(op, dst, src, off, imm));
    }

    static Stream<Arguments> single() {
        return Stream.of(
                // ALU (32-bit): K and X forms (§3.5 ALU class table).
                a("add32 %r1, 2", 0x04, 1, 0, 0, 2), a("add32 %r1, %r2", 0x0c, 1, 2, 0, 0),
                a("sub32 %r1, 2", 0x14, 1, 0, 0, 2), a("sub32 %r1, %r2", 0x1c, 1, 2, 0, 0),
                a("mul32 %r1, 2", 0x24, 1, 0, 0, 2), a("mul32 %r1, %r2", 0x2c, 1, 2, 0, 0),
                a("div32 %r1, 2", 0x34, 1, 0, 0, 2), a("div32 %r1, %r2", 0x3c, 1, 2, 0, 0),
                a("sdiv32 %r1, 2", 0x34, 1, 0, 1, 2), a("sdiv32 %r1, %r2", 0x3c, 1, 2, 1, 0),
                a("or32 %r1, 2", 0x44, 1, 0, 0, 2), a("or32 %r1, %r2", 0x4c, 1, 2, 0, 0),
                a("and32 %r1, 2", 0x54, 1, 0, 0, 2), a("and32 %r1, %r2", 0x5c, 1, 2, 0, 0),
                a("lsh32 %r1, 2", 0x64, 1, 0, 0, 2), a("lsh32 %r1, %r2", 0x6c, 1, 2, 0, 0),
                a("rsh32 %r1, 2", 0x74, 1, 0, 0, 2), a("rsh32 %r1, %r2", 0x7c, 1, 2, 0, 0),
                a("neg32 %r1", 0x84, 1, 0, 0, 0),
                a("mod32 %r1, 2", 0x94, 1, 0, 0, 2), a("mod32 %r1, %r2", 0x9c, 1, 2, 0, 0),
                a("smod32 %r1, 2", 0x94, 1, 0, 1, 2), a("smod32 %r1, %r2", 0x9c, 1, 2, 1, 0),
                a("xor32 %r1, 2", 0xa4, 1, 0, 0, 2), a("xor32 %r1, %r2", 0xac, 1, 2, 0, 0),
                a("mov32 %r1, 2", 0xb4, 1, 0, 0, 2), a("mov32 %r1, %r2", 0xbc, 1, 2, 0, 0),
                a("movsx832 %r1, %r2", 0xbc, 1, 2, 8, 0), a("movsx1632 %r1, %r2", 0xbc, 1, 2, 16, 0),
                a("arsh32 %r1, 2", 0xc4, 1, 0, 0, 2), a("arsh32 %r1, %r2", 0xcc, 1, 2, 0, 0),
                a("le16 %r3", 0xd4, 3, 0, 0, 16), a("le32 %r3", 0xd4, 3, 0, 0, 32), a("le64 %r3", 0xd4, 3, 0, 0, 64),
                a("be16 %r3", 0xdc, 3, 0, 0, 16), a("be32 %r3", 0xdc, 3, 0, 0, 32), a("be64 %r3", 0xdc, 3, 0, 0, 64),
                // ALU64: no suffix.
                a("add %r1, 2", 0x07, 1, 0, 0, 2), a("add %r1, %r2", 0x0f, 1, 2, 0, 0),
                a("sub %r1, 2", 0x17, 1, 0, 0, 2), a("sub %r1, %r2", 0x1f, 1, 2, 0, 0),
                a("mul %r1, 2", 0x27, 1, 0, 0, 2), a("mul %r1, %r2", 0x2f, 1, 2, 0, 0),
                a("div %r1, 2", 0x37, 1, 0, 0, 2), a("div %r1, %r2", 0x3f, 1, 2, 0, 0),
                a("sdiv %r1, 2", 0x37, 1, 0, 1, 2), a("sdiv %r1, %r2", 0x3f, 1, 2, 1, 0),
                a("or %r1, 2", 0x47, 1, 0, 0, 2), a("or %r1, %r2", 0x4f, 1, 2, 0, 0),
                a("and %r1, 2", 0x57, 1, 0, 0, 2), a("and %r1, %r2", 0x5f, 1, 2, 0, 0),
                a("lsh %r1, 2", 0x67, 1, 0, 0, 2), a("lsh %r1, %r2", 0x6f, 1, 2, 0, 0),
                a("rsh %r1, 2", 0x77, 1, 0, 0, 2), a("rsh %r1, %r2", 0x7f, 1, 2, 0, 0),
                a("neg %r1", 0x87, 1, 0, 0, 0),
                a("mod %r1, 2", 0x97, 1, 0, 0, 2), a("mod %r1, %r2", 0x9f, 1, 2, 0, 0),
                a("smod %r1, 2", 0x97, 1, 0, 1, 2), a("smod %r1, %r2", 0x9f, 1, 2, 1, 0),
                a("xor %r1, 2", 0xa7, 1, 0, 0, 2), a("xor %r1, %r2", 0xaf, 1, 2, 0, 0),
                a("mov %r1, 2", 0xb7, 1, 0, 0, 2), a("mov %r1, %r2", 0xbf, 1, 2, 0, 0),
                a("movsx864 %r1, %r2", 0xbf, 1, 2, 8, 0), a("movsx1664 %r1, %r2", 0xbf, 1, 2, 16, 0),
                a("movsx3264 %r1, %r2", 0xbf, 1, 2, 32, 0),
                a("arsh %r1, 2", 0xc7, 1, 0, 0, 2), a("arsh %r1, %r2", 0xcf, 1, 2, 0, 0),
                a("swap16 %r4", 0xd7, 4, 0, 0, 16), a("swap32 %r4", 0xd7, 4, 0, 0, 32), a("swap64 %r4", 0xd7, 4, 0, 0, 64),
                a("bswap16 %r4", 0xd7, 4, 0, 0, 16), a("bswap32 %r4", 0xd7, 4, 0, 0, 32), a("bswap64 %r4", 0xd7, 4, 0, 0, 64),
                // An immediate movsx is not rejected: it makes the invalid K form (§4.4).
                a("movsx864 %r1, 5", 0xb7, 1, 0, 8, 5),
                // Loads and stores (§3.5 memory table).
                a("ldxw %r0, [%r1+2]", 0x61, 0, 1, 2, 0), a("ldxh %r0, [%r1+2]", 0x69, 0, 1, 2, 0),
                a("ldxb %r0, [%r1+2]", 0x71, 0, 1, 2, 0), a("ldxdw %r0, [%r1+2]", 0x79, 0, 1, 2, 0),
                a("ldxsw %r0, [%r1-2]", 0x81, 0, 1, -2, 0), a("ldxsh %r0, [%r1-2]", 0x89, 0, 1, -2, 0),
                a("ldxsb %r0, [%r1-2]", 0x91, 0, 1, -2, 0),
                a("stw [%r10-8], 7", 0x62, 10, 0, -8, 7), a("sth [%r10-8], 7", 0x6a, 10, 0, -8, 7),
                a("stb [%r10-8], 7", 0x72, 10, 0, -8, 7), a("stdw [%r10-8], 7", 0x7a, 10, 0, -8, 7),
                a("stxw [%r1], %r2", 0x63, 1, 2, 0, 0), a("stxh [%r1], %r2", 0x6b, 1, 2, 0, 0),
                a("stxb [%r1], %r2", 0x73, 1, 2, 0, 0), a("stxdw [%r1], %r2", 0x7b, 1, 2, 0, 0),
                // Atomics (§3.5 atomics table).
                a("lock add [%r10-8], %r1", 0xdb, 10, 1, -8, 0x00),
                a("lock fetch add [%r10-8], %r1", 0xdb, 10, 1, -8, 0x01),
                a("lock or [%r10-8], %r1", 0xdb, 10, 1, -8, 0x40),
                a("lock fetch or [%r10-8], %r1", 0xdb, 10, 1, -8, 0x41),
                a("lock and [%r10-8], %r1", 0xdb, 10, 1, -8, 0x50),
                a("lock fetch and [%r10-8], %r1", 0xdb, 10, 1, -8, 0x51),
                a("lock xor [%r10-8], %r1", 0xdb, 10, 1, -8, 0xa0),
                a("lock fetch xor [%r10-8], %r1", 0xdb, 10, 1, -8, 0xa1),
                a("lock xchg [%r10-8], %r1", 0xdb, 10, 1, -8, 0xe1),
                a("lock cmpxchg [%r10-8], %r1", 0xdb, 10, 1, -8, 0xf1),
                a("lock fetch xchg [%r10-8], %r1", 0xdb, 10, 1, -8, 0xe1),
                a("lock fetch cmpxchg [%r10-8], %r1", 0xdb, 10, 1, -8, 0xf1),
                a("lock add32 [%r10-4], %r1", 0xc3, 10, 1, -4, 0x00),
                a("lock fetch add32 [%r10-4], %r1", 0xc3, 10, 1, -4, 0x01),
                a("lock or32 [%r10-4], %r1", 0xc3, 10, 1, -4, 0x40),
                a("lock fetch or32 [%r10-4], %r1", 0xc3, 10, 1, -4, 0x41),
                a("lock and32 [%r10-4], %r1", 0xc3, 10, 1, -4, 0x50),
                a("lock fetch and32 [%r10-4], %r1", 0xc3, 10, 1, -4, 0x51),
                a("lock xor32 [%r10-4], %r1", 0xc3, 10, 1, -4, 0xa0),
                a("lock fetch xor32 [%r10-4], %r1", 0xc3, 10, 1, -4, 0xa1),
                a("lock xchg32 [%r10-4], %r1", 0xc3, 10, 1, -4, 0xe1),
                a("lock cmpxchg32 [%r10-4], %r1", 0xc3, 10, 1, -4, 0xf1),
                // Jumps (§2.3 table), numeric targets into off.
                a("jeq %r1, 5, +1", 0x15, 1, 0, 1, 5), a("jeq %r1, %r2, +1", 0x1d, 1, 2, 1, 0),
                a("jgt %r1, 5, +1", 0x25, 1, 0, 1, 5), a("jgt %r1, %r2, +1", 0x2d, 1, 2, 1, 0),
                a("jge %r1, 5, +1", 0x35, 1, 0, 1, 5), a("jge %r1, %r2, +1", 0x3d, 1, 2, 1, 0),
                a("jset %r1, 5, +1", 0x45, 1, 0, 1, 5), a("jset %r1, %r2, +1", 0x4d, 1, 2, 1, 0),
                a("jne %r1, 5, +1", 0x55, 1, 0, 1, 5), a("jne %r1, %r2, +1", 0x5d, 1, 2, 1, 0),
                a("jsgt %r1, 5, +1", 0x65, 1, 0, 1, 5), a("jsgt %r1, %r2, +1", 0x6d, 1, 2, 1, 0),
                a("jsge %r1, 5, +1", 0x75, 1, 0, 1, 5), a("jsge %r1, %r2, +1", 0x7d, 1, 2, 1, 0),
                a("jlt %r1, 5, +1", 0xa5, 1, 0, 1, 5), a("jlt %r1, %r2, +1", 0xad, 1, 2, 1, 0),
                a("jle %r1, 5, +1", 0xb5, 1, 0, 1, 5), a("jle %r1, %r2, +1", 0xbd, 1, 2, 1, 0),
                a("jslt %r1, 5, +1", 0xc5, 1, 0, 1, 5), a("jslt %r1, %r2, +1", 0xcd, 1, 2, 1, 0),
                a("jsle %r1, 5, +1", 0xd5, 1, 0, 1, 5), a("jsle %r1, %r2, +1", 0xdd, 1, 2, 1, 0),
                a("jeq32 %r1, 5, -1", 0x16, 1, 0, -1, 5), a("jeq32 %r1, %r2, -1", 0x1e, 1, 2, -1, 0),
                a("jgt32 %r1, 5, -1", 0x26, 1, 0, -1, 5), a("jgt32 %r1, %r2, -1", 0x2e, 1, 2, -1, 0),
                a("jge32 %r1, 5, -1", 0x36, 1, 0, -1, 5), a("jge32 %r1, %r2, -1", 0x3e, 1, 2, -1, 0),
                a("jset32 %r1, 5, -1", 0x46, 1, 0, -1, 5), a("jset32 %r1, %r2, -1", 0x4e, 1, 2, -1, 0),
                a("jne32 %r1, 5, -1", 0x56, 1, 0, -1, 5), a("jne32 %r1, %r2, -1", 0x5e, 1, 2, -1, 0),
                a("jsgt32 %r1, 5, -1", 0x66, 1, 0, -1, 5), a("jsgt32 %r1, %r2, -1", 0x6e, 1, 2, -1, 0),
                a("jsge32 %r1, 5, -1", 0x76, 1, 0, -1, 5), a("jsge32 %r1, %r2, -1", 0x7e, 1, 2, -1, 0),
                a("jlt32 %r1, 5, -1", 0xa6, 1, 0, -1, 5), a("jlt32 %r1, %r2, -1", 0xae, 1, 2, -1, 0),
                a("jle32 %r1, 5, -1", 0xb6, 1, 0, -1, 5), a("jle32 %r1, %r2, -1", 0xbe, 1, 2, -1, 0),
                a("jslt32 %r1, 5, -1", 0xc6, 1, 0, -1, 5), a("jslt32 %r1, %r2, -1", 0xce, 1, 2, -1, 0),
                a("jsle32 %r1, 5, -1", 0xd6, 1, 0, -1, 5), a("jsle32 %r1, %r2, -1", 0xde, 1, 2, -1, 0),
                a("ja +3", 0x05, 0, 0, 3, 0), a("ja -3", 0x05, 0, 0, -3, 0),
                a("ja32 +3", 0x06, 0, 0, 0, 3), a("ja32 -3", 0x06, 0, 0, 0, -3), a("gotol +3", 0x06, 0, 0, 0, 3),
                // Calls (§4.4 call rules).
                a("call 5", 0x85, 0, 0, 0, 5), a("call helper 5", 0x85, 0, 0, 0, 5),
                a("call helper 0x7", 0x85, 0, 0, 0, 7),
                a("call %r2", 0x8d, 2, 0, 0, 0), a("call helper %r2", 0x8d, 2, 0, 0, 0),
                a("call local +2", 0x85, 0, 1, 0, 2), a("call local -2", 0x85, 0, 1, 0, -2),
                a("call runtime 77", 0x85, 0, 2, 0, 77),
                a("exit", 0x95, 0, 0, 0, 0),
                // Registers r11..r15 are accepted so negative tests can be written.
                a("mov %r15, %r11", 0xbf, 15, 11, 0, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("single")
    void encodesOneSlot(String line, long expected) throws AssemblyException {
        assertArrayEquals(new long[] {expected}, asm(line), line);
    }

    @Test
    void aHexImmediateMayBeTheSignExtensionOfAnInt32() throws AssemblyException {
        // rfc9669_movsx.data compares with jne %r6, 0xffffffffffffff80: the int32 -128.
        assertEquals(encode(0x55, 6, 0, 1, -128), Assembler.assemble("t", "jne %r6, 0xffffffffffffff80, +1").slot(0));
        assertEquals(encode(0xb7, 0, 0, 0, 0x80000001), Assembler.assemble("t", "mov %r0, 0xffffffff80000001").slot(0));
    }

    @Test
    void registersMayBeWrittenWithoutThePercentSignAsOlderCorporaDo() throws AssemblyException {
        String modern = "mov32 %r0, %r1\nldxb %r2, [%r1+2]\njeq %r2, %r0, +1\ncall %r2\nlock add [%r10-8], %r1\nexit";
        String older = "mov32 r0, r1\nldxb r2, [r1+2]\njeq r2, r0, +1\ncall r2\nlock add [r10-8], r1\nexit";
        assertArrayEquals(Assembler.assemble("m", modern).slots(), Assembler.assemble("o", older).slots());
    }

    @Test
    void lddwTakesTwoSlotsLowHalfFirst() throws AssemblyException {
        // isa.md §1.2 example from tests/lddw.data.
        assertArrayEquals(new long[] {0x5566778800000018L, 0x1122334400000000L},
                asm("lddw %r0, 0x1122334455667788"));
        assertArrayEquals(new long[] {encode(0x18, 3, 0, 0, -1), encode(0, 0, 0, 0, -1)}, asm("lddw %r3, -1"));
        assertArrayEquals(new long[] {encode(0x18, 0, 0, 0, 0x80000000), 0L}, asm("lddw %r0, 2147483648"));
        assertArrayEquals(new long[] {encode(0x18, 0, 0, 0, -1), encode(0, 0, 0, 0, -1)},
                asm("lddw %r0, 18446744073709551615"));
        assertArrayEquals(new long[] {encode(0x18, 0, 0, 0, 0), encode(0, 0, 0, 0, 0x80000000)},
                asm("lddw %r0, -9223372036854775808"));
    }

    @Test
    void operandsKeepTheirIndentationAndCommasOnlyTrailing() throws AssemblyException {
        assertArrayEquals(new long[] {encode(0xbf, 0, 1, 0, 0)}, asm("\t  mov   %r0,\t%r1   "));
    }

    @Test
    void wholeProgramCountsLddwAsTwoSlots() throws AssemblyException {
        long[] s = asm("mov %r0, 1\nlddw %r1, 0x100000000\njne32 %r1, 0xb, +1\nexit\n");
        assertEquals(5, s.length);
        assertEquals(encode(0x56, 1, 0, 1, 0xb), s[3]);
    }
}
