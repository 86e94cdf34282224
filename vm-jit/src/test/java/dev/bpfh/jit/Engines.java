package dev.bpfh.jit;

import dev.bpfh.asm.Assembler;
import dev.bpfh.interp.InterpreterBackend;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;

/** Test support: assemble, load on the jit (or the interpreter), run once. */
final class Engines {
    private Engines() {}

    static final JitBackend JIT = new JitBackend();
    static final InterpreterBackend INTERP = new InterpreterBackend();

    static Program asm(String text) {
        try {
            return Assembler.assemble("test", text);
        } catch (Exception e) {
            throw new AssertionError("cannot assemble:\n" + text, e);
        }
    }

    static Outcome jit(String text, byte[] memory) {
        return run(JIT, asm(text), LoadOptions.DEFAULTS, memory);
    }

    static Outcome run(dev.bpfh.spi.Backend backend, Program p, LoadOptions o, byte[] memory) {
        try (Executable e = backend.load(p, o)) {
            return e.run(memory);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static long r0(Outcome o) {
        if (o instanceof Outcome.Returned r) {
            return r.r0();
        }
        throw new AssertionError("expected a return, got " + o);
    }
}
