package dev.bpfh.exec;

/**
 * How a helper calls back into the running program (a {@code bpf_loop} callback): the engine runs
 * the subprogram at {@code targetPc} one frame deeper than the helper's caller, with r1..r5 as
 * given, and returns its r0. Faults inside the callback are traps of the whole run.
 */
@FunctionalInterface
public interface FunctionCaller {
    long call(int targetPc, long r1, long r2, long r3, long r4, long r5, int callerPc);
}
