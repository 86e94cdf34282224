package dev.bpfh.cli;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The per-user daemon behind {@code bpfh plugin} and {@code bpfh --version}: one warm JVM serving
 * those command lines over a Unix domain socket (never TCP), so bpf_conformance's runner, which
 * starts the plugin once per test, pays a C client's start instead of a JVM's.
 *
 * <p>Each connection runs one command line through {@link Main#execute} on its own platform thread
 * (the stack size of a directly run command's main thread), with stdin, stdout and stderr carried
 * by {@link DaemonProtocol} frames, so output and exit code are those of the direct path. Only the
 * command lines {@link FastPath} serves are accepted: they read no environment, files or working
 * directory of the caller's. Anything else is refused and the client runs it directly.
 *
 * <p>One daemon per socket path, guaranteed by a lock file held for the daemon's life (a second one
 * started concurrently waits briefly for it, then leaves). The daemon exits when asked
 * ({@code bpfh daemon stop}), when the watched jar changes (then it answers {@link DaemonProtocol#STALE}
 * so the client starts a current one), or after {@link #DEFAULT_IDLE} without a request. Given the
 * source tree (the launcher's root), it keeps the launcher's promise that a changed source rebuilds
 * the jar before a command runs: while a source is newer than the jar ({@link SourceWatch}) it
 * answers {@link DaemonProtocol#SOURCES_CHANGED}, and the client hands the call back to the launcher.
 */
final class Daemon {

    /**
     * Three hours idle: long enough that a working session's pauses (reading a report, editing a
     * test) never cost a restart, short enough that a forgotten daemon does not hold its memory
     * (a JVM heap, ~100-300 MB resident) overnight.
     */
    static final Duration DEFAULT_IDLE = Duration.ofHours(3);
    static final String IDLE_ENV = "BPFH_DAEMON_IDLE_SECONDS";

    /** How long a starting daemon waits for the lock of one that is shutting down. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);
    /** How long shutdown waits for requests in flight. */
    private static final Duration DRAIN = Duration.ofSeconds(60);

    /** mtime, size and inode of the watched jar: any rebuild changes at least one. */
    record Fingerprint(Instant modified, long size, Object key) {
        static Fingerprint of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new Fingerprint(a.lastModifiedTime().toInstant(), a.size(), a.fileKey());
            } catch (IOException e) {
                return new Fingerprint(Instant.EPOCH, -1, null);
            }
        }
    }

    private final Path socket;
    private final Path watched;
    private final Fingerprint built;
    private final Path sourceRoot;
    /** Null without --sources; else done once the sources are watched (the first request waits for it). */
    private CompletableFuture<SourceWatch> sources;
    /** The last source reported newer than the jar, so the log names each one once. */
    private final AtomicReference<Path> reported = new AtomicReference<>();
    private final Duration idle;
    private final PrintStream log;
    private final Map<String, String> env;
    private final Instant started = Instant.now();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    private final AtomicBoolean stopping = new AtomicBoolean();
    private ServerSocketChannel server;

    Daemon(Path socket, Path watched, Path sourceRoot, Duration idle, PrintStream log, Map<String, String> env) {
        this.socket = socket.toAbsolutePath();
        this.watched = watched;
        this.built = watched == null ? null : Fingerprint.of(watched);
        this.sourceRoot = watched == null ? null : sourceRoot;
        this.idle = Objects.requireNonNull(idle);
        this.log = Objects.requireNonNull(log);
        this.env = Map.copyOf(env);
    }

    static Path pidFile(Path socket) {
        return socket.resolveSibling(socket.getFileName() + ".pid");
    }

    static Path lockFile(Path socket) {
        return socket.resolveSibling(socket.getFileName() + ".lock");
    }

    /** Serves until stopped, stale or idle; the exit code. */
    int run() throws IOException, InterruptedException {
        DaemonDir.prepare(socket.getParent());
        try (FileChannel lockChannel = FileChannel.open(lockFile(socket), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = acquire(lockChannel)) {
            if (lock == null) {
                log("another daemon holds " + lockFile(socket) + "; leaving");
                return Main.EXIT_OK;
            }
            if (sourceRoot != null) {
                // On its own thread: in a fresh JVM binding inotify and the first walk take ~0.1-0.3 s,
                // which overlap the first request's own start-up; that request waits for it.
                sources = new CompletableFuture<>();
                Thread.ofPlatform().daemon().name("bpfh-daemon-sources").start(this::watchSources);
            }
            Files.deleteIfExists(socket); // a crashed daemon's
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            Path pidTmp = Files.writeString(socket.resolveSibling(socket.getFileName() + ".pid.tmp"),
                    ProcessHandle.current().pid() + "\n");
            Files.move(pidTmp, pidFile(socket), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            log("started, pid " + ProcessHandle.current().pid() + ", jar " + watched + ", idle timeout " + idle);
            Thread.ofPlatform().daemon().name("bpfh-daemon-idle").start(this::watchIdle);
            acceptUntilStopped();
            drain();
            return Main.EXIT_OK;
        }
    }

    /** A source newer than the jar; the root itself when the sources could not be watched (the launcher checks then). */
    private Optional<Path> newerSource() {
        if (sources == null) {
            return Optional.empty();
        }
        try {
            return sources.join().newerThanJar();
        } catch (CompletionException e) {
            return Optional.of(sourceRoot);
        }
    }

    private void watchSources() {
        long start = System.nanoTime();
        try {
            SourceWatch w = SourceWatch.start(sourceRoot, FileTime.from(built.modified()), true);
            log("sources under " + sourceRoot + " " + w.mode() + ", in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            sources.complete(w);
        } catch (RuntimeException | Error e) {
            log("cannot watch the sources under " + sourceRoot + ": " + e);
            sources.completeExceptionally(e);
        }
    }

    private FileLock acquire(FileChannel channel) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        do {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return null;
    }

    private void acceptUntilStopped() {
        while (!stopping.get()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                log("accept failed: " + Main.oneLine(e.getMessage()));
                continue;
            }
            active.incrementAndGet();
            Thread.ofPlatform().name("bpfh-daemon-request").start(() -> {
                try (client) {
                    handle(client);
                } catch (IOException e) {
                    // The client went away (killed, or its pipe closed): nothing to answer.
                } catch (RuntimeException | Error e) {
                    log("request failed: " + e);
                } finally {
                    lastActivity.set(System.nanoTime());
                    active.decrementAndGet();
                }
            });
        }
    }

    /** Stops accepting; in-flight requests finish. Idempotent. */
    void stop(String reason) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        log("stopping: " + reason);
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(pidFile(socket));
            server.close();
        } catch (IOException e) {
            log("closing: " + Main.oneLine(e.getMessage()));
        }
    }

    private void drain() throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (active.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private void watchIdle() {
        long tick = Math.clamp(idle.toMillis() / 4, 50, 60_000);
        while (!stopping.get()) {
            try {
                Thread.sleep(tick);
            } catch (InterruptedException e) {
                return;
            }
            if (active.get() == 0 && System.nanoTime() - lastActivity.get() >= idle.toNanos()) {
                stop("idle for " + idle);
            }
        }
    }

    private void handle(SocketChannel client) throws IOException {
        DaemonProtocol.Frame request = DaemonProtocol.read(client);
        switch (request.type()) {
            case DaemonProtocol.RUN -> run(client, arguments(request.payload()));
            case DaemonProtocol.STATUS -> {
                DaemonProtocol.write(client, DaemonProtocol.ACCEPTED, new byte[0]);
                DaemonProtocol.write(client, DaemonProtocol.STDOUT, status().getBytes(StandardCharsets.UTF_8));
                DaemonProtocol.writeInt(client, DaemonProtocol.EXIT, Main.EXIT_OK);
            }
            case DaemonProtocol.STOP -> {
                DaemonProtocol.write(client, DaemonProtocol.ACCEPTED, new byte[0]);
                DaemonProtocol.writeInt(client, DaemonProtocol.EXIT, Main.EXIT_OK);
                stop("asked to stop");
            }
            default -> throw new IOException("unknown request type " + request.type());
        }
    }

    private void run(SocketChannel client, String[] args) throws IOException {
        if (stopping.get() || (built != null && !built.equals(Fingerprint.of(watched)))) {
            // Socket gone first, answer second: the client's next connect must not reach this daemon.
            stop(watched + " changed");
            DaemonProtocol.write(client, DaemonProtocol.STALE, new byte[0]);
            return;
        }
        Optional<Path> newer = newerSource();
        if (newer.isPresent()) {
            // The launcher rebuilds the jar (its find sees the same file), then a new daemon serves.
            if (!newer.get().equals(reported.getAndSet(newer.get()))) {
                log(newer.get() + (newer.get().equals(sourceRoot) ? " cannot be watched" : " is newer than the jar")
                        + ": sending calls back to the launcher to check it and rebuild");
            }
            DaemonProtocol.write(client, DaemonProtocol.SOURCES_CHANGED, new byte[0]);
            return;
        }
        String[] line = Main.pluginMemoryFirst(args);
        if (FastPath.protocolArguments(line) == null && !FastPath.versionOnly(line)) {
            DaemonProtocol.write(client, DaemonProtocol.REFUSED, new byte[0]);
            return;
        }
        DaemonProtocol.write(client, DaemonProtocol.ACCEPTED, new byte[0]);
        served.incrementAndGet();
        Object lock = new Object();
        PrintStream out = new PrintStream(new FrameOutput(client, DaemonProtocol.STDOUT, lock), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FrameOutput(client, DaemonProtocol.STDERR, lock), true, StandardCharsets.UTF_8);
        int code = new Main(new FrameInput(client, lock), out, err, env).execute(args);
        out.flush();
        err.flush();
        synchronized (lock) {
            DaemonProtocol.writeInt(client, DaemonProtocol.EXIT, code);
        }
    }

    static String[] arguments(byte[] payload) {
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == 0) {
                args.add(new String(payload, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return args.toArray(String[]::new);
    }

    String status() {
        long idleFor = Duration.ofNanos(System.nanoTime() - lastActivity.get()).toSeconds();
        return "pid " + ProcessHandle.current().pid() + ", up " + Duration.between(started, Instant.now()).toSeconds()
                + " s, " + served.get() + " requests served, " + (active.get() - 1) + " others in flight, idle "
                + (active.get() > 1 ? 0 : idleFor) + " s of " + idle.toSeconds() + " s, java " + Runtime.version()
                + ", jar " + watched + (built != null && !built.equals(Fingerprint.of(watched)) ? " (changed: stale)" : "")
                + (sources == null ? "" : ", sources " + sourcesMode()) + "\n";
    }

    private String sourcesMode() {
        if (!sources.isDone()) {
            return "being looked at";
        }
        return sources.isCompletedExceptionally() ? "not watched (see the log): every call goes to the launcher" : sources.join().mode();
    }

    private void log(String message) {
        log.println(Instant.now() + " bpfh daemon " + socket.getFileName() + ": " + message);
        log.flush();
    }

    /** A command's stdout or stderr: buffered, one frame per flush. */
    private static final class FrameOutput extends OutputStream {
        private final SocketChannel channel;
        private final byte type;
        private final Object lock;
        private final byte[] buffer = new byte[8192];
        private int used;

        FrameOutput(SocketChannel channel, byte type, Object lock) {
            this.channel = channel;
            this.type = type;
            this.lock = lock;
        }

        @Override
        public void write(int b) throws IOException {
            if (used == buffer.length) {
                flush();
            }
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len > buffer.length - used) {
                flush();
            }
            if (len > buffer.length) {
                synchronized (lock) {
                    DaemonProtocol.write(channel, type, b, off, len);
                }
                return;
            }
            System.arraycopy(b, off, buffer, used, len);
            used += len;
        }

        @Override
        public void flush() throws IOException {
            if (used > 0) {
                synchronized (lock) {
                    DaemonProtocol.write(channel, type, buffer, 0, used);
                }
                used = 0;
            }
        }
    }

    /** A command's stdin: asks the client for bytes when the command reads, as a pipe would deliver them. */
    private static final class FrameInput extends InputStream {
        private final SocketChannel channel;
        private final Object lock;
        private InputStream pending = InputStream.nullInputStream();
        private boolean ended;

        FrameInput(SocketChannel channel, Object lock) {
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            int n = pending.read(b, off, len);
            if (n > 0 || ended) {
                return n;
            }
            synchronized (lock) {
                DaemonProtocol.write(channel, DaemonProtocol.NEED_STDIN,
                        ByteBuffer.allocate(4).putInt(Math.min(len, 65536)).array());
            }
            DaemonProtocol.Frame f;
            try {
                f = DaemonProtocol.read(channel);
            } catch (EOFException e) {
                throw new IOException("the client closed the connection");
            }
            if (f.type() != DaemonProtocol.STDIN) {
                throw new IOException("expected stdin from the client, got frame " + f.type());
            }
            if (f.payload().length == 0) {
                ended = true;
                return -1;
            }
            pending = new ByteArrayInputStream(f.payload());
            return pending.read(b, off, len);
        }
    }
}
