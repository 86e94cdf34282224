package dev.bpfh.kernel;

/**
 * A file descriptor for a BPF program or map, closed with libc {@code close}. Closing twice is
 * harmless; after close, {@link #value()} is -1 so a stale fd can never name a reused number.
 */
public final class Fd implements AutoCloseable {
    private int fd;

    Fd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        this.fd = fd;
    }

    /** The fd number, or -1 once closed. */
    public int value() {
        return fd;
    }

    public boolean isOpen() {
        return fd >= 0;
    }

    @Override
    public void close() {
        int f = fd;
        fd = -1;
        LibC.close(f);
    }

    @Override
    public String toString() {
        return "fd " + fd;
    }
}
