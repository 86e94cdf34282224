package dev.bpfh.cli;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Linux's inotify(7), bound with java.lang.foreign, for {@link SourceWatch}. Not the JDK's
 * WatchService: that one reads the inotify descriptor on a background thread, so an event the
 * kernel has already queued may not be visible yet when a request asks; here {@link #drain} reads
 * the descriptor itself (non-blocking), and the kernel queues an event before the system call that
 * caused it returns, so every change finished before the read is in what it returns.
 *
 * <p>Binding happens once; where it cannot (not Linux, an architecture whose open flags differ),
 * {@link #unavailableReason()} says why. Callers serialize their use of one instance.
 */
final class Inotify implements AutoCloseable {

    static final int IN_MODIFY = 0x2;
    static final int IN_ATTRIB = 0x4;
    static final int IN_CLOSE_WRITE = 0x8;
    static final int IN_MOVED_TO = 0x80;
    static final int IN_CREATE = 0x100;
    static final int IN_Q_OVERFLOW = 0x4000;
    static final int IN_IGNORED = 0x8000;
    static final int IN_ONLYDIR = 0x0100_0000;
    static final int IN_DONT_FOLLOW = 0x0200_0000;

    static final int ENOENT = 2;
    static final int ENOTDIR = 20;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;

    /** One queued event: the watch it came from, what happened, and the entry's name ("" for the directory itself). */
    record Event(int wd, int mask, String name) {}

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** sizeof(struct inotify_event) without its name: wd, mask, cookie, len. */
    private static final int HEADER = 16;
    private static final int BUFFER = 64 * 1024;

    private static final MethodHandle INIT1;
    private static final MethodHandle ADD_WATCH;
    private static final MethodHandle READ;
    private static final MethodHandle CLOSE;
    private static final String UNAVAILABLE;
    /** IN_NONBLOCK | IN_CLOEXEC, which are O_NONBLOCK | O_CLOEXEC (asm-generic values on x86-64 and aarch64). */
    private static final int INIT_FLAGS = 0x800 | 0x80000;

    static {
        MethodHandle init = null;
        MethodHandle add = null;
        MethodHandle read = null;
        MethodHandle close = null;
        String why = null;
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            why = "not Linux (os.name=" + os + ")";
        } else if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            why = "open flags not known for architecture " + arch + " (known: x86-64, aarch64)";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                Linker.Option errno = Linker.Option.captureCallState("errno");
                init = linker.downcallHandle(linker.defaultLookup().find("inotify_init1").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
                add = linker.downcallHandle(linker.defaultLookup().find("inotify_add_watch").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
                read = linker.downcallHandle(linker.defaultLookup().find("read").orElseThrow(),
                        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), errno);
                close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            } catch (RuntimeException | Error e) {
                why = "cannot bind libc's inotify functions: " + e;
                init = null;
            }
        }
        INIT1 = init;
        ADD_WATCH = add;
        READ = read;
        CLOSE = close;
        UNAVAILABLE = why;
    }

    /** Null when inotify can be used, else why not. */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
    private final MemorySegment buffer = arena.allocate(BUFFER, 8);
    private final int fd;

    private Inotify(int fd) {
        this.fd = fd;
    }

    /** A new inotify instance (non-blocking, close-on-exec). */
    static Inotify open() throws IOException {
        if (UNAVAILABLE != null) {
            throw new IOException("inotify unavailable: " + UNAVAILABLE);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = a.allocate(CAPTURE_LAYOUT);
            int fd = (int) INIT1.invokeExact(c, INIT_FLAGS);
            if (fd < 0) {
                throw new IOException("inotify_init1: errno " + (int) ERRNO.get(c, 0L)
                        + " (EMFILE 24: the user's limit of inotify instances, fs.inotify.max_user_instances)");
            }
            return new Inotify(fd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("inotify_init1 downcall failed", t);
        }
    }

    /**
     * Watches the directory {@code dir} for {@code mask} (which may add {@link #IN_DONT_FOLLOW}: not
     * through a symlink); the watch descriptor (the same one again for a directory already watched),
     * or minus the errno.
     */
    int addWatch(Path dir, int mask) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment path = a.allocateFrom(dir.toString(), StandardCharsets.UTF_8);
            int wd = (int) ADD_WATCH.invokeExact(capture, fd, path, mask | IN_ONLYDIR);
            return wd >= 0 ? wd : -(int) ERRNO.get(capture, 0L);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("inotify_add_watch downcall failed", t);
        }
    }

    /** Every event queued now, in order; an empty list when none is. */
    List<Event> drain() throws IOException {
        List<Event> events = new ArrayList<>();
        for (;;) {
            long n;
            try {
                n = (long) READ.invokeExact(capture, fd, buffer, (long) BUFFER);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("read downcall failed", t);
            }
            if (n < 0) {
                int errno = (int) ERRNO.get(capture, 0L);
                if (errno == EAGAIN) {
                    return events;
                }
                if (errno == EINTR) {
                    continue;
                }
                throw new IOException("read from inotify: errno " + errno);
            }
            for (long at = 0; at + HEADER <= n; ) {
                int wd = buffer.get(JAVA_INT, at);
                int mask = buffer.get(JAVA_INT, at + 4);
                int len = buffer.get(JAVA_INT, at + 12);
                String name = len == 0 ? "" : buffer.getString(at + HEADER, StandardCharsets.UTF_8);
                events.add(new Event(wd, mask, name));
                at += HEADER + len;
            }
        }
    }

    @Override
    public void close() {
        try {
            int unused = (int) CLOSE.invokeExact(fd);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("close downcall failed", t);
        } finally {
            arena.close();
        }
    }
}
