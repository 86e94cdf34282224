package dev.bpfh.asm;

/**
 * The assembler refused a line. {@link #getMessage()} is exactly bpf_conformance's text (isa.md
 * §4.7), e.g. {@code Invalid mnemonic: ldxq}, so that expected-error files compare equal;
 * {@link #line()} is the source line it is about.
 */
public final class AssemblyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int line;

    public AssemblyException(int line, String message) {
        super(message, null, false, false);
        this.line = line;
    }

    /** The 1-based line of the offending statement in the enclosing file. */
    public int line() {
        return line;
    }

    /** {@code file:line: message}, the one-line form for users. */
    public String located(String file) {
        return file + ":" + line + ": " + getMessage();
    }
}
