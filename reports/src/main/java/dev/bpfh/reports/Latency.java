package dev.bpfh.reports;

import java.util.Map;

/**
 * Latency percentiles of single runs (JMH SampleTime) of one workload on one backend.
 *
 * @param percentiles percentile ("50.0", "90.0", "99.0", ...) to nanoseconds, as JMH names them
 */
public record Latency(String program, String backend, Map<String, Double> percentiles) {

    public Latency {
        percentiles = Map.copyOf(percentiles);
    }
}
