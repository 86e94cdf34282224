package dev.bpfh.jit;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.data.DataFileParser;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.ProgramType;

/** Test support for typed programs: assembly with maps and packet loads, packets, ctx images. */
final class TypedPrograms {
    private TypedPrograms() {}

    /**
     * A typed program from a {@code .data} fragment ({@code -- map} sections, then {@code -- asm}).
     * The assembler has no LD_ABS/LD_IND mnemonics: write them with {@link #ldabs} / {@link #ldind}.
     */
    static Program program(ProgramType type, String text) {
        try {
            return DataFileParser.parse("t", null, text + "-- result\n0x0\n").program().withType(type);
        } catch (Exception e) {
            throw new AssertionError("cannot parse:\n" + text, e);
        }
    }

    /** {@code r0 = ntoh(*(size *)(skb->data + imm))}, as a raw {@code .slot} line. */
    static String ldabs(char size, int imm) {
        return slot(LD | MODE_ABS | sizeCode(size), 0, imm);
    }

    /** {@code r0 = ntoh(*(size *)(skb->data + src + imm))}, as a raw {@code .slot} line. */
    static String ldind(char size, int src, int imm) {
        return slot(LD | MODE_IND | sizeCode(size), src, imm);
    }

    private static String slot(int op, int src, int imm) {
        return ".slot 0x" + Long.toHexString(Insn.encode(op, 0, src, 0, imm)) + "\n";
    }

    private static int sizeCode(char size) {
        return switch (size) {
            case 'b' -> SIZE_B;
            case 'h' -> SIZE_H;
            case 'w' -> SIZE_W;
            default -> throw new IllegalArgumentException("size " + size);
        };
    }

    /**
     * A 64-byte Ethernet frame: destination MAC {@code dst0}:00:..., source 02:.., ethertype 0x0800,
     * then bytes 14.. = {@code (i * 7 + 3) & 0xff}.
     */
    static byte[] frame(int length, int dst0) {
        byte[] f = new byte[length];
        f[0] = (byte) dst0;
        for (int i = 6; i < 12; i++) {
            f[i] = 2;
        }
        f[12] = 0x08;
        f[13] = 0x00;
        for (int i = 14; i < length; i++) {
            f[i] = (byte) (i * 7 + 3);
        }
        return f;
    }

    /** Little-endian {@code value} of {@code bytes} bytes written at {@code offset} of {@code image}. */
    static byte[] put(byte[] image, int offset, int bytes, long value) {
        for (int i = 0; i < bytes; i++) {
            image[offset + i] = (byte) (value >>> (8 * i));
        }
        return image;
    }

    static long get(byte[] image, int offset, int bytes) {
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            v = v << 8 | (image[offset + i] & 0xffL);
        }
        return v;
    }
}
