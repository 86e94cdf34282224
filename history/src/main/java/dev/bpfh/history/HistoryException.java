package dev.bpfh.history;

/**
 * Input or a database this module cannot use: a malformed or foreign result file, an unknown
 * schema version, an unreachable database. The message is one line naming the file (with line and
 * column) or the database (password removed); nothing has been written when it is thrown.
 */
public final class HistoryException extends Exception {
    private static final long serialVersionUID = 1L;

    public HistoryException(String message) {
        super(message);
    }

    public HistoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
