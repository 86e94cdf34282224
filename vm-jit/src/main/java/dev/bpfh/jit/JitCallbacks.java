package dev.bpfh.jit;

import dev.bpfh.exec.FunctionCaller;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.Trap;
import dev.bpfh.spi.TrapKind;
import java.lang.invoke.MethodHandle;

/**
 * How a helper ({@code bpf_loop}) calls back into compiled code: the subprogram method for the
 * target pc, one frame deeper than the helper's caller, on the same budget. The generated code
 * stores the caller's depth and remaining budget in {@link RunState} before every helper call and
 * reloads the budget after it; the callback's method reads the budget in its prologue and writes it
 * back at its exit, so the callback's instructions count exactly as in the interpreter.
 */
final class JitCallbacks implements FunctionCaller {
    private final RunState state;
    /** {@code f<i>(depth, r0..r9) -> r0} by entry pc; null where no subprogram starts. */
    private final MethodHandle[] byPc;

    JitCallbacks(RunState state, MethodHandle[] byPc) {
        this.state = state;
        this.byPc = byPc;
    }

    @Override
    public long call(int targetPc, long r1, long r2, long r3, long r4, long r5, int callerPc) {
        int depth = state.depth;
        if (depth + 1 >= Memory.MAX_FRAMES) {
            throw new Trap(TrapKind.CALL_DEPTH, callerPc,
                    "callback would open frame " + (depth + 2) + " of at most " + Memory.MAX_FRAMES);
        }
        // Only function addresses of lddw src 4 are subprogram entries; the interpreter would start
        // anywhere in the program, which the kernel's verifier never allows.
        MethodHandle f = targetPc >= 0 && targetPc < byPc.length ? byPc[targetPc] : null;
        if (f == null) {
            throw new Trap(TrapKind.HELPER_FAILED, callerPc, "callback target " + targetPc + " is not a subprogram entry");
        }
        long r0;
        try {
            r0 = (long) f.invokeExact(depth + 1, 0L, r1, r2, r3, r4, r5, 0L, 0L, 0L, 0L);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) { // the generated code throws no checked exception
            throw new IllegalStateException("unexpected from compiled code", t);
        }
        state.depth = depth; // a helper called inside the callback changed it
        return r0;
    }
}
