package dev.bpfh.maps;

import dev.bpfh.exec.Memory;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapView;
import java.util.List;

/**
 * A map of the userspace engines (interpreter and JIT share these classes, so every rule has one
 * definition). Values live in regions of the run's {@link Memory}: a pointer a program gets from
 * {@code map_lookup_elem} is {@code address(valueRegion, 0)} of a region exactly
 * {@code value_size} bytes long, so reading past the value traps like any out-of-bounds access.
 *
 * <p>Program-side operations take keys and values in place ({@code array, offset}), so a lookup
 * allocates nothing. The {@link MapView} side is what userspace sees through the syscalls.
 */
public abstract sealed class BpfMap implements MapView permits ArrayMap, HashTableMap, ProgramArray, RingBuffer {
    /** BPF_ANY, BPF_NOEXIST, BPF_EXIST. */
    public static final long ANY = 0;
    public static final long NOEXIST = 1;
    public static final long EXIST = 2;

    protected final MapSpec spec;
    protected final Memory memory;
    /** BPF_MAP_FREEZE: userspace may no longer write (programs are not affected). */
    protected boolean frozen;

    BpfMap(MapSpec spec, Memory memory) {
        this.spec = spec;
        this.memory = memory;
    }

    @Override
    public MapSpec spec() {
        return spec;
    }

    /** Regions this map needs for its values (reserved at load time). */
    static int regionsNeeded(MapSpec spec) {
        return switch (spec.type()) {
            case ARRAY, PERCPU_ARRAY, HASH, PERCPU_HASH, LRU_HASH -> spec.maxEntries();
            case PROG_ARRAY -> 0;
            case RINGBUF -> RingBuffer.RESERVATION_REGIONS;
        };
    }

    static BpfMap create(MapSpec spec, Memory memory, int firstRegion) {
        return switch (spec.type()) {
            case ARRAY, PERCPU_ARRAY -> new ArrayMap(spec, memory, firstRegion);
            case HASH, PERCPU_HASH, LRU_HASH -> new HashTableMap(spec, memory, firstRegion);
            case PROG_ARRAY -> new ProgramArray(spec, memory);
            case RINGBUF -> new RingBuffer(spec, memory, firstRegion);
        };
    }

    /** Freezes the map for userspace writers (see {@link MapSet#startRun}). */
    void freeze() {
        frozen = true;
    }

    // ---- program side (helpers); keys and values are read in place -----------------------------

    /** {@code bpf_map_lookup_elem}: the value's address, or 0 (NULL). */
    public long lookupFromProgram(byte[] key, int keyOffset) {
        return 0;
    }

    /** {@code bpf_map_update_elem}: 0 or -errno. */
    public long updateFromProgram(byte[] key, int keyOffset, byte[] value, int valueOffset, long flags) {
        return -Errno.EINVAL;
    }

    /** {@code bpf_map_delete_elem}: 0 or -errno. */
    public long deleteFromProgram(byte[] key, int keyOffset) {
        return -Errno.EINVAL;
    }

    // ---- userspace side: defaults for maps that do not support an operation ------------------

    @Override
    public byte[] lookup(byte[] key) {
        return null;
    }

    @Override
    public int update(byte[] key, byte[] value, long flags) {
        return -Errno.EINVAL;
    }

    @Override
    public int delete(byte[] key) {
        return -Errno.EINVAL;
    }

    @Override
    public List<Entry> entries() {
        return List.of();
    }

    @Override
    public int setProgram(int index, Executable program) {
        return -Errno.EINVAL;
    }

    @Override
    public List<byte[]> drainRecords() {
        return List.of();
    }

    /** Whether {@code key} has exactly the key size (userspace calls). */
    protected boolean badLength(byte[] bytes, int expected) {
        return bytes == null || bytes.length != expected;
    }

    /** Maps a fresh zeroed value at {@code region}, read-only for programs if the map says so. */
    protected byte[] mapValue(int region) {
        byte[] v = new byte[spec.valueSize()];
        if (spec.readOnlyForPrograms()) {
            memory.mapReadOnly(region, v);
        } else {
            memory.map(region, v);
        }
        return v;
    }

    static int readIndex(byte[] key, int offset) {
        return (key[offset] & 0xff) | (key[offset + 1] & 0xff) << 8 | (key[offset + 2] & 0xff) << 16
                | (key[offset + 3] & 0xff) << 24;
    }
}
