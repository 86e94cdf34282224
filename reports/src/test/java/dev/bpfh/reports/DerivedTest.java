package dev.bpfh.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Throughput, ratios, geometric means and goal verdicts on synthetic summaries. */
class DerivedTest {

    static BenchRun run(String program, String backend, double ns) {
        return new BenchRun(program, backend, ns, 0, List.of());
    }

    static WorkloadFacts facts(String program, int size, long executed) {
        return new WorkloadFacts(program, size, executed, null, null);
    }

    /**
     * Two loop workloads and one straight-line one. a: 10 insns, 5000 executed; b: 20, 2000;
     * s: 100, 100 (factor 1, not loop-heavy).
     */
    static Summary sample() {
        return new Summary(Map.of(), List.of(
                run("a", "interp", 5000), run("a", "jit", 1000), run("a", "kernel", 500),
                run("b", "interp", 6000), run("b", "jit", 1000), run("b", "kernel", 2000),
                run("s", "interp", 400), run("s", "jit", 100), run("s", "kernel", 100)),
                List.of(), List.of(), List.of(), List.of(),
                List.of(facts("a", 10, 5000), facts("b", 20, 2000), facts("s", 100, 100)));
    }

    @Test
    void millionInstructionsPerSecond() {
        assertEquals(1000, Derived.mInsnPerSec(1000, 1000), 1e-9); // 1 insn/ns = 1000 M insn/s
        assertEquals(500, Derived.mInsnPerSec(5000, 10_000), 1e-9);
        assertTrue(Double.isNaN(Derived.mInsnPerSec(-1, 100)));
        assertTrue(Double.isNaN(Derived.mInsnPerSec(100, Double.NaN)));
        assertEquals(1000, Derived.mInsnPerSec(sample(), "a", "interp"), 1e-9); // 5000 insns / 5000 ns
        assertEquals(2000.0 / 6, Derived.mInsnPerSec(sample(), "b", "interp"), 1e-9); // 2000 / 6000
    }

    @Test
    void geometricMeanIgnoresMissingValues() {
        assertEquals(4, Derived.geomean(List.of(2.0, 8.0)), 1e-12);
        assertEquals(1, Derived.geomean(List.of(0.5, 2.0)), 1e-12);
        assertEquals(3, Derived.geomean(List.of(1.0, 3.0, 9.0)), 1e-12);
        assertEquals(4, Derived.geomean(List.of(2.0, Double.NaN, 8.0, 0.0)), 1e-12);
        assertTrue(Double.isNaN(Derived.geomean(List.of())));
    }

    @Test
    void otherEnginesInTheRunChangeNeitherRatiosNorGoals() {
        // uBPF beside ours, faster than the kernel on one workload and missing on another (left out)
        Summary base = sample();
        List<BenchRun> runs = new java.util.ArrayList<>(base.runs());
        runs.add(run("a", "ubpf", 100_000));
        runs.add(run("a", "ubpf-jit", 10));
        runs.add(run("s", "ubpf", 7));
        Summary withUbpf = new Summary(Map.of(), runs, List.of(), List.of(), List.of(), List.of(), base.facts())
                .withLeftOut(List.of("b on ubpf: not supported: maps", "b on ubpf-jit: not supported: maps"));
        assertEquals(Derived.ratios(base), Derived.ratios(withUbpf));
        assertEquals(Derived.goals(base), Derived.goals(withUbpf));
        assertEquals(List.of("interp", "jit", "kernel", "ubpf", "ubpf-jit"), withUbpf.backends());
        // the run table still gives uBPF its own ratios to the kernel and the interpreter: a: 10/500, 10/5000
        String table = Tables.format(Tables.runRows(withUbpf));
        assertTrue(table.lines().anyMatch(l -> l.startsWith("a ") && l.contains("ubpf-jit") && l.contains("0.02")
                && l.endsWith("0.00")), table);
    }

    @Test
    void perWorkloadRatios() {
        List<Derived.Ratios> r = Derived.ratios(sample());
        assertEquals(new Derived.Ratios("a", 2.0, 5.0), r.get(0));
        assertEquals(new Derived.Ratios("b", 0.5, 6.0), r.get(1));
        assertEquals(new Derived.Ratios("s", 1.0, 4.0), r.get(2));
    }

    @Test
    void goalsUseGeometricMeansAndOnlyLoopHeavyWorkloadsForTheInterpreter() {
        Derived.Goals g = Derived.goals(sample());
        assertEquals(1.0, g.jitOverKernelGeomean(), 1e-12); // (2 × 0.5 × 1)^(1/3)
        assertEquals(3, g.jitOverKernelCount());
        assertTrue(g.jitGoalMet());
        assertEquals(Math.cbrt(5 * 6 * 4), g.interpOverJitGeomean(), 1e-12);
        // a (factor 500) and b (100) are loop-heavy; s (factor 1) is not
        assertEquals(2, g.loopHeavyCount());
        assertEquals(Math.sqrt(1000 * 2000.0 / 6), g.interpLoopHeavyGeomean(), 1e-9); // 577: above 500
        assertEquals(2000.0 / 6, g.interpLoopHeavyMin(), 1e-9);
        assertEquals(1, g.loopHeavyMeetingGoal());
        assertTrue(g.interpGoalMet()); // the geomean meets it although one workload does not
    }

    @Test
    void goalsNotMetAndNotApplicable() {
        Summary slowJit = new Summary(Map.of(), List.of(run("a", "jit", 1600), run("a", "kernel", 1000),
                run("a", "interp", 20_000)), List.of(), List.of(), List.of(), List.of(), List.of(facts("a", 10, 5000)));
        Derived.Goals g = Derived.goals(slowJit);
        assertEquals(1.6, g.jitOverKernelGeomean(), 1e-12);
        assertFalse(g.jitGoalMet());
        assertEquals(250, g.interpLoopHeavyGeomean(), 1e-9);
        assertFalse(g.interpGoalMet());

        Summary noFacts = new Summary(Map.of(), List.of(run("a", "interp", 100)), List.of(), List.of(), List.of());
        Derived.Goals none = Derived.goals(noFacts);
        assertEquals(0, none.jitOverKernelCount());
        assertEquals(0, none.loopHeavyCount());
        assertFalse(none.jitGoalMet());
        assertFalse(none.interpGoalMet());
        assertTrue(Tables.goalLines(noFacts).stream().allMatch(l -> l.contains("n/a")), Tables.goalLines(noFacts).toString());
    }

    @Test
    void theOverheadColumnIsTheProbesTimeAsAShareOfTheRun() {
        Summary s = sample();
        Summary withProbe = new Summary(s.environment(), java.util.stream.Stream.concat(s.runs().stream(),
                java.util.stream.Stream.of(new BenchRun(Tables.OVERHEAD_PROBE, "interp", 500, 0, List.of()))).toList(),
                s.roundTrips(), s.loads(), s.latencies());
        List<List<String>> runs = Tables.runRows(withProbe);
        assertEquals("500 (10%)", runs.get(1).get(4), runs.toString()); // a on interp: 5000 ns, the probe 500 ns
    }

    @Test
    void tablesShowThroughputRatiosAndGoals() {
        Summary s = sample();
        List<List<String>> runs = Tables.runRows(s);
        assertEquals("M insn/s", runs.getFirst().get(5));
        // no ret42 in the sample: the overhead column is empty
        assertEquals(List.of("a", "interp", "5000", "0.00", "", "1,000", "10.00", "1.00"), runs.get(1));
        List<List<String>> ratios = Tables.ratioRows(s);
        assertEquals(List.of("a", "2.00", "5.00", "1,000", "yes"), ratios.get(1));
        assertEquals(List.of("s", "1.00", "4.00", "250", ""), ratios.get(3));
        assertEquals(List.of("geomean", "1.00", String.format("%.2f", Math.cbrt(120)), "577", "2 loop-heavy"),
                ratios.getLast());
        List<String> goals = Tables.goalLines(s);
        assertTrue(goals.get(0).endsWith(": MET"), goals.get(0));
        assertTrue(goals.get(1).contains("1 of 2") && goals.get(1).endsWith(": MET"), goals.get(1));
    }
}
