package dev.bpfh.exec;

import dev.bpfh.spi.TrapKind;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The address space of one run in the userspace engines (DESIGN.md "Memory model").
 *
 * <p>Addresses are tagged: {@code address = (region << 32) | offset}. Region 0 is never mapped, so
 * null and small integers are never valid pointers. Region 1 is the input memory; regions 2..9 are
 * the eight stack frames of 512 bytes (frame {@code d} is the frame at call depth {@code d}); later
 * regions are free for map values and contexts. A frame pointer is {@code address(2 + d, 512)}:
 * one past the top of its frame, as r10 is defined. Region 10 is never mapped either: a function
 * address ({@code lddw} src 4, a callback) is {@code address(10, pc)}, so it cannot be dereferenced.
 *
 * <p>A region is mapped for loads and for stores separately: a read-only region (a map value of
 * {@code .rodata}) is absent from the store table, so a store traps exactly like an unmapped
 * address and costs nothing extra.
 *
 * <p>Every access checks {@code region < regions.length}, that the region is mapped, and
 * {@code offset + size <= length} computed in {@code long}, so there is no overflow hole: an offset
 * that went negative (below a region's start) is a huge unsigned offset and fails the check.
 * Accesses may be unaligned; multi-byte values are little-endian.
 */
public final class Memory {
    public static final int REGION_SHIFT = 32;
    public static final int INPUT_REGION = 1;
    public static final int STACK_REGION = 2;
    public static final int MAX_FRAMES = 8;
    public static final int FRAME_SIZE = 512;
    /** The region of function addresses (never mapped): {@code address(CODE_REGION, pc)}. */
    public static final int CODE_REGION = STACK_REGION + MAX_FRAMES;
    /** The first region not used by the input, the stack and code: for maps and contexts. */
    public static final int FIRST_FREE_REGION = CODE_REGION + 1;

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[][] regions;
    /** The same arrays as {@link #regions}, except that read-only regions are null here. */
    private byte[][] writable;
    /** Regions handed out by {@link #allocateRegions}: the next free index. */
    private int allocated = FIRST_FREE_REGION;

    public Memory() {
        this(FIRST_FREE_REGION);
    }

    /** @param regionCount number of region slots, at least {@link #FIRST_FREE_REGION} */
    public Memory(int regionCount) {
        if (regionCount < FIRST_FREE_REGION) {
            throw new IllegalArgumentException("need at least " + FIRST_FREE_REGION + " regions");
        }
        regions = new byte[regionCount][];
        writable = new byte[regionCount][];
        for (int d = 0; d < MAX_FRAMES; d++) {
            regions[STACK_REGION + d] = writable[STACK_REGION + d] = new byte[FRAME_SIZE];
        }
    }

    /**
     * Reserves {@code count} consecutive unmapped regions (for maps, at load time) and returns the
     * first index. The tables grow as needed.
     */
    public int allocateRegions(int count) {
        if (count < 0 || (long) allocated + count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot allocate " + count + " regions");
        }
        int first = allocated;
        allocated += count;
        if (allocated > regions.length) {
            int n = Math.max(allocated, regions.length * 2);
            regions = Arrays.copyOf(regions, n);
            writable = Arrays.copyOf(writable, n);
        }
        return first;
    }

    /** A function address: what {@code lddw} src 4 puts in a register for the subprogram at {@code pc}. */
    public static long functionAddress(int pc) {
        return address(CODE_REGION, pc);
    }

    public static long address(int region, int offset) {
        return ((long) region << REGION_SHIFT) | (offset & 0xffffffffL);
    }

    /** r10 of call depth {@code depth} (0 = the entry function). */
    public static long frameTop(int depth) {
        return address(STACK_REGION + depth, FRAME_SIZE);
    }

    /** Address of the input memory: what r1 holds at entry. */
    public static long inputAddress() {
        return address(INPUT_REGION, 0);
    }

    /**
     * Starts a run: maps {@code input} as region 1 (used in place, not copied) and zeroes the
     * stack frames the previous run touched, so no run sees another's data.
     *
     * @param framesUsedBefore how many frames (from depth 0) the previous run may have written
     */
    public void startRun(byte[] input, int framesUsedBefore) {
        regions[INPUT_REGION] = writable[INPUT_REGION] = input;
        for (int d = 0; d < framesUsedBefore && d < MAX_FRAMES; d++) {
            Arrays.fill(regions[STACK_REGION + d], (byte) 0);
        }
    }

    /**
     * Maps {@code bytes} at {@code region} for loads and stores (map values, contexts); null unmaps.
     * An array already mapped there is not stored again: engines map per run, and a reference
     * store into these long-lived tables costs a GC write barrier (G1's has a StoreLoad fence).
     */
    public void map(int region, byte[] bytes) {
        if (regions[region] != bytes) {
            regions[region] = bytes;
        }
        if (writable[region] != bytes) {
            writable[region] = bytes;
        }
    }

    /** Maps {@code bytes} at {@code region} for loads only: a store traps OUT_OF_BOUNDS. */
    public void mapReadOnly(int region, byte[] bytes) {
        regions[region] = bytes;
        writable[region] = null;
    }

    public byte[] region(int region) {
        return regions[region];
    }

    // ---- checked access -----------------------------------------------------------------------

    /**
     * The mapped array that holds {@code [addr, addr + size)} (the offset of {@code addr} in it is
     * {@code (int) addr}), or a trap naming {@code pc}. Helpers use it to read and write program
     * memory in place.
     */
    public byte[] target(long addr, int size, int pc, boolean store) {
        long region = addr >>> REGION_SHIFT;
        byte[][] table = store ? writable : regions;
        byte[] a = region < table.length ? table[(int) region] : null;
        if (a == null || (addr & 0xffffffffL) + size > a.length) {
            throw fault(addr, size, pc, store);
        }
        return a;
    }

    /**
     * The trap of an access {@link #target} refused. Out of line: C2 counts every inlined bytecode
     * against one budget per compiled method, and the interpreter's loop inlines {@code target} once
     * per kind of access.
     */
    private Trap fault(long addr, int size, int pc, boolean store) {
        long region = addr >>> REGION_SHIFT;
        if (store && region < regions.length && regions[(int) region] != null
                && (addr & 0xffffffffL) + size <= regions[(int) region].length) {
            return new Trap(TrapKind.OUT_OF_BOUNDS, pc, String.format(
                    "store of %d byte%s into read-only memory at address 0x%x (region %d, offset %d)",
                    size, size == 1 ? "" : "s", addr, region, (int) addr));
        }
        return outOfBounds(addr, size, pc, store);
    }

    public static Trap outOfBounds(long addr, int size, int pc, boolean store) {
        return new Trap(TrapKind.OUT_OF_BOUNDS, pc, String.format(
                "out of bounds %s of %d byte%s at address 0x%x (region %d, offset %d)",
                store ? "store" : "load", size, size == 1 ? "" : "s", addr, addr >>> REGION_SHIFT, (int) addr));
    }

    public long load8(long addr, int pc) {
        return get8(target(addr, 1, pc, false), (int) addr);
    }

    public long load16(long addr, int pc) {
        return get16(target(addr, 2, pc, false), (int) addr);
    }

    public long load32(long addr, int pc) {
        return get32(target(addr, 4, pc, false), (int) addr);
    }

    public long load64(long addr, int pc) {
        return get64(target(addr, 8, pc, false), (int) addr);
    }

    // The value at an offset of an array that {@link #target} returned, zero-extended, and the
    // stores into one: each a few bytes of bytecode, so C2 inlines them even where an access runs
    // once per run (the interpreter calls target and these directly, each from its own loop, where
    // the call sites carry the loop method's own profile).

    public static long get8(byte[] a, int i) {
        return a[i] & 0xffL;
    }

    public static long get16(byte[] a, int i) {
        return (short) SHORT.get(a, i) & 0xffffL;
    }

    public static long get32(byte[] a, int i) {
        return (int) INT.get(a, i) & 0xffffffffL;
    }

    public static long get64(byte[] a, int i) {
        return (long) LONG.get(a, i);
    }

    // The stores are written byte by byte: C2 merges such a run of stores into one wide store
    // (MergeStores), and they are a fraction of a VarHandle access's bytecode.

    public static void put8(byte[] a, int i, long value) {
        a[i] = (byte) value;
    }

    public static void put16(byte[] a, int i, long value) {
        a[i] = (byte) value;
        a[i + 1] = (byte) (value >> 8);
    }

    public static void put32(byte[] a, int i, long value) {
        a[i] = (byte) value;
        a[i + 1] = (byte) (value >> 8);
        a[i + 2] = (byte) (value >> 16);
        a[i + 3] = (byte) (value >> 24);
    }

    public static void put64(byte[] a, int i, long value) {
        a[i] = (byte) value;
        a[i + 1] = (byte) (value >> 8);
        a[i + 2] = (byte) (value >> 16);
        a[i + 3] = (byte) (value >> 24);
        a[i + 4] = (byte) (value >> 32);
        a[i + 5] = (byte) (value >> 40);
        a[i + 6] = (byte) (value >> 48);
        a[i + 7] = (byte) (value >> 56);
    }

    /** Loads {@code size} bytes (1, 2, 4 or 8) and zero-extends. */
    public long load(long addr, int size, int pc) {
        return switch (size) {
            case 1 -> load8(addr, pc);
            case 2 -> load16(addr, pc);
            case 4 -> load32(addr, pc);
            default -> load64(addr, pc);
        };
    }

    public void store8(long addr, long value, int pc) {
        put8(target(addr, 1, pc, true), (int) addr, value);
    }

    public void store16(long addr, long value, int pc) {
        put16(target(addr, 2, pc, true), (int) addr, value);
    }

    public void store32(long addr, long value, int pc) {
        put32(target(addr, 4, pc, true), (int) addr, value);
    }

    public void store64(long addr, long value, int pc) {
        put64(target(addr, 8, pc, true), (int) addr, value);
    }

    /** Stores the low {@code size} bytes (1, 2, 4 or 8) of {@code value}. */
    public void store(long addr, int size, long value, int pc) {
        switch (size) {
            case 1 -> store8(addr, value, pc);
            case 2 -> store16(addr, value, pc);
            case 4 -> store32(addr, value, pc);
            default -> store64(addr, value, pc);
        }
    }

    // ---- atomics (isa.md §2.6): one thread, so read-modify-write is enough ----------------------

    /**
     * Runs the atomic operation {@code op} (the imm of 0xc3) on the 32-bit word at {@code addr}
     * and returns the old value, zero-extended. The caller writes it to src for the fetch forms and
     * xchg, and to r0 for cmpxchg (always, whether or not the compare matched).
     */
    public long atomic32(int op, long addr, long src, long r0, int pc) {
        byte[] a = target(addr, 4, pc, true);
        int i = (int) addr;
        long old = get32(a, i);
        put32(a, i, dev.bpfh.isa.Alu.atomicStored(op, old, src, r0, false)); // cmpxchg: the old value when unequal
        return old;
    }

    /** The 64-bit form of {@link #atomic32} (opcode 0xdb). */
    public long atomic64(int op, long addr, long src, long r0, int pc) {
        byte[] a = target(addr, 8, pc, true);
        int i = (int) addr;
        long old = get64(a, i);
        put64(a, i, dev.bpfh.isa.Alu.atomicStored(op, old, src, r0, true));
        return old;
    }

    /** Copies {@code length} bytes starting at {@code addr} out of the address space (for helpers). */
    public byte[] read(long addr, int length, int pc) {
        byte[] a = target(addr, length, pc, false);
        return Arrays.copyOfRange(a, (int) addr, (int) addr + length);
    }
}
