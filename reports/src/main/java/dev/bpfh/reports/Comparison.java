package dev.bpfh.reports;

import java.util.ArrayList;
import java.util.List;

/**
 * NEW against BASE, per workload and backend: the ratio of mean ns per run with a bootstrap 95 %
 * interval over the samples (per-fork means) and a Mann-Whitney p-value.
 *
 * <p>A regression is declared only when the whole interval lies above {@code 1 + threshold}, so
 * noise that merely moves the estimate past the threshold does not fail a CI gate; an improvement
 * symmetrically when it lies below {@code 1 - threshold}.
 */
public final class Comparison {
    private Comparison() {}

    public enum Verdict { REGRESSION, IMPROVEMENT, SAME, MISSING }

    /** One compared figure; {@code ratio} is null when one side is missing. */
    public record Row(String program, String backend, double baseNs, double newNs, Stats.Interval ratio,
            double mannWhitneyP, Verdict verdict) {}

    public static List<Row> compare(Summary base, Summary next, double threshold) {
        List<Row> rows = new ArrayList<>();
        for (BenchRun b : base.runs()) {
            BenchRun n = next.run(b.program(), b.backend());
            rows.add(n == null ? missing(b.program(), b.backend(), b.nsPerRun(), Double.NaN) : row(b, n, threshold));
        }
        for (BenchRun n : next.runs()) {
            if (base.run(n.program(), n.backend()) == null) {
                rows.add(missing(n.program(), n.backend(), Double.NaN, n.nsPerRun()));
            }
        }
        return rows;
    }

    public static boolean anyRegression(List<Row> rows) {
        return rows.stream().anyMatch(r -> r.verdict() == Verdict.REGRESSION);
    }

    static Row row(BenchRun base, BenchRun next, double threshold) {
        double[] b = samples(base);
        double[] n = samples(next);
        Stats.Interval ratio = Stats.bootstrapRatio(b, n);
        Verdict verdict = ratio.low() > 1 + threshold ? Verdict.REGRESSION
                : ratio.high() < 1 - threshold ? Verdict.IMPROVEMENT
                : Verdict.SAME;
        return new Row(base.program(), base.backend(), base.nsPerRun(), next.nsPerRun(), ratio,
                Stats.mannWhitneyP(b, n), verdict);
    }

    /** The run's samples, or its mean alone when it has none (a degenerate, zero-width interval). */
    private static double[] samples(BenchRun r) {
        return r.samples().isEmpty() ? new double[] {r.nsPerRun()} : Stats.array(r.samples());
    }

    private static Row missing(String program, String backend, double baseNs, double newNs) {
        return new Row(program, backend, baseNs, newNs, null, Double.NaN, Verdict.MISSING);
    }

    /** Parses "5%", "5", or "0.05" (a fraction when below 1 and without a percent sign). */
    public static double parseThreshold(String text) {
        String t = text.trim();
        if (t.endsWith("%")) {
            return Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100;
        }
        double v = Double.parseDouble(t);
        return v < 1 ? v : v / 100;
    }
}
