package dev.bpfh.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs on CPU 0: BPF_PROG_TEST_RUN of XDP and SCHED_CLS runs on the calling thread's current CPU
 * (programs.md §1.4), so per-CPU map slots and {@code bpf_get_smp_processor_id} depend on where the
 * scheduler put the thread. {@link #pin()} saves the thread's affinity mask and restricts it to
 * CPU 0; {@link #restore()} puts the saved mask back. Owned by one thread (its buffers are confined).
 */
final class CpuPin implements AutoCloseable {
    /** cpu_set_t of glibc: 1024 bits. */
    private static final int MASK_BYTES = 128;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment capture = arena.allocate(LibC.CAPTURE_LAYOUT);
    private final MemorySegment saved = arena.allocate(MASK_BYTES, 8);
    private final MemorySegment cpu0 = arena.allocate(MASK_BYTES, 8);
    private boolean pinned;

    CpuPin() {
        cpu0.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1);
    }

    /** Moves the calling thread to CPU 0 (the kernel migrates it before returning); nothing if pinned. */
    void pin() {
        if (pinned) {
            return;
        }
        int e = LibC.getAffinity(capture, saved);
        if (e != 0) {
            throw new BpfException("sched_getaffinity", e);
        }
        e = LibC.setAffinity(capture, cpu0);
        if (e != 0) {
            throw new BpfException("sched_setaffinity to CPU 0", e);
        }
        pinned = true;
    }

    /** Gives the thread back the CPUs it had before {@link #pin()}. */
    void restore() {
        if (pinned) {
            pinned = false;
            int e = LibC.setAffinity(capture, saved);
            if (e != 0) {
                throw new BpfException("sched_setaffinity (restore)", e);
            }
        }
    }

    @Override
    public void close() {
        restore();
        arena.close();
    }

    private static volatile int possibleCpus;

    /**
     * The number of possible CPUs ({@code /sys/devices/system/cpu/possible}, e.g. "0-1" → 2): the
     * number of per-CPU slots a syscall on a per-CPU map reads and writes.
     */
    static int possibleCpus() {
        int n = possibleCpus;
        if (n == 0) {
            try {
                n = parseCpuList(Files.readString(Path.of("/sys/devices/system/cpu/possible")));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot read /sys/devices/system/cpu/possible: " + e.getMessage(), e);
            }
            possibleCpus = n;
        }
        return n;
    }

    /** The highest CPU number in a list like "0-3,5" plus one (per-CPU maps index up to it). */
    static int parseCpuList(String list) {
        int max = -1;
        for (String part : list.strip().split(",")) {
            String[] range = part.split("-");
            max = Math.max(max, Integer.parseInt(range[range.length - 1].strip()));
        }
        return max + 1;
    }
}
