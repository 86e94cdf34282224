package dev.bpfh.conformance;

/**
 * A problem with the run's input that the user must fix (a missing path, an unknown backend or
 * group, a malformed manifest line). The message is one line, naming {@code file:line} when there is
 * one; a command prints it without a stack trace.
 */
public final class ConformanceException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConformanceException(String message) {
        super(message, null, false, false);
    }
}
