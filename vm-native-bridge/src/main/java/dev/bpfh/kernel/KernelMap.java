package dev.bpfh.kernel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.bpfh.spi.Executable;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import dev.bpfh.spi.MapView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One real kernel map (a BPF_MAP_CREATE fd) as {@link MapView}: every operation is the syscall, and
 * the result is the kernel's (0 or -errno). Per-CPU maps hold {@code possibleCpus ×
 * round_up(value_size, 8)} bytes per element in the syscalls (programs.md §1.4); the view shows
 * CPU 0's value and an update writes CPU 0's and zeroes the other CPUs', which is what a program
 * update on CPU 0 does to a PERCPU_HASH. Each operation uses scratch memory of its own, so a view
 * works from any thread.
 */
final class KernelMap implements MapView, AutoCloseable {
    private final MapSpec spec;
    private final Fd fd;
    private final int slotBytes;
    private final int cpus;
    private final RingConsumer ring;
    private boolean frozen;

    private KernelMap(MapSpec spec, Fd fd, RingConsumer ring) {
        this.spec = spec;
        this.fd = fd;
        this.ring = ring;
        this.cpus = spec.type().isPerCpu() ? CpuPin.possibleCpus() : 1;
        this.slotBytes = spec.type().isPerCpu() ? (spec.valueSize() + 7) & ~7 : spec.valueSize();
    }

    /** Creates the map; a refusal is a {@link BpfException} with the kernel's errno. */
    static KernelMap create(Bpf bpf, MapSpec spec) {
        Fd fd = bpf.mapCreate(spec.type().linuxId(), spec.keySize(), spec.valueSize(), spec.maxEntries(),
                spec.flags(), spec.name());
        try {
            RingConsumer ring = spec.type() == MapType.RINGBUF ? RingConsumer.map(fd.value(), spec.maxEntries()) : null;
            return new KernelMap(spec, fd, ring);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    int fd() {
        return fd.value();
    }

    @Override
    public MapSpec spec() {
        return spec;
    }

    /** Bytes the syscalls move per value: all CPUs' slots for per-CPU maps. */
    private long syscallValueBytes() {
        return (long) cpus * slotBytes;
    }

    @Override
    public byte[] lookup(byte[] key) {
        if (!keyFits(key)) {
            return null;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(Math.max(1, syscallValueBytes()), 8);
            long r = Bpf.elem(a, Bpf.MAP_LOOKUP_ELEM, fd.value(), segment(a, key), value, 0);
            return r < 0 ? null : value.asSlice(0, spec.valueSize()).toArray(JAVA_BYTE);
        }
    }

    @Override
    public int update(byte[] key, byte[] value, long flags) {
        if (!keyFits(key) || value == null || value.length != spec.valueSize()) {
            return -Errno.EINVAL;
        }
        if (spec.type() == MapType.PROG_ARRAY) {
            return -Errno.EINVAL; // the value would be a raw fd of this process: setProgram is the way
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(Math.max(1, syscallValueBytes()), 8); // other CPUs' slots stay 0
            MemorySegment.copy(value, 0, v, JAVA_BYTE, 0, value.length);
            return (int) Bpf.elem(a, Bpf.MAP_UPDATE_ELEM, fd.value(), segment(a, key), v, flags);
        }
    }

    @Override
    public int delete(byte[] key) {
        if (!keyFits(key)) {
            return -Errno.EINVAL;
        }
        try (Arena a = Arena.ofConfined()) {
            return (int) Bpf.elem(a, Bpf.MAP_DELETE_ELEM, fd.value(), segment(a, key), null, 0);
        }
    }

    /** Arrays: every index (GET_NEXT_KEY would give the same order); hash maps: GET_NEXT_KEY from NULL. */
    @Override
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        if (spec.type().isArray()) {
            for (int i = 0; i < spec.maxEntries(); i++) {
                byte[] key = {(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24)};
                byte[] v = lookup(key);
                if (v != null) {
                    out.add(new Entry(key, v));
                }
            }
        } else if (spec.type().isHash()) {
            for (byte[] key : keys()) {
                byte[] v = lookup(key);
                if (v != null) {
                    out.add(new Entry(key, v));
                }
            }
        }
        return out;
    }

    private List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cur = a.allocate(spec.keySize(), 8);
            MemorySegment next = a.allocate(spec.keySize(), 8);
            MemorySegment from = null;
            while (Bpf.elem(a, Bpf.MAP_GET_NEXT_KEY, fd.value(), from, next, 0) == 0) {
                keys.add(next.toArray(JAVA_BYTE));
                MemorySegment.copy(next, 0, cur, 0, spec.keySize());
                from = cur;
                if (keys.size() > spec.maxEntries()) {
                    throw new IllegalStateException("GET_NEXT_KEY of map '" + spec.name() + "' does not end");
                }
            }
        }
        return keys;
    }

    /**
     * PROG_ARRAY: slot {@code index} = the tail-call form of {@code program} (see
     * {@link KernelExecutable#tailCallTargetFd()}); -EINVAL for an executable of another engine or a
     * map of another type, else the kernel's result (-E2BIG past max_entries, -EINVAL when the
     * program's type differs from the array's).
     */
    @Override
    public int setProgram(int index, Executable program) {
        if (spec.type() != MapType.PROG_ARRAY || !(program instanceof KernelExecutable k)) {
            return -Errno.EINVAL;
        }
        int progFd;
        try {
            progFd = k.tailCallTargetFd();
        } catch (BpfException e) {
            return -e.errno();
        } catch (IllegalStateException e) {
            return -Errno.EBADF; // closed
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment key = a.allocate(JAVA_INT);
            key.set(JAVA_INT, 0, index);
            MemorySegment value = a.allocate(JAVA_INT);
            value.set(JAVA_INT, 0, progFd);
            return (int) Bpf.elem(a, Bpf.MAP_UPDATE_ELEM, fd.value(), key, value, 0);
        }
    }

    @Override
    public List<byte[]> drainRecords() {
        return ring == null ? List.of() : ring.drain();
    }

    /**
     * BPF_MAP_FREEZE once: userspace can no longer write the map (updates give EPERM). What libbpf
     * does to {@code .rodata} after writing its contents.
     */
    void freeze() {
        if (!frozen) {
            try (Arena a = Arena.ofConfined()) {
                long r = Bpf.elem(a, Bpf.MAP_FREEZE, fd.value(), null, null, 0);
                if (r < 0) {
                    throw new BpfException("BPF_MAP_FREEZE of map '" + spec.name() + "'", (int) -r);
                }
            }
            frozen = true;
        }
    }

    private boolean keyFits(byte[] key) {
        return key != null && key.length == spec.keySize();
    }

    private static MemorySegment segment(Arena a, byte[] bytes) {
        MemorySegment s = a.allocate(Math.max(1, bytes.length), 8);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        return s;
    }

    @Override
    public void close() {
        if (ring != null) {
            ring.close();
        }
        fd.close();
    }

    @Override
    public String toString() {
        return "kernel map '" + spec.name() + "' (" + spec.describe() + ", " + fd + ")";
    }
}
