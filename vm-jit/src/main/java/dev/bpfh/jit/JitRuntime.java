package dev.bpfh.jit;

import dev.bpfh.exec.Helper;
import dev.bpfh.exec.Trap;
import dev.bpfh.spi.TrapKind;

/** The slow paths generated code calls: traps and callx. Public because hidden classes call them. */
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

    /** callx: the helper id is a register value, known only now. */
    public static long callx(Linkage l, long id, long r1, long r2, long r3, long r4, long r5, int pc) {
        Helper[] table = l.helpers();
        Helper h = id >= 0 && id < table.length ? table[(int) id] : null;
        if (h == null) {
            throw new Trap(TrapKind.UNKNOWN_HELPER, pc, "callx to unknown helper " + id);
        }
        return h.call(l.context(), r1, r2, r3, r4, r5, pc);
    }
}
