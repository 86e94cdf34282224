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

    public LoadRejected(int pc, String reason, String log) {
        super(pc >= 0 ? reason + " at pc " + pc : reason, null, false, false);
        this.pc = pc;
        this.reason = reason;
        this.log = log == null ? "" : log;
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
}
