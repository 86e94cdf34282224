package dev.bpfh.isa;

/**
 * One 8-byte instruction slot, decoded (RFC 9669 §3 layout on a little-endian host).
 *
 * <p>{@code lddw} occupies two slots; its second slot decodes as an {@code Insn} with opcode 0 whose
 * {@code imm} is the high half of the constant.
 */
public record Insn(int opcode, int dst, int src, int off, int imm) {

    public Insn {
        if ((opcode & ~0xff) != 0 || (dst & ~0xf) != 0 || (src & ~0xf) != 0) {
            throw new IllegalArgumentException("field out of range: " + this);
        }
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
            throw new IllegalArgumentException("offset out of 16-bit range: " + off);
        }
    }

    public static Insn decode(long slot) {
        return new Insn(opcode(slot), dst(slot), src(slot), off(slot), imm(slot));
    }

    public long encode() {
        return encode(opcode, dst, src, off, imm);
    }

    public static long encode(int opcode, int dst, int src, int off, int imm) {
        return (opcode & 0xffL)
                | ((long) (dst & 0xf) << 8)
                | ((long) (src & 0xf) << 12)
                | ((long) (off & 0xffff) << 16)
                | ((long) imm << 32);
    }

    public static int opcode(long slot) {
        return (int) (slot & 0xff);
    }

    public static int dst(long slot) {
        return (int) (slot >>> 8) & 0xf;
    }

    public static int src(long slot) {
        return (int) (slot >>> 12) & 0xf;
    }

    public static int off(long slot) {
        return (short) (slot >>> 16);
    }

    public static int imm(long slot) {
        return (int) (slot >>> 32);
    }

    /** The 64-bit constant of an {@code lddw} pair: low half from the first slot, high from the second. */
    public static long wideImm(long first, long second) {
        return ((long) imm(second) << 32) | (imm(first) & 0xffffffffL);
    }
}
