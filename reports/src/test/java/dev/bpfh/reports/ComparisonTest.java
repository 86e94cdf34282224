package dev.bpfh.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComparisonTest {

    private static Summary summary(BenchRun... runs) {
        return new Summary(Map.of(), List.of(runs), List.of(), List.of(), List.of());
    }

    private static BenchRun run(String program, String backend, double... samples) {
        List<Double> s = java.util.Arrays.stream(samples).boxed().toList();
        return new BenchRun(program, backend, Stats.mean(samples), 1.0, s);
    }

    @Test
    void twofoldSlowdownIsARegression() {
        Summary base = summary(run("sum", "jit", 100, 101, 99, 100));
        Summary next = summary(run("sum", "jit", 200, 202, 198, 200));
        List<Comparison.Row> rows = Comparison.compare(base, next, 0.05);
        assertEquals(1, rows.size());
        assertEquals(2.0, rows.getFirst().ratio().estimate(), 1e-12);
        assertEquals(Comparison.Verdict.REGRESSION, rows.getFirst().verdict());
        assertTrue(Comparison.anyRegression(rows));
    }

    @Test
    void twofoldSpeedupIsAnImprovementNotARegression() {
        List<Comparison.Row> rows = Comparison.compare(
                summary(run("sum", "jit", 200, 202, 198, 200)), summary(run("sum", "jit", 100, 101, 99, 100)), 0.05);
        assertEquals(Comparison.Verdict.IMPROVEMENT, rows.getFirst().verdict());
        assertFalse(Comparison.anyRegression(rows));
    }

    @Test
    void identicalRunsAreTheSame() {
        List<Comparison.Row> rows = Comparison.compare(
                summary(run("sum", "interp", 50, 50, 50)), summary(run("sum", "interp", 50, 50, 50)), 0.05);
        assertEquals(Comparison.Verdict.SAME, rows.getFirst().verdict());
        assertTrue(rows.getFirst().ratio().contains(1.0));
    }

    @Test
    void noisyShiftWhoseIntervalStraddlesTheThresholdIsNotARegression() {
        // Means 100 vs 108 (+8 %, beyond 5 %), but forks scatter widely: the interval reaches below 1.05.
        Summary base = summary(run("p", "jit", 60, 140, 80, 120));
        Summary next = summary(run("p", "jit", 70, 146, 86, 130));
        Comparison.Row row = Comparison.compare(base, next, 0.05).getFirst();
        assertTrue(row.ratio().estimate() > 1.05);
        assertTrue(row.ratio().low() < 1.05);
        assertEquals(Comparison.Verdict.SAME, row.verdict());
    }

    @Test
    void figuresOnOneSideOnlyAreMissing() {
        List<Comparison.Row> rows = Comparison.compare(summary(run("a", "jit", 1, 1)), summary(run("b", "jit", 1, 1)), 0.05);
        assertEquals(2, rows.size());
        assertTrue(rows.stream().allMatch(r -> r.verdict() == Comparison.Verdict.MISSING));
        assertFalse(Comparison.anyRegression(rows));
    }

    @Test
    void thresholdAcceptsPercentAndFraction() {
        assertEquals(0.05, Comparison.parseThreshold("5%"), 1e-12);
        assertEquals(0.05, Comparison.parseThreshold("5"), 1e-12);
        assertEquals(0.05, Comparison.parseThreshold("0.05"), 1e-12);
        assertEquals(0.125, Comparison.parseThreshold(" 12.5 % "), 1e-12);
    }

    @Test
    void singleForkShiftsAreUnconfirmedNotRegressions() {
        // iterations of one fork, tightly clustered: the interval excludes 1.05, but they are correlated
        Summary base = new Summary(Map.of("forks", "1"), List.of(run("p", "jit", 100, 101, 99)), List.of(), List.of(),
                List.of());
        Summary next = new Summary(Map.of("forks", "1"), List.of(run("p", "jit", 150, 151, 149),
                run("q", "jit", 50, 51, 49)), List.of(), List.of(), List.of());
        Summary nextQ = new Summary(Map.of("forks", "1"), List.of(run("q", "jit", 100, 101, 99)), List.of(), List.of(),
                List.of());
        Comparison.Row slower = Comparison.compare(base, next, 0.05).getFirst();
        assertTrue(slower.ratio().low() > 1.05);
        assertEquals(Comparison.Verdict.UNCONFIRMED, slower.verdict());
        assertFalse(Comparison.anyRegression(Comparison.compare(base, next, 0.05)));
        Comparison.Row faster = Comparison.compare(nextQ, next, 0.05).stream()
                .filter(r -> r.program().equals("q")).findFirst().orElseThrow();
        assertEquals(Comparison.Verdict.UNCONFIRMED, faster.verdict());
        // one side with 3 forks is not enough: the other side's interval is still too narrow
        Summary threeForks = new Summary(Map.of("forks", "3"), next.runs(), List.of(), List.of(), List.of());
        assertEquals(Comparison.Verdict.UNCONFIRMED, Comparison.compare(base, threeForks, 0.05).getFirst().verdict());
        Summary baseThree = new Summary(Map.of("forks", "3"), base.runs(), List.of(), List.of(), List.of());
        assertEquals(Comparison.Verdict.REGRESSION, Comparison.compare(baseThree, threeForks, 0.05).getFirst().verdict());
    }

    @Test
    void independenceFollowsTheRecordedForks() {
        assertTrue(Comparison.independentSamples(summary()));
        assertFalse(Comparison.independentSamples(new Summary(Map.of("forks", "1"), List.of(), List.of(), List.of(),
                List.of())));
        assertTrue(Comparison.independentSamples(new Summary(Map.of("forks", "2"), List.of(), List.of(), List.of(),
                List.of())));
    }
}
