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
 * a register whose low half is an array index also has an int shadow of that half (64-bit mov, add
 * and sub update it in int arithmetic), so that an index is "invariant + counter" to C2;
 * a subprogram is a static method {@code f<i>(depth, r0..r9) -> r0} whose r10 is
 * {@code Memory.frameTop(depth)}. The budget is a local (an int, in units of 1/{@code budgetScale}
 * instruction, when the scaled load-time budget fits one)
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
 *
 * <p>Maps: {@link dev.bpfh.maps.MapSet#create} makes the program's maps in the executable's
 * {@code Memory} at load (a bad definition is a load refusal), and each {@code lddw} with src 1, 2
 * or 4 becomes a bytecode constant: the map handle, the value address or the function address.
 * The facts treat those as unknown scalars, so map values go through {@code Memory}'s checked path
 * (NULL, past the value, stores into {@code .rodata} trap there). Before every helper call the
 * generated code stores its depth and remaining budget in {@link dev.bpfh.jit.RunState} and reloads
 * the budget after it, so a {@code bpf_loop} callback ({@link dev.bpfh.jit.JitCallbacks}: the
 * callback's subprogram method one frame deeper; every {@code lddw} src 4 target is a subprogram)
 * spends the same budget. After {@code call 12} and {@code callx} a requested tail call (the target
 * must be the program itself) is {@code return f0(depth, r0..r9)}: pc 0 at the same depth with r1
 * and r10 kept, whose exit is the exit of the subprogram that tail-called, as in the kernel; a
 * program that may tail call does not get the known entry state for pc 0. A program loaded with
 * others ({@link dev.bpfh.jit.JitBackend#loadAll}, a {@link dev.bpfh.jit.ProgramSet}) may also
 * tail-call into a sibling: {@link dev.bpfh.jit.TailCalls}.
 *
 * <p>Typed programs (xdp, tc, socket_filter): {@link dev.bpfh.jit.PacketCode} compiles the context
 * accesses {@link dev.bpfh.ctx.ContextAccesses} found and {@code LD_ABS}/{@code LD_IND} into calls
 * of the run's {@link dev.bpfh.ctx.PacketContext}; {@link dev.bpfh.jit.TypedFacts} gives packet
 * pointers the input provenance, so packet accesses take the input fast path against region 1,
 * which a typed method re-reads after every call (a helper may replace the packet array).
 */
package dev.bpfh.jit;
