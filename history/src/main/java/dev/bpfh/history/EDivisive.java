package dev.bpfh.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * E-divisive means change-point detection (Matteson &amp; James 2014, "A nonparametric approach for
 * multiple change point analysis of multivariate data", JASA 109:505), the method Apache Otava
 * (formerly Hunter) and MongoDB use on performance series.
 *
 * <p>For a segment {@code z[s..e)} and a split {@code τ}, with {@code X = z[s..τ)} ({@code m}
 * points) and {@code Y = z[τ..e)} ({@code n} points), the divergence is the energy distance with
 * exponent α = 1:
 * <pre>
 *   Ê = 2/(mn) Σ|x−y| − 1/C(m,2) Σ|x−x'| − 1/C(n,2) Σ|y−y'|,    Q̂(τ) = mn/(m+n) · Ê
 * </pre>
 * where Y ends at κ, anywhere up to the segment's end (the paper's search; fixing κ at the end, as
 * some implementations do, misses a short excursion that returns to the old level). The candidate
 * is the τ of the (τ, κ) maximising Q̂. Its significance is a permutation test: the segment is
 * shuffled, the maximum Q̂ recomputed, and p = (exceedances + 1) / (permutations + 1). A
 * significant candidate splits the segment and both halves are searched again (the paper's
 * hierarchical bisection); a segment whose best candidate is not significant is final.
 *
 * <p>Each test costs O(permutations · length²). It stops as soon as the exceedances make
 * p ≤ significance impossible, so series without a change (most of them) cost a few permutations.
 */
public final class EDivisive {

    /**
     * @param significance a candidate is a change point when p ≤ this
     * @param permutations shuffles per candidate
     * @param minSegment the fewest points either side of a change point
     * @param seed the shuffles' seed: the same series always gives the same change points, so a CI
     *     verdict does not flicker
     */
    public record Config(double significance, int permutations, int minSegment, long seed) {
        public Config {
            if (!(significance > 0 && significance < 1) || permutations < 1 || minSegment < 2) {
                throw new IllegalArgumentException("significance in (0,1), permutations >= 1, minSegment >= 2");
            }
        }
    }

    /**
     * The defaults, chosen with {@code DetectorQualityTest}:
     * significance 0.01 keeps false alarms on stationary series near 1 % (the goal is ≤ 5 %), as each
     * series sees one test unless it has a change; 199 permutations resolve p down to 0.005, so a
     * candidate passes with at most one exceedance; a change point needs 4 points either side (the
     * newest 3 runs cannot confirm a step yet — the price of not alarming on one slow run).
     */
    public static final Config DEFAULT = new Config(0.01, 199, 4, 0x0ddba11L);

    /** One change point: the series' value changes level at {@code index} (the first point of the new level). */
    public record ChangePoint(int index, double pValue, double meanBefore, double meanAfter) {
        /** after / before − 1, e.g. 0.07 for 7 % higher. */
        public double change() {
            return meanAfter / meanBefore - 1;
        }
    }

    private final Config config;

    public EDivisive(Config config) {
        this.config = config;
    }

    public EDivisive() {
        this(DEFAULT);
    }

    /** The change points of {@code xs}, by index; means are over the neighbouring segments. */
    public List<ChangePoint> detect(double[] xs) {
        SplittableRandom random = new SplittableRandom(config.seed());
        List<Found> found = new ArrayList<>();
        List<int[]> todo = new ArrayList<>(); // segments [from, to) still to search
        todo.add(new int[] {0, xs.length});
        while (!todo.isEmpty()) {
            int[] seg = todo.removeLast();
            int s = seg[0];
            int e = seg[1];
            if (e - s < 2 * config.minSegment()) {
                continue;
            }
            double[] z = Arrays.copyOfRange(xs, s, e);
            Best best = best(z);
            double p = pValue(z, best.q, random);
            if (p <= config.significance()) {
                found.add(new Found(s + best.tau, p));
                todo.add(new int[] {s, s + best.tau});
                todo.add(new int[] {s + best.tau, e});
            }
        }
        found.sort(Comparator.comparingInt(Found::index));
        List<ChangePoint> out = new ArrayList<>();
        for (int k = 0; k < found.size(); k++) {
            int idx = found.get(k).index();
            int from = k == 0 ? 0 : found.get(k - 1).index();
            int to = k == found.size() - 1 ? xs.length : found.get(k + 1).index();
            out.add(new ChangePoint(idx, found.get(k).p(), mean(xs, from, idx), mean(xs, idx, to)));
        }
        return out;
    }

    private record Found(int index, double p) {}

    private record Best(int tau, double q) {}

    /**
     * The split τ of the best (τ, κ) pair in {@code z}: X = z[0..τ), Y = z[τ..κ), each at least
     * {@code minSegment} long. Every sum of distances over a block of index pairs is read from a 2-D
     * prefix sum of the distance matrix, so all O(length²) pairs cost O(length²) together.
     */
    private Best best(double[] z) {
        int n = z.length;
        int w = n + 1;
        double[] prefix = new double[w * w]; // prefix[a*w+b] = Σ_{i<a, j<b} |z_i − z_j|
        for (int a = 0; a < n; a++) {
            double row = 0;
            for (int b = 0; b < n; b++) {
                row += Math.abs(z[a] - z[b]);
                prefix[(a + 1) * w + b + 1] = prefix[a * w + b + 1] + row;
            }
        }
        int min = config.minSegment();
        int bestTau = -1;
        double bestQ = Double.NEGATIVE_INFINITY;
        for (int tau = min; tau <= n - min; tau++) {
            double m = tau;
            double withinX = block(prefix, w, 0, tau, 0, tau) / 2 / (m * (m - 1) / 2);
            for (int kappa = tau + min; kappa <= n; kappa++) {
                double k = kappa - tau;
                double cross = block(prefix, w, 0, tau, tau, kappa);
                double withinY = block(prefix, w, tau, kappa, tau, kappa) / 2;
                double e = 2 * cross / (m * k) - withinX - withinY / (k * (k - 1) / 2);
                double q = m * k / (m + k) * e;
                if (q > bestQ) {
                    bestQ = q;
                    bestTau = tau;
                }
            }
        }
        return new Best(bestTau, bestQ);
    }

    /** Σ |z_i − z_j| over rows [r0, r1) and columns [c0, c1). */
    private static double block(double[] prefix, int w, int r0, int r1, int c0, int c1) {
        return prefix[r1 * w + c1] - prefix[r0 * w + c1] - prefix[r1 * w + c0] + prefix[r0 * w + c0];
    }

    /** Permutation p-value of {@code observed}, stopping once it can no longer reach the significance. */
    private double pValue(double[] z, double observed, SplittableRandom random) {
        double[] shuffled = z.clone();
        int permutations = config.permutations();
        // p = (k+1)/(P+1) <= significance  <=>  k <= significance (P+1) - 1
        int allowed = (int) Math.floor(config.significance() * (permutations + 1) + 1e-9) - 1;
        int exceed = 0;
        for (int i = 1; i <= permutations; i++) {
            shuffle(shuffled, random);
            if (best(shuffled).q >= observed) {
                exceed++;
                if (exceed > allowed) {
                    return (exceed + 1.0) / (i + 1.0); // already above the significance; an estimate
                }
            }
        }
        return (exceed + 1.0) / (permutations + 1.0);
    }

    private static void shuffle(double[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static double mean(double[] xs, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += xs[i];
        }
        return s / (to - from);
    }
}
