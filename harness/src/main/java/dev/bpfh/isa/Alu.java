package dev.bpfh.isa;

/**
 * The ALU rules of isa.md §2.1–§2.2, each in one small static method.
 *
 * <p>This class is the single definition of the arithmetic semantics: the interpreter calls these
 * methods and the JIT emits {@code invokestatic} to them (C2 inlines them), so both engines agree by
 * construction. Operands are raw 64-bit register patterns; 32-bit methods take the full registers
 * and return the zero-extended 32-bit result, so callers never repeat the {@code u32} rule. For the
 * K forms callers pass {@code (long) imm} (sign-extended), exactly what a 64-bit operation needs;
 * the 32-bit methods only look at the low half.
 */
public final class Alu {
    private Alu() {}

    public static final long U32 = 0xffffffffL;

    public static long u32(long x) {
        return x & U32;
    }

    // ---- 64-bit -------------------------------------------------------------------------------

    /** Unsigned division; division by zero gives 0. */
    public static long div64(long a, long b) {
        return b == 0 ? 0 : Long.divideUnsigned(a, b);
    }

    /** Signed division; by zero gives 0, {@code MIN / -1} wraps to MIN (Java already does). */
    public static long sdiv64(long a, long b) {
        return b == 0 ? 0 : a / b;
    }

    /** Unsigned remainder; modulo zero leaves the dividend. */
    public static long mod64(long a, long b) {
        return b == 0 ? a : Long.remainderUnsigned(a, b);
    }

    /** Truncated signed remainder (sign of the dividend); modulo zero leaves the dividend. */
    public static long smod64(long a, long b) {
        return b == 0 ? a : a % b;
    }

    /** Java masks a long shift count to six bits, as eBPF requires. */
    public static long lsh64(long a, long b) {
        return a << b;
    }

    public static long rsh64(long a, long b) {
        return a >>> b;
    }

    public static long arsh64(long a, long b) {
        return a >> b;
    }

    // ---- 32-bit: operate on the low halves, result zero-extended ------------------------------

    public static long add32(long a, long b) {
        return u32(a + b);
    }

    public static long sub32(long a, long b) {
        return u32(a - b);
    }

    public static long mul32(long a, long b) {
        return u32((int) a * (int) b);
    }

    public static long div32(long a, long b) {
        long d = u32(b);
        return d == 0 ? 0 : u32(a) / d;
    }

    public static long sdiv32(long a, long b) {
        int d = (int) b;
        return d == 0 ? 0 : u32((int) a / d);
    }

    /** {@code mod32} by zero keeps the dividend's low half and still clears the upper bits. */
    public static long mod32(long a, long b) {
        long d = u32(b);
        return d == 0 ? u32(a) : u32(a) % d;
    }

    public static long smod32(long a, long b) {
        int d = (int) b;
        return d == 0 ? u32(a) : u32((int) a % d);
    }

    /** Java masks an int shift count to five bits, as eBPF requires. */
    public static long lsh32(long a, long b) {
        return u32((int) a << (int) b);
    }

    public static long rsh32(long a, long b) {
        return u32((int) a >>> (int) b);
    }

    public static long arsh32(long a, long b) {
        return u32((int) a >> (int) b);
    }

    public static long neg32(long a) {
        return u32(-(int) a);
    }

    // ---- moves with sign extension (MOVSX, off = 8/16/32) -------------------------------------

    public static long sx8(long a) {
        return (byte) a;
    }

    public static long sx16(long a) {
        return (short) a;
    }

    public static long sx32(long a) {
        return (int) a;
    }

    /** MOVSX by the width in {@code off}: 8, 16 or 32 (validated at load). */
    public static long movsx64(long a, int bits) {
        return switch (bits) {
            case 8 -> (byte) a;
            case 16 -> (short) a;
            default -> (int) a;
        };
    }

    /** 32-bit MOVSX: sign-extend to 32 bits, then zero-extend (isa.md: off 8/16 only). */
    public static long movsx32(long a, int bits) {
        return u32(bits == 8 ? (byte) a : (short) a);
    }

    // ---- byte order (END, §2.2): truncate to the width, zero-extend ---------------------------

    /** {@code le16/32/64} on a little-endian host: truncation only. */
    public static long le(long a, int bits) {
        return switch (bits) {
            case 16 -> a & 0xffffL;
            case 32 -> a & U32;
            default -> a;
        };
    }

    /** {@code be16/32/64} and {@code bswap16/32/64} on a little-endian host: reverse the low bytes. */
    public static long bswap(long a, int bits) {
        return switch (bits) {
            case 16 -> Short.reverseBytes((short) a) & 0xffffL;
            case 32 -> Integer.reverseBytes((int) a) & U32;
            default -> Long.reverseBytes(a);
        };
    }

    public static long bswap16(long a) {
        return Short.reverseBytes((short) a) & 0xffffL;
    }

    public static long bswap32(long a) {
        return Integer.reverseBytes((int) a) & U32;
    }

    public static long bswap64(long a) {
        return Long.reverseBytes(a);
    }

    // ---- atomics (§2.6): the new memory value for the arithmetic ops --------------------------

    /**
     * The value an ADD/OR/AND/XOR/XCHG atomic writes, given the old memory value and src (fetch bit
     * ignored). CMPXCHG is not handled here because it depends on r0.
     */
    public static long atomicResult(int op, long old, long src) {
        return switch (op & ~Opcodes.FETCH) {
            case Opcodes.ATOMIC_ADD -> old + src;
            case Opcodes.ATOMIC_OR -> old | src;
            case Opcodes.ATOMIC_AND -> old & src;
            case Opcodes.ATOMIC_XOR -> old ^ src;
            case Opcodes.ATOMIC_XCHG & ~Opcodes.FETCH -> src;
            default -> throw new IllegalArgumentException("not an arithmetic atomic op: " + op);
        };
    }

    /**
     * The value any atomic op leaves in memory, CMPXCHG included: for CMPXCHG src if the old value
     * equals r0 (in the 32-bit form, {@code wide} false, the zero-extended old word against r0's
     * low half), else the old value itself; for the others {@link #atomicResult}.
     */
    public static long atomicStored(int op, long old, long src, long r0, boolean wide) {
        if (op == Opcodes.ATOMIC_CMPXCHG) {
            return old == (wide ? r0 : u32(r0)) ? src : old;
        }
        return atomicResult(op, old, src);
    }
}
