package dev.bpfh.bench;

import dev.bpfh.load.LoadedObject;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.RunInput;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One packet of a trace through an object's program on an engine, from Java ({@link PacketWorkload}):
 * the score is ns per packet. The packets cycle in trace order and the maps persist, so the
 * measured mix is the trace's. Typed programs never write their input array (engines copy the
 * packet into their own frame, as test_run does), so no copy is timed. The runs ask for no data_out
 * ({@link RunInput#withoutDataOut}: test_run's data_out NULL), so an engine does not build the packet
 * after the run, which the kernel's own figure ({@link KernelPacketTimeBenchmark}, test_run's
 * duration) never includes; the benchmark's results are the verdicts and the maps.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.WARMUP_SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.MEASUREMENT_SECONDS)
// jvmArgsAppend repeats Defaults.FORK_JVM_ARGS (annotation values must be literals); BenchRunner passes that array.
@Fork(value = Defaults.FORKS, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms512m", "-Xmx512m", "-Xss8m"})
@Threads(1)
public class PacketBenchmark {

    /** A {@link PacketWorkload} name or spec. Named "workload", not "program", so JMH does not give RunBenchmark these values. */
    @Param({"xdp_firewall@mixed", "proto_counter@mixed", "vlan_strip@vlan", "tc_marker@mixed"})
    public String workload;

    @Param({"interp", "jit", "kernel"})
    public String backend;

    private PreparedPackets prepared;
    private LoadedObject loaded;
    private RunInput[] packets;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        prepared = PreparedPackets.of(workload, backend); // ran the trace once: fails the trial on a trap
        loaded = prepared.loaded;
        packets = prepared.workload.packets().stream().map(RunInput::withoutDataOut).toArray(RunInput[]::new);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        prepared.close();
    }

    /** {@code clock}: CPU and wall time per iteration, read outside the timed loop ({@link IterationClock}). */
    @Benchmark
    public Outcome run(IterationClock clock) {
        RunInput in = packets[next];
        next = next + 1 == packets.length ? 0 : next + 1;
        return loaded.run(in);
    }
}
