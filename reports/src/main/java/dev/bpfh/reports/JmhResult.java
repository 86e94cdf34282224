package dev.bpfh.reports;

import java.util.Map;

/**
 * One entry of JMH's JSON result array: one benchmark method with one parameter combination.
 *
 * @param benchmark fully qualified method, e.g. {@code dev.bpfh.bench.RunBenchmark.run}
 * @param mode "avgt", "sample", "ss" or "thrpt"
 * @param params the {@code @Param} values (JMH writes them as strings)
 */
public record JmhResult(
        String benchmark,
        String mode,
        int forks,
        String jdkVersion,
        String vmName,
        Map<String, String> params,
        JmhMetric primary,
        Map<String, JmhMetric> secondary) {

    public JmhResult {
        params = Map.copyOf(params);
        secondary = Map.copyOf(secondary);
    }

    /** The method name after the last dot. */
    public String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    public String param(String name) {
        return params.getOrDefault(name, "");
    }
}
