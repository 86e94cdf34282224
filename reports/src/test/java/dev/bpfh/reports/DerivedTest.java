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
    void theJitGoalsAreEveryLoopUnderTheKernelTheGeomeanAndTheFixedCost() {
        Derived.JitGoals g = Derived.goals(sample()).jit();
        assertEquals(1.0, g.geomean(), 1e-12); // (2 × 0.5 × 1)^(1/3)
        assertEquals(3, g.count());
        assertFalse(g.geomeanGoalMet()); // goal 0.8
        // a (factor 500) and b (100) are loop-heavy, s (factor 1) is not: a at 2.0 misses the per-loop goal
        assertEquals(List.of(new Derived.Figure("a", 2.0), new Derived.Figure("b", 0.5)), g.loops());
        assertEquals(List.of(new Derived.Figure("a", 2.0)), g.loopsOverGoal());
        assertFalse(g.loopGoalMet());
        assertTrue(Double.isNaN(g.fixedCostNs())); // no ret42 in the sample: n/a, not met
        assertFalse(g.fixedCostGoalMet());

        // a jit at 0.7× on both loops and 0.5× on s, with a 9 ns probe: all three met
        Summary fast = new Summary(Map.of(), List.of(run("a", "jit", 700), run("a", "kernel", 1000),
                run("b", "jit", 1400), run("b", "kernel", 2000), run("s", "jit", 50), run("s", "kernel", 100),
                run(Derived.OVERHEAD_PROBE, "jit", 9), run(Derived.OVERHEAD_PROBE, "kernel", 17)),
                List.of(), List.of(), List.of(), List.of(), sample().facts());
        Derived.JitGoals f = Derived.goals(fast).jit();
        assertEquals(Math.cbrt(0.7 * 0.7 * 0.5), f.geomean(), 1e-12); // the probe is not a workload
        assertTrue(f.loopGoalMet() && f.geomeanGoalMet() && f.fixedCostGoalMet());
        // exactly at the goal is met; just over is not
        Summary edge = new Summary(Map.of(), List.of(run("a", "jit", 1000), run("a", "kernel", 1000),
                run(Derived.OVERHEAD_PROBE, "jit", 10.5)), List.of(), List.of(), List.of(), List.of(), sample().facts());
        assertTrue(Derived.goals(edge).jit().loopGoalMet());
        assertFalse(Derived.goals(edge).jit().fixedCostGoalMet());
    }

    @Test
    void theInterpreterGoalIsAGeomeanWithAFloorOverHelperFreeLoops() {
        Derived.InterpGoal g = Derived.goals(sample()).interp();
        // a: 1000 M insn/s, b: 333; s is not loop-heavy
        assertEquals(List.of(new Derived.Figure("a", 1000), new Derived.Figure("b", 2000.0 / 6)), g.workloads());
        assertEquals(Math.sqrt(1000 * 2000.0 / 6), g.geomean(), 1e-9); // 577
        assertEquals(new Derived.Figure("b", 2000.0 / 6), g.slowest());
        assertEquals(1, g.atOrAboveFloor());
        assertFalse(g.met());

        // c: loop-heavy at 900 but calls a helper: listed in the tables, left out of the goal
        List<BenchRun> runs = new java.util.ArrayList<>(List.of(run("a", "interp", 5000), run("b", "interp", 3000),
                run("c", "interp", 1000)));
        List<WorkloadFacts> facts = List.of(facts("a", 10, 5000), facts("b", 20, 2000),
                new WorkloadFacts("c", 10, 900, null, null, 2));
        Derived.InterpGoal h = Derived.goals(new Summary(Map.of(), runs, List.of(), List.of(), List.of(), List.of(), facts))
                .interp();
        assertEquals(List.of("a", "b"), h.workloads().stream().map(Derived.Figure::program).toList());
        assertEquals(Math.sqrt(1000 * 2000.0 / 3), h.geomean(), 1e-9); // 816, b at 667: both above 500
        assertTrue(h.met());
        // a floor miss fails it however high the geomean: b at 2000 insns / 4500 ns = 444
        runs.set(1, run("b", "interp", 4500));
        runs.set(0, run("a", "interp", 1000)); // a at 5000 M insn/s
        Derived.InterpGoal low = Derived.goals(new Summary(Map.of(), runs, List.of(), List.of(), List.of(), List.of(),
                facts)).interp();
        assertTrue(low.geomean() > 600, String.valueOf(low.geomean()));
        assertFalse(low.met());
    }

    @Test
    void goalsNotApplicable() {
        Summary noFacts = new Summary(Map.of(), List.of(run("a", "interp", 100)), List.of(), List.of(), List.of());
        Derived.Goals none = Derived.goals(noFacts);
        assertEquals(0, none.jit().count());
        assertTrue(none.jit().loops().isEmpty() && none.interp().workloads().isEmpty());
        assertFalse(none.jit().loopGoalMet() || none.jit().geomeanGoalMet() || none.interp().met());
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
        assertEquals(List.of("geomean", "1.00", String.format("%.2f", Math.cbrt(120)), "577", "2 in interp goal"),
                ratios.getLast());
        List<String> goals = Tables.goalLines(s);
        assertEquals(4, goals.size(), goals.toString());
        assertTrue(goals.get(0).contains("1 of 2 at or under, worst a 2.00: NOT MET"), goals.get(0));
        assertTrue(goals.get(1).endsWith("1.00 over 3 workloads: NOT MET"), goals.get(1));
        assertTrue(goals.get(2).contains("n/a"), goals.get(2));
        assertTrue(goals.get(3).contains("geomean 577 over 2 workloads, slowest b 333, 1 of 2 at or above 500: NOT MET"),
                goals.get(3));
    }
}
