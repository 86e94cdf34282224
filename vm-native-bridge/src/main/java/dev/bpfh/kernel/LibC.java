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
 * The two libc functions the bridge needs, bound with java.lang.foreign: {@code syscall} (for
 * bpf(), which glibc does not wrap) and {@code close}. errno is captured by the linker right after
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
    private static final String UNAVAILABLE;

    static {
        MethodHandle sys = null;
        MethodHandle close = null;
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
            } catch (RuntimeException | Error e) {
                why = "cannot bind libc syscall/close: " + e;
                sys = null;
                close = null;
            }
        }
        SYSCALL = sys;
        CLOSE = close;
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
}
