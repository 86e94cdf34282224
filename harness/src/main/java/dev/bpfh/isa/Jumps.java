package dev.bpfh.isa;

/**
 * The conditions of the conditional jumps (isa.md §2.3): one small static method per condition and
 * width, and {@link #taken64}/{@link #taken32} choosing among them by condition code.
 *
 * <p>64-bit forms compare whole registers (callers pass a K operand as {@code (long) imm}, which is
 * the required sign extension). 32-bit forms compare only the low halves. The interpreter calls the
 * per-condition methods (each a few bytes of bytecode: C2 counts every inlined byte against one
 * budget per compiled method, and {@code taken64} is 282 bytes even where its switch folds away);
 * the JIT emits the same comparisons as bytecode, checked against {@code taken64/taken32}.
 */
public final class Jumps {
    private Jumps() {}

    /** Whether the jump with condition code {@code op} (high nibble, e.g. {@code Opcodes.JGT}) is taken. */
    public static boolean taken64(int op, long a, long b) {
        return switch (op) {
            case Opcodes.JEQ -> eq64(a, b);
            case Opcodes.JGT -> gt64(a, b);
            case Opcodes.JGE -> ge64(a, b);
            case Opcodes.JSET -> set64(a, b);
            case Opcodes.JNE -> ne64(a, b);
            case Opcodes.JSGT -> sgt64(a, b);
            case Opcodes.JSGE -> sge64(a, b);
            case Opcodes.JLT -> lt64(a, b);
            case Opcodes.JLE -> le64(a, b);
            case Opcodes.JSLT -> slt64(a, b);
            case Opcodes.JSLE -> sle64(a, b);
            default -> throw new IllegalArgumentException("not a conditional jump: 0x" + Integer.toHexString(op));
        };
    }

    /** The JMP32 form: the same condition on the low 32 bits ({@code (int)} for signed compares). */
    public static boolean taken32(int op, long a, long b) {
        return switch (op) {
            case Opcodes.JEQ -> eq32(a, b);
            case Opcodes.JGT -> gt32(a, b);
            case Opcodes.JGE -> ge32(a, b);
            case Opcodes.JSET -> set32(a, b);
            case Opcodes.JNE -> ne32(a, b);
            case Opcodes.JSGT -> sgt32(a, b);
            case Opcodes.JSGE -> sge32(a, b);
            case Opcodes.JLT -> lt32(a, b);
            case Opcodes.JLE -> le32(a, b);
            case Opcodes.JSLT -> slt32(a, b);
            case Opcodes.JSLE -> sle32(a, b);
            default -> throw new IllegalArgumentException("not a conditional jump: 0x" + Integer.toHexString(op));
        };
    }

    // ---- JMP: whole registers ---------------------------------------------------------------------

    public static boolean eq64(long a, long b) {
        return a == b;
    }

    public static boolean gt64(long a, long b) {
        return Long.compareUnsigned(a, b) > 0;
    }

    public static boolean ge64(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0;
    }

    public static boolean set64(long a, long b) {
        return (a & b) != 0;
    }

    public static boolean ne64(long a, long b) {
        return a != b;
    }

    public static boolean sgt64(long a, long b) {
        return a > b;
    }

    public static boolean sge64(long a, long b) {
        return a >= b;
    }

    public static boolean lt64(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    public static boolean le64(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0;
    }

    public static boolean slt64(long a, long b) {
        return a < b;
    }

    public static boolean sle64(long a, long b) {
        return a <= b;
    }

    // ---- JMP32: low halves ------------------------------------------------------------------------

    public static boolean eq32(long a, long b) {
        return (int) a == (int) b;
    }

    public static boolean gt32(long a, long b) {
        return Integer.compareUnsigned((int) a, (int) b) > 0;
    }

    public static boolean ge32(long a, long b) {
        return Integer.compareUnsigned((int) a, (int) b) >= 0;
    }

    public static boolean set32(long a, long b) {
        return ((int) a & (int) b) != 0;
    }

    public static boolean ne32(long a, long b) {
        return (int) a != (int) b;
    }

    public static boolean sgt32(long a, long b) {
        return (int) a > (int) b;
    }

    public static boolean sge32(long a, long b) {
        return (int) a >= (int) b;
    }

    public static boolean lt32(long a, long b) {
        return Integer.compareUnsigned((int) a, (int) b) < 0;
    }

    public static boolean le32(long a, long b) {
        return Integer.compareUnsigned((int) a, (int) b) <= 0;
    }

    public static boolean slt32(long a, long b) {
        return (int) a < (int) b;
    }

    public static boolean sle32(long a, long b) {
        return (int) a <= (int) b;
    }
}
