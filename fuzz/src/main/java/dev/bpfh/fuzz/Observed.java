package dev.bpfh.fuzz;

import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.HexFormat;

/**
 * What one engine did with one input, reduced to what {@link Oracle} compares. {@link #of} is the
 * one place that reads an {@link Outcome}; its switch is exhaustive, so a new kind of outcome does
 * not compile until it is given a meaning here.
 */
public sealed interface Observed {

    /** Short name of the kind, for counts in the summary. */
    String label();

    /** One line for reproducer comments and reports. */
    String describe();

    /**
     * The program exited: r0 and the memory after the run; for a typed program retval, data_out
     * and ctx_out (null when the run had no ctx_in).
     */
    record Returned(long r0, byte[] memory, byte[] ctx) implements Observed {
        public Returned(long r0, byte[] memory) {
            this(r0, memory, null);
        }

        public String label() {
            return "returned";
        }

        public String describe() {
            return "returned 0x" + Long.toHexString(r0) + ", memory " + (memory.length == 0 ? "(empty)" : HexFormat.of().formatHex(memory))
                    + (ctx == null ? "" : ", ctx " + HexFormat.of().formatHex(ctx));
        }
    }

    record Trapped(TrapKind kind, int pc, String message) implements Observed {
        public String label() {
            return "trapped";
        }

        public String describe() {
            return "trap " + kind + " at pc " + pc + ": " + message;
        }
    }

    /** Refused at load (or, for a plugin, at run time); {@code unsupported}: a feature it lacks. */
    record Refused(String reason, int pc, boolean unsupported) implements Observed {
        public String label() {
            return unsupported ? "unsupported" : "refused";
        }

        public String describe() {
            return (unsupported ? "unsupported: " : "rejected: ") + reason + (pc >= 0 ? " at pc " + pc : "");
        }
    }

    /** An exception escaped the engine, or it refused without saying why or where: always a bug. */
    record Crashed(String message) implements Observed {
        public String label() {
            return "crashed";
        }

        public String describe() {
            return "crashed: " + message;
        }
    }

    /** A run's outcome; a refusal at run time (a plugin) is checked like one at load. */
    static Observed of(Outcome outcome, int programLength) {
        if (outcome == null) {
            return new Crashed("run returned null");
        }
        return switch (outcome) {
            case Outcome.Returned r -> new Returned(r.r0(), r.memory(), r.ctx());
            case Outcome.Trapped t -> new Trapped(t.kind(), t.pc(), t.message());
            case Outcome.Refused r -> refused(r.toLoadRejected(), programLength);
        };
    }

    /**
     * A refusal, checked for the SPI's promises: a reason, and a pc inside the program that the
     * message names. A refusal that breaks them is a {@link Crashed}.
     */
    static Observed refused(LoadRejected r, int programLength) {
        if (r.reason() == null || r.reason().isBlank()) {
            return new Crashed("refused without a reason: '" + r.getMessage() + "'");
        }
        if (r.pc() >= 0 && (r.pc() > programLength || !r.getMessage().endsWith(" at pc " + r.pc()))) {
            return new Crashed("refused at pc " + r.pc() + " of " + programLength + " saying '" + r.getMessage() + "'");
        }
        return new Refused(r.reason(), r.pc(), r.unsupported());
    }

    static Observed crashed(Throwable t) {
        String m = t.getMessage();
        String first = m == null ? "" : m.lines().findFirst().orElse("");
        return new Crashed(t.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first));
    }
}
