package dev.bpfh.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {

    /** Shaped like JMH 1.37's output (JSONResultFormat), with its strings for non-finite numbers. */
    static final String JMH = """
            [
              {
                "jmhVersion": "1.37", "benchmark": "dev.bpfh.bench.RunBenchmark.run", "mode": "avgt",
                "threads": 1, "forks": 2, "jdkVersion": "25.0.3", "vmName": "OpenJDK 64-Bit Server VM",
                "params": {"program": "sum", "backend": "interp"},
                "primaryMetric": {
                  "score": 150.0, "scoreError": "NaN", "scoreConfidence": ["NaN", "NaN"],
                  "scorePercentiles": {"0.0": 100.0, "50.0": 150.0, "100.0": 200.0},
                  "scoreUnit": "ns/op",
                  "rawData": [[100.0, 120.0], [180.0, 200.0]]
                },
                "secondaryMetrics": {
                  "gc.count": {"score": "+INF", "scoreError": "-INF", "scoreUnit": "counts", "rawData": [[1.0], [2.0]]}
                }
              },
              {
                "benchmark": "dev.bpfh.bench.RunBenchmark.inKernel", "mode": "avgt", "forks": 1,
                "params": {"program": "sum", "backend": "kernel"},
                "primaryMetric": {"score": 9000.0, "scoreError": 1.0, "scoreUnit": "ns/op", "rawData": [[9000.0, 9000.0]]},
                "secondaryMetrics": {
                  "kernelNs": {"score": 1.0, "scoreUnit": "#", "rawData": [[30000.0, 50000.0]]},
                  "kernelRuns": {"score": 1.0, "scoreUnit": "#", "rawData": [[1000.0, 1000.0]]}
                }
              },
              {
                "benchmark": "dev.bpfh.bench.RunBenchmark.run", "mode": "sample", "forks": 1,
                "params": {"program": "sum", "backend": "jit"},
                "primaryMetric": {
                  "score": 25.0, "scoreError": 2.0, "scoreUnit": "ns/op",
                  "scorePercentiles": {"50.0": 20.0, "99.0": 80.0},
                  "rawDataHistogram": [[[[10.0, 3], [40.0, 1]], [[30.0, 2]]]]
                },
                "secondaryMetrics": {}
              }
            ]
            """;

    @Test
    void jmhJsonNonFiniteStringsBecomeDoubles() throws IOException {
        List<JmhResult> results = JmhJson.parse(JMH);
        assertEquals(3, results.size());
        JmhResult first = results.getFirst();
        assertEquals("run", first.method());
        assertEquals("interp", first.param("backend"));
        assertTrue(Double.isNaN(first.primary().error()));
        assertEquals(Double.POSITIVE_INFINITY, first.secondary().get("gc.count").score());
        assertEquals(Double.NEGATIVE_INFINITY, first.secondary().get("gc.count").error());
        assertEquals(List.of(110.0, 190.0), first.primary().forkMeans());
    }

    @Test
    void sampleTimeHistogramIterationsAreCountWeightedMeans() throws IOException {
        JmhMetric m = JmhJson.parse(JMH).get(2).primary();
        // (10*3 + 40*1) / 4 = 17.5 ; 30*2 / 2 = 30
        assertEquals(List.of(List.of(17.5, 30.0)), m.iterations());
    }

    @Test
    void summaryFromJmhFollowsTheBenchConventions() throws IOException {
        Summary s = JmhSummaries.from(JmhJson.parse(JMH), Map.of("commit", "abc"));
        BenchRun interp = s.run("sum", "interp");
        assertEquals(150.0, interp.nsPerRun());
        assertEquals(List.of(110.0, 190.0), interp.samples());
        BenchRun kernel = s.run("sum", "kernel");
        assertEquals(40.0, kernel.nsPerRun(), 1e-12); // (30 + 50) / 2 ns per run from duration, not 9000
        assertEquals(List.of(30.0, 50.0), kernel.samples()); // one fork: the iterations
        assertEquals(1, s.latencies().size());
        assertEquals(80.0, s.latencies().getFirst().percentiles().get("99.0"));
        assertEquals("abc", s.environment().get("commit"));
        assertEquals("25.0.3 (OpenJDK 64-Bit Server VM)", s.environment().get("jdk"));
    }

    /** Two results with the bench's IterationClock counters: one of two forks, one of a single fork. */
    static final String JMH_WITH_CPU_TIME = """
            [
              {
                "benchmark": "dev.bpfh.bench.RunBenchmark.run", "mode": "avgt", "forks": 2,
                "params": {"program": "sum", "backend": "jit"},
                "primaryMetric": {"score": 150.0, "scoreError": 1.0, "scoreUnit": "ns/op",
                  "rawData": [[100.0, 200.0], [100.0, 100.0]]},
                "secondaryMetrics": {
                  "cpuNs":  {"score": 1.0, "scoreUnit": "#", "rawData": [[90.0, 50.0], [100.0, 110.0]]},
                  "wallNs": {"score": 1.0, "scoreUnit": "#", "rawData": [[100.0, 100.0], [100.0, 100.0]]}
                }
              },
              {
                "benchmark": "dev.bpfh.bench.PacketBenchmark.run", "mode": "avgt", "forks": 1,
                "params": {"workload": "fw@mixed", "backend": "interp"},
                "primaryMetric": {"score": 300.0, "scoreError": 1.0, "scoreUnit": "ns/op",
                  "rawData": [[100.0, 400.0, 120.0, 110.0, 900.0]]},
                "secondaryMetrics": {
                  "cpuNs":  {"score": 1.0, "scoreUnit": "#", "rawData": [[10.0, 25.0, 10.0, 10.0, 10.0]]},
                  "wallNs": {"score": 1.0, "scoreUnit": "#", "rawData": [[10.0, 100.0, 10.0, 10.0, 100.0]]}
                }
              }
            ]
            """;

    @Test
    void iterationsAreScaledToTheThreadsCpuShareAndOneForkTakesTheMedian() throws IOException {
        Summary s = JmhSummaries.from(JmhJson.parse(JMH_WITH_CPU_TIME), Map.of());
        // fork 1: 100 x 0.9 = 90, 200 x 0.5 = 100; fork 2: 100 x 1.0, 100 x 1.1 capped at 1.0 = 100
        BenchRun jit = s.run("sum", "jit");
        assertEquals(97.5, jit.nsPerRun(), 1e-9); // the mean of 90, 100, 100, 100
        assertEquals(List.of(95.0, 100.0), jit.samples());
        // one fork: 100, 400 x 0.25 = 100, 120, 110, 900 x 0.1 = 90 -> the median is 100
        BenchRun interp = s.run("fw@mixed", "interp");
        assertEquals(100.0, interp.nsPerRun(), 1e-9);
        assertEquals(List.of(100.0, 100.0, 120.0, 110.0, 90.0), interp.samples());
    }

    @Test
    void summaryRoundTripsThroughJsonIncludingNaN() throws IOException {
        Summary s = new Summary(Map.of("kernel", "6.18", "cpus", "2"),
                List.of(new BenchRun("sum", "jit", 12.5, Double.NaN, List.of(12.0, 13.0)),
                        new BenchRun("sum", "kernel", 5.0, 0.25, List.of())),
                List.of(new BenchRun("sum", "kernel", 400, 10, List.of(400.0))),
                List.of(new BenchRun("sum", "jit", 1e6, Double.POSITIVE_INFINITY, List.of())),
                List.of(new Latency("sum", "jit", Map.of("50.0", 11.0, "99.9", 90.0))),
                List.of("primes on kernel: rejected: verifier says no"));
        String json = SummaryJson.toJson(s);
        assertTrue(json.contains("\"NaN\""), json);
        assertTrue(json.contains("\"+INF\""), json);
        Summary back = SummaryJson.parse(json);
        assertEquals(s.environment(), back.environment());
        assertEquals(s.roundTrips(), back.roundTrips());
        assertEquals(s.latencies(), back.latencies());
        assertEquals(s.failures(), back.failures());
        assertEquals(s.runs().get(1), back.runs().get(1));
        assertTrue(Double.isNaN(back.runs().getFirst().error()));
        assertEquals(Double.POSITIVE_INFINITY, back.loads().getFirst().error());
    }

    @Test
    void factsRoundTripAndDerivedFiguresAreWrittenButRecomputed() throws IOException {
        WorkloadFacts compiled = new WorkloadFacts("sum", 9, 6147, new WorkloadFacts.Jit(1500, 2, 1200, ""),
                new WorkloadFacts.Kernel(300, 14, 20, "xdp"), 0);
        WorkloadFacts fellBack = new WorkloadFacts("big", 2419, 2419,
                new WorkloadFacts.Jit(0, 0, 0, "method too large"), null);
        WorkloadFacts trapped = new WorkloadFacts("bad", 3, -1, null, null);
        Summary s = new Summary(Map.of(), List.of(new BenchRun("sum", "interp", 6147, 1, List.of()),
                new BenchRun("sum", "jit", 1000, 1, List.of()), new BenchRun("sum", "kernel", 800, 1, List.of())),
                List.of(), List.of(), List.of(), List.of(), List.of(compiled, fellBack, trapped));
        String json = SummaryJson.toJson(s);
        Summary back = SummaryJson.parse(json);
        assertEquals(s.facts(), back.facts());
        assertEquals(s, back);

        JsonNode root = new ObjectMapper().readTree(json);
        JsonNode sum = root.path("facts").get(0);
        assertEquals(1500, sum.path("jit").path("bytecodeBytes").asInt());
        assertEquals(20, sum.path("kernel").path("verifiedInsns").asInt());
        assertEquals("method too large", root.path("facts").get(1).path("jit").path("fallback").asText());
        assertTrue(root.path("facts").get(2).path("jit").isMissingNode());
        // 6147 instructions in 6147 ns: 1000 M insn/s on interp; 6147 in 1000 ns on the jit
        JsonNode tp = root.path("throughput");
        assertEquals("interp", tp.get(0).path("backend").asText());
        assertEquals(1000.0, tp.get(0).path("mInsnPerSec").asDouble(), 1e-9);
        assertEquals(6147.0, tp.get(1).path("mInsnPerSec").asDouble(), 1e-9);
        assertEquals(1.25, root.path("ratios").get(0).path("jitOverKernel").asDouble(), 1e-12);
        assertEquals(6.147, root.path("ratios").get(0).path("interpOverJit").asDouble(), 1e-12);
        assertEquals(0, sum.path("helperCalls").asInt());
        assertEquals(-1, root.path("facts").get(1).path("helperCalls").asInt()); // not collected: unknown
        JsonNode jit = root.path("goals").path("jit");
        // sum (factor 683) is the only loop-heavy workload (big: factor 1): 1.25x the kernel misses the 1.0 goal
        assertEquals(1, jit.path("loopHeavyOverKernel").size());
        assertEquals(1.25, jit.path("loopHeavyOverKernel").get(0).path("value").asDouble(), 1e-12);
        assertFalse(jit.path("loopGoalMet").asBoolean());
        assertFalse(jit.path("geomeanGoalMet").asBoolean());
        assertEquals("NaN", jit.path("fixedCostNs").asText()); // no ret42 probe
        JsonNode interp = root.path("goals").path("interp");
        assertEquals("sum", interp.path("loopHeavyMInsnPerSec").get(0).path("program").asText());
        assertTrue(interp.path("met").asBoolean()); // 1000 M insn/s, the only one
    }

    @Test
    void leftOutPairsRoundTripApartFromFailures() throws IOException {
        Summary s = new Summary(Map.of(), List.of(new BenchRun("sum", "interp", 10, 1, List.of())), List.of(),
                List.of(), List.of(), List.of("sum on jit: r0 = 0x1, expected 0x2"))
                .withLeftOut(List.of("maps on ubpf: not supported: the uBPF backends run programs without maps (1 declared)"));
        JsonNode root = new ObjectMapper().readTree(SummaryJson.toJson(s));
        assertEquals("maps on ubpf: not supported: the uBPF backends run programs without maps (1 declared)",
                root.path("leftOut").get(0).asText());
        Summary back = SummaryJson.parse(SummaryJson.toJson(s));
        assertEquals(s.leftOut(), back.leftOut());
        assertEquals(s.failures(), back.failures());
        // the other with... methods keep the list
        assertEquals(s.leftOut(), back.withFailures(List.of("x")).withFacts(List.of()).withEnvironment(Map.of("a", "b"))
                .withFingerprint(Fingerprint.EMPTY).leftOut());
    }

    @Test
    void jmhResultsOfSeveralRunsAreJoinedIntoOneFile(@TempDir Path dir) throws IOException {
        // JMH's array of the sample split into two runs (the first result, then the other two), and an
        // empty part (a run whose every benchmark failed)
        JsonNode all = new ObjectMapper().readTree(JMH);
        Path first = Files.writeString(dir.resolve("a.json"), "[" + all.get(0) + "]");
        Path second = Files.writeString(dir.resolve("b.json"), "[" + all.get(1) + "," + all.get(2) + "]");
        Path empty = Files.writeString(dir.resolve("c.json"), "");
        Path out = dir.resolve("jmh.json");
        JmhJson.concat(List.of(first, empty, second), out);
        assertEquals(all, new ObjectMapper().readTree(out.toFile()));
        assertEquals(JmhJson.parse(JMH), JmhJson.read(out));
        Files.writeString(empty, "{}");
        IOException e = assertThrows(IOException.class, () -> JmhJson.concat(List.of(empty), out));
        assertTrue(e.getMessage().contains("c.json"), e.getMessage());
    }

    @Test
    void summariesWrittenBeforeFactsExistedStillLoad() throws IOException {
        Summary old = SummaryJson.parse("{\"environment\":{},\"runs\":[{\"program\":\"p\",\"backend\":\"jit\","
                + "\"nsPerRun\":5.0,\"error\":0.1,\"samples\":[]}]}");
        assertEquals(List.of(), old.facts());
        assertEquals(List.of(), old.leftOut());
        assertEquals(5.0, old.run("p", "jit").nsPerRun());
    }

    @Test
    void loadAcceptsDirectoriesSummariesAndJmhFiles(@TempDir Path dir) throws IOException {
        Path jmh = dir.resolve("elsewhere.json");
        Files.writeString(jmh, JMH);
        assertEquals(150.0, Reports.load(jmh).run("sum", "interp").nsPerRun());
        Path out = Files.createDirectories(dir.resolve("run1"));
        Files.writeString(out.resolve(Reports.JMH_JSON), JMH);
        assertEquals(150.0, Reports.load(out).run("sum", "interp").nsPerRun());
        SummaryJson.write(Reports.load(out), out.resolve(Reports.SUMMARY_JSON));
        assertEquals(40.0, Reports.load(out).run("sum", "kernel").nsPerRun(), 1e-12);
        IOException e = assertThrows(IOException.class, () -> Reports.load(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("nope"));
    }
}
