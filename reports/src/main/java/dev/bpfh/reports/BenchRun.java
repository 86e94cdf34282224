package dev.bpfh.reports;

import java.util.List;

/**
 * One measured figure of one workload on one backend.
 *
 * @param program the workload name (a {@code .data} file's base name)
 * @param backend the engine ("interp", "jit", "kernel", ...)
 * @param nsPerRun the mean nanoseconds per run (per load, for load-time figures)
 * @param error the half-width of JMH's 99.9 % confidence interval in ns; NaN when JMH had too few
 *     samples to compute one
 * @param samples the per-fork means in ns: the independent observations the comparison resamples
 *     (iterations inside one fork are correlated, forks are not)
 */
public record BenchRun(String program, String backend, double nsPerRun, double error, List<Double> samples) {

    public BenchRun {
        samples = List.copyOf(samples);
    }

    /** The key this figure is compared under: "program/backend". */
    public String key() {
        return program + "/" + backend;
    }
}
