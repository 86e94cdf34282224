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

    @Override
    default void close() {}
}
