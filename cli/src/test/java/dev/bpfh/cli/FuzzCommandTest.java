package dev.bpfh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.fuzz.Summary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** {@code bpfh fuzz}: a campaign, an external VM through {@code plugin:}, shards and their merge, bad usage. */
class FuzzCommandTest {

    @TempDir
    Path dir;

    CliRun fuzz(String... args) {
        return CliRun.withEnv("", Map.of(), dir, args);
    }

    @Test
    void aSafeCampaignOnInterpAndJitFindsNoDisagreementAndWritesItsSummary() throws Exception {
        CliRun r = fuzz("fuzz", "--backends", "interp,jit", "--count", "300", "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("disagreements: 0 programs"), r.out());
        Summary s = Summary.read(dir.resolve("bpfh-out/fuzz/fuzz.json"));
        assertEquals(300, s.programs());
        assertEquals(300, s.acceptance().get("jit").accepted());
        assertTrue(r.err().contains("fuzz: 300 programs"), "no final progress line: " + r.err());
    }

    /** The external VM is {@code bpfh plugin --backend jit} as a separate process, one per run. */
    @Test
    @DisabledOnOs(OS.WINDOWS)
    void aCampaignAgainstAnExternalVmThroughThePluginProtocol() throws Exception {
        String plugin = "plugin:" + launcher() + " plugin --backend jit";
        CliRun r = fuzz("fuzz", "--backends", "interp," + plugin, "--count", "8", "--inputs", "1", "--threads", "2",
                "--out", dir.resolve("plugin").toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        Summary s = Summary.read(dir.resolve("plugin/fuzz.json"));
        assertEquals(8, s.programs());
        assertEquals(8, s.outcomes().get(plugin).getOrDefault("returned", 0L), "the plugin ran: " + s.outcomes());
        assertEquals(0, s.disagreeingPrograms());
    }

    /** An executable running this JVM's class path as {@code bpfh} (as PluginProcessTest's). */
    Path launcher() throws Exception {
        Path argFile = dir.resolve("classpath.args");
        String cp = System.getProperty("java.class.path").replace("\\", "\\\\").replace("\"", "\\\"");
        Files.writeString(argFile, "-cp \"" + cp + "\"\n");
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "@" + argFile, Main.class.getName());
        Path plugin = dir.resolve("bpfh-plugin");
        Files.writeString(plugin, "#!/bin/sh\nexec " + java.stream().map(a -> "'" + a.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" ")) + " \"$@\"\n");
        Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwxr-xr-x"));
        return plugin;
    }

    @Test
    void twoShardsMerge() throws Exception {
        assertEquals(0, fuzz("fuzz", "--backends", "interp,jit", "--count", "50", "--shard", "0/2", "--out", dir.resolve("a").toString()).exit());
        assertEquals(0, fuzz("fuzz", "--backends", "interp,jit", "--count", "50", "--shard", "1/2", "--out", dir.resolve("b").toString()).exit());
        CliRun m = fuzz("fuzz", "--merge", dir.resolve("a").toString(), dir.resolve("b/fuzz.json").toString(),
                "--json", dir.resolve("all.json").toString());
        assertEquals(0, m.exit(), m.err());
        assertTrue(m.out().contains("shards 0/2 1/2"), m.out());
        assertEquals(100, Summary.read(dir.resolve("all.json")).programs());
    }

    @Test
    void badUsageIsOneLineAndExitTwo() throws Exception {
        for (String[] args : new String[][] {
            {"fuzz", "--shard", "2/2"},
            {"fuzz", "--profile", "nope"},
            {"fuzz", "--time", "0"},
            {"fuzz", "--backends", "interp,nope"},
            {"fuzz", "--merge"},
        }) {
            CliRun r = fuzz(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("bpfh: ") && r.err().strip().lines().count() == 1, r.err());
        }
        Path broken = Files.writeString(dir.resolve("broken.data"), "-- asm\nmov %r0, \n-- result\n0\n");
        CliRun r = fuzz("fuzz", "--profile", "mutate", "--backends", "interp,jit", broken.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("broken.data:2"), r.err());
    }
}
