package dev.bpfh.maps;

/** The errno values helpers and map operations return, negated, exactly as Linux does. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    /** Kernel-internal, but it leaks to userspace (programs.md, "Errors"). */
    public static final int ENOTSUPP = 524;

    /** The symbolic name of {@code errno} (positive or negative), for messages. */
    public static String name(int errno) {
        return switch (Math.abs(errno)) {
            case 0 -> "OK";
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case E2BIG -> "E2BIG";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case ENOTSUPP -> "ENOTSUPP";
            default -> "errno " + Math.abs(errno);
        };
    }
}
