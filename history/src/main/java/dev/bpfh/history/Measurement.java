package dev.bpfh.history;

import java.util.List;

/**
 * One figure of one stored run: the point a series gets from that run.
 *
 * @param workload a bpfh workload, or a JMH benchmark with its parameters ({@code a.B.m{size=10}})
 * @param backend a bpfh backend, or the JMH mode ({@code avgt}, {@code thrpt}, {@code sample}, {@code ss})
 * @param unit JMH's unit, e.g. {@code ns/op} (lower is better) or {@code ops/s} (higher is better)
 * @param value the mean
 * @param error the half-width of JMH's 99.9 % interval; NaN when unknown
 * @param samples per-fork means (or one fork's iterations), as in {@code summary.json}
 */
public record Measurement(String workload, String backend, String unit, double value, double error, List<Double> samples) {

    public Measurement {
        samples = List.copyOf(samples);
    }

    /** Throughput units ({@code ops/s}, {@code ops/ms}, ...) grow when code gets faster; times shrink. */
    public static boolean higherIsBetter(String unit) {
        return unit.startsWith("ops/");
    }
}
