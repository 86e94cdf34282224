package dev.bpfh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.reports.WorkloadFacts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The untimed per-workload facts the runner collects before JMH starts. */
class FactsTest {

    @Test
    void byteSumExecutesSetUpPlusSixPerByteAndExit() throws IOException {
        // byte_sum_1024.data: 2 set-up instructions, a 6-instruction loop body run 1024 times, exit
        assertEquals(2 + 6 * 1024 + 1, Facts.executedInstructions(Workloads.load("byte_sum_1024")));
    }

    @Test
    void straightLineExecutesEachInstructionOnceAndLddwCountsOnce() throws IOException {
        Workload w = Workloads.load("straight_line_2400");
        int insns = Facts.programInsns(w.program());
        assertEquals(w.program().length() - 8, insns); // the file has 8 lddw, two slots each
        assertEquals(insns, Facts.executedInstructions(w)); // branch-free: every instruction once
    }

    @Test
    void helperCallsCountHelpersNotLocalCalls() throws IOException {
        // map_hash_update_lookup.data calls map_update_elem (2) and map_lookup_elem (1) once each in its source;
        // call_chain.data makes four bpf-to-bpf calls (src 1), which are not helpers
        assertEquals(2, Facts.helperCalls(Workloads.load("map_hash_update_lookup").program()));
        assertEquals(0, Facts.helperCalls(Workloads.load("call_chain").program()));
        assertEquals(0, Facts.helperCalls(Workloads.load("straight_line_2400").program())); // 8 lddw, no call
    }

    @Test
    void jitInfoOfACompiledAndAFallenBackProgram() {
        WorkloadFacts.Jit compiled = Facts.jit(Map.of("engine", "jit", "bytecodeBytes", 1234, "methods", 3,
                "maxMethodBytes", 900));
        assertEquals(new WorkloadFacts.Jit(1234, 3, 900, ""), compiled);
        assertFalse(compiled.fellBack());
        // a fallback carries the interpreter's info plus the reason, and no bytecode
        WorkloadFacts.Jit fell = Facts.jit(Map.of("engine", "interp", "slots", 9, "fallback", "too large"));
        assertEquals(new WorkloadFacts.Jit(0, 0, 0, "too large"), fell);
        assertTrue(fell.fellBack());
    }

    @Test
    void kernelInfo() {
        assertEquals(new WorkloadFacts.Kernel(512, 40, 77, "xdp"), Facts.kernel(Map.of("wrapping", "xdp",
                "jitedBytes", 512, "xlatedInsns", 40, "verifiedInsns", 77, "loadNanos", 5L)));
    }

    @Test
    void precheckCollectsFactsPerWorkload() {
        List<WorkloadFacts> facts = new ArrayList<>();
        List<String> failures = BenchRunner.precheck(List.of("byte_sum_1024"), List.of("interp", "jit"), facts).failures();
        assertEquals(List.of(), failures);
        assertEquals(1, facts.size());
        WorkloadFacts f = facts.getFirst();
        assertEquals("byte_sum_1024", f.program());
        assertEquals(9, f.programInsns());
        assertEquals(6147, f.instructions());
        assertEquals(0, f.helperCalls());
        assertNotNull(f.jit());
        assertTrue(f.jit().fellBack() || f.jit().bytecodeBytes() > 0, f.jit().toString());
        assertNull(f.kernel()); // not asked for
    }
}
