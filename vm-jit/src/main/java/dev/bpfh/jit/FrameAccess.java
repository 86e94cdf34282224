package dev.bpfh.jit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Loads and stores on the current stack frame's array at an index the compiler has already proven
 * to lie inside the frame ({@code [r10 + constant]} with {@code -512 <= constant <= -size}), so the
 * tagged-region check of {@link dev.bpfh.exec.Memory} is redundant there. Little-endian and
 * zero-extending exactly like {@code Memory}'s loads.
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
}
