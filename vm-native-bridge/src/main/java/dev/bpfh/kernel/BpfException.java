package dev.bpfh.kernel;

/** A bpf() command failed; carries the errno and its name. */
public final class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public BpfException(String command, int errno) {
        this(command, errno, "");
    }

    public BpfException(String command, int errno, String detail) {
        super(command + " failed: " + Errno.name(errno) + (detail.isEmpty() ? "" : " (" + detail + ")"), null,
                false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }
}
