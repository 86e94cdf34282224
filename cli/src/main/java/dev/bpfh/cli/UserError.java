package dev.bpfh.cli;

/**
 * A failure the user can act on: printed as one line {@code bpfh: <message>} on stderr, no stack
 * trace, and the process exits with {@link #exitCode()}.
 */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    UserError(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** Bad input the command was asked to process (a source file, a hex dump): exit {@value Main#EXIT_FAILED}. */
    static UserError failed(String message) {
        return new UserError(message, Main.EXIT_FAILED);
    }

    /** The request itself cannot be served (missing file, bad option value): exit {@value Main#EXIT_USAGE}. */
    static UserError usage(String message) {
        return new UserError(message, Main.EXIT_USAGE);
    }

    int exitCode() {
        return exitCode;
    }
}
