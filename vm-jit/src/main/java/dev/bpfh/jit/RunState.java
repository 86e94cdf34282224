package dev.bpfh.jit;

/**
 * Per-run mutable state that generated methods hand to each other across calls: the remaining
 * instruction budget (each method keeps it in a local and syncs it here around calls) and the
 * registers r0..r5 a returning subprogram leaves behind (the caller sees the callee's r1..r5, as
 * in the interpreter's single register file).
 */
public final class RunState {
    /**
     * Instructions left, in units of 1/{@code Compiler.budgetScale} instruction; the run traps when
     * it goes negative at a check.
     */
    public long budget;
    /** r0..r5 at the callee's exit, read by the caller right after a local call. */
    public final long[] ret = new long[6];
    /** Register file of a split function's region methods, one per call depth. */
    public final long[][] regs = new long[dev.bpfh.exec.Memory.MAX_FRAMES][10];
    /**
     * The call depth of the helper call under way, written before every helper call: a callback
     * ({@code bpf_loop}) runs one frame deeper than its helper's caller.
     */
    public int depth;
    /**
     * The executable this code belongs to: the target of a tail call that continues in this code.
     * Set once at load.
     */
    Object self;
    /** A sibling tail call's target, between {@link JitRuntime#tailCall} and its entry. */
    JitExecutable sibling;
}
