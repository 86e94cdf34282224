package dev.bpfh.elf;

/**
 * An object file bpfh cannot load: malformed, truncated, hostile, or using something bpfh does not
 * implement (CO-RE, externs, an unsupported program or map type). The message is one line and
 * names the section and offset, the symbol or the instruction concerned.
 */
public final class ElfException extends Exception {
    private static final long serialVersionUID = 1L;

    public ElfException(String message) {
        super(message.replace('\n', ' '), null, false, false);
    }
}
