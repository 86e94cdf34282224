package dev.bpfh.bench;

import dev.bpfh.spi.Executable;
import dev.bpfh.spi.Outcome;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One run of a workload on an engine, from Java: the figure engines are compared by.
 *
 * <p>AverageTime gives ns per run; SampleTime the latency percentiles (timer granularity ~20–30 ns,
 * so they mean something for the µs-scale interpreter and kernel round trips more than for the
 * JIT's fastest workloads). For the kernel this is the Java round trip (one
 * {@code BPF_PROG_TEST_RUN}); its in-kernel time is {@link KernelTimeBenchmark}.
 *
 * <p>Every run of a program that may write its input starts by copying the pristine input over the
 * working memory (the copy costs every engine the same). A program that provably cannot write it
 * ({@link InputWrites}) runs on the same memory every time, as the kernel's repeated test_run does;
 * the trial then fails unless that memory is still the pristine input.
 */
@State(Scope.Thread) // thread-confined: the kernel executable's native buffers belong to the loading thread
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.WARMUP_SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.MEASUREMENT_SECONDS)
// jvmArgsAppend repeats Defaults.FORK_JVM_ARGS (annotation values must be literals); BenchRunner passes that array.
@Fork(value = Defaults.FORKS, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms512m", "-Xmx512m", "-Xss8m"})
@Threads(1) // 2 cores: a second benchmark thread would compete with the JIT compiler threads
public class RunBenchmark {

    @Param({"atomics_stack", "byte_sum_1024", "call_chain", "checksum_1500", "copy_to_stack", "fnv1a_256",
        "jhash_mix32", "packet_parse", "primes_500", "straight_line_2400", "strcmp_64", "switch_dispatch",
        "map_array_counters", "map_hash_update_lookup", "map_percpu_counters", "ret42"})
    public String program;

    @Param({"interp", "jit", "kernel"})
    public String backend;

    private Prepared prepared;
    private Executable executable;
    private byte[] pristine;
    private byte[] memory;
    /** False when {@link InputWrites#cannotWriteInput} proves the copy before each run redundant. */
    private boolean restoreInput;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        prepared = Prepared.of(program, backend); // fails the trial if r0 is wrong
        executable = prepared.executable;
        pristine = prepared.workload.memory();
        memory = pristine.clone();
        restoreInput = !InputWrites.cannotWriteInput(prepared.workload.program());
    }

    /** Checks again after millions of runs: a wrong answer must not leave a number behind. */
    @TearDown(Level.Trial)
    public void tearDown() {
        String problem = prepared.check();
        if (problem == null && !restoreInput && !Arrays.equals(memory, pristine)) {
            problem = program + " on " + backend + ": the input changed, though InputWrites found no store that could reach it";
        }
        prepared.close();
        if (problem != null) {
            throw new IllegalStateException("after the benchmark: " + problem);
        }
    }

    /** {@code clock}: CPU and wall time per iteration, read outside the timed loop ({@link IterationClock}). */
    @Benchmark
    public Outcome run(IterationClock clock) {
        if (restoreInput) {
            System.arraycopy(pristine, 0, memory, 0, memory.length);
        }
        return executable.run(memory); // returned, so JMH's blackhole keeps the run alive
    }
}
