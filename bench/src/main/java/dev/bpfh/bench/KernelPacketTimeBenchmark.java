package dev.bpfh.bench;

import dev.bpfh.kernel.KernelExecutable;
import dev.bpfh.spi.LoadRejected;
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
 * The kernel's own time per packet of a {@link PacketWorkload}: {@code BPF_PROG_TEST_RUN}'s
 * {@code duration} with repeat 1 (XDP's repeat > 1 costs ≈17 ms of wall time per call), one packet
 * per call in trace order. As in {@link KernelTimeBenchmark} the figure is the {@code @AuxCounters}
 * ratio {@code kernelNs / kernelRuns}; the primary score is the wall time of the call. With repeat 1
 * the duration includes the kernel's timer reads around one run, a few tens of ns the repeated
 * timing of {@link KernelTimeBenchmark} spreads thin.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.WARMUP_SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.MEASUREMENT_SECONDS)
// jvmArgsAppend repeats Defaults.FORK_JVM_ARGS (annotation values must be literals); BenchRunner passes that array.
@Fork(value = Defaults.FORKS, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms512m", "-Xmx512m", "-Xss8m"})
@Threads(1)
public class KernelPacketTimeBenchmark {

    @Param({"xdp_firewall@mixed", "proto_counter@mixed", "vlan_strip@vlan", "tc_marker@mixed"})
    public String workload;

    private PreparedPackets prepared;
    private KernelExecutable executable;
    private RunInput[] packets;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        prepared = PreparedPackets.of(workload, "kernel");
        executable = (KernelExecutable) prepared.loaded.entry();
        // as PacketBenchmark's runs: no data_out, which the duration never covers anyway
        packets = prepared.workload.packets().stream().map(RunInput::withoutDataOut).toArray(RunInput[]::new);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        prepared.close();
    }

    @Benchmark
    public long inKernel(KernelTimeBenchmark.KernelClock clock) throws LoadRejected {
        RunInput in = packets[next];
        next = next + 1 == packets.length ? 0 : next + 1;
        long ns = executable.kernelNanosPerPacket(in);
        clock.kernelNs += ns;
        clock.kernelRuns++;
        return ns;
    }
}
