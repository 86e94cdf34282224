package dev.bpfh.ubpf;

/**
 * {@code ubpf-jit}: uBPF's JIT ({@code ubpf_compile}), native code run inside this JVM with no
 * bounds checks and no instruction limit. A program that accesses memory out of bounds corrupts or
 * crashes the JVM; one that does not terminate never returns. Use it only on programs known to be
 * well-behaved (benchmark workloads; the corpus minus what {@code ubpf-jit.expect} skips).
 */
public final class UbpfJitBackend extends UbpfBackend {

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public UbpfJitBackend() {}

    @Override
    public String name() {
        return "ubpf-jit";
    }

    @Override
    public String description() {
        return "ubpf-jit: uBPF's JIT from $" + UbpfLibrary.ENV + " (FFM); UNCHECKED native code: a bad program can crash the JVM";
    }

    @Override
    boolean jit() {
        return true;
    }
}
