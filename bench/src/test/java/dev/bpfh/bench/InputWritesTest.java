package dev.bpfh.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bpfh.asm.Assembler;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Which programs the benchmark may run without restoring their input first, and that they truly leave it alone. */
class InputWritesTest {

    private static Program asm(String text) throws Exception {
        return Assembler.assemble("t", text);
    }

    @Test
    void storesThroughTheFramePointerAndLocalCallsCannotReachTheInput() throws Exception {
        assertTrue(InputWrites.cannotWriteInput(asm("""
                ldxb %r2, [%r1+0]
                stxdw [%r10-8], %r2
                stw [%r10-16], 7
                mov %r3, 1
                lock fetch add [%r10-8], %r3
                lddw %r4, 0x1122334455667788
                call local f
                exit
                f:
                stxw [%r10-4], %r1
                mov %r0, 0
                exit
                """)));
    }

    @Test
    void aStoreThroughAnyOtherRegisterMayWriteTheInput() throws Exception {
        assertFalse(InputWrites.cannotWriteInput(asm("mov %r2, 1\nstxb [%r1+0], %r2\nmov %r0, 0\nexit")));
        assertFalse(InputWrites.cannotWriteInput(asm("stw [%r1+6], 1\nmov %r0, 0\nexit")));
        assertFalse(InputWrites.cannotWriteInput(asm("mov %r2, 1\nlock add [%r1+0], %r2\nmov %r0, 0\nexit")));
        // a stack address in another register still counts: the scan does not track values
        assertFalse(InputWrites.cannotWriteInput(asm("mov %r2, %r10\nstdw [%r2-8], 1\nmov %r0, 0\nexit")));
    }

    @Test
    void anyHelperCallMayWriteTheInput() throws Exception {
        assertFalse(InputWrites.cannotWriteInput(asm("call 5\nexit")));
        assertFalse(InputWrites.cannotWriteInput(asm("mov %r2, 5\ncall %r2\nexit")));
    }

    @Test
    void theLatencyBoundByteLoopsRunWithoutACopy() throws Exception {
        // the reason InputWrites exists: these read their input and write nothing but their frame
        assertTrue(InputWrites.cannotWriteInput(Workloads.load("fnv1a_256").program()));
        assertTrue(InputWrites.cannotWriteInput(Workloads.load("byte_sum_1024").program()));
    }

    /**
     * The independent check: every built-in workload the scan calls read-only really leaves its
     * input unchanged on the interpreter and the jit, run twice on one memory (as the benchmark
     * does), with the expected r0 both times.
     */
    @TestFactory
    Stream<DynamicTest> workloadsFoundReadOnlyLeaveTheirInputUnchanged() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        int readOnly = 0;
        for (String name : Workloads.builtInNames()) {
            Workload w = Workloads.load(name);
            if (!InputWrites.cannotWriteInput(w.program())) {
                continue;
            }
            readOnly++;
            for (String backend : List.of("interp", "jit")) {
                tests.add(DynamicTest.dynamicTest(backend + "/" + name, () -> {
                    var b = Backends.find(backend);
                    assumeTrue(b.isPresent() && b.get().probe().available(), backend + " unavailable here");
                    byte[] memory = w.memory();
                    try (Executable e = b.get().load(w.program(), LoadOptions.DEFAULTS)) {
                        for (int run = 0; run < 2; run++) {
                            Outcome o = e.run(memory);
                            assertEquals(new Outcome.Returned(w.expected(), w.memory()), o, "run " + run);
                            assertArrayEquals(w.memory(), memory, "input after run " + run);
                        }
                    }
                }));
            }
        }
        assertTrue(readOnly >= 2, "the scan found " + readOnly + " read-only workloads");
        return tests.stream();
    }

    /** The converse, so the check above can tell: a workload the scan rejects does change its input. */
    @Test
    void aStoreTheScanRejectsDoesChangeTheInput() throws Exception {
        Program p = asm("mov %r2, 9\nstxb [%r1+0], %r2\nmov %r0, 0\nexit");
        assertFalse(InputWrites.cannotWriteInput(p));
        var interp = Backends.find("interp").orElseThrow();
        byte[] memory = new byte[4];
        try (Executable e = interp.load(p, LoadOptions.DEFAULTS)) {
            e.run(memory);
        }
        assertEquals(9, memory[0]);
    }
}
