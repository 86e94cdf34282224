package dev.bpfh.spi;

import java.util.Map;

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
     * Facts about how the program was prepared, for reports: for example {@code "bytecodeBytes"},
     * {@code "fallback"} (why a JIT fell back to the interpreter), {@code "jitedBytes"}.
     */
    default Map<String, Object> info() {
        return Map.of();
    }

    @Override
    default void close() {}
}
