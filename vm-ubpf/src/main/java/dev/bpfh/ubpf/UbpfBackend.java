package dev.bpfh.ubpf;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;

/**
 * uBPF (iovisor/ubpf) as an engine, from the shared library named by {@code BPFH_UBPF_LIB}: its C
 * interpreter ({@code ubpf}) or its JIT ({@code ubpf-jit}). Unavailable, with the reason, when the
 * variable is unset or the library cannot be bound. Constructing a backend touches no native code.
 */
public abstract sealed class UbpfBackend implements Backend permits UbpfInterpreterBackend, UbpfJitBackend {

    UbpfBackend() {}

    abstract boolean jit();

    /** Only when named: uBPF is a comparison engine, and its JIT can crash the JVM. */
    @Override
    public boolean runsByDefault() {
        return false;
    }

    @Override
    public Availability probe() {
        return UbpfLibrary.availability();
    }

    /**
     * Creates a uBPF VM, registers the standard helpers the program calls, loads it (and compiles it
     * for {@code ubpf-jit}). uBPF's refusal is a {@link LoadRejected} with uBPF's message.
     *
     * @throws IllegalStateException when the library is unavailable
     */
    @Override
    public UbpfExecutable load(Program program, LoadOptions options) throws LoadRejected {
        return UbpfExecutable.load(UbpfLibrary.get(), program, options, jit());
    }
}
