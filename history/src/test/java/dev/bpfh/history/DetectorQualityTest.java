package dev.bpfh.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The detector's quality on series whose change points are known because they are generated: the
 * generator below, not the detector, is the source of truth.
 *
 * <p>Noise model, meant to look like per-commit JMH means on a benchmark machine: each point is the
 * level times {@code 1 + N(0, 2 %)} (a coefficient of variation of 2 %: run-to-run spread of a
 * well-set-up JMH average is typically 0.5–3 %), and 2 % of the points are interference outliers,
 * {@code 10–30 %} slower (one-sided: a busy machine never makes code faster). Levels span 20 ns to
 * 20 µs; steps are 3–20 % either way, at least 10 points from each other and from the ends.
 */
class DetectorQualityTest {
    static final double NOISE_CV = 0.02;
    static final double OUTLIER_RATE = 0.02;
    static final int TOLERANCE = 2;

    /** A generated series and the indices where its level changes. */
    record Generated(double[] values, List<Integer> steps) {}

    static Generated generate(SplittableRandom r, boolean withSteps) {
        int n = 30 + r.nextInt(271); // 30..300
        double level = 20 * Math.pow(1000, r.nextDouble()); // 20 ns .. 20 µs, log-uniform
        List<Integer> steps = new ArrayList<>();
        if (withSteps) {
            int wanted = 1 + r.nextInt(Math.min(3, n / 30)); // room for 10 points around each
            for (int attempt = 0; steps.size() < wanted && attempt < 1000; attempt++) {
                int at = 10 + r.nextInt(n - 19);
                if (steps.stream().allMatch(s -> Math.abs(s - at) >= 10)) {
                    steps.add(at);
                }
            }
            steps.sort(null);
        }
        double[] xs = new double[n];
        int next = 0;
        for (int i = 0; i < n; i++) {
            if (next < steps.size() && steps.get(next) == i) {
                double size = 0.03 + 0.17 * r.nextDouble();
                level *= r.nextBoolean() ? 1 + size : 1 / (1 + size);
                next++;
            }
            double x = level * (1 + NOISE_CV * r.nextGaussian());
            if (r.nextDouble() < OUTLIER_RATE) {
                x *= 1.1 + 0.2 * r.nextDouble();
            }
            xs[i] = x;
        }
        return new Generated(xs, steps);
    }

    @Test
    void findsNinetyPercentOfStepsWithinTwoPointsAndAlarmsOnAtMostFivePercentOfStationarySeries() {
        EDivisive detector = new EDivisive();
        SplittableRandom r = new SplittableRandom(20260501);
        int steps = 0;
        int found = 0;
        int reported = 0;
        int spurious = 0;
        for (int i = 0; i < 100; i++) {
            Generated g = generate(r, true);
            List<Integer> cps = detector.detect(g.values()).stream().map(EDivisive.ChangePoint::index).toList();
            for (int s : g.steps()) {
                steps++;
                if (cps.stream().anyMatch(c -> Math.abs(c - s) <= TOLERANCE)) {
                    found++;
                }
            }
            reported += cps.size();
            spurious += (int) cps.stream()
                    .filter(c -> g.steps().stream().noneMatch(s -> Math.abs(c - s) <= TOLERANCE)).count();
        }
        int alarms = 0;
        for (int i = 0; i < 100; i++) {
            if (!detector.detect(generate(r, false).values()).isEmpty()) {
                alarms++;
            }
        }
        double recall = (double) found / steps;
        double falseAlarmRate = alarms / 100.0;
        System.out.printf(Locale.ROOT, "E-divisive quality: recall %.1f %% (%d of %d steps within ±%d points), "
                        + "false alarms on %d of 100 stationary series (%.0f %%), %d of %d reported change points "
                        + "not near a step%n", 100 * recall, found, steps, TOLERANCE, alarms, 100 * falseAlarmRate,
                spurious, reported);
        assertTrue(recall >= 0.90, "recall " + recall);
        assertTrue(falseAlarmRate <= 0.05, "false alarm rate " + falseAlarmRate);
    }

    @Test
    void aCleanStepIsFoundExactlyWithItsMeans() {
        double[] xs = new double[40];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (i < 25 ? 100 : 110) + (i % 2 == 0 ? 0.5 : -0.5); // ±0.5 alternating, step at 25
        }
        List<EDivisive.ChangePoint> cps = new EDivisive().detect(xs);
        assertEquals(1, cps.size(), cps.toString());
        EDivisive.ChangePoint cp = cps.getFirst();
        assertEquals(25, cp.index());
        assertEquals(100.0, cp.meanBefore(), 0.05);
        assertEquals(110.0, cp.meanAfter(), 0.05);
        assertEquals(0.10, cp.change(), 0.001);
        assertTrue(cp.pValue() <= 0.01, "p " + cp.pValue());
    }

    @Test
    void aConstantSeriesAndOneTooShortHaveNoChangePoint() {
        assertTrue(new EDivisive().detect(new double[50]).isEmpty());
        assertTrue(new EDivisive().detect(new double[] {1, 1, 1, 9, 9, 9}).isEmpty()); // < 2 x minSegment
    }

    @Test
    void theSameSeriesAlwaysGivesTheSameAnswer() {
        Generated g = generate(new SplittableRandom(7), true);
        assertEquals(new EDivisive().detect(g.values()), new EDivisive().detect(g.values()));
    }
}
