package dev.bpfh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bpfh.reports.WorkloadFacts;
import dev.bpfh.spi.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workload that a backend declares unsupported when loading it is left out of the measurement on
 * that backend, with the backend's reason, and is neither a failure nor timed inside JMH (where it
 * would fail the trial with a stack trace).
 */
class LeftOutTest {

    private static boolean available(String backend) {
        var a = Backends.find(backend).orElseThrow().probe();
        if (!a.available()) {
            System.out.println("[bench] skipping the " + backend + " part: " + a.reason());
        }
        return a.available();
    }

    @Test
    void planGroupsWorkloadsByTheBackendsThatMeasureThem() {
        Map<String, Map<String, String>> leftOut = new LinkedHashMap<>();
        leftOut.put("maps", Map.of("ubpf", "no maps"));
        leftOut.put("xdp@t", Map.of("ubpf", "raw only"));
        leftOut.put("nowhere", Map.of("interp", "a", "ubpf", "b"));
        var plan = new BenchRunner.Precheck(List.of(), leftOut)
                .plan(List.of("a", "maps", "b", "xdp@t", "nowhere"), List.of("interp", "ubpf"));
        Map<List<String>, List<String>> expected = new LinkedHashMap<>();
        expected.put(List.of("interp", "ubpf"), List.of("a", "b"));
        expected.put(List.of("interp"), List.of("maps", "xdp@t"));
        assertEquals(expected, plan);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(plan.keySet()), "first-seen order");
    }

    @Test
    void withNothingLeftOutThereIsOneRunOfEverything() {
        var plan = new BenchRunner.Precheck(List.of(), Map.of()).plan(List.of("a", "b"), List.of("interp", "jit"));
        assertEquals(Map.of(List.of("interp", "jit"), List.of("a", "b")), plan);
    }

    @Test
    void aWorkloadTheKernelCannotExpressIsLeftOutOnTheKernelOnly(@TempDir Path dir) throws Exception {
        assumeTrue(available("kernel"), "kernel unavailable");
        // callx (call %r2) with r2 = 5, bpf_ktime_get_ns: our engines run it; the kernel has no callx
        Path w = Files.writeString(dir.resolve("callx_ktime.data"), """
                -- asm
                mov %r2, 5
                call %r2
                mov %r0, 1
                exit
                -- result
                0x1
                """);
        List<WorkloadFacts> facts = new ArrayList<>();
        var checked = BenchRunner.precheck(List.of(w.toString()), List.of("interp", "jit", "kernel"), facts);
        assertEquals(List.of(), checked.failures());
        assertEquals(Map.of(w.toString(), Map.of("kernel", "kernel has no callx at pc 1")), checked.leftOut());
        assertEquals(List.of("callx_ktime on kernel: not supported: kernel has no callx at pc 1"), checked.leftOutLines());
        assertEquals(Map.of(List.of("interp", "jit"), List.of(w.toString())),
                checked.plan(List.of(w.toString()), List.of("interp", "jit", "kernel")));
    }

    @Test
    void uBpfLeavesOutProgramsWithMapsAndPacketWorkloadsAndRunsTheRest() {
        assumeTrue(available("ubpf") && available("ubpf-jit"), "BPFH_UBPF_LIB not set or not loadable");
        List<String> workloads = List.of("ret42", "map_array_counters", "xdp_firewall@mixed");
        List<String> backends = List.of("interp", "ubpf", "ubpf-jit");
        var checked = BenchRunner.precheck(workloads, backends, new ArrayList<>());
        assertEquals(List.of(), checked.failures());
        assertEquals(List.of("map_array_counters", "xdp_firewall@mixed"), List.copyOf(checked.leftOut().keySet()));
        for (String w : checked.leftOut().keySet()) {
            assertEquals(List.of("ubpf", "ubpf-jit"), List.copyOf(checked.leftOut().get(w).keySet()), w);
        }
        assertTrue(checked.leftOut().get("map_array_counters").get("ubpf").contains("without maps"));
        assertTrue(checked.leftOut().get("xdp_firewall@mixed").get("ubpf-jit").contains("raw programs only, not xdp"));
        Map<List<String>, List<String>> expected = new LinkedHashMap<>();
        expected.put(backends, List.of("ret42"));
        expected.put(List.of("interp"), List.of("map_array_counters", "xdp_firewall@mixed"));
        assertEquals(expected, checked.plan(workloads, backends));
    }
}
