package dev.bpfh.bench;

/**
 * Every JMH setting the benchmarks use, named and explained once (JMH's own {@code Defaults} are
 * 5 forks × (5 warmup + 5 measurement) × 10 s, about 8 minutes per benchmark and parameter set:
 * far too long for 12 workloads × 3 engines on a shared 2-core machine).
 */
public final class Defaults {
    private Defaults() {}

    /**
     * Forks for a full run. Fork-to-fork variance (JIT decisions, memory layout) usually dominates
     * iteration-to-iteration variance, and the comparison resamples per-fork means, so forks are
     * added before iterations; 3 is the fewest that gives the bootstrap anything to resample.
     */
    public static final int FORKS = 3;

    /** Warm-up iterations: C2 compiles the interpreter loop and the JIT's generated class within ~1 s. */
    public static final int WARMUP_ITERATIONS = 3;

    public static final int WARMUP_SECONDS = 1;

    /** Measurement iterations per fork; with 3 forks, 15 samples for JMH's t interval. */
    public static final int MEASUREMENT_ITERATIONS = 5;

    public static final int MEASUREMENT_SECONDS = 1;

    /**
     * {@code --quick}: one fork, AverageTime only, no load timing and no kernel round trip (the
     * kernel is timed in-kernel only). Each iteration, warm-up included, starts once the JIT
     * compilers are idle ({@link IterationClock}), so two short warm-ups are enough to reach C2's
     * code even on a loaded machine; then several short measurements, of which the reports take a
     * robust figure (see {@code reports.JmhSummaries}). Budget: 16 memory workloads × (2 engines +
     * in-kernel) + 4 packet workloads × (2 + 1) = 60 forks × (2 × 0.1 + 7 × 0.1 s + ~0.7 s fork
     * start, load and check) ≈ 100 s.
     */
    public static final int QUICK_WARMUP_ITERATIONS = 2;

    public static final int QUICK_MEASUREMENT_ITERATIONS = 7;

    public static final int QUICK_ITERATION_MILLIS = 100;

    /**
     * JVM flags of every fork: FFM for the kernel backend without the restricted-method warning
     * (forks start with {@code -cp … ForkedMain}, so a manifest's Enable-Native-Access does not
     * apply); JMH 1.37's own sun.misc.Unsafe use allowed so JDK 25 prints no deprecation warning in
     * every fork's log; a fixed heap so GC sizing does not drift between forks or runs.
     */
    public static final String[] FORK_JVM_ARGS = {
        "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms512m", "-Xmx512m", "-Xss8m"
    };

    /** {@link #FORK_JVM_ARGS} plus the switch that makes every iteration wait for idle compilers. */
    public static final String[] QUICK_FORK_JVM_ARGS = {
        "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms512m", "-Xmx512m", "-Xss8m",
        "-D" + IterationClock.WAIT_PROPERTY + "=true"
    };

    /**
     * Repetitions per {@code BPF_PROG_TEST_RUN} for the kernel's own timing: enough that the
     * kernel's integer {@code duration} (mean ns per run) and its ~40 ns timer overhead per call are
     * negligible, few enough that one call stays well under a millisecond for most workloads.
     */
    public static final int KERNEL_REPEAT = 1000;
}
