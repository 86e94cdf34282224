package dev.bpfh.jit;

import static java.lang.constant.ConstantDescs.*;

import dev.bpfh.exec.FunctionCaller;
import dev.bpfh.exec.RunContext;
import dev.bpfh.exec.Trap;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.TrapKind;
import java.lang.constant.MethodTypeDesc;

/**
 * Tail calls between programs loaded together ({@link JitBackend#loadAll}: one {@code Memory}, one
 * {@code MapSet}, one {@code RunContext}). The run continues in the target's entry function at the
 * caller's depth with every register as it is (r1 = the context, r10 = the same frame), and the
 * target's exit is the exit of the function that tail-called, as for a tail call into the program
 * itself.
 *
 * <p>Each compiled program keeps its own {@link RunState} and counts its budget in its own scale
 * ({@link Compiler#budgetScale}), so the remaining budget is converted on the way in and back on the
 * way out (exactly: a scaled count is always a multiple of its scale). The shared context's callback
 * caller is switched to the target's for the time it runs, so a {@code bpf_loop} there calls the
 * target's subprograms.
 */
final class TailCalls {
    private TailCalls() {}

    static final MethodTypeDesc ENTER_TYPE = MethodTypeDesc.of(CD_long, Compiler.CD_LINKAGE, CD_int,
            CD_long, CD_long, CD_long, CD_long, CD_long, CD_long, CD_long, CD_long, CD_long, CD_long);

    /** Accepts {@code target} as the next program of this run, or refuses it with HELPER_FAILED at {@code pc}. */
    static void expect(RunState state, Executable target, int pc) {
        JitExecutable self = (JitExecutable) state.self;
        if (target instanceof JitExecutable j && self.sharesMapsWith(j)) {
            if (j.type() != self.type()) {
                throw new Trap(TrapKind.HELPER_FAILED, pc, "tail call from a " + self.type().word() + " program into a "
                        + j.type().word() + " program (the kernel refuses such a prog_array)");
            }
            state.sibling = j;
            return;
        }
        throw new Trap(TrapKind.HELPER_FAILED, pc, "tail call into another program (" + target
                + ") that was not loaded with this one; the jit continues only in the program itself or"
                + " one loaded with it");
    }

    static long enter(RunState state, int depth, long r0, long r1, long r2, long r3, long r4, long r5, long r6,
            long r7, long r8, long r9) {
        JitExecutable from = (JitExecutable) state.self;
        JitExecutable to = state.sibling;
        state.sibling = null;
        RunState target = to.state();
        target.budget = state.budget / from.budgetScale() * to.budgetScale();
        RunContext context = to.context();
        FunctionCaller caller = context.functionCaller();
        context.setFunctionCaller(to.callbacks());
        long result;
        try {
            result = (long) to.function0().invokeExact(depth, r0, r1, r2, r3, r4, r5, r6, r7, r8, r9);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) { // the generated code throws no checked exception
            throw new IllegalStateException("unexpected from compiled code", t);
        } finally {
            context.setFunctionCaller(caller);
        }
        state.budget = target.budget / to.budgetScale() * from.budgetScale();
        System.arraycopy(target.ret, 1, state.ret, 1, 5);
        return result;
    }
}
