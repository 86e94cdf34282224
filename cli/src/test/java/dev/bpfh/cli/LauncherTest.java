package dev.bpfh.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./bpfh} launcher, run by /bin/sh on a copy of the script in a scratch "repository"
 * with fake {@code java} and {@code mvn} scripts that print what they were given, so neither a real
 * JDK search nor a Maven build happens.
 */
@DisabledOnOs(OS.WINDOWS)
class LauncherTest {

    @TempDir
    Path root;

    Path script;
    Path bin;

    @BeforeEach
    void copyTheLauncher() throws IOException {
        Path original = Path.of(System.getProperty("user.dir")).getParent().resolve("bpfh");
        script = root.resolve("bpfh");
        Files.copy(original, script);
        executable(script);
        bin = Files.createDirectory(root.resolve("bin"));
        // mvn stand-in: prints its JAVA_HOME, working directory and arguments, also into mvn.log;
        // fails with exit 5 when FAKE_MVN_FAIL is set.
        executable(Files.writeString(bin.resolve("mvn"), """
                #!/bin/sh
                echo "mvn JAVA_HOME=$JAVA_HOME PWD=$(pwd -P) ARGS=$*" | tee -a "%s"
                [ -z "${FAKE_MVN_FAIL:-}" ] || { echo "[ERROR] compilation failed"; exit 5; }
                """.formatted(root.resolve("mvn.log"))));
    }

    /** A fake JDK home whose java prints the given version banner, and otherwise its arguments. */
    Path fakeJdk(String name, String version) throws IOException {
        Path home = root.resolve("jdks").resolve(name);
        Files.createDirectories(home.resolve("bin"));
        executable(Files.writeString(home.resolve("bin/java"), """
                #!/bin/sh
                if [ "$1" = "-version" ]; then
                    echo 'openjdk version "%s" 2026-01-20' >&2
                    exit 0
                fi
                echo "java $*"
                """.formatted(version)));
        return home;
    }

    record Result(int exit, String out, String err) {}

    Result launch(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add("/bin/sh");
        pb.command().add(script.toString());
        pb.command().addAll(List.of(args));
        pb.environment().clear();
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        pb.environment().put("HOME", root.toString());
        pb.environment().put("BPFH_AOT", "off"); // the AOT cache has its own tests below
        pb.environment().putAll(env);
        pb.directory(Files.createDirectories(root.resolve("elsewhere")).toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "launcher timed out");
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void withoutAnyJdkItPrintsOneLineSayingWhatToInstallAndExitsTwo() throws Exception {
        Result r = launch(Map.of("BPFH_JDK_SEARCH_PATH", root.resolve("nothing-here").toString()), "--version");
        assertEquals(new Result(2, "",
                "bpfh: needs JDK 25 or newer (found none); install Temurin 25 or set JAVA_HOME\n"), r);
    }

    @Test
    void anOldJavaHomeIsNamedWithItsVersion() throws Exception {
        Path jdk17 = fakeJdk("jdk-17", "17.0.15");
        Result r = launch(Map.of("JAVA_HOME", jdk17.toString(), "BPFH_JDK_SEARCH_PATH", ""), "--version");
        assertEquals(2, r.exit());
        assertEquals("bpfh: needs JDK 25 or newer (found only: 17.0.15 at " + jdk17.toRealPath()
                + "); install Temurin 25 or set JAVA_HOME\n", r.err());
    }

    @Test
    void eachOldJdkIsNamedOnceByItsRealPath() throws Exception {
        Path jdk17 = fakeJdk("jdk-17", "17.0.15");
        Path jdk21 = fakeJdk("jdk-21", "21.0.7");
        Files.createSymbolicLink(root.resolve("jdks/alias-17"), jdk17);
        Result r = launch(Map.of("BPFH_JDK_SEARCH_PATH", root.resolve("jdks") + "/*"), "--version");
        assertEquals(new Result(2, "", "bpfh: needs JDK 25 or newer (found only: 17.0.15 at " + jdk17.toRealPath()
                + ", 21.0.7 at " + jdk21.toRealPath() + "); install Temurin 25 or set JAVA_HOME\n"), r);
    }

    @Test
    void anOldJavaHomeIsPassedOverForAJdk25OnTheSearchPath() throws Exception {
        Path jdk17 = fakeJdk("jdk-17", "17.0.15");
        Path jdk25 = fakeJdk("temurin-25", "25.0.3");
        jar();
        Result r = launch(Map.of("JAVA_HOME", jdk17.toString(),
                "BPFH_JDK_SEARCH_PATH", root.resolve("jdks") + "/*"), "--version", "a b");
        assertEquals(0, r.exit(), r.err());
        assertEquals("java --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -jar "
                + root.toRealPath().resolve("cli/target/bpfh.jar") + " --version a b\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void theExitCodeOfTheCommandPassesThrough() throws Exception {
        Path jdk25 = fakeJdk("temurin-25", "25.0.3");
        executable(Files.writeString(jdk25.resolve("bin/java"), "#!/bin/sh\n[ \"$1\" = -version ] && { echo 'openjdk version \"25\"' >&2; exit 0; }\nexit 7\n"));
        jar();
        assertEquals(7, launch(Map.of("JAVA_HOME", jdk25.toString()), "conformance").exit());
    }

    @Test
    void testRunsMavenVerifyInTheRepositoryUnderTheJdk() throws Exception {
        Path jdk25 = fakeJdk("temurin-25", "25.0.3");
        Result r = launch(Map.of("JAVA_HOME", jdk25.toString()), "test", "-o");
        assertEquals(0, r.exit(), r.err());
        assertEquals("mvn JAVA_HOME=" + jdk25.toRealPath() + " PWD=" + root.toRealPath() + " ARGS=-B verify -o\n", r.out());
    }

    @Test
    void aSourceNewerThanTheJarTriggersABuildFirst() throws Exception {
        Path jdk25 = fakeJdk("temurin-25", "25.0.3");
        Path jar = jar();
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600)));
        Path source = root.resolve("harness/src/main/java/X.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class X {}");
        Result r = launch(Map.of("JAVA_HOME", jdk25.toString()), "backends");
        assertEquals(0, r.exit(), r.err());
        assertEquals("bpfh: building cli/target/bpfh.jar (mvn -q -DskipTests package)...\n", r.err());
        assertEquals("mvn JAVA_HOME=" + jdk25.toRealPath() + " PWD=" + root.toRealPath()
                + " ARGS=-q -B -DskipTests -pl cli -am package\n", Files.readString(root.resolve("mvn.log")));
        assertTrue(r.out().startsWith("java "), r.out());
    }

    @Test
    void aFailedBuildShowsMavensOutputAndItsExitCode() throws Exception {
        Path jdk25 = fakeJdk("temurin-25", "25.0.3");
        Result r = launch(Map.of("JAVA_HOME", jdk25.toString(), "FAKE_MVN_FAIL", "1"), "backends");
        assertEquals(5, r.exit());
        assertEquals("", r.out());
        assertTrue(r.err().contains("[ERROR] compilation failed\n"), r.err());
        assertTrue(r.err().endsWith("bpfh: build failed (mvn exit 5); the Maven output is above\n"), r.err());
    }

    @Test
    void anUpToDateJarIsRunWithoutBuilding() throws Exception {
        Path jdk25 = fakeJdk("temurin-25", "25.0.3");
        Path source = root.resolve("harness/src/main/java/X.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class X {}");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(3600)));
        jar();
        Result r = launch(Map.of("JAVA_HOME", jdk25.toString()), "backends");
        assertEquals(new Result(0, "java --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -jar "
                + root.toRealPath().resolve("cli/target/bpfh.jar") + " backends\n", ""), r);
    }

    @Test
    void theJdkVersionIsReadFromItsReleaseFileWithoutStartingJava() throws Exception {
        Path jdk25 = fakeJdk("temurin-25", "17.0.1"); // its java -version would say 17
        Files.writeString(jdk25.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"25.0.3\"\n");
        executable(Files.writeString(jdk25.resolve("bin/java"), """
                #!/bin/sh
                [ "$1" = -version ] && { echo started >>"%s"; exit 1; }
                echo "java $*"
                """.formatted(root.resolve("version.log"))));
        jar();
        Result r = launch(Map.of("JAVA_HOME", jdk25.toString()), "--version");
        assertEquals(0, r.exit(), r.err());
        assertFalse(Files.exists(root.resolve("version.log")), "java -version was run");
    }

    @Test
    void aPomNewerThanTheJarTriggersABuildButOtherFilesDoNot() throws Exception {
        Path jdk25 = fakeJdk("temurin-25", "25.0.3");
        Path jar = jar();
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600)));
        Files.writeString(root.resolve("README.md"), "newer, but not a source");
        Files.createDirectories(root.resolve("bpfh-out/x/src"));
        Files.writeString(root.resolve("bpfh-out/x/src/Y.java"), "output, not a source");
        assertEquals("", launch(Map.of("JAVA_HOME", jdk25.toString()), "backends").err());
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        assertTrue(launch(Map.of("JAVA_HOME", jdk25.toString()), "backends").err().startsWith("bpfh: building"));
    }

    /** A fake JDK 25 whose java writes the file named by -XX:AOTCacheOutput (or fails when told to). */
    private Path aotJdk() throws IOException {
        Path jdk25 = fakeJdk("temurin-25", "25.0.3");
        Files.writeString(jdk25.resolve("release"), "JAVA_VERSION=\"25.0.3\"\n");
        executable(Files.writeString(jdk25.resolve("bin/java"), """
                #!/bin/sh
                for a in "$@"; do
                    case $a in -XX:AOTCacheOutput=*)
                        echo training >>"%s"
                        [ -n "${FAKE_AOT_FAIL:-}" ] && exit 1
                        echo cache >"${a#-XX:AOTCacheOutput=}" ;;
                    esac
                done
                echo "java $*"
                """.formatted(root.resolve("training.log"))));
        return jdk25;
    }

    @Test
    void theAotCacheIsWrittenOnceAndUsedUntilTheJarChanges() throws Exception {
        Map<String, String> env = Map.of("JAVA_HOME", aotJdk().toString(), "BPFH_AOT", "on");
        Path jar = jar();
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        Path aot = root.toRealPath().resolve("cli/target/bpfh.aot");
        String run = "java -XX:AOTCache=" + aot + " -Xlog:aot=off -Xlog:cds=off --enable-native-access=ALL-UNNAMED"
                + " -Djava.awt.headless=true -jar " + root.toRealPath().resolve("cli/target/bpfh.jar") + " --version\n";

        Result first = launch(env, "--version");
        assertEquals(new Result(0, run,
                "bpfh: writing the JVM's AOT cache cli/target/bpfh.aot (once per build)...\n"), first);
        assertEquals(new Result(0, run, ""), launch(env, "--version"));
        assertEquals(1, Files.readAllLines(root.resolve("training.log")).size());

        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5))); // a rebuilt jar
        assertTrue(launch(env, "--version").err().contains("writing the JVM's AOT cache"));
        assertEquals(2, Files.readAllLines(root.resolve("training.log")).size());
    }

    @Test
    void aFailedTrainingRunsWithoutTheCacheAndIsNotRetriedForTheSameJar() throws Exception {
        Map<String, String> env = Map.of("JAVA_HOME", aotJdk().toString(), "BPFH_AOT", "on", "FAKE_AOT_FAIL", "1");
        Path jar = jar();
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        String plain = "java --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -jar "
                + root.toRealPath().resolve("cli/target/bpfh.jar") + " --version\n";
        Result first = launch(env, "--version");
        assertEquals(plain, first.out());
        assertTrue(first.err().endsWith("bpfh: could not write the AOT cache; running without it\n"), first.err());
        assertEquals(new Result(0, plain, ""), launch(env, "--version"));
        assertEquals(1, Files.readAllLines(root.resolve("training.log")).size());
        assertFalse(Files.exists(root.resolve("cli/target/bpfh.aot")));
    }

    /** A JDK 25 whose java logs each command line to calls.log and prints it; the daemon it "starts" exits at once. */
    private Path loggingJdk() throws IOException {
        Path jdk = fakeJdk("temurin-25", "25.0.3");
        executable(Files.writeString(jdk.resolve("bin/java"), """
                #!/bin/sh
                [ "$1" = -version ] && { echo 'openjdk version "25.0.3"' >&2; exit 0; }
                echo "java $*" >>"%s"
                echo "java $*"
                """.formatted(root.resolve("calls.log"))));
        return jdk;
    }

    /** The daemon client's source in the scratch repository, older than the jar written after it. */
    private void clientSource() throws IOException {
        Path source = Path.of(System.getProperty("user.dir"), "src", "main", "c", "bpfh-client.c");
        Path copy = root.resolve("cli/src/main/c/bpfh-client.c");
        Files.createDirectories(copy.getParent());
        Files.copy(source, copy);
        Files.setLastModifiedTime(copy, FileTime.from(Instant.now().minusSeconds(60)));
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "no C compiler for the daemon client");
    }

    @Test
    void aPluginCallGoesThroughTheDaemonClientWhichHandsItBackWhenNoDaemonComes() throws Exception {
        clientSource();
        Path jdk = loggingJdk();
        jar();
        Path sockets = root.resolve("sockets");
        Result r = launch(Map.of("JAVA_HOME", jdk.toString(), "BPFH_DAEMON_DIR", sockets.toString()),
                "plugin", "--backend", "jit");
        String jarPath = root.toRealPath().resolve("cli/target/bpfh.jar").toString();
        String prefix = "java --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -jar " + jarPath;
        assertEquals(new Result(0, prefix + " plugin --backend jit\n", ""), r);
        List<String> calls = Files.readAllLines(root.resolve("calls.log"));
        assertEquals(2, calls.size(), calls.toString());
        assertTrue(calls.get(0).matches(java.util.regex.Pattern.quote(prefix + " daemon run --watch " + jarPath
                + " --sources " + root.toRealPath() + " --socket " + sockets + "/") + "[0-9a-f]{16}\\.sock"), calls.get(0));
        assertEquals(prefix + " plugin --backend jit", calls.get(1));
        assertTrue(Files.isExecutable(root.resolve("cli/target/bpfh-client")));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sockets)));
    }

    @Test
    void otherCommandsAndBpfhNoDaemonRunTheJvmDirectly() throws Exception {
        clientSource();
        Path jdk = loggingJdk();
        jar();
        String prefix = "java --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -jar "
                + root.toRealPath().resolve("cli/target/bpfh.jar");
        Map<String, String> env = Map.of("JAVA_HOME", jdk.toString(), "BPFH_DAEMON_DIR", root.resolve("s").toString());
        assertEquals(new Result(0, prefix + " conformance\n", ""), launch(env, "conformance"));
        assertEquals(new Result(0, prefix + " --version x\n", ""), launch(env, "--version", "x"));
        Map<String, String> off = new java.util.HashMap<>(env);
        off.put("BPFH_NO_DAEMON", "1");
        assertEquals(new Result(0, prefix + " plugin\n", ""), launch(off, "plugin"));
        assertEquals(List.of(prefix + " conformance", prefix + " --version x", prefix + " plugin"),
                Files.readAllLines(root.resolve("calls.log")));
        assertFalse(Files.exists(root.resolve("cli/target/bpfh-client")));
    }

    @Test
    void withoutACompilerTheDaemonIsSkippedAndTheCompileIsNotRetried() throws Exception {
        clientSource();
        Path jdk = loggingJdk();
        jar();
        String direct = "java --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -jar "
                + root.toRealPath().resolve("cli/target/bpfh.jar") + " plugin\n";
        Map<String, String> env = Map.of("JAVA_HOME", jdk.toString(), "CC", "false");
        Result first = launch(env, "plugin");
        assertEquals(direct, first.out());
        assertEquals("bpfh: cannot compile the daemon client (false " + root.toRealPath().resolve("cli/src/main/c/bpfh-client.c")
                + "); running without the daemon\n", first.err());
        assertEquals(new Result(0, direct, ""), launch(env, "plugin"));
    }

    @Test
    void theSourceCheckRunsBeforeEveryDirectCommandButIsLeftToTheDaemonOnTheWayToIt() throws Exception {
        Path jdk = fakeJdk("temurin-25", "25.0.3");
        executable(Files.writeString(jdk.resolve("bin/java"), """
                #!/bin/sh
                [ "$1" = -version ] && { echo 'openjdk version "25.0.3"' >&2; exit 0; }
                echo "java BPFH_DAEMON_FALLBACK=${BPFH_DAEMON_FALLBACK-unset} $*"
                """));
        // find, counted: the launcher's staleness check is its only use of it.
        executable(Files.writeString(bin.resolve("find"), """
                #!/bin/sh
                echo find >>"%s"
                exec /usr/bin/find "$@"
                """.formatted(root.resolve("find.log"))));
        // The daemon client, standing in: prints what it was given (its source older than it, so not compiled).
        Path clientSource = root.resolve("cli/src/main/c/bpfh-client.c");
        Files.createDirectories(clientSource.getParent());
        Files.writeString(clientSource, "/* not compiled here */\n");
        Files.setLastModifiedTime(clientSource, FileTime.from(Instant.now().minusSeconds(7200)));
        Path jar = jar();
        executable(Files.writeString(root.resolve("cli/target/bpfh-client"), "#!/bin/sh\necho \"client $*\"\n"));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600)));
        Path source = root.resolve("harness/src/main/java/X.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class X {}"); // newer than the jar
        Map<String, String> env = Map.of("JAVA_HOME", jdk.toString());
        String real = root.toRealPath().toString();
        String java = jdk.toRealPath().resolve("bin/java") + " --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -jar "
                + real + "/cli/target/bpfh.jar";

        Result viaDaemon = launch(env, "plugin", "--backend", "jit");
        assertEquals(new Result(0, "client " + java + " daemon run --watch " + real + "/cli/target/bpfh.jar --sources " + real
                + " ::bpfh:: /bin/sh " + real + "/bpfh ::bpfh:: plugin --backend jit\n", ""), viaDaemon);
        assertFalse(Files.exists(root.resolve("find.log")), "find ran on the way to the daemon");
        assertFalse(Files.exists(root.resolve("mvn.log")), "built on the way to the daemon");

        Map<String, String> handedBack = new java.util.HashMap<>(env);
        handedBack.put("BPFH_DAEMON_FALLBACK", "1");
        Result back = launch(handedBack, "plugin", "--backend", "jit");
        assertEquals(new Result(0, "java BPFH_DAEMON_FALLBACK=unset --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -jar " + real
                + "/cli/target/bpfh.jar plugin --backend jit\n",
                "bpfh: building cli/target/bpfh.jar (mvn -q -DskipTests package)...\n"), back);
        assertEquals(List.of("mvn JAVA_HOME=" + jdk.toRealPath() + " PWD=" + real + " ARGS=-q -B -DskipTests -pl cli -am package"),
                Files.readAllLines(root.resolve("mvn.log")));
        assertEquals(1, Files.readAllLines(root.resolve("find.log")).size());

        launch(env, "backends");
        launch(Map.of("JAVA_HOME", jdk.toString(), "BPFH_NO_DAEMON", "1"), "plugin");
        assertEquals(3, Files.readAllLines(root.resolve("find.log")).size());
        assertEquals(3, Files.readAllLines(root.resolve("mvn.log")).size());
    }

    private Path jar() throws IOException {
        Path jar = root.resolve("cli/target/bpfh.jar");
        Files.createDirectories(jar.getParent());
        return Files.writeString(jar, "not really a jar");
    }

    private static Path executable(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }
}
