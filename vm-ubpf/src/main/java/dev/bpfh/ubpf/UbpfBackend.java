package dev.bpfh.ubpf;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.ProgramType;
import java.util.Optional;

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
        var unsupported = unsupported(program);
        if (unsupported.isPresent()) {
            throw LoadRejected.unsupported(-1, unsupported.get());
        }
        return UbpfExecutable.load(UbpfLibrary.get(), program, options, jit());
    }

    /**
     * Why the uBPF backends do not run {@code program}, if they do not: uBPF runs only raw programs
     * (r1 = memory, r2 = its length; it has no xdp_md, __sk_buff or packet helpers), and bpfh gives
     * uBPF no maps, so such a program is SKIPPED (unsupported) before it reaches uBPF. An {@code lddw}
     * with a pseudo-source (map handle, map value, callback) in a program without maps is left to
     * uBPF's loader, which refuses it ("invalid source register for LDDW") before any code runs.
     */
    public static Optional<String> unsupported(Program program) {
        if (program.type() != ProgramType.RAW) {
            return Optional.of("the uBPF backends run raw programs only, not " + program.type().word()
                    + " (uBPF has no " + program.type().word() + " context or packet helpers)");
        }
        if (!program.maps().isEmpty()) {
            return Optional.of("the uBPF backends run programs without maps (" + program.maps().size() + " declared)");
        }
        return Optional.empty();
    }
}
