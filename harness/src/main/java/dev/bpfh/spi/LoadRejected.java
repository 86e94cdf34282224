package dev.bpfh.spi;

/**
 * A backend refused to load a program: the validator, the kernel verifier, or a plugin said no.
 *
 * <p>{@link #getMessage()} is one line naming the pc when known; {@link #log()} keeps the longer
 * evidence (the verifier's last lines, the plugin's output).
 */
public final class LoadRejected extends Exception {
    private static final long serialVersionUID = 1L;

    /** pc is -1 when the refusal is not about one instruction. */
    private final int pc;
    private final String reason;
    private final String log;
    private final boolean unsupported;

    public LoadRejected(int pc, String reason, String log) {
        this(pc, reason, log, false);
    }

    private LoadRejected(int pc, String reason, String log, boolean unsupported) {
        super(pc >= 0 ? reason + " at pc " + pc : reason, null, false, false);
        this.pc = pc;
        this.reason = reason;
        this.log = log == null ? "" : log;
        this.unsupported = unsupported;
    }

    /**
     * The engine does not implement a feature the program uses (the kernel has no callx, a plugin
     * lacks a group). Runners report this as SKIPPED with the reason, not as a rejection.
     */
    public static LoadRejected unsupported(int pc, String reason) {
        return new LoadRejected(pc, reason, "", true);
    }

    public LoadRejected(String reason) {
        this(-1, reason, "");
    }

    public int pc() {
        return pc;
    }

    public String reason() {
        return reason;
    }

    public String log() {
        return log;
    }

    public boolean unsupported() {
        return unsupported;
    }
}
