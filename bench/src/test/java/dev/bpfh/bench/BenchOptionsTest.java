package dev.bpfh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.options.Options;

/** The JMH options BenchRunner builds for a full run and for --quick. */
class BenchOptionsTest {
    private static final Path JSON = Path.of("jmh.json");

    @Test
    void quickTimesTheKernelInKernelOnlyAndWaitsForTheCompilers() {
        Options o = BenchRunner.options(true, List.of("byte_sum_1024", "xdp_firewall@mixed"),
                List.of("interp", "jit", "kernel"), JSON).build();
        assertEquals(List.of("interp", "jit"), List.copyOf(o.getParameter("backend").get()));
        assertTrue(o.getIncludes().contains(KernelTimeBenchmark.class.getName() + ".inKernel$"));
        assertTrue(o.getIncludes().contains(KernelPacketTimeBenchmark.class.getName() + ".inKernel$"));
        assertTrue(o.getIncludes().contains(RunBenchmark.class.getName() + ".run$"));
        assertFalse(o.getIncludes().contains(LoadBenchmark.class.getName() + ".load$"));
        assertEquals(1, o.getForkCount().get());
        assertEquals(Defaults.QUICK_MEASUREMENT_ITERATIONS, o.getMeasurementIterations().get());
        assertTrue(o.getJvmArgsAppend().get().contains("-D" + IterationClock.WAIT_PROPERTY + "=true"));
    }

    @Test
    void quickOnTheKernelAloneRunsNoJavaSideBenchmark() {
        Options o = BenchRunner.options(true, List.of("byte_sum_1024"), List.of("kernel"), JSON).build();
        assertEquals(List.of(KernelTimeBenchmark.class.getName() + ".inKernel$"), o.getIncludes());
    }

    @Test
    void nsOnlyKeepsTheFullForksButNeitherRoundTripNorLoadTimes() {
        Options o = BenchRunner.options(false, true, List.of("byte_sum_1024"), List.of("interp", "kernel"), JSON).build();
        assertEquals(List.of("interp"), List.copyOf(o.getParameter("backend").get()));
        assertFalse(o.getIncludes().contains(LoadBenchmark.class.getName() + ".load$"));
        assertFalse(o.getForkCount().hasValue());
    }

    @Test
    void aFullRunKeepsTheKernelRoundTripAndLoadTimesAndDoesNotWait() {
        Options o = BenchRunner.options(false, List.of("byte_sum_1024"), List.of("interp", "jit", "kernel"), JSON).build();
        assertEquals(List.of("interp", "jit", "kernel"), List.copyOf(o.getParameter("backend").get()));
        assertTrue(o.getIncludes().contains(LoadBenchmark.class.getName() + ".load$"));
        assertFalse(o.getForkCount().hasValue()); // the annotations' Defaults.FORKS
        assertFalse(o.getJvmArgsAppend().get().stream().anyMatch(a -> a.contains(IterationClock.WAIT_PROPERTY)));
    }

    @Test
    void forksKeepTheHostsOptionsButNotTheLaunchersAotCache() {
        List<String> host = List.of("-XX:AOTCache=/x/cli/target/bpfh.aot", "-Xlog:aot=off", "-Xlog:cds=off",
                "--enable-native-access=ALL-UNNAMED", "-Xmx2g", "-Djmh.ignoreLock=true");
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx2g", "-Djmh.ignoreLock=true"),
                BenchRunner.inheritedJvmArgs(host));
        Options o = BenchRunner.options(true, List.of("byte_sum_1024"), List.of("jit"), JSON).build();
        assertFalse(o.getJvmArgs().get().stream().anyMatch(a -> a.startsWith("-XX:AOTCache")));
    }
}
