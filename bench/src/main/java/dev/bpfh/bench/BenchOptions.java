package dev.bpfh.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link BenchRunner} runs.
 *
 * @param workloads built-in names or {@code .data} paths; empty means every built-in workload
 * @param backends engines to run; empty means every built-in one that is available here
 * @param quick one fork and short iterations (see {@link Defaults#QUICK_WARMUP_MILLIS})
 * @param out the output directory; null means {@code bpfh-out/bench/<timestamp>}
 */
public record BenchOptions(List<String> workloads, List<String> backends, boolean quick, Path out) {

    public BenchOptions {
        workloads = List.copyOf(workloads);
        backends = List.copyOf(backends);
    }
}
