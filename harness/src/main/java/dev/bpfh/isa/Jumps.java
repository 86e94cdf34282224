package dev.bpfh.isa;

/**
 * The conditions of the conditional jumps (isa.md §2.3), one static method each.
 *
 * <p>64-bit forms compare whole registers (callers pass a K operand as {@code (long) imm}, which is
 * the required sign extension). 32-bit forms compare only the low halves. Shared by the interpreter
 * and the JIT.
 */
public final class Jumps {
    private Jumps() {}

    /** Whether the jump with condition code {@code op} (high nibble, e.g. {@code Opcodes.JGT}) is taken. */
    public static boolean taken64(int op, long a, long b) {
        return switch (op) {
            case Opcodes.JEQ -> a == b;
            case Opcodes.JGT -> Long.compareUnsigned(a, b) > 0;
            case Opcodes.JGE -> Long.compareUnsigned(a, b) >= 0;
            case Opcodes.JSET -> (a & b) != 0;
            case Opcodes.JNE -> a != b;
            case Opcodes.JSGT -> a > b;
            case Opcodes.JSGE -> a >= b;
            case Opcodes.JLT -> Long.compareUnsigned(a, b) < 0;
            case Opcodes.JLE -> Long.compareUnsigned(a, b) <= 0;
            case Opcodes.JSLT -> a < b;
            case Opcodes.JSLE -> a <= b;
            default -> throw new IllegalArgumentException("not a conditional jump: 0x" + Integer.toHexString(op));
        };
    }

    /** The JMP32 form: the same condition on the low 32 bits ({@code (int)} for signed compares). */
    public static boolean taken32(int op, long a, long b) {
        int x = (int) a;
        int y = (int) b;
        return switch (op) {
            case Opcodes.JEQ -> x == y;
            case Opcodes.JGT -> Integer.compareUnsigned(x, y) > 0;
            case Opcodes.JGE -> Integer.compareUnsigned(x, y) >= 0;
            case Opcodes.JSET -> (x & y) != 0;
            case Opcodes.JNE -> x != y;
            case Opcodes.JSGT -> x > y;
            case Opcodes.JSGE -> x >= y;
            case Opcodes.JLT -> Integer.compareUnsigned(x, y) < 0;
            case Opcodes.JLE -> Integer.compareUnsigned(x, y) <= 0;
            case Opcodes.JSLT -> x < y;
            case Opcodes.JSLE -> x <= y;
            default -> throw new IllegalArgumentException("not a conditional jump: 0x" + Integer.toHexString(op));
        };
    }
}
