package dev.bpfh.jit;

/**
 * What a generated hidden class implements: the entry function with the entry state already
 * applied except r1 and r2. An interface call (not a {@code MethodHandle}) so that the call from
 * {@link JitExecutable#run} is an ordinary, inlinable virtual call.
 */
public interface CompiledProgram {
    /** Runs from pc 0 at call depth 0 and returns r0. Faults are thrown as {@link dev.bpfh.exec.Trap}. */
    long run(long r1, long r2);
}
