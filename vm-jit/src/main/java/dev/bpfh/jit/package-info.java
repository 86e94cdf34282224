/**
 * The {@code jit} backend: eBPF to JVM bytecode.
 *
 * <p>Pipeline: {@link dev.bpfh.isa.Validator} → {@link dev.bpfh.jit.Cfg} (basic blocks; every call
 * ends a block; subprograms = pc 0 and the {@code call local} targets, each with the blocks it
 * reaches) → {@link dev.bpfh.jit.RegisterFacts} (per subprogram, what each register provably holds at
 * each block entry) → {@link dev.bpfh.jit.Compiler} (one class, {@code java.lang.classfile}) →
 * {@code Lookup.defineHiddenClassWithClassData} with a {@link dev.bpfh.jit.Linkage} record and the
 * helpers as class data → {@link dev.bpfh.jit.JitExecutable}.
 *
 * <p>Registers are {@code long} locals, or {@code int} locals where the facts prove the value is
 * an int at every point of the subprogram (loop counters), so that C2 sees int induction variables;
 * a subprogram is a static method {@code f<i>(depth, r0..r9) -> r0} whose r10 is
 * {@code Memory.frameTop(depth)}. The budget is a local (an int when the load-time budget fits one)
 * charged with each block's length at block entry and checked at taken backward jumps and calls, so
 * every check sees the interpreter's count. Subprograms over a bytecode estimate are split into
 * region methods (runs of blocks; registers pass through {@link dev.bpfh.jit.RunState}) behind a
 * dispatch loop and a tree of small switch methods; {@code info()} reports {@code bytecodeBytes},
 * {@code methods} and {@code maxMethodBytes} (always under HotSpot's 8000-byte HugeMethodLimit), or
 * {@code fallback} with the reason when the program runs on the interpreter instead (for example a
 * constant pool over 65,535 entries).
 *
 * <p>Memory: every access is checked with the semantics of {@link dev.bpfh.exec.Memory}. The facts
 * track provenance across blocks and loops (interval analysis: "input + [lo, hi]", "r10 + [lo, hi]",
 * scalars, joined at block entries, widened and narrowed at loop heads, refined by branches on
 * constants). An access proven inside the frame indexes the frame array directly (the JVM's own
 * array check remains); one proven to start inside the input costs one int compare against the input
 * length; other accesses try the frame (r10-derived) or the input with one explicit range check and
 * otherwise call {@code Memory}, which also raises the trap. A helper's exception is a
 * {@code RUNTIME_ERROR} at the call's pc, as in the interpreter.
 */
package dev.bpfh.jit;
