package dev.bpfh.bench;

import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadRejected;
import java.io.IOException;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to prepare a program: for {@code jit} the compile to bytecode and hidden-class definition
 * (plus HotSpot's own work on first calls is not included: that is warm-up of {@link RunBenchmark});
 * for {@code kernel} {@code BPF_PROG_LOAD}, i.e. verification and the kernel's JIT.
 *
 * <p>AverageTime rather than SingleShotTime: every call does the full work (a new hidden class, a
 * new kernel program), so steady-state averages are the load cost without the first-call class
 * loading of the engine itself; the parameter is {@code loader} so that the runner's backend list
 * for runs does not also select the interpreter here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.WARMUP_SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.MEASUREMENT_SECONDS)
// jvmArgsAppend repeats Defaults.FORK_JVM_ARGS (annotation values must be literals); BenchRunner passes that array.
@Fork(value = Defaults.FORKS, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms512m", "-Xmx512m", "-Xss8m"})
@Threads(1)
public class LoadBenchmark {

    @Param({"atomics_stack", "byte_sum_1024", "call_chain", "checksum_1500", "copy_to_stack", "fnv1a_256",
        "jhash_mix32", "packet_parse", "primes_500", "straight_line_2400", "strcmp_64", "switch_dispatch",
        "map_array_counters", "map_hash_update_lookup", "map_percpu_counters"})
    public String program;

    @Param({"jit", "kernel"})
    public String loader;

    private Workload workload;
    private Backend backend;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Prepared.of(program, loader).close(); // the same check as the runs: never time a wrong program
        workload = Workloads.load(program);
        backend = Prepared.backend(loader);
    }

    @Benchmark
    public Executable load() throws LoadRejected {
        Executable e = Prepared.load(backend, workload);
        e.close(); // frees the kernel program / lets the hidden class unload; the load is what is timed
        return e;
    }
}
