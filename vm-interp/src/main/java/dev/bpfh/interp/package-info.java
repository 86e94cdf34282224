/**
 * The interpreter backend {@code interp}.
 *
 * <p>{@link dev.bpfh.interp.InterpreterBackend} validates and pre-decodes a program
 * ({@code Predecoder}: dense internal opcodes in {@code Op}, parallel {@code int[]}/{@code long[]}
 * arrays, jump targets resolved to absolute pcs, {@code lddw} constants combined), and
 * {@code Interpreter} runs it with one switch-on-int loop. All semantics come from the harness:
 * {@link dev.bpfh.isa.Alu}, {@link dev.bpfh.isa.Jumps} and {@link dev.bpfh.exec.Memory}; only
 * trivially identical operations (add, or, mov, ...) are written inline.
 *
 * <p>Order of checks at a call (local, helper or callx): the budget first, then the call itself
 * (CALL_DEPTH, UNKNOWN_HELPER, the helper's own faults). A call that is both over budget and over
 * depth therefore traps BUDGET_EXHAUSTED; the JIT must use the same order.
 */
package dev.bpfh.interp;
