package dev.bpfh.jit;

import dev.bpfh.exec.Memory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Loads and stores with a fast path for the input region: when {@code addr} lies in region 1 and
 * {@code [offset, offset + size)} fits the input array, the array is accessed directly after this
 * one explicit range check; every other address (stack through a copied pointer, unmapped, out of
 * bounds) goes to {@link Memory}'s checked method, which also raises the trap. The fast-path
 * condition is exactly Memory's check specialised to region 1 ({@code addr - inputAddress()} in
 * {@code [0, length - size]} is {@code region == 1 && offset + size <= length}), so the outcome is
 * the same either way; only the region lookup is skipped.
 *
 * <p>{@code in} is the input array of the current run ({@code memory.region(1)}), fetched once per
 * method invocation by the generated code.
 */
public final class InputAccess {
    private InputAccess() {}

    private static final long BASE = Memory.inputAddress();
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static boolean fits(byte[] in, long off, int size) {
        return off >= 0 && off <= in.length - size;
    }

    public static long load8(byte[] in, Memory m, long addr, int pc) {
        long off = addr - BASE;
        return fits(in, off, 1) ? in[(int) off] & 0xffL : m.load8(addr, pc);
    }

    public static long load16(byte[] in, Memory m, long addr, int pc) {
        long off = addr - BASE;
        return fits(in, off, 2) ? (short) SHORT.get(in, (int) off) & 0xffffL : m.load16(addr, pc);
    }

    public static long load32(byte[] in, Memory m, long addr, int pc) {
        long off = addr - BASE;
        return fits(in, off, 4) ? (int) INT.get(in, (int) off) & 0xffffffffL : m.load32(addr, pc);
    }

    public static long load64(byte[] in, Memory m, long addr, int pc) {
        long off = addr - BASE;
        return fits(in, off, 8) ? (long) LONG.get(in, (int) off) : m.load64(addr, pc);
    }

    public static void store8(byte[] in, Memory m, long addr, long v, int pc) {
        long off = addr - BASE;
        if (fits(in, off, 1)) {
            in[(int) off] = (byte) v;
        } else {
            m.store8(addr, v, pc);
        }
    }

    public static void store16(byte[] in, Memory m, long addr, long v, int pc) {
        long off = addr - BASE;
        if (fits(in, off, 2)) {
            SHORT.set(in, (int) off, (short) v);
        } else {
            m.store16(addr, v, pc);
        }
    }

    public static void store32(byte[] in, Memory m, long addr, long v, int pc) {
        long off = addr - BASE;
        if (fits(in, off, 4)) {
            INT.set(in, (int) off, (int) v);
        } else {
            m.store32(addr, v, pc);
        }
    }

    public static void store64(byte[] in, Memory m, long addr, long v, int pc) {
        long off = addr - BASE;
        if (fits(in, off, 8)) {
            LONG.set(in, (int) off, v);
        } else {
            m.store64(addr, v, pc);
        }
    }
}
