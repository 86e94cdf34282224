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
 *
 * <p>Both only when the samples are independent: per-fork means of at least 2 forks on both sides
 * (the summary's "forks"). With a single fork the samples are that fork's iterations, which share
 * one JVM's compilation decisions and one stretch of machine load: their interval says nothing about
 * run-to-run variation and is far too narrow (two {@code --quick} runs of the same code on a busy
 * machine differ by 2× or more with intervals that exclude 1). Such a shift is
 * {@link Verdict#UNCONFIRMED}: reported, never a gate failure. A summary that does not record its
 * forks is taken at its word.
 */
public final class Comparison {
    private Comparison() {}

    /**
     * REGRESSION / IMPROVEMENT: the whole interval beyond the threshold, independent samples.
     * UNCONFIRMED: the same, but a side has a single fork (see the class comment); not a regression.
     * SAME: the interval reaches within the threshold. MISSING: a figure on one side only.
     */
    public enum Verdict { REGRESSION, IMPROVEMENT, SAME, MISSING, UNCONFIRMED }

    /** One compared figure; {@code ratio} is null when one side is missing. */
    public record Row(String program, String backend, double baseNs, double newNs, Stats.Interval ratio,
            double mannWhitneyP, Verdict verdict) {}

    public static List<Row> compare(Summary base, Summary next, double threshold) {
        boolean confirmable = independentSamples(base) && independentSamples(next);
        List<Row> rows = new ArrayList<>();
        for (BenchRun b : base.runs()) {
            BenchRun n = next.run(b.program(), b.backend());
            rows.add(n == null ? missing(b.program(), b.backend(), b.nsPerRun(), Double.NaN)
                    : row(b, n, threshold, confirmable));
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

    /**
     * Whether a summary's samples are per-fork means (at least 2 forks), so that an interval over
     * them covers fork-to-fork variation; true when the summary does not say how many forks it ran.
     */
    public static boolean independentSamples(Summary s) {
        String forks = s.environment().get("forks");
        if (forks == null) {
            return true;
        }
        try {
            return Integer.parseInt(forks.strip()) >= 2;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    static Row row(BenchRun base, BenchRun next, double threshold) {
        return row(base, next, threshold, true);
    }

    static Row row(BenchRun base, BenchRun next, double threshold, boolean confirmable) {
        double[] b = samples(base);
        double[] n = samples(next);
        Stats.Interval ratio = Stats.bootstrapRatio(b, n);
        Verdict verdict = ratio.low() > 1 + threshold ? Verdict.REGRESSION
                : ratio.high() < 1 - threshold ? Verdict.IMPROVEMENT
                : Verdict.SAME;
        if (!confirmable && verdict != Verdict.SAME) {
            verdict = Verdict.UNCONFIRMED;
        }
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
