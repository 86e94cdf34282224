package dev.bpfh.jit;

import dev.bpfh.exec.Helper;
import dev.bpfh.exec.RunContext;
import dev.bpfh.exec.Trap;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.TrapKind;

/**
 * The slow paths generated code calls: traps, helper calls and callx. Public because hidden classes
 * call them.
 */
public final class JitRuntime {
    private JitRuntime() {}

    public static Trap budgetExhausted(int pc) {
        return new Trap(TrapKind.BUDGET_EXHAUSTED, pc, "instruction budget exhausted");
    }

    public static Trap callDepth(int pc) {
        return new Trap(TrapKind.CALL_DEPTH, pc, "call depth exceeds " + dev.bpfh.exec.Memory.MAX_FRAMES + " frames");
    }

    public static Trap fellOffEnd(int pc) {
        return new Trap(TrapKind.FELL_OFF_END, pc, "fell off the end of the program");
    }

    /**
     * A helper call at {@code pc}. A helper that fails with anything but a {@link Trap} becomes a
     * {@code RUNTIME_ERROR} at the call's pc, as in the interpreter (whose loop wraps every failure
     * with the pc it was executing), rather than escaping the generated code without a pc.
     */
    public static long helper(Helper h, RunContext ctx, long r1, long r2, long r3, long r4, long r5, int pc) {
        try {
            return h.call(ctx, r1, r2, r3, r4, r5, pc);
        } catch (Trap t) {
            throw t;
        } catch (RuntimeException | StackOverflowError e) {
            throw new Trap(TrapKind.RUNTIME_ERROR, pc, "internal error in a helper: " + e);
        }
    }

    /** callx: the helper id is a register value, known only now. */
    public static long callx(Linkage l, long id, long r1, long r2, long r3, long r4, long r5, int pc) {
        Helper[] table = l.helpers();
        Helper h = id >= 0 && id < table.length ? table[(int) id] : null;
        if (h == null) {
            throw new Trap(TrapKind.UNKNOWN_HELPER, pc, "callx to unknown helper " + id);
        }
        return helper(h, l.context(), r1, r2, r3, r4, r5, pc);
    }

    /**
     * After a helper call that may tail call: 0 when it asked for none; 1 when the target is this
     * program (a PROG_ARRAY slot holding {@code self}), where the generated code continues at pc 0
     * at the same depth; 2 when it is a program loaded with this one ({@link JitBackend#loadAll}),
     * entered through {@link #enterSibling}. Any other program is HELPER_FAILED at {@code pc}.
     */
    public static int tailCall(Linkage l, int pc) {
        Executable target = l.context().takeTailCall();
        if (target == null) {
            return 0;
        }
        if (target == l.state().self) {
            return 1;
        }
        TailCalls.expect(l.state(), target, pc);
        return 2;
    }

    /** Continues the run in the sibling {@link #tailCall} accepted; returns its r0. */
    public static long enterSibling(Linkage l, int depth, long r0, long r1, long r2, long r3, long r4, long r5,
            long r6, long r7, long r8, long r9) {
        return TailCalls.enter(l.state(), depth, r0, r1, r2, r3, r4, r5, r6, r7, r8, r9);
    }
}
