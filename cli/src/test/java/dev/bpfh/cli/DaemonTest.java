package dev.bpfh.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon end to end: bpfh-client.c compiled here with the machine's C compiler, daemons
 * started by it as real processes of this JVM's class path, each test's sockets in a private
 * directory of its own (BPFH_DAEMON_DIR). Every daemon a test started is stopped in {@link #stopAll}.
 * The oracle for output is the direct path: the same command line with BPFH_NO_DAEMON=1, where
 * the client execs the plain JVM command; the expected r0 values are worked out by hand.
 */
@DisabledOnOs(OS.WINDOWS)
class DaemonTest {

    static final String RET_42 = "b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00\n";
    /** r0 = sum of the input bytes (r1 = memory, r2 = length). */
    static final String BYTE_SUM = "b7 00 00 00 00 00 00 00 15 02 05 00 00 00 00 00 71 13 00 00 00 00 00 00"
            + " 0f 30 00 00 00 00 00 00 07 01 00 00 01 00 00 00 17 02 00 00 01 00 00 00 05 00 fa ff 00 00 00 00"
            + " 95 00 00 00 00 00 00 00\n";
    /** ldxdw r0, [r1]: out of bounds without input memory. */
    static final String LOAD_NO_MEMORY = "79 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00\n";
    /** Opcode 0 is no instruction. */
    static final String OPCODE_ZERO = "00 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00\n";

    @TempDir
    static Path scratch;

    static Path client;
    static List<String> java;
    /** Touched to make running daemons stale, as a rebuild of the jar does. */
    static Path jar;
    static final List<Path> dirs = new ArrayList<>();

    @BeforeAll
    static void compileTheClient() throws Exception {
        Path source = Path.of(System.getProperty("user.dir"), "src", "main", "c", "bpfh-client.c");
        client = scratch.resolve("bpfh-client");
        Process cc;
        try {
            cc = new ProcessBuilder("cc", "-O2", "-o", client.toString(), source.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("no C compiler (cc) to build bpfh-client: " + e.getMessage());
            return;
        }
        String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, cc.waitFor(), "cc failed: " + log);
        Path argFile = scratch.resolve("classpath.args");
        String cp = System.getProperty("java.class.path").replace("\\", "\\\\").replace("\"", "\\\"");
        Files.writeString(argFile, "-cp \"" + cp + "\"\n");
        java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "@" + argFile, Main.class.getName());
        jar = Files.writeString(scratch.resolve("bpfh.jar"), "stands for the jar\n");
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (Path dir : dirs) {
            CliRun.withEnv("", Map.of(DaemonDir.DIR_ENV, dir.toString()), Path.of(""), "daemon", "stop");
            // Belt and braces: anything still listed in a pid file is killed.
            for (Path pidFile : list(dir, ".pid")) {
                pid(pidFile).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    record Ran(int exit, String stdout, String stderr) {}

    /** A fresh private socket directory path (the client creates it with mode 0700). */
    static Path newDir(String name) {
        Path dir = scratch.resolve("sockets-" + name);
        dirs.add(dir);
        return dir;
    }

    /** bpfh-client DAEMON ::bpfh:: DIRECT ::bpfh:: ARGS with the given stdin and extra environment. */
    static Ran run(Path dir, Map<String, String> env, String stdin, String... args) throws Exception {
        return runClient(dir, List.of("--watch", jar.toString()), java, env, stdin, args);
    }

    /** bpfh-client with the daemon's options (after {@code daemon run}) and the fallback command given. */
    static Ran runClient(Path dir, List<String> daemonOptions, List<String> fallback, Map<String, String> env, String stdin,
            String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(client.toString());
        command.addAll(java);
        command.addAll(List.of("daemon", "run"));
        command.addAll(daemonOptions);
        command.add("::bpfh::");
        command.addAll(fallback);
        command.add("::bpfh::");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("BPFH_"));
        pb.environment().put(DaemonDir.DIR_ENV, dir.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.US_ASCII));
            }
        }
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bpfh-client did not finish within 90 s: " + String.join(" ", args));
        }
        return new Ran(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8), new String(err.get(), StandardCharsets.UTF_8));
    }

    static Ran viaDaemon(Path dir, String stdin, String... args) throws Exception {
        return run(dir, Map.of(), stdin, args);
    }

    static Ran direct(Path dir, String stdin, String... args) throws Exception {
        return run(dir, Map.of("BPFH_NO_DAEMON", "1"), stdin, args);
    }

    static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> list(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    static Optional<Long> pid(Path pidFile) {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The pid of the one daemon serving in {@code dir}. */
    static long daemonPid(Path dir) throws IOException {
        List<Path> pids = list(dir, ".sock.pid");
        assertEquals(1, pids.size(), "daemons in " + dir + ": " + pids);
        return pid(pids.get(0)).orElseThrow();
    }

    static String status(Path dir) {
        CliRun r = CliRun.withEnv("", Map.of(DaemonDir.DIR_ENV, dir.toString()), Path.of(""), "daemon", "status");
        assertEquals(0, r.exit(), r.err());
        return r.out();
    }

    static void awaitExit(long pid) throws Exception {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isPresent()) {
            p.get().onExit().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void outputAndExitCodesAreTheDirectPathsByteForByte() throws Exception {
        Path dir = newDir("same");
        record Case(String stdin, List<String> args) {}
        List<Case> cases = List.of(
                new Case(RET_42, List.of("plugin", "--backend", "jit")),
                new Case(BYTE_SUM, List.of("plugin", "--backend", "jit", "01 02 03")),
                new Case(BYTE_SUM, List.of("01 02 03 f0", "plugin", "--backend", "interp")),
                new Case(BYTE_SUM, List.of("plugin", "--backend", "jit", "--debug", "ff ff")),
                new Case(LOAD_NO_MEMORY, List.of("plugin", "--backend", "jit")),
                new Case(OPCODE_ZERO, List.of("plugin", "--backend", "interp")),
                new Case("zz\n", List.of("plugin", "--backend", "jit")),
                new Case(RET_42, List.of("plugin", "--backend", "no-such-engine")),
                new Case("", List.of("--version")));
        for (Case c : cases) {
            String[] args = c.args().toArray(String[]::new);
            Ran daemon = viaDaemon(dir, c.stdin(), args);
            Ran plain = direct(dir, c.stdin(), args);
            assertEquals(plain, daemon, "for " + c.args());
        }
        // Independent expectations for the results the comparison above would let through if both paths agreed wrongly.
        assertEquals(new Ran(0, "2a\n", ""), viaDaemon(dir, RET_42, "plugin", "--backend", "jit"));
        assertEquals(new Ran(0, "6\n", ""), viaDaemon(dir, BYTE_SUM, "plugin", "--backend", "jit", "01 02 03"));
        assertEquals(new Ran(0, "f6\n", ""), viaDaemon(dir, BYTE_SUM, "01 02 03 f0", "plugin", "--backend", "interp"));
        Ran debug = viaDaemon(dir, BYTE_SUM, "plugin", "--backend", "jit", "--debug", "ff ff");
        assertEquals("1fe\n", debug.stdout());
        assertTrue(debug.stderr().contains("2 bytes of memory"), debug.stderr());
        Ran trap = viaDaemon(dir, LOAD_NO_MEMORY, "plugin", "--backend", "jit");
        assertEquals(1, trap.exit());
        assertTrue(trap.stdout().startsWith("trap "), trap.stdout());
        Ran rejected = viaDaemon(dir, OPCODE_ZERO, "plugin", "--backend", "interp");
        assertEquals(1, rejected.exit());
        assertTrue(rejected.stdout().startsWith("rejected: "), rejected.stdout());
        Ran badHex = viaDaemon(dir, "zz\n", "plugin");
        assertEquals(2, badHex.exit());
        assertTrue(badHex.stdout().startsWith("error: "), badHex.stdout());
        assertTrue(viaDaemon(dir, "", "--version").stdout().startsWith("bpfh "));
        // And the daemon, not a JVM per call, answered them: one daemon, its count of requests.
        daemonPid(dir);
        assertTrue(status(dir).contains((cases.size() + 8) + " requests served"), status(dir));
    }

    @Test
    void stdinIsReadOnlyWhenTheCommandReadsIt() throws Exception {
        Path dir = newDir("stdin");
        // stdin stays open: the client must not wait for it when --program carries the program.
        List<String> command = new ArrayList<>(List.of(client.toString()));
        command.addAll(java);
        command.addAll(List.of("daemon", "run", "--watch", jar.toString(), "::bpfh::"));
        command.addAll(java);
        command.addAll(List.of("::bpfh::", "plugin", "--backend", "jit", "--program", RET_42.strip()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put(DaemonDir.DIR_ENV, dir.toString());
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the client waited for stdin");
            assertEquals("2a\n", new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            assertEquals(0, p.exitValue());
        } finally {
            p.getOutputStream().close();
            p.destroyForcibly();
        }
    }

    @Test
    void concurrentClientsEachGetTheirOwnResult() throws Exception {
        Path dir = newDir("concurrent");
        assertEquals(new Ran(0, "2a\n", ""), viaDaemon(dir, RET_42, "plugin", "--backend", "jit"));
        List<CompletableFuture<Ran>> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String memory = "%02x %02x".formatted(i, 2 * i);
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return viaDaemon(dir, BYTE_SUM, "plugin", "--backend", "jit", memory);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (int i = 0; i < 8; i++) {
            assertEquals(new Ran(0, Integer.toHexString(3 * i) + "\n", ""), runs.get(i).get(120, TimeUnit.SECONDS));
        }
        assertTrue(status(dir).contains("9 requests served"), status(dir));
    }

    @Test
    void aStaleDaemonIsReplacedWhenTheJarChanges() throws Exception {
        Path dir = newDir("stale");
        assertEquals(new Ran(0, "2a\n", ""), viaDaemon(dir, RET_42, "plugin", "--backend", "jit"));
        long old = daemonPid(dir);
        try {
            Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
            assertTrue(status(dir).contains("(changed: stale)"), status(dir));
            assertEquals(new Ran(0, "6\n", ""), viaDaemon(dir, BYTE_SUM, "plugin", "--backend", "jit", "01 02 03"));
            awaitExit(old);
            assertNotEquals(old, daemonPid(dir));
            assertTrue(status(dir).contains("1 requests served"), status(dir));
        } finally {
            Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
        }
    }

    /** Starts a daemon in {@code dir} with one call, kills it with SIGKILL (a crash) and returns its pid. */
    static long startAndKill(Path dir) throws Exception {
        assertEquals(new Ran(0, "2a\n", ""), viaDaemon(dir, RET_42, "plugin", "--backend", "jit"));
        long pid = daemonPid(dir);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        awaitExit(pid);
        return pid;
    }

    @Test
    void aKilledDaemonIsReplaced() throws Exception {
        Path dir = newDir("killed");
        long old = startAndKill(dir);
        assertTrue(status(dir).contains("not running"), status(dir)); // its socket file is left behind
        assertEquals(new Ran(0, "2a\n", ""), viaDaemon(dir, RET_42, "plugin", "--backend", "jit"));
        assertNotEquals(old, daemonPid(dir));
    }

    @Test
    void stopRemovesACrashedDaemonsSocket() throws Exception {
        Path dir = newDir("crashed");
        long old = startAndKill(dir);
        assertEquals(1, list(dir, ".sock").size());
        CliRun stop = CliRun.withEnv("", Map.of(DaemonDir.DIR_ENV, dir.toString()), Path.of(""), "daemon", "stop");
        assertEquals(0, stop.exit(), stop.err());
        assertTrue(stop.out().contains("(a crashed daemon's socket)"), stop.out());
        assertEquals(List.of(), list(dir, ".sock"));
        assertEquals(List.of(), list(dir, ".pid"));
        assertTrue(status(dir).startsWith("no daemon running"), status(dir));
        // and the next call starts a daemon as usual
        assertEquals(new Ran(0, "2a\n", ""), viaDaemon(dir, RET_42, "plugin", "--backend", "jit"));
        assertNotEquals(old, daemonPid(dir));
    }

    @Test
    void aDaemonThatDoesNotAnswerIsKilledAndReplaced() throws Exception {
        Path dir = newDir("wedged");
        assertEquals(new Ran(0, "2a\n", ""), viaDaemon(dir, RET_42, "plugin", "--backend", "jit"));
        long old = daemonPid(dir);
        new ProcessBuilder("kill", "-STOP", Long.toString(old)).start().waitFor();
        Ran r = run(dir, Map.of("BPFH_DAEMON_ANSWER_MS", "1000"), RET_42, "plugin", "--backend", "jit");
        assertEquals(0, r.exit());
        assertEquals("2a\n", r.stdout());
        assertTrue(r.stderr().contains("did not answer; replacing it"), r.stderr());
        awaitExit(old);
        assertNotEquals(old, daemonPid(dir));
    }

    @Test
    void aSocketDirectoryOpenToOthersIsRefused() throws Exception {
        Path dir = newDir("open");
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Ran r = viaDaemon(dir, RET_42, "plugin", "--backend", "jit");
        assertEquals(0, r.exit());
        assertEquals("2a\n", r.stdout()); // served directly
        assertTrue(r.stderr().startsWith("bpfh: not using the daemon: " + dir + " must be a directory owned by uid"),
                r.stderr());
        assertEquals(List.of(), list(dir, ".sock"));
        // The daemon itself refuses it too, and a symlink to a good directory.
        CliRun byHand = CliRun.run("daemon", "run", "--socket", dir.resolve("x.sock").toString());
        assertEquals(Main.EXIT_USAGE, byHand.exit());
        assertTrue(byHand.err().startsWith("bpfh: refusing the daemon directory " + dir), byHand.err());
        Path good = newDir("good");
        Files.createDirectory(good, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path link = Files.createSymbolicLink(newDir("link"), good);
        Ran viaLink = viaDaemon(link, RET_42, "plugin", "--backend", "jit");
        assertEquals("2a\n", viaLink.stdout());
        assertTrue(viaLink.stderr().contains("(it is a symlink"), viaLink.stderr());
        assertEquals(List.of(), list(good, ".sock"));
    }

    @Test
    void noDaemonIsStartedWithBpfhNoDaemon() throws Exception {
        Path dir = newDir("off");
        assertEquals(new Ran(0, "2a\n", ""), direct(dir, RET_42, "plugin", "--backend", "jit"));
        assertFalse(Files.exists(dir), "the socket directory was created");
    }

    @Test
    void commandLinesTheDaemonDoesNotServeRunDirectly() throws Exception {
        Path dir = newDir("refused");
        Ran help = viaDaemon(dir, "", "plugin", "--help");
        assertEquals(direct(dir, "", "plugin", "--help"), help);
        assertTrue(help.stdout().contains("Usage: bpfh plugin"), help.stdout());
        daemonPid(dir); // started, asked, and it said no
        assertTrue(status(dir).contains("0 requests served"), status(dir));
    }

    @Test
    void stopEndsTheDaemonAndAnIdleOneEndsByItself() throws Exception {
        Path dir = newDir("stop");
        assertEquals(new Ran(0, "2a\n", ""), viaDaemon(dir, RET_42, "plugin", "--backend", "jit"));
        long pid = daemonPid(dir);
        CliRun stop = CliRun.withEnv("", Map.of(DaemonDir.DIR_ENV, dir.toString()), Path.of(""), "daemon", "stop");
        assertEquals(0, stop.exit(), stop.err());
        assertTrue(stop.out().contains("(pid " + pid + ")"), stop.out());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertEquals(List.of(), list(dir, ".sock"));
        assertTrue(status(dir).startsWith("no daemon running"), status(dir));

        Path idle = newDir("idle");
        Map<String, String> env = new HashMap<>(Map.of(Daemon.IDLE_ENV, "1"));
        assertEquals(new Ran(0, "2a\n", ""), run(idle, env, RET_42, "plugin", "--backend", "jit"));
        awaitExit(daemonPid(idle));
        assertEquals(List.of(), list(idle, ".sock"));
    }

    @Test
    void whileASourceIsNewerThanTheJarCallsGoBackToTheLauncher() throws Exception {
        Path dir = newDir("sources");
        Path tree = scratch.resolve("tree");
        Path source = tree.resolve("m/src/main/java/A.java");
        Files.createDirectories(source.getParent());
        Files.writeString(tree.resolve("pom.xml"), "<project/>");
        Files.writeString(source, "class A {}");
        Path ownJar = Files.writeString(scratch.resolve("sources.jar"), "stands for the jar\n");
        Instant built = Instant.now().minusSeconds(60);
        Files.setLastModifiedTime(ownJar, FileTime.from(built));
        Files.setLastModifiedTime(tree.resolve("pom.xml"), FileTime.from(built.minusSeconds(60)));
        Files.setLastModifiedTime(source, FileTime.from(built.minusSeconds(60)));
        // Stands for the launcher: says how it was called and passes stdin through, so a test can see it arrived whole.
        Path launcher = Files.writeString(scratch.resolve("launcher.sh"),
                "echo \"launcher BPFH_DAEMON_FALLBACK=${BPFH_DAEMON_FALLBACK-unset} $*\"\ncat\n");
        List<String> options = List.of("--watch", ownJar.toString(), "--sources", tree.toString());
        List<String> fallback = List.of("/bin/sh", launcher.toString());
        Ran served = new Ran(0, "2a\n", "");
        Ran handedBack = new Ran(0, "launcher BPFH_DAEMON_FALLBACK=1 plugin --backend jit\n" + RET_42, "");

        assertEquals(served, runClient(dir, options, fallback, Map.of(), RET_42, "plugin", "--backend", "jit"));
        long pid = daemonPid(dir);
        if (Inotify.unavailableReason() == null) {
            assertTrue(status(dir).contains(", sources watched with inotify (5 directories)"), status(dir));
        }

        Files.writeString(source, "class A { int edited; }");
        assertEquals(handedBack, runClient(dir, options, fallback, Map.of(), RET_42, "plugin", "--backend", "jit"));
        assertEquals(pid, daemonPid(dir)); // the daemon answered, and stays
        Files.setLastModifiedTime(source, FileTime.from(built.minusSeconds(1)));
        assertEquals(served, runClient(dir, options, fallback, Map.of(), RET_42, "plugin", "--backend", "jit"),
                "a source set back to before the jar counts no more, as for find");

        Files.writeString(source, "class A { int again; }");
        assertEquals(handedBack, runClient(dir, options, fallback, Map.of(), RET_42, "plugin", "--backend", "jit"));
        // The launcher's rebuild: the jar is now newer than every source; the old daemon is stale, a new one serves.
        Files.setLastModifiedTime(ownJar, FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(served, runClient(dir, options, fallback, Map.of(), RET_42, "plugin", "--backend", "jit"));
        awaitExit(pid);
        assertNotEquals(pid, daemonPid(dir));
        assertTrue(status(dir).contains("1 requests served"), status(dir));
        List<Path> logs = list(dir, ".log");
        assertEquals(1, logs.size(), logs.toString());
        assertTrue(Files.readString(logs.get(0)).contains(source + " is newer than the jar"), Files.readString(logs.get(0)));
    }
}
