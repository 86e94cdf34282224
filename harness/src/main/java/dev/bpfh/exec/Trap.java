package dev.bpfh.exec;

import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;

/**
 * Internal control flow of the userspace engines: thrown where a program faults, caught by the
 * engine's {@code run} and turned into {@link Outcome.Trapped}. Stackless, because a trap is an
 * outcome, not a bug, and filling a stack trace would dominate the cost of a trapping run.
 */
public final class Trap extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final TrapKind kind;
    private final int pc;

    public Trap(TrapKind kind, int pc, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.pc = pc;
    }

    public TrapKind kind() {
        return kind;
    }

    public int pc() {
        return pc;
    }

    public Outcome.Trapped toOutcome() {
        return new Outcome.Trapped(kind, pc, getMessage());
    }
}
