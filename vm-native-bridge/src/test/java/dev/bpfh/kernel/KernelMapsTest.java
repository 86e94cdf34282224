package dev.bpfh.kernel;

import static dev.bpfh.kernel.Asm.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.interp.InterpreterBackend;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Programs with maps in the kernel, against programs.md §1–§3 (the numbers in the assertions are
 * the kernel's documented results, not this backend's output) and against the interpreter on the
 * same programs (r0, memory, map contents and ring records identical).
 */
class KernelMapsTest {
    private static final int LOOKUP = 1, UPDATE = 2, DELETE = 3, SMP_PROCESSOR_ID = 8, TAIL_CALL = 12,
            RB_OUTPUT = 130, RB_RESERVE = 131, RB_SUBMIT = 132, RB_DISCARD = 133, LOOP = 181;

    @BeforeEach
    void kernel() {
        KernelAssumptions.requireKernel();
    }

    static MapSpec map(String name, MapType type, int key, int value, int max) {
        return new MapSpec(name, type, key, value, max, 0);
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static long[] longs(byte[] memory) {
        long[] out = new long[memory.length / 8];
        ByteBuffer.wrap(memory).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    /** r1 = map #m, r2 = r10+keyOff, r3 = r10+valueOff, r4 = flags, call bpf_map_update_elem. */
    static long[] update(int m, int keyOff, int valueOff, int flags) {
        return code(ldMap(1, m), stackAddr(2, keyOff), stackAddr(3, valueOff), movImm(4, flags), call(UPDATE));
    }

    static long[] keyCall(int helper, int m, int keyOff) {
        return code(ldMap(1, m), stackAddr(2, keyOff), call(helper));
    }

    /** *(u64 *)(r9 + off) = r0: records a helper's result in the memory. */
    static long keep(int off) {
        return stxdw(9, off, 0);
    }

    // ------------------------------------------------------------------ helpers from programs

    @Test
    void hashHelperErrorsAreTheKernelsErrnos() throws LoadRejected {
        Program p = new Program("hash_errs", code(
                movReg(9, 1),
                stw(10, -4, 1), stdw(10, -16, 5),
                update(0, -4, -16, 0), keep(0),          // ANY: 0
                update(0, -4, -16, 1), keep(8),          // NOEXIST on a present key: -EEXIST
                stw(10, -4, 2),
                update(0, -4, -16, 2), keep(16),         // EXIST on a missing key: -ENOENT
                update(0, -4, -16, 0), keep(24),         // ANY: 0 (the map is now full)
                stw(10, -4, 3),
                update(0, -4, -16, 0), keep(32),         // insert into a full HASH: -E2BIG
                stw(10, -4, 1),
                update(0, -4, -16, 3), keep(40),         // flags 3: -EINVAL
                stw(10, -4, 3),
                keyCall(DELETE, 0, -4), keep(48),        // delete a missing key: -ENOENT
                stw(10, -4, 2),
                keyCall(DELETE, 0, -4), keep(56),        // delete: 0
                stw(10, -4, 1),
                keyCall(LOOKUP, 0, -4),
                jeqImm(0, 0, 2), ldxdw(0, 0, 0), exit(),
                movImm(0, -1), exit()),
                List.of(map("h", MapType.HASH, 4, 8, 2)));
        try (BothEngines b = BothEngines.load(p, 64)) {
            Outcome.Returned r = b.run(new byte[64]);
            assertEquals(5, r.r0());
            assertArrayEquals(new long[] {0, -17, -2, 0, -7, -22, -2, 0}, longs(r.memory()));
            assertEquals(List.of(new MapView.Entry(u32(1), u64(5))), b.assertSameEntries(0));
        }
    }

    @Test
    void arrayHelperErrorsAndWritesThroughTheLookedUpPointer() throws LoadRejected {
        Program p = new Program("array_errs", code(
                movReg(9, 1),
                stw(10, -4, 1), stdw(10, -16, 7),
                update(0, -4, -16, 0), keep(0),          // 0
                update(0, -4, -16, 1), keep(8),          // NOEXIST: -EEXIST (every element exists)
                update(0, -4, -16, 2), keep(16),         // EXIST: 0
                update(0, -4, -16, 4), keep(24),         // BPF_F_LOCK without a spin lock: -EINVAL
                stw(10, -4, 4),
                update(0, -4, -16, 0), keep(32),         // index >= max_entries: -E2BIG
                keyCall(LOOKUP, 0, -4), keep(40),        // index >= max_entries: NULL
                stw(10, -4, 1),
                keyCall(DELETE, 0, -4), keep(48),        // arrays cannot delete: -EINVAL
                keyCall(LOOKUP, 0, -4),
                jeqImm(0, 0, 5),
                ldxdw(1, 0, 0), addImm(1, 100), stxdw(0, 0, 1), movReg(0, 1), exit(),
                movImm(0, -1), exit()),
                List.of(map("a", MapType.ARRAY, 4, 8, 4)));
        try (BothEngines b = BothEngines.load(p, 56)) {
            Outcome.Returned r = b.run(new byte[56]);
            assertEquals(107, r.r0());
            assertArrayEquals(new long[] {0, -17, 0, -22, -7, 0, -22}, longs(r.memory()));
            List<MapView.Entry> e = b.assertSameEntries(0);
            assertEquals(4, e.size());
            assertArrayEquals(u64(107), e.get(1).value());
            assertArrayEquals(new byte[8], e.get(3).value());
        }
    }

    @Test
    void perCpuMapsRunOnCpu0AndShowCpu0sSlot() throws LoadRejected {
        Program p = new Program("percpu", code(
                movReg(9, 1),
                call(SMP_PROCESSOR_ID), keep(0),
                stw(10, -4, 1),
                keyCall(LOOKUP, 0, -4),
                jeqImm(0, 0, 15),
                ldxw(1, 0, 0), addImm(1, 1), stxw(0, 0, 1),
                stw(10, -16, 0x55),
                update(1, -4, -16, 0), keep(8),
                movImm(0, 0), exit(),
                movImm(0, -1), exit()),
                List.of(map("pa", MapType.PERCPU_ARRAY, 4, 4, 2), map("ph", MapType.PERCPU_HASH, 4, 4, 4)));
        try (BothEngines b = BothEngines.load(p, 16)) {
            for (int i = 0; i < 3; i++) {
                Outcome.Returned r = b.run(new byte[16]);
                assertEquals(0, r.r0());
                assertArrayEquals(new long[] {0, 0}, longs(r.memory()), "CPU 0, update ok");
            }
            assertArrayEquals(u32(3), b.assertSameEntries(0).get(1).value());
            assertEquals(List.of(new MapView.Entry(u32(1), u32(0x55))), b.assertSameEntries(1));

            // The syscall layout: possible CPUs × round_up(4, 8) bytes, CPU i at 8·i; only CPU 0 counted.
            int cpus = CpuPin.possibleCpus();
            byte[] all = rawLookup(b.kernel.maps().get(0), u32(1), cpus * 8);
            byte[] expected = new byte[cpus * 8];
            expected[0] = 3;
            assertArrayEquals(expected, all);
        }
    }

    @Test
    void perCpuViewUpdateWritesCpu0AndZeroesTheOthers() throws LoadRejected {
        Program p = new Program("noop", code(movImm(0, 0), exit()), List.of(map("ph", MapType.PERCPU_HASH, 4, 4, 4)));
        try (KernelExecutable e = new KernelBackend().load(p, LoadOptions.DEFAULTS, 0)) {
            KernelMap m = (KernelMap) e.maps().get(0);
            int cpus = CpuPin.possibleCpus();
            byte[] ones = new byte[cpus * 8];
            java.util.Arrays.fill(ones, (byte) 0x11);
            assertEquals(0, rawUpdate(m, u32(7), ones), "padding round-trips (§1.4)");
            assertArrayEquals(ones, rawLookup(m, u32(7), cpus * 8));
            assertEquals(0, m.update(u32(7), u32(0x01020304), 0));
            byte[] expected = new byte[cpus * 8];
            System.arraycopy(u32(0x01020304), 0, expected, 0, 4);
            assertArrayEquals(expected, rawLookup(m, u32(7), cpus * 8));
            assertArrayEquals(u32(0x01020304), m.lookup(u32(7)));
        }
    }

    @Test
    void aProgramUpdateOfAPerCpuHashKeepsOtherCpusOfAPresentKeyAndZeroesThemForANewOne() throws LoadRejected {
        // programs.md §1.4 says an update zeroes the other CPUs' slots: measured, only for a new key.
        // *(u32 *)key = 1 or 2; value 0x55; update ANY.
        Program p = new Program("pch_update", code(
                ldxw(6, 1, 0), stxw(10, -4, 6), stw(10, -16, 0x55), update(0, -4, -16, 0), exit()),
                List.of(map("ph", MapType.PERCPU_HASH, 4, 4, 4)));
        int cpus = CpuPin.possibleCpus();
        try (KernelExecutable e = new KernelBackend().load(p, LoadOptions.DEFAULTS, 4)) {
            MapView m = e.maps().get(0);
            byte[] ones = new byte[cpus * 8];
            java.util.Arrays.fill(ones, (byte) 0x11);
            assertEquals(0, rawUpdate(m, u32(1), ones));
            assertEquals(0, assertInstanceOf(Outcome.Returned.class, e.run(u32(1))).r0());
            assertEquals(0, assertInstanceOf(Outcome.Returned.class, e.run(u32(2))).r0());
            byte[] present = ones.clone();
            System.arraycopy(u32(0x55), 0, present, 0, 4);
            assertArrayEquals(present, rawLookup(m, u32(1), cpus * 8),
                    "present key: only CPU 0's value_size bytes written (padding and other CPUs kept)");
            byte[] fresh = new byte[cpus * 8];
            System.arraycopy(u32(0x55), 0, fresh, 0, 4);
            assertArrayEquals(fresh, rawLookup(m, u32(2), cpus * 8), "new key: the other CPUs' slots zeroed");
        }
    }

    private static byte[] rawLookup(MapView view, byte[] key, int bytes) {
        try (var a = java.lang.foreign.Arena.ofConfined()) {
            var k = a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, key);
            var v = a.allocate(bytes);
            assertEquals(0, Bpf.elem(a, Bpf.MAP_LOOKUP_ELEM, ((KernelMap) view).fd(), k, v, 0));
            return v.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    private static long rawUpdate(MapView view, byte[] key, byte[] value) {
        try (var a = java.lang.foreign.Arena.ofConfined()) {
            var k = a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, key);
            var v = a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, value);
            return Bpf.elem(a, Bpf.MAP_UPDATE_ELEM, ((KernelMap) view).fd(), k, v, 0);
        }
    }

    // ------------------------------------------------------------------ ring buffers

    @Test
    void ringbufOutputReserveSubmitDiscard() throws LoadRejected {
        Program p = new Program("ringbuf", code(
                lddw(1, 0x0807060504030201L), stxdw(10, -8, 1),
                ldMap(1, 0), stackAddr(2, -8), movImm(3, 5), movImm(4, 0), call(RB_OUTPUT), movReg(6, 0),
                ldMap(1, 0), movImm(2, 16), movImm(3, 0), call(RB_RESERVE),
                jeqImm(0, 0, 24),
                stdw(0, 0, 0x11), stdw(0, 8, 0x22), movReg(1, 0), movImm(2, 0), call(RB_SUBMIT),
                ldMap(1, 0), movImm(2, 8), movImm(3, 0), call(RB_RESERVE),
                jeqImm(0, 0, 13),
                stdw(0, 0, 0x33), movReg(1, 0), movImm(2, 0), call(RB_DISCARD),
                ldMap(1, 0), stackAddr(2, -8), movImm(3, 0), movImm(4, 0), call(RB_OUTPUT),
                addReg(0, 6), exit(),
                movImm(0, -1), exit()),
                List.of(map("events", MapType.RINGBUF, 0, 0, 4096)));
        try (BothEngines b = BothEngines.load(p, 0)) {
            assertEquals(0, b.run(new byte[0]).r0());
            assertEquals(List.of("0102030405", "1100000000000000" + "2200000000000000", ""),
                    BothEngines.hex(b.assertSameRecords(0)));
            assertEquals(List.of(), b.assertSameRecords(0), "drained");
        }
    }

    @Test
    void ringbufReserveOfMoreThanFitsOrWithFlagsIsNull() throws LoadRejected {
        Program p = new Program("rb_big", code(
                movReg(9, 1),
                ldMap(1, 0), movImm(2, 4081), movImm(3, 0), call(RB_RESERVE),  // > S - 16
                jeqImm(0, 0, 4), movReg(1, 0), movImm(2, 0), call(RB_DISCARD), movImm(0, 1),
                keep(0),
                ldMap(1, 0), movImm(2, 4080), movImm(3, 0), call(RB_RESERVE),  // S - 16 fits
                jeqImm(0, 0, 4), movReg(1, 0), movImm(2, 0), call(RB_SUBMIT), movImm(0, 1),
                keep(8),
                ldMap(1, 0), movImm(2, 8), movImm(3, 1), call(RB_RESERVE),     // flags != 0
                jeqImm(0, 0, 4), movReg(1, 0), movImm(2, 0), call(RB_DISCARD), movImm(0, 1),
                keep(16),
                movImm(0, 0), exit()),
                List.of(map("rb", MapType.RINGBUF, 0, 0, 4096)));
        try (BothEngines b = BothEngines.load(p, 24)) {
            assertArrayEquals(new long[] {0, 1, 0}, longs(b.run(new byte[24]).memory()));
            List<byte[]> records = b.assertSameRecords(0);
            assertEquals(1, records.size());
            assertEquals(4080, records.get(0).length);
        }
    }

    @Test
    void ringbufOutputIsEagainWhenFullAndStaysFullUntilDrained() throws LoadRejected {
        Program p = new Program("rb_full", code(
                movReg(9, 1), stdw(10, -8, 0),
                movImm(6, 0), movImm(7, 0), movImm(8, 0),
                ldMap(1, 0), stackAddr(2, -8), movImm(3, 8), movImm(4, 0), call(RB_OUTPUT), // loop: 5..12
                jneImm(0, 0, 2), addImm(6, 1), ja(1), movReg(7, 0),
                addImm(8, 1), jltImm(8, 300, -13),
                movReg(0, 6), stxdw(9, 8, 7), exit()),
                List.of(map("rb", MapType.RINGBUF, 0, 0, 4096)));
        try (BothEngines b = BothEngines.load(p, 16)) {
            Outcome.Returned r = b.run(new byte[16]);
            assertEquals(255, r.r0(), "S = 4096 holds 255 8-byte records (§6)");
            assertEquals(-11, longs(r.memory())[1], "-EAGAIN");
            assertEquals(0, b.run(new byte[16]).r0(), "an unconsumed ring stays full");
            assertEquals(255, b.assertSameRecords(0).size());
            assertEquals(255, b.run(new byte[16]).r0(), "room again after draining");
        }
    }

    // ------------------------------------------------------------------ tail calls

    /** counter[0]++; if counter < limit: tail_call(ctx, progs, 0); return 7. */
    static Program tailCounter(int limit) {
        return new Program("tail_" + limit, code(
                movReg(6, 1),
                stw(10, -4, 0),
                keyCall(LOOKUP, 1, -4),
                jeqImm(0, 0, 9),
                ldxdw(1, 0, 0), addImm(1, 1), stxdw(0, 0, 1),
                jgeImm(1, limit, 5),
                movReg(1, 6), ldMap(2, 0), movImm(3, 0), call(TAIL_CALL),
                movImm(0, 7), exit()),
                List.of(map("progs", MapType.PROG_ARRAY, 4, 4, 1), map("count", MapType.ARRAY, 4, 8, 1)));
    }

    @Test
    void aSelfTailCallChainRuns34TimesAtMost() throws LoadRejected {
        for (int[] limitAndRuns : new int[][] {{10, 10}, {34, 34}, {35, 34}, {1000, 34}}) {
            try (BothEngines b = BothEngines.load(tailCounter(limitAndRuns[0]), 0)) {
                assertEquals(0, b.kernel.maps().get(0).setProgram(0, b.kernel));
                assertEquals(0, b.interp.maps().get(0).setProgram(0, b.interp));
                assertEquals("direct", b.kernel.info().get("wrapping"));
                assertEquals(7, b.run(new byte[0]).r0());
                assertArrayEquals(u64(limitAndRuns[1]), b.assertSameEntries(1).get(0).value(),
                        "executions with limit " + limitAndRuns[0]);
            }
        }
    }

    @Test
    void anEmptySlotFallsThrough() throws LoadRejected {
        try (BothEngines b = BothEngines.load(tailCounter(1000), 0)) {
            assertEquals(7, b.run(new byte[0]).r0());
            assertArrayEquals(u64(1), b.assertSameEntries(1).get(0).value());
        }
    }

    @Test
    void progArraySlotsTakeOnlyKernelExecutablesWithinBounds() throws LoadRejected {
        try (KernelExecutable e = new KernelBackend().load(tailCounter(1000), LoadOptions.DEFAULTS, 0);
             Executable other = new InterpreterBackend().load(tailCounter(1000), LoadOptions.DEFAULTS)) {
            MapView progs = e.maps().get(0);
            assertEquals(-22, progs.setProgram(0, other), "another engine's executable: -EINVAL");
            assertEquals(-7, progs.setProgram(1, e), "index >= max_entries: -E2BIG");
            assertEquals(-2, progs.delete(u32(0)), "deleting an empty slot: -ENOENT");
            assertEquals(0, progs.setProgram(0, e));
            assertEquals(0, progs.delete(u32(0)));
            assertEquals(-22, e.maps().get(1).setProgram(0, e), "not a PROG_ARRAY");
        }
    }

    @Test
    void aWrappedProgramBecomesATailCallTargetUnwrapped() throws LoadRejected {
        KernelBackend k = new KernelBackend();
        try (KernelExecutable caller = k.load(tailCounter(1000), LoadOptions.DEFAULTS, 0);
             KernelExecutable target = k.load(program("ret42", movImm(0, 42), exit()), LoadOptions.DEFAULTS, 8);
             KernelExecutable usesMemory = k.load(program("mem", ldxb(0, 1, 0), exit()), LoadOptions.DEFAULTS, 8)) {
            assertEquals(0, caller.maps().get(0).setProgram(0, target));
            Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, caller.run(new byte[0]));
            assertEquals(42, r.r0(), "the target's r0 is the run's");
            assertEquals(42, assertInstanceOf(Outcome.Returned.class, target.run(new byte[8])).r0(), "still runs wrapped");
            // r1 is the context in a tail-call target: reading it as memory is the verifier's EACCES.
            assertEquals(-13, caller.maps().get(0).setProgram(0, usesMemory));
        }
    }

    @Test
    void aTailCallProgramsR0IsTheZeroExtendedXdpRetval() throws LoadRejected {
        Program p = new Program("tail_r0", code(
                movReg(1, 1), ldMap(2, 0), movImm(3, 0), call(TAIL_CALL),
                lddw(0, 0x1234_5678_9abc_def0L), exit()),
                List.of(map("progs", MapType.PROG_ARRAY, 4, 4, 1)));
        try (KernelExecutable e = new KernelBackend().load(p, LoadOptions.DEFAULTS, 4)) {
            Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(new byte[] {1, 2, 3, 4}));
            assertEquals(0x9abc_def0L, r.r0());
            assertArrayEquals(new byte[] {1, 2, 3, 4}, r.memory());
        }
    }

    // ------------------------------------------------------------------ bpf_loop, global data

    /** acc = 0; n = bpf_loop(5, cb, &acc, 0); return n * 1000 + acc; cb adds the index, stops after {@code stopAt}. */
    static Program loop(int stopAt) {
        return new Program("loop", code(
                stdw(10, -8, 0),                     // 0
                movImm(1, 5),                        // 1
                ldFunc(2, 12 - 2 - 1),               // 2-3: cb at 12
                stackAddr(3, -8),                    // 4-5
                movImm(4, 0),                        // 6
                call(LOOP),                          // 7
                ldxdw(1, 10, -8),                    // 8
                Insn.encode(0x27, 0, 0, 0, 1000),    // 9: r0 *= 1000
                addReg(0, 1),                        // 10
                exit(),                              // 11
                ldxdw(3, 2, 0),                      // 12: cb(index r1, ctx r2)
                addReg(3, 1), stxdw(2, 0, 3),        // 13-14
                movImm(0, 0),                        // 15
                jneImm(1, stopAt, 1),                // 16
                movImm(0, 1),                        // 17
                exit()));                            // 18
    }

    @Test
    void bpfLoopCallsTheCallbackThroughBtfFuncInfo() throws LoadRejected {
        try (BothEngines b = BothEngines.load(loop(99), 4)) {
            assertEquals(5 * 1000 + (0 + 1 + 2 + 3 + 4), b.run(new byte[4]).r0());
        }
        try (BothEngines b = BothEngines.load(loop(2), 4)) {
            assertEquals(3 * 1000 + (0 + 1 + 2), b.run(new byte[4]).r0(), "a callback returning 1 stops the loop");
        }
    }

    /** bpf_loop(n, cb, NULL, flags) with n as a 64-bit constant; flags from memory when {@code flagsFromMemory}. */
    static Program loopReturn(long n, boolean flagsFromMemory) {
        return new Program("loop_ret", code(
                flagsFromMemory ? ldxdw(4, 1, 0) : movImm(4, 0),  // 0
                lddw(1, n),                                        // 1-2
                ldFunc(2, 8 - 3 - 1),                              // 3-4: cb at 8
                movImm(3, 0),                                      // 5
                call(LOOP),                                        // 6
                exit(),                                            // 7
                movImm(0, 0), exit()));                            // 8-9: cb returns 0
    }

    @Test
    void bpfLoopE2bigTakesTheInlinedFormWhenFlagsAreAKnownZero() throws LoadRejected {
        // programs.md §3.3: with flags a verifier-known 0 the loop is inlined: n is compared in 64 bits
        // and -E2BIG is a 32-bit move; with flags unknown the helper's u32 n and 64-bit -E2BIG remain.
        try (KernelExecutable k = new KernelBackend().load(loopReturn(0x800001, false), LoadOptions.DEFAULTS, 8);
             KernelExecutable k64 = new KernelBackend().load(loopReturn(0x1_0000_0005L, false), LoadOptions.DEFAULTS, 8);
             KernelExecutable helper = new KernelBackend().load(loopReturn(0x800001, true), LoadOptions.DEFAULTS, 8);
             Executable interp = new InterpreterBackend().load(loopReturn(0x800001, false), LoadOptions.DEFAULTS)) {
            long inlined = assertInstanceOf(Outcome.Returned.class, k.run(new byte[8])).r0();
            assertEquals(0xFFFF_FFF9L, inlined);
            assertEquals(0xFFFF_FFF9L, assertInstanceOf(Outcome.Returned.class, k64.run(new byte[8])).r0());
            assertEquals(-7L, assertInstanceOf(Outcome.Returned.class, helper.run(new byte[8])).r0());
            // The interpreter returns the helper's form (a reported difference); the low 32 bits agree.
            assertEquals((int) inlined, (int) assertInstanceOf(Outcome.Returned.class, interp.run(new byte[8])).r0());
        }
    }

    @Test
    void rodataIsReadableFrozenBeforeTheFirstRunAndStoresAreRefused() throws LoadRejected {
        MapSpec rodata = new MapSpec(".rodata", MapType.ARRAY, 4, 16, 1, MapSpec.F_RDONLY_PROG);
        Program read = new Program("ro", code(ldMapValue(1, 0, 8), ldxdw(0, 1, 0), exit()), List.of(rodata));
        try (BothEngines b = BothEngines.load(read, 0)) {
            for (MapView v : b.views(0)) {
                assertEquals(0, v.update(u32(0), concat8(u64(1), u64(0x0102030405060708L)), 0));
            }
            assertEquals(0x0102030405060708L, b.run(new byte[0]).r0());
            assertEquals(-1, b.kernel.maps().get(0).update(u32(0), new byte[16], 0), "frozen: -EPERM");
            b.assertSameEntries(0);
        }
        Program write = new Program("rw", code(ldMapValue(1, 0, 0), stdw(1, 0, 1), movImm(0, 0), exit()), List.of(rodata));
        LoadRejected r = assertThrows(LoadRejected.class, () -> new KernelBackend().load(write, LoadOptions.DEFAULTS, 0));
        assertTrue(r.getMessage().contains("write into map forbidden"), r.getMessage());
        try (Executable i = new InterpreterBackend().load(write, LoadOptions.DEFAULTS)) {
            Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, i.run(new byte[0]));
            assertEquals(TrapKind.OUT_OF_BOUNDS, t.kind(), "MAPS-FORMAT: interp traps where the kernel refuses");
        }
    }

    private static byte[] concat8(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void allVariantsOfAnExecutableShareOneSetOfMaps() throws LoadRejected {
        // counter[0] += r2 (the memory length): runs with three lengths load three programs.
        Program p = new Program("shared", code(
                movReg(6, 2), stw(10, -4, 0), keyCall(LOOKUP, 0, -4),
                jeqImm(0, 0, 4), ldxdw(1, 0, 0), addReg(1, 6), stxdw(0, 0, 1), movReg(0, 1), exit()),
                List.of(map("count", MapType.ARRAY, 4, 8, 1)));
        try (BothEngines b = BothEngines.load(p, 1)) {
            b.run(new byte[1]);
            b.run(new byte[20]);
            assertEquals(1 + 20 + 300, b.run(new byte[300]).r0());
            assertArrayEquals(u64(321), b.assertSameEntries(0).get(0).value());
        }
    }

    @Test
    void mapValueReferencesAreMapIndexesPatchedToFds() throws LoadRejected {
        Program bad = new Program("bad_index", code(ldMap(1, 1), movImm(0, 0), exit()),
                List.of(map("m", MapType.ARRAY, 4, 8, 1)));
        LoadRejected e = assertThrows(LoadRejected.class, () -> new KernelBackend().load(bad, LoadOptions.DEFAULTS, 0));
        assertEquals(0, e.pc());
        // MAP_VALUE works only on a one-element ARRAY: the kernel refuses it on a HASH.
        Program hashValue = new Program("hash_value", code(ldMapValue(1, 0, 0), movImm(0, 0), exit()),
                List.of(map("h", MapType.HASH, 4, 8, 1)));
        assertThrows(LoadRejected.class, () -> new KernelBackend().load(hashValue, LoadOptions.DEFAULTS, 0));
    }

    @Test
    void aMapTheKernelRefusesIsALoadRejectionNamingMapAndErrno() {
        Program p = new Program("bad_map", code(movImm(0, 0), exit()), List.of(map("counters", MapType.ARRAY, 8, 8, 1)));
        LoadRejected e = assertThrows(LoadRejected.class, () -> new KernelBackend().load(p, LoadOptions.DEFAULTS, 0));
        assertEquals("map 'counters': BPF_MAP_CREATE failed: EINVAL", e.getMessage());
    }

    @Test
    void viewsOfMissingKeysAndWrongLengths() throws LoadRejected {
        Program p = new Program("noop", code(movImm(0, 0), exit()), List.of(map("h", MapType.HASH, 4, 8, 4)));
        try (KernelExecutable e = new KernelBackend().load(p, LoadOptions.DEFAULTS, 0)) {
            MapView h = e.maps().get(0);
            assertNull(h.lookup(u32(1)));
            assertNull(h.lookup(new byte[3]));
            assertEquals(-22, h.update(u32(1), new byte[7], 0));
            assertEquals(List.of(), h.drainRecords());
        }
    }
}
