package dev.bpfh.spi;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A loaded program's map as userspace sees it (the {@code BPF_MAP_*_ELEM} syscalls), whatever the
 * engine. Runners write contents before a run and read them after; the state persists across runs
 * of the same {@link Executable}. Results are the kernel's: 0 or a negative errno.
 *
 * <p>Per-CPU maps show and take CPU 0's value ({@code valueSize} bytes): every engine runs a
 * program on CPU 0 (the kernel backend pins its thread there).
 */
public interface MapView {

    MapSpec spec();

    /** The value stored under {@code key}, or null when there is none (ENOENT). */
    byte[] lookup(byte[] key);

    /** {@code BPF_MAP_UPDATE_ELEM}: 0 or -errno (flags 0 ANY, 1 NOEXIST, 2 EXIST). */
    int update(byte[] key, byte[] value, long flags);

    /** {@code BPF_MAP_DELETE_ELEM}: 0 or -errno. */
    int delete(byte[] key);

    /**
     * Every element: for arrays every index in order (zero values included), for hash maps the
     * present keys in an unspecified order (the kernel's order is random per map: compare as sets).
     * Empty for PROG_ARRAY and RINGBUF.
     */
    List<Entry> entries();

    /**
     * PROG_ARRAY: puts {@code program} (an executable of the same engine) into slot {@code index}.
     * 0 or -errno (-E2BIG past max_entries, -EINVAL for an executable of another engine).
     */
    int setProgram(int index, Executable program);

    /**
     * RINGBUF: consumes every committed record and returns the payloads of the submitted ones, in
     * order (discarded records are consumed and skipped, as a libbpf consumer does).
     */
    List<byte[]> drainRecords();

    /** One key and its value. */
    record Entry(byte[] key, byte[] value) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && Arrays.equals(e.key, key) && Arrays.equals(e.value, value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key) * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            HexFormat h = HexFormat.ofDelimiter(" ");
            return h.formatHex(key) + " : " + h.formatHex(value);
        }
    }
}
