package dev.bpfh.data;

import java.nio.file.Path;

/**
 * A {@code .data} file cannot be used. {@link #getMessage()} is {@code file:line: reason}, or
 * {@code file: reason} when {@link #line()} is 0 (the problem is the file as a whole, e.g. it has
 * neither a result nor an error).
 */
public final class DataFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String fileName;
    private final int line;
    private final String reason;

    public DataFormatException(Path file, String fileName, int line, String reason) {
        super(line > 0 ? fileName + ":" + line + ": " + reason : fileName + ": " + reason, null, false, false);
        this.file = file;
        this.fileName = fileName;
        this.line = line;
        this.reason = reason;
    }

    /** The file, or null when the text did not come from one. */
    public Path file() {
        return file;
    }

    /** The file as named in the message. */
    public String fileName() {
        return fileName;
    }

    /** The 1-based line in the .data file, or 0 when the problem is not on one line. */
    public int line() {
        return line;
    }

    /** The message without the location. */
    public String reason() {
        return reason;
    }
}
