package dev.bpfh.ctx;

/**
 * One field of a context struct as a program type sees it (programs.md §4.1, §4.2).
 *
 * @param name the uapi name ({@code cb0} … {@code cb4} for {@code cb[0..4]})
 * @param offset byte offset in the uapi struct
 * @param size the uapi size: 4 or 8
 * @param kernelWidth bytes the kernel really keeps (programs.md §4.4: T=1 pkt_type, T=2 for the
 *     16-bit fields); equal to {@code size} for ordinary fields
 * @param loadSizes bit set of the load sizes allowed (bit n = 2^n bytes), at offsets aligned to the
 *     load size inside the field
 * @param storeSizes bit set of the store sizes allowed; 0 for a read-only field
 * @param pointer for data, data_end and data_meta: the packet pointer a 4-byte load yields
 * @param inInput whether test_run's ctx_in may set it (a non-zero byte elsewhere is EINVAL)
 */
public record ContextField(String name, int offset, int size, int kernelWidth, int loadSizes, int storeSizes,
        PacketPointer pointer, boolean inInput) {

    /** What a 4-byte load of data, data_end or data_meta yields: a 64-bit packet pointer. */
    public enum PacketPointer { NONE, DATA, DATA_END, DATA_META }

    public static final int B1 = 1, B2 = 2, B4 = 4, B8 = 8;
    /** Loads of 1, 2 or 4 bytes. */
    public static final int NARROW = B1 | B2 | B4;

    public boolean contains(int off) {
        return off >= offset && off < offset + size;
    }

    public boolean loadable(int bytes) {
        return (loadSizes & bytes) != 0;
    }

    public boolean storable(int bytes) {
        return (storeSizes & bytes) != 0;
    }
}
