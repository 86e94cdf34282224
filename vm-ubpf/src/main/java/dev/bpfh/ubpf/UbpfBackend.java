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
        var unsupported = unsupported(program);
        if (unsupported.isPresent()) {
            throw LoadRejected.unsupported(-1, unsupported.get());
        }
        return UbpfExecutable.load(UbpfLibrary.get(), program, options, jit());
    }

    /**
     * Why the uBPF backends do not run {@code program}, if they do not: bpfh gives uBPF no maps and
     * uBPF has no {@code lddw} pseudo-sources (map handles, map values, callbacks), so such a program
     * is SKIPPED (unsupported) before it reaches uBPF's unchecked JIT.
     */
    public static java.util.Optional<String> unsupported(Program program) {
        if (!program.maps().isEmpty()) {
            return java.util.Optional.of("the uBPF backends run programs without maps (" + program.maps().size()
                    + " declared)");
        }
        for (int pc = 0; pc + 1 < program.length(); pc++) {
            long w = program.slot(pc);
            if (dev.bpfh.isa.Insn.opcode(w) == dev.bpfh.isa.Opcodes.LDDW) {
                if (dev.bpfh.isa.Insn.src(w) != 0) {
                    return java.util.Optional.of("lddw with pseudo-source " + dev.bpfh.isa.Insn.src(w) + " at pc " + pc
                            + " (uBPF has no maps or callbacks)");
                }
                pc++;
            }
        }
        return java.util.Optional.empty();
    }
}
