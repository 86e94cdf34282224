package dev.bpfh.jit;

import static dev.bpfh.jit.Engines.asm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bpfh.exec.Helpers;
import dev.bpfh.exec.Trap;
import dev.bpfh.interp.InterpreterBackend;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import org.junit.jupiter.api.Test;

/**
 * A helper that fails: the run traps at the call's pc in both engines. Architecture: a fault is an
 * outcome with a kind and a pc; the interpreter wraps any failure with the pc it is executing, so a
 * helper's exception is {@code RUNTIME_ERROR} at the {@code call} (or {@code callx}), and a helper's
 * own {@link Trap} keeps its kind and pc.
 */
class JitHelperFailureTest {
    static final int BROKEN = 100;
    static final int REFUSING = 101;

    private static Helpers helpers() {
        return Helpers.standard()
                .register(BROKEN, "broken", (c, a, b, d, e, f, pc) -> {
                    throw new IllegalStateException("helper bug");
                })
                .register(REFUSING, "refusing", (c, a, b, d, e, f, pc) -> {
                    throw new Trap(TrapKind.OUT_OF_BOUNDS, pc, "helper refused its argument");
                });
    }

    private static Outcome.Trapped run(boolean jit, Program p) throws Exception {
        try (Executable e = jit ? new JitBackend().compile(p, LoadOptions.DEFAULTS, helpers())
                : InterpreterBackend.compile(p, LoadOptions.DEFAULTS, helpers())) {
            Outcome o = e.run(new byte[4]);
            return assertInstanceOf(Outcome.Trapped.class, o, () -> "expected a trap, got " + o);
        }
    }

    private static void bothTrapAt(TrapKind kind, int pc, String text) throws Exception {
        Program p = asm(text);
        Outcome.Trapped interp = run(false, p);
        Outcome.Trapped jit = run(true, p);
        assertEquals(kind + "@" + pc, interp.kind() + "@" + interp.pc(), "interp: " + interp);
        assertEquals(kind + "@" + pc, jit.kind() + "@" + jit.pc(), "jit: " + jit);
    }

    @Test
    void anExceptionInAHelperIsARuntimeErrorAtTheCall() throws Exception {
        bothTrapAt(TrapKind.RUNTIME_ERROR, 2, "mov %r0, 0\nmov %r1, 7\ncall " + BROKEN + "\nexit");
    }

    @Test
    void anExceptionInAHelperReachedThroughCallxIsARuntimeErrorAtTheCallx() throws Exception {
        bothTrapAt(TrapKind.RUNTIME_ERROR, 1, "mov %r2, " + BROKEN + "\ncall %r2\nexit");
    }

    @Test
    void anExceptionInAHelperCalledFromASubprogramNamesTheInnerCall() throws Exception {
        bothTrapAt(TrapKind.RUNTIME_ERROR, 3, "call local f\nexit\nf:\nmov %r0, 0\ncall " + BROKEN + "\nexit");
    }

    @Test
    void aTrapThrownByAHelperKeepsItsKindAndPc() throws Exception {
        bothTrapAt(TrapKind.OUT_OF_BOUNDS, 1, "mov %r1, 0\ncall " + REFUSING + "\nexit");
    }
}
