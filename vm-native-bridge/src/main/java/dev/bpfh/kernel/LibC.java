package dev.bpfh.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The libc functions the bridge needs, bound with java.lang.foreign: {@code syscall} (for bpf(),
 * which glibc does not wrap), {@code close}, {@code mmap}/{@code munmap} (ring buffer consumer) and
 * {@code sched_getaffinity}/{@code sched_setaffinity} (pinning test runs to CPU 0). errno is captured by the linker right after
 * the call ({@code captureCallState}), because the JVM may overwrite the thread's errno before Java
 * code could read it.
 *
 * <p>Binding happens once, in the static initializer; if it fails (not Linux, unknown
 * architecture, native access denied) {@link #unavailableReason()} says why and every call throws.
 */
final class LibC {
    private LibC() {}

    /** The capture segment layout: one int named "errno" on Linux. */
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();

    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** __NR_bpf: 321 on x86-64, 280 on aarch64 (asm-generic numbering); -1 elsewhere. */
    static final long SYS_BPF = sysBpf(System.getProperty("os.arch", ""));

    private static final MethodHandle SYSCALL;
    private static final MethodHandle CLOSE;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle GETAFFINITY;
    private static final MethodHandle SETAFFINITY;
    private static final String UNAVAILABLE;

    static {
        MethodHandle sys = null;
        MethodHandle close = null;
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle getAffinity = null;
        MethodHandle setAffinity = null;
        String why = null;
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            why = "not Linux (os.name=" + os + ")";
        } else if (SYS_BPF < 0) {
            why = "no bpf() syscall number for architecture " + System.getProperty("os.arch")
                    + " (supported: x86-64, aarch64)";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                // long syscall(long number, ...): everything after the number is variadic, and every
                // variadic argument is passed as a full 64-bit word so no stale upper bits reach the kernel.
                sys = linker.downcallHandle(
                        linker.defaultLookup().find("syscall").orElseThrow(),
                        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
                        Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
                close = linker.downcallHandle(
                        linker.defaultLookup().find("close").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                Linker.Option errno = Linker.Option.captureCallState("errno");
                mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), errno);
                munmap = linker.downcallHandle(linker.defaultLookup().find("munmap").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
                FunctionDescriptor affinity = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
                getAffinity = linker.downcallHandle(
                        linker.defaultLookup().find("sched_getaffinity").orElseThrow(), affinity, errno);
                setAffinity = linker.downcallHandle(
                        linker.defaultLookup().find("sched_setaffinity").orElseThrow(), affinity, errno);
            } catch (RuntimeException | Error e) {
                why = "cannot bind libc syscall/close: " + e;
                sys = null;
                close = null;
            }
        }
        SYSCALL = sys;
        CLOSE = close;
        MMAP = mmap;
        MUNMAP = munmap;
        GETAFFINITY = getAffinity;
        SETAFFINITY = setAffinity;
        UNAVAILABLE = why;
    }

    static long sysBpf(String arch) {
        return switch (arch) {
            case "amd64", "x86_64" -> 321;
            case "aarch64", "arm64" -> 280;
            default -> -1;
        };
    }

    /** Null when the functions are bound, else the reason they are not. */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    /**
     * bpf(cmd, attr, size). Returns the syscall's result; on -1 the errno is in {@code capture}
     * (read it with {@link #errno}).
     */
    static long bpf(MemorySegment capture, int cmd, MemorySegment attr, long size) {
        if (SYSCALL == null) {
            throw new IllegalStateException("bpf() unavailable: " + UNAVAILABLE);
        }
        try {
            return (long) SYSCALL.invokeExact(capture, SYS_BPF, (long) cmd, attr, size);
        } catch (Throwable t) {
            throw new IllegalStateException("bpf() downcall failed", t);
        }
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** close(fd); errors are ignored because there is nothing useful to do about them. */
    static void close(int fd) {
        if (CLOSE == null || fd < 0) {
            return;
        }
        try {
            int unused = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close() downcall failed", t);
        }
    }

    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;

    /**
     * mmap(NULL, length, prot, MAP_SHARED, fd, offset): the mapping as a segment of {@code length}
     * bytes (global scope: the caller munmaps it), or null with the errno in {@code capture}.
     */
    static MemorySegment mmap(MemorySegment capture, long length, int prot, int fd, long offset) {
        requireBound();
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, length, prot, MAP_SHARED,
                    fd, offset);
            return p.address() == -1L ? null : p.reinterpret(length);
        } catch (Throwable t) {
            throw new IllegalStateException("mmap() downcall failed", t);
        }
    }

    static void munmap(MemorySegment mapping) {
        requireBound();
        try {
            int unused = (int) MUNMAP.invokeExact(mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException("munmap() downcall failed", t);
        }
    }

    /** sched_getaffinity(0, mask.byteSize(), mask) for the calling thread: 0 or the errno. */
    static int getAffinity(MemorySegment capture, MemorySegment mask) {
        return affinity(GETAFFINITY, capture, mask);
    }

    /** sched_setaffinity(0, mask.byteSize(), mask) for the calling thread: 0 or the errno. */
    static int setAffinity(MemorySegment capture, MemorySegment mask) {
        return affinity(SETAFFINITY, capture, mask);
    }

    private static int affinity(MethodHandle h, MemorySegment capture, MemorySegment mask) {
        requireBound();
        try {
            int r = (int) h.invokeExact(capture, 0, mask.byteSize(), mask);
            return r < 0 ? errno(capture) : 0;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_*affinity() downcall failed", t);
        }
    }

    private static void requireBound() {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException("libc unavailable: " + UNAVAILABLE);
        }
    }
}
