package dev.bpfh.reports;

import java.util.List;
import java.util.Map;

/**
 * One metric of a JMH result (the primary one or a secondary such as an {@code @AuxCounters} field).
 *
 * @param score the mean over every measurement iteration of every fork
 * @param error half-width of JMH's 99.9 % Student-t interval; NaN when JMH wrote "NaN"
 * @param unit e.g. "ns/op", "#"
 * @param percentiles JMH's percentile table ("0.0" … "100.0")
 * @param iterations per fork, the per-iteration scores (for SampleTime: each iteration's mean,
 *     weighted by the histogram counts)
 */
public record JmhMetric(
        double score, double error, String unit, Map<String, Double> percentiles, List<List<Double>> iterations) {

    public JmhMetric {
        percentiles = Map.copyOf(percentiles);
        iterations = iterations.stream().map(List::copyOf).toList();
    }

    /** The mean of each fork's iterations: the independent samples a comparison should use. */
    public List<Double> forkMeans() {
        return iterations.stream()
                .filter(f -> !f.isEmpty())
                .map(f -> f.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN))
                .toList();
    }
}
