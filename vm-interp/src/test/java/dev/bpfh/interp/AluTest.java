package dev.bpfh.interp;

import static dev.bpfh.interp.Prog.prog;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * isa.md §2.1–§2.2: every ALU and ALU64 opcode in its K and X forms, and each edge case the spec
 * lists. Each case loads dst into r0 (and the X operand into r1), runs one instruction, and
 * returns r0. Expected values are worked out by hand from the spec text.
 */
class AluTest {

    record Case(String name, int opcode, int off, long dst, boolean x, long src, int imm, long expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case k(String name, int opcode, long dst, int imm, long expected) {
        return new Case(name, opcode, 0, dst, false, 0, imm, expected);
    }

    static Case k(String name, int opcode, int off, long dst, int imm, long expected) {
        return new Case(name, opcode, off, dst, false, 0, imm, expected);
    }

    static Case x(String name, int opcode, long dst, long src, long expected) {
        return new Case(name, opcode, 0, dst, true, src, 0, expected);
    }

    static Case x(String name, int opcode, int off, long dst, long src, long expected) {
        return new Case(name, opcode, off, dst, true, src, 0, expected);
    }

    /** END instructions take only dst; imm is the width and src is 0 even for 0xdc. */
    static Case end(String name, int opcode, long dst, int width, long expected) {
        return new Case(name, opcode, 0, dst, false, 0, width, expected);
    }

    static final long MIN = Long.MIN_VALUE;
    static final long UPPER = 0xAAAA_AAAA_0000_0000L; // junk in dst's upper half: every ALU32 result must clear it

    static Stream<Case> cases() {
        return Stream.of(
                // ---- ALU64 ----
                k("add64 K wraps", 0x07, Long.MAX_VALUE, 1, MIN),
                k("add64 K sign-extends imm", 0x07, 0, -1, -1L),
                x("add64 X", 0x0f, 2, 3, 5),
                k("sub64 K", 0x17, 0, 1, -1L),
                x("sub64 X", 0x1f, 10, 3, 7),
                k("mul64 K negative imm", 0x27, 3, -2, -6),
                x("mul64 X keeps low 64 bits", 0x2f, 0x1_0000_0000L, 0x1_0000_0000L, 0),
                x("mul64 MIN * -1 wraps", 0x2f, MIN, -1, MIN),
                k("div64 K", 0x37, 10, 3, 3),
                k("div64 K imm sign-extended to 2^64-10", 0x37, -1L, -10, 1),
                x("div64 X unsigned", 0x3f, -2L, 2, 0x7FFF_FFFF_FFFF_FFFFL),
                x("div64 X by zero gives 0", 0x3f, 1234, 0, 0),
                k("sdiv64 K", 0x37, 1, 12, -4, -3),
                x("sdiv64 X truncates", 0x3f, 1, -7, 2, -3),
                x("sdiv64 MIN / -1 = MIN", 0x3f, 1, MIN, -1, MIN),
                x("sdiv64 by zero gives 0", 0x3f, 1, -5, 0, 0),
                k("sdiv64 K by zero gives 0", 0x37, 1, 99, 0, 0),
                k("or64 K", 0x47, 0xF0, 0x0F, 0xFF),
                x("or64 X", 0x4f, 0x1_0000_0000L, 1, 0x1_0000_0001L),
                k("and64 K imm sign-extended", 0x57, 0x1234_5678_9ABC_DEF0L, -16, 0x1234_5678_9ABC_DEF0L),
                x("and64 X", 0x5f, 0xFF00, 0x0FF0, 0x0F00),
                k("lsh64 K", 0x67, 1, 4, 16),
                k("lsh64 K 68 masks to 4", 0x67, 1, 68, 16),
                k("lsh64 K -60 masks to 4", 0x67, 1, -60, 16),
                x("lsh64 X masks all 64 bits of src", 0x6f, 1, 0x1_0000_0041L, 2),
                k("rsh64 K logical", 0x77, MIN, 63, 1),
                x("rsh64 X 65 masks to 1", 0x7f, -1L, 65, 0x7FFF_FFFF_FFFF_FFFFL),
                k("neg64", 0x87, 2, 0, 0xFFFF_FFFF_FFFF_FFFEL),
                k("neg64 of MIN is MIN", 0x87, MIN, 0, MIN),
                k("mod64 K", 0x97, 10, 3, 1),
                k("mod64 K 0xffffffff means 2^64-1", 0x97, -1L, 0xffffffff, 0),
                x("mod64 X unsigned", 0x9f, -1L, 10, 5), // 18446744073709551615 mod 10
                x("mod64 X by zero leaves dst", 0x9f, 0x1234_5678_9ABC_DEF0L, 0, 0x1234_5678_9ABC_DEF0L),
                k("smod64 -13 % 3", 0x97, 1, -13, 3, -1),
                x("smod64 -13 % -3", 0x9f, 1, -13, -3, -1),
                x("smod64 13 % -3", 0x9f, 1, 13, -3, 1),
                x("smod64 MIN % -1 = 0", 0x9f, 1, MIN, -1, 0),
                x("smod64 by zero leaves dst", 0x9f, 1, -13, 0, -13),
                k("xor64 K", 0xa7, 0xFF, 0x0F, 0xF0),
                x("xor64 X", 0xaf, -1L, 1, -2L),
                k("mov64 K 0xfffffffe sign-extends", 0xb7, 77, 0xfffffffe, 0xFFFF_FFFF_FFFF_FFFEL),
                x("mov64 X", 0xbf, 77, 0x1122_3344_5566_7788L, 0x1122_3344_5566_7788L),
                x("movsx8 64", 0xbf, 8, 0, 0x1234_56EFL, 0xFFFF_FFFF_FFFF_FFEFL),
                x("movsx8 64 positive", 0xbf, 8, -1L, 0x7F, 0x7F),
                x("movsx16 64", 0xbf, 16, 0, 0x8001, 0xFFFF_FFFF_FFFF_8001L),
                x("movsx32 64", 0xbf, 32, 0, 0x0123_4567_89AB_CDEFL, 0xFFFF_FFFF_89AB_CDEFL),
                k("arsh64 K", 0xc7, MIN, 63, -1L),
                x("arsh64 X masks", 0xcf, -16, 66, -4), // 66 & 63 = 2

                // ---- ALU (32-bit): dst's upper half is always cleared ----
                k("add32 K wraps at 32 bits", 0x04, UPPER | 0xFFFF_FFFFL, 1, 0),
                x("add32 X ignores upper halves", 0x0c, UPPER | 2, 0x7_0000_0003L, 5),
                k("sub32 K", 0x14, UPPER, 1, 0xFFFF_FFFFL),
                x("sub32 X", 0x1c, UPPER | 10, 3, 7),
                k("mul32 K overflow keeps low 32", 0x24, 0x4000_0001L, 4, 4),
                x("mul32 X INT_MIN * -1", 0x2c, 0x8000_0000L, -1L, 0x8000_0000L),
                k("div32 K imm is u32", 0x34, 0xFFFF_FFFFL, -1, 1),
                x("div32 X high divisor bits ignored", 0x3c, UPPER | 10, 0x1_0000_0002L, 5),
                x("div32 X by zero gives 0", 0x3c, UPPER | 10, 0x1_0000_0000L, 0),
                k("sdiv32 K 12 / -4", 0x34, 1, 12, -4, 0xFFFF_FFFDL),
                x("sdiv32 INT_MIN / -1", 0x3c, 1, 0x8000_0000L, -1, 0x8000_0000L),
                x("sdiv32 by zero gives 0", 0x3c, 1, 12, 0, 0),
                k("mod32 K", 0x94, 0x1_0000_000AL, 3, 1),
                x("mod32 X by zero keeps u32(dst)", 0x9c, 0xFFFF_FFFF_0000_0007L, 0, 7),
                k("mod32 K imm is u32", 0x94, 7, -1, 7), // 7 mod 0xffffffff
                k("smod32 -13 % -3", 0x94, 1, 0xFFFF_FFF3L, -3, 0xFFFF_FFFFL),
                x("smod32 13 % -3", 0x9c, 1, 13, -3, 1),
                x("smod32 INT_MIN % -1 = 0", 0x9c, 1, 0x8000_0000L, -1, 0),
                x("smod32 by zero keeps u32(dst)", 0x9c, 1, 0x1_8000_0000L, 0, 0x8000_0000L),
                k("or32 K", 0x44, 0xFFFF_FFFF_0000_00F0L, 0x0F, 0xFF),
                x("or32 X", 0x4c, UPPER, 0xFFFF_0000_0000_0001L, 1),
                k("and32 K", 0x54, -1L, 0xF0, 0xF0),
                x("and32 X", 0x5c, -1L, -1L, 0xFFFF_FFFFL),
                k("lsh32 K 60 masks to 28", 0x64, 1, 60, 0x1000_0000L),
                x("lsh32 X 33 masks to 1", 0x6c, UPPER | 0x8000_0001L, 33, 2),
                k("rsh32 K ignores upper half", 0x74, 0xFFFF_FFFF_8000_0000L, 31, 1),
                x("rsh32 X", 0x7c, 0x8000_0000L, 36, 0x0800_0000L),
                k("neg32", 0x84, 0x1_0000_0002L, 0, 0xFFFF_FFFEL),
                k("neg32 INT_MIN", 0x84, 0x8000_0000L, 0, 0x8000_0000L),
                k("xor32 K", 0xa4, UPPER | 0xFF, 0x0F, 0xF0),
                x("xor32 X", 0xac, 0, -1L, 0xFFFF_FFFFL),
                k("mov32 K zero-extends", 0xb4, 77, -1, 0xFFFF_FFFFL),
                x("mov32 X truncates", 0xbc, 77, -1L, 0xFFFF_FFFFL),
                x("movsx8 32", 0xbc, 8, -1L, 0x1234_56EFL, 0xFFFF_FFEFL),
                x("movsx16 32", 0xbc, 16, -1L, 0x8001, 0xFFFF_8001L),
                k("arsh32 K", 0xc4, UPPER | 0x8000_0000L, 4, 0xF800_0000L),
                x("arsh32 X masks to 31", 0xcc, 0x8000_0000L, 63, 0xFFFF_FFFFL),

                // ---- END (§2.2): truncate to the width, zero-extend ----
                end("le16", 0xd4, 0xBBCC_DDEE_FF00_1122L, 16, 0x1122),
                end("le32", 0xd4, 0xBBCC_DDEE_FF00_1122L, 32, 0xFF00_1122L),
                end("le64", 0xd4, 0xBBCC_DDEE_FF00_1122L, 64, 0xBBCC_DDEE_FF00_1122L),
                end("be16", 0xdc, 0x8877_6655_4433_2211L, 16, 0x1122),
                end("be32", 0xdc, 0x8877_6655_4433_2211L, 32, 0x1122_3344L),
                end("be64", 0xdc, 0x8877_6655_4433_2211L, 64, 0x1122_3344_5566_7788L),
                end("bswap16", 0xd7, 0x8877_6655_4433_2211L, 16, 0x1122),
                end("bswap32", 0xd7, 0x8877_6655_4433_2211L, 32, 0x1122_3344L),
                end("bswap64", 0xd7, 0x8877_6655_4433_2211L, 64, 0x1122_3344_5566_7788L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void computesTheSpecifiedResult(Case c) {
        Prog p = prog().lddw(0, c.dst());
        if (c.x()) {
            p.lddw(1, c.src());
        }
        p.insn(c.opcode(), 0, c.x() ? 1 : 0, c.off(), c.imm()).exit();
        long r0 = p.r0();
        assertEquals(c.expected(), r0, () -> String.format("%s: expected 0x%x, got 0x%x", c.name(), c.expected(), r0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void writesOnlyDst(Case c) {
        // The same instruction, with a sentinel in r1 when it is not the operand: nothing but dst changes.
        Prog p = prog().lddw(0, c.dst()).lddw(1, c.x() ? c.src() : 0x5A5A_5A5A_5A5A_5A5AL);
        p.insn(c.opcode(), 0, c.x() ? 1 : 0, c.off(), c.imm()).movx(0, 1).exit();
        assertEquals(c.x() ? c.src() : 0x5A5A_5A5A_5A5A_5A5AL, p.r0());
    }
}
