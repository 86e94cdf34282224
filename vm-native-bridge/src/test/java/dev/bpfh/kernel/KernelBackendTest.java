package dev.bpfh.kernel;

import static dev.bpfh.kernel.Asm.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Programs written for "r1 = memory, r2 = length" (isa.md §2.7) run in the kernel. */
class KernelBackendTest {
    private final KernelBackend backend = new KernelBackend();

    @BeforeEach
    void kernel() {
        KernelAssumptions.requireKernel();
    }

    private Outcome.Returned run(Program p, byte[] memory) throws LoadRejected {
        try (KernelExecutable e = backend.load(p, LoadOptions.DEFAULTS, memory.length)) {
            return assertInstanceOf(Outcome.Returned.class, e.run(memory));
        }
    }

    @Test
    void isRegisteredAsTheKernelBackend() {
        assertTrue(Backends.find("kernel").orElseThrow() instanceof KernelBackend);
    }

    @Test
    void returnsAll64BitsOfR0() throws LoadRejected {
        Program p = program("wide", concat(lddw(0, 0x1122334455667788L), new long[] {exit()}));
        assertEquals(0x1122334455667788L, run(p, new byte[0]).r0());
        assertEquals(0x1122334455667788L, run(p, new byte[100]).r0());
    }

    @Test
    void returnsANegativeR0Exactly() throws LoadRejected {
        assertEquals(-1L, run(program("minus1", movImm(0, -1), exit()), new byte[8]).r0());
    }

    @Test
    void memoryWrittenByTheProgramComesBack() throws LoadRejected {
        Program p = program("write",
                stb(1, 0, 0xaa),        // mem[0] = 0xaa
                ldxb(0, 1, 3),          // r0 = mem[3]
                stxb(1, 1, 0),          // mem[1] = r0
                exit());
        byte[] memory = {1, 2, 3, 4};
        Outcome.Returned r = run(p, memory);
        assertEquals(4, r.r0());
        assertArrayEquals(new byte[] {(byte) 0xaa, 4, 3, 4}, r.memory());
        assertArrayEquals(new byte[] {(byte) 0xaa, 4, 3, 4}, memory, "run works in place");
    }

    @Test
    void r2IsTheRealLengthEvenWhenThePacketIsPadded() throws LoadRejected {
        Program p = program("len", movReg(0, 2), exit());
        Outcome.Returned r = run(p, new byte[] {7, 8, 9});
        assertEquals(3, r.r0());
        assertArrayEquals(new byte[] {7, 8, 9}, r.memory());
    }

    @Test
    void thePaddingAfterTheMemoryIsNotReadable() {
        // 3 bytes of memory in a 14-byte packet: byte 3 is padding, and the verifier must refuse it.
        Program p = program("past_end", ldxb(0, 1, 3), exit());
        LoadRejected e = assertThrows(LoadRejected.class, () -> backend.load(p, LoadOptions.DEFAULTS, 3));
        assertEquals(0, e.pc());
        assertTrue(e.reason().startsWith("verifier: "), e.reason());
    }

    @Test
    void loopOverTheMemoryWithARegisterIndex() throws LoadRejected {
        // Bounded by r2 (a constant to the verifier), the index is a known constant on every path.
        Outcome.Returned r = run(byteSum(), new byte[] {1, 2, 3, 4, 5});
        assertEquals(15, r.r0());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, r.memory());
    }

    @Test
    void dataDependentIndexFallsBackToAMapValue() throws LoadRejected {
        // r3 = mem[0] & 3 is unknown to the verifier: refused on a packet pointer, fine in a map value.
        Program p = program("indexed_store", concat(new long[] {
            ldxb(3, 1, 0),                          // 0: r3 = mem[0]
            Insn.encode(0x57, 3, 0, 0, 3),          // 1: r3 &= 3
            movReg(4, 1),                           // 2: r4 = r1
            addReg(4, 3),                           // 3: r4 += r3
            stb(4, 0, 0x77),                        // 4: mem[r3] = 0x77
            ldxb(5, 4, 1),                          // 5: r5 = mem[r3 + 1]
            }, lddw(0, 0xfedcba9876543200L), new long[] {
            addReg(0, 5),                           // 8: r0 += r5
            exit()}));                              // 9
        byte[] memory = {2, 9, 9, 5, 9, 9, 9, 9};
        try (KernelExecutable e = backend.load(p, LoadOptions.DEFAULTS, memory.length)) {
            Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(memory));
            assertEquals(0xfedcba9876543205L, r.r0());
            assertArrayEquals(new byte[] {2, 9, 0x77, 5, 9, 9, 9, 9}, r.memory());
            assertEquals("map-value", e.info().get("wrapping"));
            assertTrue(((String) e.info().get("fallback")).contains("packet"), e.info().toString());
        }
    }

    @Test
    void mapValueWrappingStillRefusesAccessPastTheMemory() {
        // Index in 0..3 plus 8 bytes read: past the end of 8 bytes of memory in either wrapping.
        Program p = program("indexed_past_end",
                ldxb(3, 1, 0), Insn.encode(0x57, 3, 0, 0, 3), movReg(4, 1), addReg(4, 3), ldxdw(0, 4, 0), exit());
        LoadRejected e = assertThrows(LoadRejected.class, () -> backend.load(p, LoadOptions.DEFAULTS, 8));
        assertTrue(e.reason().contains("outside of the allowed memory range"), e.reason());
        assertTrue(e.log().contains("wrapping map-value"), e.log());
        assertEquals(4, e.pc());
    }

    @Test
    void uninitializedRegisterIsRefusedWithTheVerifierReasonAndPc() {
        // r1-r5 are set at entry (r3-r5 = 0); r6-r9 are not, and a subprogram cannot see the caller's.
        Program p = program("r6", movImm(0, 1), movReg(0, 6), exit());
        LoadRejected e = assertThrows(LoadRejected.class, () -> backend.load(p, LoadOptions.DEFAULTS, 8));
        assertEquals("verifier: R6 !read_ok (EACCES)", e.reason());
        assertEquals(1, e.pc());
        assertTrue(e.log().contains("R6 !read_ok"), e.log());
    }

    @Test
    void outOfRangeShiftIsRefused() {
        Program p = program("lsh64", movImm(0, 1), lshImm(0, 64), exit());
        LoadRejected e = assertThrows(LoadRejected.class, () -> backend.load(p, LoadOptions.DEFAULTS));
        assertTrue(e.reason().contains("invalid shift 64"), e.reason());
        assertTrue(e.reason().endsWith("(EINVAL)"), e.reason());
        assertEquals(1, e.pc());
    }

    @Test
    void localCallGetsAFrameOfItsOwn() throws LoadRejected {
        Program p = program("call_local",
                stdw(10, -8, 1),        // 0: caller's [r10-8] = 1
                callLocal(4),           // 1: call 6
                ldxdw(1, 10, -8),       // 2: r1 = caller's [r10-8], still 1
                lshImm(0, 4),           // 3: r0 <<= 4
                addReg(0, 1),           // 4: r0 += r1
                exit(),                 // 5
                stdw(10, -8, 2),        // 6: callee's [r10-8] = 2
                ldxdw(0, 10, -8),       // 7: r0 = 2
                exit());                // 8
        assertEquals((2 << 4) + 1, run(p, new byte[0]).r0());
    }

    @Test
    void callxIsRefusedBeforeTheKernelIsAsked() {
        Program p = program("callx", movImm(2, 5), callx(2), exit());
        LoadRejected e = assertThrows(LoadRejected.class, () -> backend.load(p, LoadOptions.DEFAULTS));
        assertEquals("kernel has no callx", e.reason());
        assertEquals(1, e.pc());
    }

    @Test
    void lddwWithAPseudoSourceIsRefused() {
        Program p = program("map_fd", Insn.encode(0x18, 1, 1, 0, 3), Insn.encode(0, 0, 0, 0, 0), movImm(0, 0), exit());
        LoadRejected e = assertThrows(LoadRejected.class, () -> backend.load(p, LoadOptions.DEFAULTS));
        assertEquals(0, e.pc());
        assertTrue(e.reason().contains("src=1"), e.reason());
    }

    @Test
    void kernelHelpersUseTheKernelsIds() throws LoadRejected {
        assertTrue(run(program("ktime", call(5), exit()), new byte[0]).r0() > 0, "bpf_ktime_get_ns");
        long cpu = run(program("cpu", call(8), exit()), new byte[0]).r0();
        assertTrue(cpu >= 0 && cpu < Runtime.getRuntime().availableProcessors() * 64L, "cpu " + cpu);
    }

    @Test
    void oneExecutableRunsMemoriesOfDifferentLengths() throws LoadRejected {
        try (KernelExecutable e = backend.load(program("len", movReg(0, 2), exit()), LoadOptions.DEFAULTS)) {
            for (int len : new int[] {0, 1, 13, 64, 100, 3512, 5000}) {
                Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(new byte[len]));
                assertEquals(len, r.r0(), "length " + len);
            }
            assertEquals("map-value", e.info().get("wrapping"), "5000 bytes exceed one XDP frame");
        }
    }

    @Test
    void outOfBoundsAccessFoundOnlyAtRunTimeIsARuntimeError() throws LoadRejected {
        // Loaded without a length, verified at the nominal 64 bytes: reading byte 40 is fine there,
        // but not with 8 bytes of memory.
        try (KernelExecutable e = backend.load(program("b40", ldxb(0, 1, 40), exit()), LoadOptions.DEFAULTS)) {
            assertEquals(0, assertInstanceOf(Outcome.Returned.class, e.run(new byte[64])).r0());
            Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, e.run(new byte[8]));
            assertEquals(TrapKind.RUNTIME_ERROR, t.kind());
            assertEquals(0, t.pc());
            assertTrue(t.message().startsWith("verifier: "), t.message());
        }
    }

    @Test
    void infoHasTheKernelsNumbers() throws LoadRejected {
        try (KernelExecutable e = backend.load(loop1000(), LoadOptions.DEFAULTS, 16)) {
            assertEquals(499500L, assertInstanceOf(Outcome.Returned.class, e.run(new byte[16])).r0());
            Map<String, Object> info = e.info();
            assertEquals("xdp", info.get("wrapping"));
            assertTrue((Integer) info.get("jitedBytes") > 0, info.toString());
            // The wrapper's 19 slots plus the 6 of the loop, none rewritten.
            assertEquals(Wrapping.XDP.userStart() + 6, info.get("xlatedInsns"));
            // The verifier walks all 1000 iterations of the loop.
            assertTrue((Integer) info.get("verifiedInsns") > 3000, info.toString());
            assertTrue((Long) info.get("loadNanos") > 0, info.toString());
        }
    }

    @Test
    void kernelDurationOfALoopIsPositive() throws LoadRejected {
        try (KernelExecutable e = backend.load(loop1000(), LoadOptions.DEFAULTS, 16)) {
            long ns = e.kernelNanosPerRun(new byte[16], 10_000);
            assertTrue(ns > 0, "duration " + ns);
            assertEquals("xdp", e.info().get("wrapping"), "timing uses its own SCHED_CLS copy");
        }
    }

    @Test
    void aProgramThatNeverExitsIsRefused() {
        Program p = program("no_exit", movImm(0, 0), ja(-1));
        LoadRejected e = assertThrows(LoadRejected.class, () -> backend.load(p, LoadOptions.DEFAULTS, 0));
        assertTrue(e.reason().startsWith("verifier: "), e.reason());
    }

    @Test
    void runFromAnotherThreadStillWorks() throws Exception {
        try (KernelExecutable e = backend.load(program("len", movReg(0, 2), exit()), LoadOptions.DEFAULTS, 5)) {
            Outcome[] out = new Outcome[1];
            Thread t = new Thread(() -> out[0] = e.run(new byte[5]));
            t.start();
            t.join();
            assertEquals(5, assertInstanceOf(Outcome.Returned.class, out[0]).r0());
        }
    }
}
