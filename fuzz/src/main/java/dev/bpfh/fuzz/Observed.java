package dev.bpfh.fuzz;

import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.HexFormat;

/**
 * What one engine did with one input, reduced to what {@link Oracle} compares. {@link #of(Outcome)}
 * is the one place that reads an {@link Outcome}: a new kind of outcome is added there (until it
 * is, it arrives as {@link Other}, counted but never compared).
 */
public sealed interface Observed {

    /** Short name of the kind, for counts in the summary. */
    String label();

    /** One line for reproducer comments and reports. */
    String describe();

    /** The program exited: r0 and the memory after the run. */
    record Returned(long r0, byte[] memory) implements Observed {
        public String label() {
            return "returned";
        }

        public String describe() {
            return "returned 0x" + Long.toHexString(r0) + ", memory " + (memory.length == 0 ? "(empty)" : HexFormat.of().formatHex(memory));
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

    /** An outcome this class does not know yet. */
    record Other(String text) implements Observed {
        public String label() {
            return "other";
        }

        public String describe() {
            return text;
        }
    }

    static Observed of(Outcome outcome) {
        if (outcome instanceof Outcome.Returned r) {
            return new Returned(r.r0(), r.memory());
        }
        if (outcome instanceof Outcome.Trapped t) {
            return new Trapped(t.kind(), t.pc(), t.message());
        }
        return outcome == null ? new Crashed("run returned null") : new Other(String.valueOf(outcome));
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
