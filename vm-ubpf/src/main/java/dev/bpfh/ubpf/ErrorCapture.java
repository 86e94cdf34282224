package dev.bpfh.ubpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodType;
import java.util.Locale;

/**
 * Catches what uBPF reports at run time. uBPF prints run-time errors (out-of-bounds access, call
 * depth, instruction limit) through {@code vm->error_printf(stderr, fmt, ...)}, a printf-like
 * variadic function, and returns only -1 from {@code ubpf_exec}. FFM cannot make a variadic upcall,
 * so {@link #print} is declared with eight fixed 64-bit arguments after the format: on x86-64
 * (System V) and on Linux aarch64 (AAPCS64) a variadic caller passes integer and pointer arguments
 * exactly as it passes named ones, in the same registers and stack slots, so the first eight
 * integer arguments arrive intact. Slots the format does not use hold garbage and are never read;
 * {@code %s} is dereferenced only because the format says that argument is a string. uBPF's
 * messages pass no floating-point values. Elsewhere the capture is off and uBPF prints to stderr.
 *
 * <p>Messages are kept per thread: a run calls uBPF on the caller's thread, and the upcall runs on
 * that same thread, so concurrent runs in other VMs cannot mix their messages.
 */
final class ErrorCapture {
    private ErrorCapture() {}

    static final FunctionDescriptor DESCRIPTOR = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    static final MethodType TYPE = DESCRIPTOR.toMethodType();

    private static final ThreadLocal<StringBuilder> MESSAGES = ThreadLocal.withInitial(StringBuilder::new);

    /** The handle of {@link #print}, for the upcall stub. */
    static java.lang.invoke.MethodHandle handle() throws ReflectiveOperationException {
        return java.lang.invoke.MethodHandles.lookup().findStatic(ErrorCapture.class, "print", TYPE);
    }

    static boolean supported() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64");
    }

    /** The upcall; must never throw (an exception in an upcall ends the JVM). */
    @SuppressWarnings("unused") // called from native code
    private static int print(MemorySegment stream, MemorySegment format,
            long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7) {
        try {
            String fmt = format.reinterpret(Integer.MAX_VALUE).getString(0);
            String text = CFormat.format(fmt, new long[] {a0, a1, a2, a3, a4, a5, a6, a7});
            MESSAGES.get().append(text);
            return text.length();
        } catch (Throwable t) {
            MESSAGES.get().append("(unprintable uBPF message: ").append(t).append(')');
            return 0;
        }
    }

    /** What uBPF printed on this thread since the last call, as one line; empty if nothing. */
    static String take() {
        StringBuilder b = MESSAGES.get();
        String s = b.toString().strip().replaceAll("\\s*\\R\\s*", "; ");
        b.setLength(0);
        return s;
    }
}
