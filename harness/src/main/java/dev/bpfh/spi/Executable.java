package dev.bpfh.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A loaded program, ready to run many times. Not thread-safe: one run at a time. */
public interface Executable extends AutoCloseable {

    /**
     * Runs the program once on {@code memory} (r1 = its address, r2 = its length). The array is the
     * program's input memory and is modified in place; the returned {@link Outcome.Returned} carries
     * it. Pass a copy to keep the original. Never throws for a program fault: faults are
     * {@link Outcome.Trapped}.
     */
    Outcome run(byte[] memory);

    /**
     * Runs the program once on {@code input}: a raw program's memory, or a typed program's packet
     * and optional context ({@link RunInput}). {@link #run(byte[])} is this with no context. The
     * default serves engines that take no context: they refuse typed programs at load, and a raw
     * program is never given one.
     */
    default Outcome run(RunInput input) {
        if (input.ctx() != null) {
            throw new IllegalArgumentException("this engine takes no context input");
        }
        return input.reported(run(input.data()));
    }

    /**
     * Facts about how the program was prepared, for reports: for example {@code "bytecodeBytes"},
     * {@code "fallback"} (why a JIT fell back to the interpreter), {@code "jitedBytes"}.
     */
    default Map<String, Object> info() {
        return Map.of();
    }

    /**
     * The program's maps, in the order of {@link dev.bpfh.isa.Program#maps()}. Their contents
     * persist across runs; runners fill them before a run and read them after.
     */
    default List<MapView> maps() {
        return List.of();
    }

    /** The map declared as {@code name}, if the program has one. */
    default Optional<MapView> map(String name) {
        return maps().stream().filter(m -> m.spec().name().equals(name)).findFirst();
    }

    @Override
    default void close() {}
}
