package dev.bpfh.reports;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;

/** The statistics behind comparisons: a seeded percentile bootstrap and Mann-Whitney U. */
public final class Stats {
    private Stats() {}

    /** Resamples per comparison: enough that the 2.5 % and 97.5 % percentiles are stable to ~1e-3. */
    public static final int DEFAULT_RESAMPLES = 10_000;

    /** Fixed so that the same inputs always give the same interval (and the same CI verdict). */
    public static final long DEFAULT_SEED = 0x5eedL;

    /** A ratio with its confidence interval. */
    public record Interval(double estimate, double low, double high) {
        public boolean contains(double x) {
            return low <= x && x <= high;
        }

        public double width() {
            return high - low;
        }
    }

    /**
     * Percentile bootstrap of {@code mean(next) / mean(base)}: each resample draws both samples with
     * replacement, independently, keeping their sizes; the interval is the central
     * {@code confidence} part of the resampled ratios. The estimate is the ratio of the sample means.
     */
    public static Interval bootstrapRatio(double[] base, double[] next, double confidence, int resamples, long seed) {
        if (base.length == 0 || next.length == 0) {
            throw new IllegalArgumentException("bootstrap needs at least one sample on each side");
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] ratios = new double[resamples];
        for (int i = 0; i < resamples; i++) {
            ratios[i] = resampledMean(next, random) / resampledMean(base, random);
        }
        Arrays.sort(ratios);
        double tail = (1 - confidence) / 2;
        return new Interval(mean(next) / mean(base), percentile(ratios, tail), percentile(ratios, 1 - tail));
    }

    public static Interval bootstrapRatio(double[] base, double[] next) {
        return bootstrapRatio(base, next, 0.95, DEFAULT_RESAMPLES, DEFAULT_SEED);
    }

    /**
     * Two-sided Mann-Whitney U p-value (Commons Math's normal approximation). Samples that are all
     * tied give no evidence of a difference: 1.0 rather than Commons Math's NaN.
     */
    public static double mannWhitneyP(double[] a, double[] b) {
        double p = new MannWhitneyUTest().mannWhitneyUTest(a, b);
        return Double.isNaN(p) ? 1.0 : p;
    }

    /** Half-width of the two-sided Student-t interval at {@code confidence} (JMH uses 0.999); NaN for n < 2. */
    public static double tHalfWidth(double[] xs, double confidence) {
        int n = xs.length;
        if (n < 2) {
            return Double.NaN;
        }
        double m = mean(xs);
        double ss = 0;
        for (double x : xs) {
            ss += (x - m) * (x - m);
        }
        double sd = Math.sqrt(ss / (n - 1));
        double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - confidence) / 2);
        return t * sd / Math.sqrt(n);
    }

    public static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s / xs.length;
    }

    /** The median (R type 7: the mean of the two middle values for an even count); NaN when empty. */
    public static double median(double[] xs) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double[] sorted = xs.clone();
        java.util.Arrays.sort(sorted);
        return percentile(sorted, 0.5);
    }

    public static double[] array(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double resampledMean(double[] xs, SplittableRandom random) {
        double s = 0;
        for (int i = 0; i < xs.length; i++) {
            s += xs[random.nextInt(xs.length)];
        }
        return s / xs.length;
    }

    /** Linear interpolation between order statistics (R type 7) of a sorted array. */
    static double percentile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
