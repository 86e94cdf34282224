package dev.bpfh.jit;

import dev.bpfh.exec.Memory;
import dev.bpfh.isa.Alu;
import dev.bpfh.isa.Opcodes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Loads, stores and atomics on the current stack frame's array.
 *
 * <p>The {@code (byte[], int)} forms take an index the compiler has proven to lie inside the
 * frame ({@code [r10 + constant]} with {@code -512 <= constant <= -size}), so the tagged-region
 * check of {@link Memory} is redundant there. The {@code (byte[], long, Memory, long, int)} forms
 * are for pointers derived from r10 by a run-time amount: one explicit range check against the
 * frame ({@code addr - frameBase} in {@code [0, 512 - size]}, which is exactly Memory's check for
 * that region) and {@link Memory}'s checked method otherwise, which also raises the trap.
 * Little-endian and zero-extending exactly like {@code Memory}'s loads.
 */
public final class FrameAccess {
    private FrameAccess() {}

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    public static long load8(byte[] a, int i) {
        return a[i] & 0xffL;
    }

    public static long load16(byte[] a, int i) {
        return (short) SHORT.get(a, i) & 0xffffL;
    }

    public static long load32(byte[] a, int i) {
        return (int) INT.get(a, i) & 0xffffffffL;
    }

    public static long load64(byte[] a, int i) {
        return (long) LONG.get(a, i);
    }

    public static void store8(byte[] a, int i, long v) {
        a[i] = (byte) v;
    }

    public static void store16(byte[] a, int i, long v) {
        SHORT.set(a, i, (short) v);
    }

    public static void store32(byte[] a, int i, long v) {
        INT.set(a, i, (int) v);
    }

    public static void store64(byte[] a, int i, long v) {
        LONG.set(a, i, v);
    }

    /**
     * An atomic read-modify-write of a proven frame slot, exactly {@link Memory#atomic32}: returns
     * the old value zero-extended; cmpxchg stores {@code src} when the old value equals r0's low 32 bits.
     */
    public static long atomic32(byte[] a, int i, int op, long src, long r0) {
        long old = load32(a, i);
        if (op == Opcodes.ATOMIC_CMPXCHG) {
            if (old == (r0 & 0xffffffffL)) {
                store32(a, i, src);
            }
        } else {
            store32(a, i, Alu.atomicResult(op, old, src));
        }
        return old;
    }

    /** The 64-bit form of {@link #atomic32}, exactly {@link Memory#atomic64}. */
    public static long atomic64(byte[] a, int i, int op, long src, long r0) {
        long old = load64(a, i);
        if (op == Opcodes.ATOMIC_CMPXCHG) {
            if (old == r0) {
                store64(a, i, src);
            }
        } else {
            store64(a, i, Alu.atomicResult(op, old, src));
        }
        return old;
    }

    private static boolean fits(byte[] a, long off, int size) {
        return off >= 0 && off <= a.length - size;
    }

    public static long load8(byte[] f, long base, Memory m, long addr, int pc) {
        long off = addr - base;
        return fits(f, off, 1) ? load8(f, (int) off) : m.load8(addr, pc);
    }

    public static long load16(byte[] f, long base, Memory m, long addr, int pc) {
        long off = addr - base;
        return fits(f, off, 2) ? load16(f, (int) off) : m.load16(addr, pc);
    }

    public static long load32(byte[] f, long base, Memory m, long addr, int pc) {
        long off = addr - base;
        return fits(f, off, 4) ? load32(f, (int) off) : m.load32(addr, pc);
    }

    public static long load64(byte[] f, long base, Memory m, long addr, int pc) {
        long off = addr - base;
        return fits(f, off, 8) ? load64(f, (int) off) : m.load64(addr, pc);
    }

    public static void store8(byte[] f, long base, Memory m, long addr, long v, int pc) {
        long off = addr - base;
        if (fits(f, off, 1)) {
            store8(f, (int) off, v);
        } else {
            m.store8(addr, v, pc);
        }
    }

    public static void store16(byte[] f, long base, Memory m, long addr, long v, int pc) {
        long off = addr - base;
        if (fits(f, off, 2)) {
            store16(f, (int) off, v);
        } else {
            m.store16(addr, v, pc);
        }
    }

    public static void store32(byte[] f, long base, Memory m, long addr, long v, int pc) {
        long off = addr - base;
        if (fits(f, off, 4)) {
            store32(f, (int) off, v);
        } else {
            m.store32(addr, v, pc);
        }
    }

    public static void store64(byte[] f, long base, Memory m, long addr, long v, int pc) {
        long off = addr - base;
        if (fits(f, off, 8)) {
            store64(f, (int) off, v);
        } else {
            m.store64(addr, v, pc);
        }
    }
}
