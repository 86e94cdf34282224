package dev.bpfh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.reports.BenchRun;
import dev.bpfh.reports.Summary;
import dev.bpfh.reports.SummaryJson;
import dev.bpfh.reports.WorkloadFacts;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * bench, report and compare as a user runs them (in-process, streams captured). The commands are
 * added to Main's command line here, as Main registers them; the JMH run itself is not exercised
 * (minutes long): bench is tested up to its argument checks.
 */
class BenchCommandsTest {

    record Run(int exit, String out, String err) {}

    static Run bpfh(Path workDir, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        Main main = new Main(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), workDir);
        CommandLine cl = main.commandLine();
        for (String name : List.of("bench", "report", "compare")) {
            if (!cl.getSubcommands().containsKey(name)) {
                cl.addSubcommand(switch (name) {
                    case "bench" -> new BenchCommand();
                    case "report" -> new ReportCommand();
                    default -> new CompareCommand();
                });
            }
        }
        int exit = cl.execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A bench output directory whose runs are {@code factor} times the base figures. */
    static Path benchDir(Path parent, String name, double factor) throws IOException {
        Path dir = Files.createDirectories(parent.resolve(name));
        List<BenchRun> runs = List.of(
                run("sum", "interp", 1000 * factor), run("sum", "jit", 100 * factor), run("sum", "kernel", 80 * factor));
        SummaryJson.write(new Summary(Map.of("commit", name), runs, List.of(), List.of(), List.of()),
                dir.resolve("summary.json"));
        return dir;
    }

    static BenchRun run(String program, String backend, double ns) {
        return new BenchRun(program, backend, ns, ns * 0.01, List.of(ns * 0.99, ns, ns * 1.01));
    }

    @Test
    void compareOfARunAgainstItselfPassesAndWritesTheChart(@TempDir Path dir) throws IOException {
        benchDir(dir, "base", 1.0);
        Run r = bpfh(dir, "compare", "base", "base");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("SAME"), r.out());
        assertTrue(r.out().contains("No regression"), r.out());
        assertTrue(Files.size(dir.resolve("base/compare.png")) > 0);
        assertTrue(Files.size(dir.resolve("base/compare.svg")) > 0);
    }

    @Test
    void twiceAsSlowIsARegressionAndExitsOne(@TempDir Path dir) throws IOException {
        benchDir(dir, "base", 1.0);
        benchDir(dir, "new", 2.0);
        Run r = bpfh(dir, "compare", "base", "new", "--threshold", "5%");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().lines().filter(l -> l.contains("REGRESSION")).count() == 3, r.out());
        assertTrue(r.out().contains("2.000"), r.out());
    }

    @Test
    void slowdownBelowTheThresholdIsNoRegression(@TempDir Path dir) throws IOException {
        benchDir(dir, "base", 1.0);
        benchDir(dir, "new", 1.03);
        assertEquals(0, bpfh(dir, "compare", "base", "new", "--threshold", "5%").exit());
    }

    @Test
    void singleForkRunsTwiceAsSlowAreUnconfirmedAndPass(@TempDir Path dir) throws IOException {
        for (String name : List.of("base", "new")) {
            double factor = name.equals("base") ? 1.0 : 2.0;
            Path d = Files.createDirectories(dir.resolve(name));
            SummaryJson.write(new Summary(Map.of("forks", "1"), List.of(run("sum", "jit", 100 * factor)), List.of(),
                    List.of(), List.of()), d.resolve("summary.json"));
        }
        Run r = bpfh(dir, "compare", "base", "new");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("UNCONFIRMED") && r.out().contains("No regression"), r.out());
        assertTrue(r.out().contains("single fork"), r.out());
    }

    @Test
    void reportPrintsFactsRatiosAndGoals(@TempDir Path dir) throws IOException {
        Path run = Files.createDirectories(dir.resolve("run"));
        SummaryJson.write(new Summary(Map.of(), List.of(run("sum", "interp", 6147), run("sum", "jit", 1000),
                run("sum", "kernel", 800)), List.of(), List.of(), List.of(), List.of(),
                List.of(new WorkloadFacts("sum", 9, 6147, new WorkloadFacts.Jit(161, 3, 141, ""),
                        new WorkloadFacts.Kernel(150, 28, 6168, "xdp")))), run.resolve("summary.json"));
        Run r = bpfh(dir, "report", "run");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("M insn/s") && r.out().contains("1,000"), r.out()); // 6147 insns in 6147 ns
        assertTrue(r.out().contains("6168"), "kernel verified instructions: " + r.out());
        assertTrue(r.out().contains("Goal: jit/kernel geomean <= 0.8: 1.25 over 1 workloads: NOT MET"), r.out());
        assertTrue(r.out().contains("worst sum 1.25: NOT MET"), r.out()); // the one loop-heavy workload
        assertTrue(Files.readString(run.resolve("index.html")).contains("Engine facts"));
    }

    @Test
    void compareWithAMissingInputIsAUsageError(@TempDir Path dir) throws IOException {
        benchDir(dir, "base", 1.0);
        Run r = bpfh(dir, "compare", "base", "nope");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("bpfh: ") && r.err().contains("nope"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace");
    }

    @Test
    void badThresholdIsAUsageError(@TempDir Path dir) throws IOException {
        benchDir(dir, "base", 1.0);
        assertEquals(2, bpfh(dir, "compare", "base", "base", "--threshold", "lots").exit());
    }

    @Test
    void reportRerendersChartsAndHtmlFromTheJson(@TempDir Path dir) throws IOException {
        Path run = benchDir(dir, "run", 1.0);
        Run r = bpfh(dir, "report", "run");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("sum") && r.out().contains("kernel"), r.out());
        for (String f : List.of("index.html", "time.png", "time.svg", "speedup.png", "speedup.svg")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertTrue(Files.readString(run.resolve("index.html")).contains("data:image/png;base64,"));
    }

    @Test
    void reportOfAMissingDirectoryIsAUsageError(@TempDir Path dir) {
        Run r = bpfh(dir, "report", "missing");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("missing"), r.err());
    }

    @Test
    void benchWithAMissingWorkloadPathIsAUsageErrorBeforeAnyMeasurement(@TempDir Path dir) {
        Run r = bpfh(dir, "bench", "--quick", "no_such.data");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no_such.data"), r.err());
        assertTrue(!Files.exists(dir.resolve("bpfh-out")), "nothing written");
    }

    @Test
    void aBuiltInWorkloadIsNamedWithoutItsPath(@TempDir Path dir) {
        // accepted as a workload: the run gets as far as the backends, where it stops
        Run r = bpfh(dir, "bench", "--quick", "--backends", "nosuch", "--out", "o", "checksum_1500", "ret42");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("nosuch") && !r.err().contains("checksum_1500"), r.err());
        Run unknown = bpfh(dir, "bench", "--quick", "--backends", "nosuch", "checksum_15000");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("checksum_15000"), unknown.err());
    }

    @Test
    void benchWithOnlyUnknownBackendsIsAUsageError(@TempDir Path dir) {
        Run r = bpfh(dir, "bench", "--quick", "--backends", "nosuch", "--out", "o");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("nosuch"), r.err());
    }
}
