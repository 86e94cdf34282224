package dev.bpfh.cli;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh daemon status|stop|run}: the per-user daemon that serves {@code bpfh plugin} (see {@link Daemon}). */
@Command(
        name = "daemon",
        mixinStandardHelpOptions = true,
        description = {
            "The per-user daemon that serves 'bpfh plugin' and 'bpfh --version' for the ./bpfh launcher, so a",
            "call costs a few milliseconds instead of a JVM start. The launcher starts it on first use; it stops",
            "itself after 3 hours without a request (" + Daemon.IDLE_ENV + " overrides) or when the jar is rebuilt.",
            "While a source is newer than the jar it hands calls back to the launcher, which rebuilds the jar first.",
            "BPFH_NO_DAEMON=1 makes the launcher run every command directly. Sockets live in",
            "$BPFH_DAEMON_DIR, else $XDG_RUNTIME_DIR/bpfh, else ~/.cache/bpfh/daemon-UID (mode 0700, yours only).",
        },
        subcommands = {DaemonCommand.Status.class, DaemonCommand.Stop.class, DaemonCommand.Run.class})
final class DaemonCommand implements java.util.concurrent.Callable<Integer> {

    @ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Without a subcommand: the usage, and a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(main.err);
        return Main.EXIT_USAGE;
    }

    /** The sockets in the directory of this environment; none when it does not exist yet. */
    List<Path> sockets() {
        Path dir = DaemonDir.resolve(main.env);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        DaemonDir.check(dir);
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".sock")).sorted().toList();
        } catch (IOException e) {
            throw UserError.usage("cannot list " + dir + ": " + Main.oneLine(e.getMessage()));
        }
    }

    /** Sends a STATUS or STOP request; the daemon's answer, or empty when nothing listens on the socket. */
    static Optional<String> ask(Path socket, byte request) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            DaemonProtocol.write(ch, request, new byte[0]);
            StringBuilder answer = new StringBuilder();
            for (DaemonProtocol.Frame f = DaemonProtocol.read(ch); f.type() != DaemonProtocol.EXIT; f = DaemonProtocol.read(ch)) {
                if (f.type() == DaemonProtocol.STDOUT) {
                    answer.append(new String(f.payload(), StandardCharsets.UTF_8));
                }
            }
            return Optional.of(answer.toString());
        } catch (EOFException e) {
            return Optional.of("");
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Lists the running daemons of this user: pid, uptime, requests served, idle time, jar.")
    static final class Status implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        DaemonCommand daemon;

        @Override
        public Integer call() {
            List<Path> sockets = daemon.sockets();
            int running = 0;
            for (Path s : sockets) {
                Optional<String> answer = ask(s, DaemonProtocol.STATUS);
                if (answer.isPresent()) {
                    running++;
                    daemon.main.out.print(s + ": " + answer.get());
                } else {
                    daemon.main.out.println(s + ": not running (a crashed daemon's socket; the next call replaces it, "
                            + "'bpfh daemon stop' removes it)");
                }
            }
            if (running == 0 && sockets.isEmpty()) {
                daemon.main.out.println("no daemon running (" + DaemonDir.resolve(daemon.main.env) + ")");
            }
            return Main.EXIT_OK;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stops every running daemon of this user (requests in flight finish first) and removes"
                    + " the sockets crashed daemons left behind.")
    static final class Stop implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        DaemonCommand daemon;

        @Override
        public Integer call() {
            int stopped = 0;
            for (Path s : daemon.sockets()) {
                Optional<Long> pid = pid(s);
                if (ask(s, DaemonProtocol.STOP).isPresent()) {
                    stopped++;
                    // Wait for the process, so that a following start or status sees it gone.
                    pid.flatMap(ProcessHandle::of).ifPresent(p -> {
                        try {
                            p.onExit().get(70, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            daemon.main.err.println("bpfh: daemon pid " + p.pid() + " has not exited yet");
                        }
                    });
                    daemon.main.out.println("stopped " + s + pid.map(p -> " (pid " + p + ")").orElse(""));
                } else if (removeCrashed(s)) {
                    daemon.main.out.println("removed " + s + " (a crashed daemon's socket)");
                }
            }
            if (stopped == 0) {
                daemon.main.out.println("no daemon running");
            }
            return Main.EXIT_OK;
        }

        /**
         * Deletes the socket and pid file of a daemon that no longer listens, unless a daemon is
         * starting on it right now (it holds the lock file while it binds): then it is left alone.
         * Without this, a crashed daemon's socket for a jar that is gone would stay listed forever.
         */
        private static boolean removeCrashed(Path socket) {
            try (FileChannel ch = FileChannel.open(Daemon.lockFile(socket), StandardOpenOption.WRITE);
                    FileLock lock = ch.tryLock()) {
                if (lock == null || ask(socket, DaemonProtocol.STATUS).isPresent()) {
                    return false;
                }
                Files.deleteIfExists(Daemon.pidFile(socket));
                return Files.deleteIfExists(socket);
            } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
                return false; // no lock file (not a daemon's) or cannot lock it: leave it
            }
        }

        private static Optional<Long> pid(Path socket) {
            try {
                return Optional.of(Long.parseLong(Files.readString(Daemon.pidFile(socket)).strip()));
            } catch (IOException | NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Runs a daemon in the foreground on SOCKET (what bpfh-client starts; not needed by hand).")
    static final class Run implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        DaemonCommand daemon;

        @Option(names = "--socket", required = true, paramLabel = "SOCKET", description = "The socket path; its directory must be 0700 and yours.")
        Path socket;

        @Option(names = "--watch", paramLabel = "FILE", description = "The jar: when it changes, the daemon answers 'stale' and exits.")
        Path watch;

        @Option(names = "--sources", paramLabel = "ROOT", description = {
                "The source tree the jar is built from (the launcher's root): while a pom or a file under a module's",
                "src/ is newer than the jar, calls are handed back to the launcher, which rebuilds it. Needs --watch."})
        Path sources;

        @Option(names = "--idle-seconds", paramLabel = "N", description = "Exit after N seconds without a request (default: "
                + Daemon.IDLE_ENV + ", else 10800 = 3 hours).")
        Long idleSeconds;

        @Override
        public Integer call() throws Exception {
            long idle = idleSeconds != null ? idleSeconds : fromEnv();
            if (idle <= 0) {
                throw UserError.usage("--idle-seconds must be positive");
            }
            if (sources != null && watch == null) {
                throw UserError.usage("--sources needs --watch (the jar the sources are compared with)");
            }
            return new Daemon(socket, watch, sources, Duration.ofSeconds(idle), daemon.main.err, daemon.main.env).run();
        }

        private long fromEnv() {
            String v = daemon.main.env.get(Daemon.IDLE_ENV);
            if (v == null || v.isBlank()) {
                return Daemon.DEFAULT_IDLE.toSeconds();
            }
            try {
                return Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                throw UserError.usage(Daemon.IDLE_ENV + "=" + v + " is not a number of seconds");
            }
        }
    }
}
