package dev.bpfh.spi;

import dev.bpfh.isa.Program;

/**
 * An execution engine. Built-in engines are found with {@link java.util.ServiceLoader} (see
 * {@link Backends}), so this module never names a concrete backend.
 *
 * <p>Implementations must have a public no-argument constructor and must be cheap to construct:
 * expensive work (opening a device, probing the kernel) belongs in {@link #probe()} or
 * {@link #load}.
 */
public interface Backend extends AutoCloseable {

    /** Short stable name used on the command line and in reports: "interp", "jit", "kernel", "plugin:…". */
    String name();

    /** One line for {@code bpfh backends}. */
    default String description() {
        return name();
    }

    /**
     * Whether runs that name no backends include this one. False for engines a user must ask for by
     * name (uBPF's JIT runs unchecked native code in the JVM).
     */
    default boolean runsByDefault() {
        return true;
    }

    /** Whether this engine can run here, and if not, exactly why (EPERM, no syscall, ...). */
    Availability probe();

    /**
     * Prepares a program. Throws {@link LoadRejected} when the engine refuses it (validator or
     * verifier error), with the reason and pc when known. Must not throw anything else for a bad
     * program.
     */
    Executable load(Program program, LoadOptions options) throws LoadRejected;

    /**
     * Loads programs that share one set of maps, as libbpf loads an ELF object: every program must
     * have the same {@link Program#maps()} (equal lists), and the executables returned (in the same
     * order) see the same map contents, so that a PROG_ARRAY slot filled with one of them
     * ({@link MapView#setProgram}) tail-calls into it with the caller's maps. The first refusal
     * throws (its program's name in the reason) and nothing stays loaded.
     *
     * <p>The default serves a single program; engines that can share maps between programs override
     * it.
     */
    default java.util.List<Executable> loadAll(java.util.List<Program> programs, LoadOptions options)
            throws LoadRejected {
        if (programs.size() == 1) {
            return java.util.List.of(load(programs.get(0), options));
        }
        throw new LoadRejected(name() + " cannot load " + programs.size() + " programs that share maps");
    }

    @Override
    default void close() {}
}
