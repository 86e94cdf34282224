package dev.bpfh.exec;

/**
 * A helper function callable from a program with {@code call N} (or callx), keyed by its Linux
 * helper id so that the same program runs in the userspace engines and in the kernel.
 */
@FunctionalInterface
public interface Helper {
    /** r0 of the call. Throw {@link Trap} to fault the run; {@code pc} is the call's slot. */
    long call(RunContext ctx, long r1, long r2, long r3, long r4, long r5, int pc);
}
