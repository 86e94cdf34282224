package dev.bpfh.bench;

import dev.bpfh.kernel.KernelExecutable;
import dev.bpfh.spi.LoadRejected;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The kernel's own time per run: {@code BPF_PROG_TEST_RUN}'s {@code duration} over
 * {@link Defaults#KERNEL_REPEAT} repetitions (a SCHED_CLS copy: XDP with repeat > 1 costs ~16 ms
 * of wall time per call). JMH's primary score here is the wall time of one such call and is not the
 * figure; the figure is the {@code @AuxCounters} ratio {@code kernelNs / kernelRuns} per iteration,
 * which the reports take as the kernel's ns per run. The repetitions share the memory, which is
 * reset before each call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.WARMUP_SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.MEASUREMENT_SECONDS)
// jvmArgsAppend repeats Defaults.FORK_JVM_ARGS (annotation values must be literals); BenchRunner passes that array.
@Fork(value = Defaults.FORKS, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms512m", "-Xmx512m", "-Xss8m"})
@Threads(1)
public class KernelTimeBenchmark {

    @Param({"atomics_stack", "byte_sum_1024", "call_chain", "checksum_1500", "copy_to_stack", "fnv1a_256",
        "jhash_mix32", "packet_parse", "primes_500", "straight_line_2400", "strcmp_64", "switch_dispatch",
        "map_array_counters", "map_hash_update_lookup", "map_percpu_counters", "ret42"})
    public String program;

    /** Counters JMH reports per iteration (EVENTS: summed, not divided by time). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class KernelClock {
        public long kernelNs;
        public long kernelRuns;

        @Setup(Level.Iteration)
        public void reset() {
            kernelNs = 0;
            kernelRuns = 0;
        }
    }

    private Prepared prepared;
    private KernelExecutable executable;
    private byte[] pristine;
    private byte[] memory;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        prepared = Prepared.of(program, "kernel");
        executable = (KernelExecutable) prepared.executable;
        pristine = prepared.workload.memory();
        memory = new byte[pristine.length];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        prepared.close();
    }

    @Benchmark
    public long inKernel(KernelClock clock) throws LoadRejected {
        System.arraycopy(pristine, 0, memory, 0, memory.length);
        long nsPerRun = executable.kernelNanosPerRun(memory, Defaults.KERNEL_REPEAT);
        clock.kernelNs += nsPerRun * Defaults.KERNEL_REPEAT;
        clock.kernelRuns += Defaults.KERNEL_REPEAT;
        return nsPerRun;
    }
}
