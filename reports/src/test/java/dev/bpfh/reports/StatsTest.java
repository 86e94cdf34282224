package dev.bpfh.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void bootstrapOfIdenticalSamplesHasZeroWidthAndContainsOne() {
        double[] same = {100, 100, 100, 100, 100};
        Stats.Interval ci = Stats.bootstrapRatio(same, same.clone());
        assertEquals(1.0, ci.estimate(), 0.0);
        assertEquals(0.0, ci.width(), 0.0);
        assertTrue(ci.contains(1.0));
    }

    @Test
    void sampleShiftedTwofoldGivesRatioNearTwoWithIntervalExcludingOne() {
        double[] base = {98, 100, 101, 99, 102, 100, 97, 103};
        double[] slow = new double[base.length];
        for (int i = 0; i < base.length; i++) {
            slow[i] = 2 * base[i];
        }
        Stats.Interval ci = Stats.bootstrapRatio(base, slow);
        assertEquals(2.0, ci.estimate(), 1e-12); // the ratio of means of x and 2x is exactly 2
        assertTrue(ci.low() > 1.9 && ci.high() < 2.1, ci.toString());
        assertTrue(ci.contains(2.0));
    }

    @Test
    void bootstrapIsReproducibleForAFixedSeed() {
        double[] a = {1, 5, 3, 8, 2};
        double[] b = {2, 6, 9, 4, 7};
        assertEquals(Stats.bootstrapRatio(a, b), Stats.bootstrapRatio(a, b));
    }

    @Test
    void intervalEndsAreOrderedAndBracketTheEstimate() {
        double[] a = {10, 12, 11, 13, 9, 10};
        double[] b = {11, 14, 12, 15, 10, 12};
        Stats.Interval ci = Stats.bootstrapRatio(a, b);
        assertTrue(ci.low() <= ci.estimate() && ci.estimate() <= ci.high(), ci.toString());
    }

    @Test
    void mannWhitneyOnSeparatedSamplesGivesSmallP() {
        double[] low = {1, 2, 3, 4, 5, 6, 7, 8};
        double[] high = {11, 12, 13, 14, 15, 16, 17, 18};
        assertTrue(Stats.mannWhitneyP(low, high) < 0.01);
    }

    @Test
    void mannWhitneyOnInterleavedSamplesGivesLargeP() {
        double[] a = {1, 3, 5, 7, 9, 11};
        double[] b = {2, 4, 6, 8, 10, 12};
        assertTrue(Stats.mannWhitneyP(a, b) > 0.5);
    }

    @Test
    void mannWhitneyOnAllTiedSamplesIsOne() {
        assertEquals(1.0, Stats.mannWhitneyP(new double[] {5, 5, 5}, new double[] {5, 5, 5}));
    }

    @Test
    void studentHalfWidthMatchesTheTextbookValue() {
        // n = 4, mean 2.5, sd = sqrt(5/3); t(0.975, 3) = 3.182446; half-width = t * sd / 2.
        double expected = 3.182446305284263 * Math.sqrt(5.0 / 3) / 2;
        assertEquals(expected, Stats.tHalfWidth(new double[] {1, 2, 3, 4}, 0.95), 1e-9);
        assertTrue(Double.isNaN(Stats.tHalfWidth(new double[] {1}, 0.95)));
    }

    @Test
    void percentileInterpolatesBetweenOrderStatistics() {
        double[] sorted = {10, 20, 30, 40, 50};
        assertEquals(30, Stats.percentile(sorted, 0.5));
        assertEquals(12, Stats.percentile(sorted, 0.05), 1e-12);
        assertEquals(50, Stats.percentile(sorted, 1.0));
    }
}
