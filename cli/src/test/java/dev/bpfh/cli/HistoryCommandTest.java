package dev.bpfh.cli;

import static dev.bpfh.cli.CliRun.withEnv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bpfh.reports.BenchRun;
import dev.bpfh.reports.Fingerprint;
import dev.bpfh.reports.Summary;
import dev.bpfh.reports.SummaryJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bpfh history}: add, show, plot and detect through the command line, on SQLite. */
class HistoryCommandTest {
    static final Fingerprint MACHINE = new Fingerprint(Map.of("cpu.model", "Test CPU", "kernel.release", "6.18.0"));

    static CliRun bpfh(Path dir, String... args) {
        return withEnv("", Map.of(), dir, args);
    }

    /** A bench output directory of commit {@code commit}, measured {@code minute} minutes after the epoch. */
    static Path benchRun(Path parent, String commit, int minute, double jitNs, Fingerprint fp) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("bench-" + commit));
        List<BenchRun> runs = List.of(new BenchRun("sum", "interp", 1000 + minute % 3, 5, List.of(1000.0)),
                new BenchRun("sum", "jit", jitNs, 1, List.of(jitNs)));
        Summary s = new Summary(Map.of("date", Instant.ofEpochSecond(60L * minute).toString()), runs, List.of(),
                List.of(), List.of(), List.of(), List.of(),
                fp.with(Map.of("git.commit", commit, "git.dirty", "false", "git.branch", "main")));
        SummaryJson.write(s, dir.resolve("summary.json"));
        return dir;
    }

    /** 24 runs: jit at 100 ns (± 1 % wiggle) for commits c00..c11, then 120 ns from c12 on. */
    static void stepHistory(Path dir) throws IOException {
        for (int i = 0; i < 24; i++) {
            double wiggle = 1 + 0.01 * ((i * 7) % 5 - 2) / 2;
            benchRun(dir, String.format("c%02d", i), i, (i < 12 ? 100 : 120) * wiggle, MACHINE);
            CliRun r = bpfh(dir, "history", "add", String.format("bench-c%02d", i));
            assertEquals(0, r.exit(), r.err());
        }
    }

    @Test
    void addThenShowListsEverySeriesWithItsLatestValue(@TempDir Path dir) throws IOException {
        benchRun(dir, "aaa111", 1, 100, MACHINE);
        benchRun(dir, "bbb222", 2, 110, MACHINE);
        CliRun add = bpfh(dir, "history", "add", "bench-aaa111", "bench-bbb222");
        assertEquals(0, add.exit(), add.err());
        assertTrue(add.out().matches("(?s)stored \\S*bench-aaa111: 2 figures, commit aaa111, environment " + MACHINE.id()
                + ", measured 1970-01-01T00:01:00Z\n.*"), add.out());
        assertTrue(Files.exists(dir.resolve("bpfh-out/history.db")), "the default database");

        CliRun again = bpfh(dir, "history", "add", "bench-aaa111");
        assertEquals(0, again.exit());
        assertTrue(again.out().matches("(?s)already stored \\S*bench-aaa111 \\(same file as run [-0-9a-f]{36}\\)\n.*"), again.out());

        CliRun show = bpfh(dir, "history", "show");
        assertEquals(0, show.exit(), show.err());
        assertTrue(show.out().startsWith("environment " + MACHINE.id() + ": Test CPU, 6.18.0"), show.out());
        String jit = show.out().lines().filter(l -> l.startsWith("sum") && l.contains(" jit ")).findFirst().orElseThrow();
        assertTrue(jit.matches("sum\\s+jit\\s+2\\s+110\\.0\\s+1\\.00\\s+ns/op\\s+\\+10\\.0 %\\s+▁█\\s+bbb222\\s+1970-01-01 00:02"), jit);
    }

    @Test
    void detectNamesTheCommitOfAStepAndGatesOnIt(@TempDir Path dir) throws IOException {
        stepHistory(dir);
        CliRun r = bpfh(dir, "history", "detect", "--json", "cp.json");
        assertEquals(1, r.exit(), r.out() + r.err());
        String row = r.out().lines().filter(l -> l.contains("REGRESSION")).findFirst().orElseThrow();
        assertTrue(row.matches("sum\\s+jit\\s+" + MACHINE.id() + "\\s+c12\\s+.*\\s13/24\\s+.*\\+20\\.\\d %.*"), row);
        assertFalse(r.out().contains(" interp "), "the interpreter's series is flat: " + r.out());
        assertTrue(r.out().endsWith("1 regression(s) beyond 5% in 2 series.\n"), r.out());

        JsonNode json = new ObjectMapper().readTree(dir.resolve("cp.json").toFile());
        JsonNode cp = json.path("changePoints").get(0);
        assertEquals("c12", cp.path("commit").asText());
        assertEquals(12, cp.path("index").asInt());
        assertEquals(20.0, cp.path("changePercent").asDouble(), 1.0);
        assertTrue(cp.path("pValue").asDouble() <= 0.01);

        assertEquals(0, bpfh(dir, "history", "detect", "--since", "c15").exit(), "the step predates c15");
        assertEquals(1, bpfh(dir, "history", "detect", "--since", "c11").exit());
        assertEquals(0, bpfh(dir, "history", "detect", "--threshold", "25%").exit(), "a 20 % step is within 25 %");
        CliRun unknown = bpfh(dir, "history", "detect", "--since", "ffff");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().startsWith("bpfh: --since ffff: no stored run of a commit starting with ffff"), unknown.err());
    }

    @Test
    void aNewEnvironmentStartsItsOwnSeriesAndIsNeverComparedWithTheOld(@TempDir Path dir) throws IOException {
        for (int i = 0; i < 12; i++) {
            benchRun(dir, String.format("a%02d", i), i, 100, MACHINE);
            // same code, a machine with other mitigations: 30 % slower, but a different series
            benchRun(dir, String.format("b%02d", i), 100 + i, 130,
                    MACHINE.with(Map.of("kernel.vuln.spectre_v2", "Mitigation: Retpolines")));
        }
        List<String> args = new java.util.ArrayList<>(List.of("history", "add"));
        Files.list(dir).filter(p -> p.getFileName().toString().startsWith("bench-")).sorted()
                .forEach(p -> args.add(p.getFileName().toString()));
        assertEquals(0, bpfh(dir, args.toArray(String[]::new)).exit());
        CliRun detect = bpfh(dir, "history", "detect");
        assertEquals(0, detect.exit(), detect.out());
        assertTrue(detect.out().startsWith("No change point in 4 series."), detect.out());

        CliRun plot = bpfh(dir, "history", "plot", "--out", "plots");
        assertEquals(0, plot.exit(), plot.err());
        assertTrue(Files.size(dir.resolve("plots/sum__jit.png")) > 1000);
        assertTrue(Files.size(dir.resolve("plots/sum__jit.svg")) > 1000);
        String html = Files.readString(dir.resolve("plots/index.html"));
        assertTrue(html.contains("data:image/png;base64,"), "charts embedded");
        assertTrue(html.contains("in: kernel.vuln.spectre_v2"), "the environment change is named");
    }

    @Test
    void badInputIsOneLineExitTwoAndStoresNothing(@TempDir Path dir) throws IOException {
        Path good = benchRun(dir, "ok", 1, 100, MACHINE);
        Path truncated = Files.createDirectories(dir.resolve("truncated"));
        String full = Files.readString(good.resolve("summary.json"));
        Files.writeString(truncated.resolve("summary.json"), full.substring(0, full.length() / 2));
        Path foreign = Files.createDirectories(dir.resolve("foreign"));
        Files.writeString(foreign.resolve("summary.json"), "{\"name\": \"not ours\"}");

        CliRun t = bpfh(dir, "history", "add", "bench-ok", "truncated");
        assertEquals(2, t.exit());
        assertEquals(1, t.err().lines().count(), t.err());
        assertTrue(t.err().matches("bpfh: \\S*truncated/summary\\.json:\\d+:\\d+: malformed JSON: Unexpected end-of-input[^(]* \\(nothing stored\\)\n"),
                t.err());
        assertFalse(Files.exists(dir.resolve("bpfh-out/history.db")), "the good run was not stored either");

        CliRun f = bpfh(dir, "history", "add", "foreign");
        assertEquals(2, f.exit());
        assertTrue(f.err().matches("bpfh: \\S*foreign/summary\\.json: not a bpfh summary \\(no \"runs\" array\\) \\(nothing stored\\)\n"),
                f.err());

        CliRun jmh = bpfh(dir, "history", "add", "--jmh", "bench-ok/summary.json");
        assertEquals(2, jmh.exit());
        assertTrue(jmh.err().matches("bpfh: \\S*bench-ok/summary\\.json: not a JMH JSON result \\(expected a top-level array\\) \\(nothing stored\\)\n"),
                jmh.err());

        CliRun noDb = bpfh(dir, "history", "show");
        assertEquals(2, noDb.exit());
        assertTrue(noDb.err().startsWith("bpfh: no history database at "), noDb.err());

        CliRun unreachable = bpfh(dir, "history", "add", "bench-ok", "--db",
                "jdbc:postgresql://127.0.0.1:1/none?user=x&password=secret&connectTimeout=2");
        assertEquals(2, unreachable.exit());
        assertEquals(1, unreachable.err().lines().count(), unreachable.err());
        assertTrue(unreachable.err().startsWith("bpfh: cannot open history database jdbc:postgresql://127.0.0.1:1/none?user=x&password=***"),
                unreachable.err());
        assertFalse(unreachable.err().contains("secret"));
    }

    @Test
    void aPlainJmhFileOfAnyProjectIsTrackedByBenchmarkAndParameters(@TempDir Path dir) throws IOException {
        for (int i = 0; i < 2; i++) {
            Files.writeString(dir.resolve("jmh" + i + ".json"), """
                    [{"jmhVersion":"1.37","benchmark":"org.example.MyBench.parse","mode":"thrpt","threads":1,"forks":2,
                      "jvm":"/usr/bin/java","jvmArgs":["-Xmx1g"],"jdkVersion":"21.0.2","vmName":"OpenJDK 64-Bit Server VM",
                      "vmVersion":"21.0.2+13","warmupIterations":5,"warmupTime":"10 s","measurementIterations":5,
                      "measurementTime":"10 s","params":{"size":"1024"},
                      "primaryMetric":{"score":%d.5,"scoreError":3.0,"scoreUnit":"ops/s","rawData":[[1,2],[3,4]]}}]
                    """.formatted(1000 + i));
            // a JMH file records no date: its modification time orders it
            Files.setLastModifiedTime(dir.resolve("jmh" + i + ".json"),
                    java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_000L + i * 60_000L));
        }
        CliRun add = bpfh(dir, "history", "add", "--jmh", "jmh0.json", "--jmh", "jmh1.json", "--commit", "abc",
                "--tag", "machine=ci-3");
        assertEquals(0, add.exit(), add.err());
        CliRun show = bpfh(dir, "history", "show", "--backend", "thrpt");
        assertEquals(0, show.exit(), show.err());
        assertTrue(show.out().lines().anyMatch(l -> l.matches(
                "org\\.example\\.MyBench\\.parse\\{size=1024\\}\\s+thrpt\\s+2\\s+1001\\.5\\s+3\\.00\\s+ops/s\\s+\\+0\\.1 %.*")),
                show.out());
    }

    @Test
    void everyHistoryCommandHasHelp() {
        for (String c : List.of("add", "show", "plot", "detect")) {
            CliRun r = CliRun.run("history", c, "--help");
            assertEquals(0, r.exit(), c);
            assertTrue(r.out().startsWith("Usage: bpfh history " + c), r.out());
        }
        CliRun bare = CliRun.run("history");
        assertEquals(2, bare.exit());
        assertTrue(bare.err().startsWith("Usage: bpfh history"), bare.err());
    }
}
