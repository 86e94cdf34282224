package dev.bpfh.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link BenchRunner} runs.
 *
 * @param workloads built-in names or {@code .data} paths; empty means every built-in workload
 * @param backends engines to run; empty means every built-in one that is available here
 * @param quick one fork and short iterations (see {@link Defaults#QUICK_MEASUREMENT_ITERATIONS})
 * @param out the output directory; null means {@code bpfh-out/bench/<timestamp>}
 * @param nsOnly time ns per run only (AverageTime and the kernel's in-kernel time): no SampleTime
 *     latencies, no load times and no kernel round trip, the figures the goals do not use; a full run's forks and
 *     iterations in about half the time
 */
public record BenchOptions(List<String> workloads, List<String> backends, boolean quick, Path out, boolean nsOnly) {

    public BenchOptions {
        workloads = List.copyOf(workloads);
        backends = List.copyOf(backends);
    }

    public BenchOptions(List<String> workloads, List<String> backends, boolean quick, Path out) {
        this(workloads, backends, quick, out, false);
    }
}
