package dev.bpfh.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SourceWatch} against the launcher's own rule: after every change to a scratch source
 * tree, its answer must be what GNU find says with the launcher's expression (the oracle, run as a
 * process), and what the change was built to produce (written down by hand for each step), with
 * inotify and in the scanning fallback alike.
 */
@EnabledOnOs(OS.LINUX)
class SourceWatchTest {

    /** The launcher's check, word for word (bpfh, "Sources newer than the jar"). */
    static final String LAUNCHER_FIND = """
            newer=$(find "$ROOT"/pom.xml "$ROOT"/*/pom.xml "$ROOT"/*/src \\
                \\( -name target -o -name .git -o -name bpfh-out \\) -prune -o \\
                -type f -newer "$JAR" -print -quit 2>/dev/null)
            [ -n "$newer" ]
            """;

    @TempDir
    Path scratch;

    Path root;
    Path jar;
    /** Before the jar: what every file of a freshly built tree has. */
    FileTime old;

    @BeforeEach
    void tree() throws IOException {
        root = Files.createDirectory(scratch.resolve("repo"));
        jar = Files.writeString(scratch.resolve("bpfh.jar"), "jar");
        Instant jarTime = Instant.now().minusSeconds(3600);
        Files.setLastModifiedTime(jar, FileTime.from(jarTime));
        old = FileTime.from(jarTime.minusSeconds(3600));
        for (String f : new String[] {"pom.xml", "m/pom.xml", "m/src/main/java/A.java", "m/src/test/B.java",
                "n/pom.xml", "n/src/main/resources/data.txt", "README.md"}) {
            write(f);
            Files.setLastModifiedTime(root.resolve(f), old);
        }
    }

    Path write(String relative) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, "written at " + System.nanoTime() + "\n");
    }

    void makeOld(String relative) throws IOException {
        Files.setLastModifiedTime(root.resolve(relative), old);
    }

    boolean findSaysNewer() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/find")), "no find(1) for the oracle");
        Process p = new ProcessBuilder("/bin/sh", "-c", "ROOT=$1; JAR=$2\n" + LAUNCHER_FIND, "sh", root.toString(), jar.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue() == 0;
    }

    /** The watch, find and the hand-written expectation agree. */
    void expect(SourceWatch watch, boolean newer, String step) throws Exception {
        assertEquals(newer, findSaysNewer(), "find, after: " + step);
        assertEquals(newer, watch.newerThanJar().isPresent(), "SourceWatch (" + watch.mode() + "), after: " + step);
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> all = Files.walk(p)) {
            for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    @ParameterizedTest(name = "inotify {0}")
    @ValueSource(booleans = {true, false})
    void answersWhatTheLaunchersFindAnswers(boolean inotify) throws Exception {
        try (SourceWatch watch = SourceWatch.start(root, Files.getLastModifiedTime(jar), inotify)) {
            assertEquals(inotify, watch.mode().startsWith("watched with inotify"), watch.mode());
            expect(watch, false, "nothing changed since the build");

            write("m/src/main/java/A.java");
            expect(watch, true, "a source edited");
            makeOld("m/src/main/java/A.java");
            expect(watch, false, "its time set back before the jar");

            write("m/target/classes/A.class");
            write("m/src/main/target/T.java");
            write("m/src/.git/HEAD");
            write("bpfh-out/x/src/Y.java");
            write("m/docs/notes.md");
            write("README.md");
            write(".hidden/pom.xml");
            write(".hidden/src/H.java");
            write("m/pom.xml.orig/src/x");
            expect(watch, false, "files outside the sources written (build output, docs, pruned and hidden directories)");

            write("pom.xml");
            expect(watch, true, "the root pom edited");
            makeOld("pom.xml");
            write("n/pom.xml");
            expect(watch, true, "a module's pom edited");
            makeOld("n/pom.xml");
            expect(watch, false, "both set back");

            write("o/src/a/b/C.java");
            expect(watch, true, "a new module with a source");
            deleteTree(root.resolve("o"));
            expect(watch, false, "that module deleted");

            write("m/src/d/E.java");
            expect(watch, true, "a new directory with a source");
            Files.move(root.resolve("m/src/d"), root.resolve("m/src/d2"));
            expect(watch, true, "that directory renamed");
            makeOld("m/src/d2/E.java");
            expect(watch, false, "its source set back");
            write("m/src/d2/E.java");
            expect(watch, true, "the source edited under the directory's new name");
            makeOld("m/src/d2/E.java");
            Files.move(root.resolve("m/src/d2"), root.resolve("n/src/d3"));
            write("n/src/d3/E.java");
            expect(watch, true, "edited again after a move to another module");
            makeOld("n/src/d3/E.java");

            Path outside = Files.createDirectories(scratch.resolve("outside/pkg"));
            Files.writeString(outside.resolve("F.java"), "new");
            Files.createSymbolicLink(root.resolve("m/src/linked"), outside);
            Files.createSymbolicLink(root.resolve("m/src/main/java/L.java"), outside.resolve("F.java"));
            expect(watch, false, "symlinks to a new directory and a new file (find does not follow them)");
            Files.move(outside, root.resolve("m/src/main/java/pkg"));
            expect(watch, true, "a directory holding a new file moved in");
            deleteTree(root.resolve("m/src/main/java/pkg"));
            expect(watch, false, "deleted again");

            Path src = root.resolve("n/src");
            Files.move(src, scratch.resolve("n-src-away"));
            Files.createDirectories(root.resolve("n/src/main"));
            write("n/src/main/G.java");
            expect(watch, true, "a module's src replaced by a new one");
            deleteTree(root.resolve("n/src"));
            Files.move(scratch.resolve("n-src-away"), src);
            expect(watch, false, "the old src moved back");
            write("n/src/main/resources/data.txt");
            expect(watch, true, "a resource under the moved-back src edited");
            makeOld("n/src/main/resources/data.txt");

            // A module directory that is a symlink: the shell's */pom.xml and */src go through it.
            Path elsewhere = Files.createDirectories(scratch.resolve("elsewhere/src/z"));
            Files.writeString(scratch.resolve("elsewhere/pom.xml"), "<project/>");
            Files.writeString(elsewhere.resolve("Z.java"), "class Z {}");
            Files.setLastModifiedTime(scratch.resolve("elsewhere/pom.xml"), old);
            Files.setLastModifiedTime(elsewhere.resolve("Z.java"), old);
            Files.createSymbolicLink(root.resolve("linked"), scratch.resolve("elsewhere"));
            expect(watch, false, "a symlinked module added, nothing in it newer");
            Files.writeString(scratch.resolve("elsewhere/pom.xml"), "<project><!-- edited --></project>");
            expect(watch, true, "its pom edited");
            Files.setLastModifiedTime(scratch.resolve("elsewhere/pom.xml"), old);
            Files.writeString(elsewhere.resolve("Z.java"), "class Z { int edited; }");
            expect(watch, true, "a source under its src edited");
        }
    }

    @Test
    void aQueueOverflowIsCaughtUpByLookingAtEverything() throws Exception {
        Assumptions.assumeTrue(Inotify.unavailableReason() == null, "no inotify: " + Inotify.unavailableReason());
        int limit;
        // One read: a sysctl file answers only a read at offset 0 (Files.readString reads 1 byte first).
        try (var in = Files.newBufferedReader(Path.of("/proc/sys/fs/inotify/max_queued_events"))) {
            limit = Integer.parseInt(in.readLine().strip());
        }
        Assumptions.assumeTrue(limit <= 100_000, "max_queued_events " + limit + " is too large to overflow here");
        try (SourceWatch watch = SourceWatch.start(root, Files.getLastModifiedTime(jar), true)) {
            expect(watch, false, "nothing changed");
            // One attribute event per call, never merged with the one before (that names the other file).
            Path a = root.resolve("m/src/test/B.java");
            Path b = root.resolve("m/src/main/java/A.java");
            for (int i = 0; i <= limit; i++) {
                Files.setLastModifiedTime(i % 2 == 0 ? a : b, old);
            }
            write("m/src/late/D.java"); // after the overflow: no event of its own reaches the watch
            expect(watch, true, "a source written after the queue overflowed");
            assertEquals(1, watch.overflows());
            makeOld("m/src/late/D.java");
            expect(watch, false, "set back");
        }
    }

    @Test
    void withoutInotifyItSaysSoAndStillAnswers() throws Exception {
        try (SourceWatch watch = SourceWatch.start(root, Files.getLastModifiedTime(jar), false)) {
            assertEquals("scanned on every request (no inotify: not asked to)", watch.mode());
            write("m/src/test/B.java");
            assertEquals(root.resolve("m/src/test/B.java"), watch.newerThanJar().orElseThrow());
        }
    }
}
