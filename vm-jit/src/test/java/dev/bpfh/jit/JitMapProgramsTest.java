package dev.bpfh.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.data.DataFile;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.interp.InterpreterBackend;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Map programs on the jit, in the direct form and the split form (regions of a few blocks, so tail
 * calls and callbacks also run from region methods). Expected values are the kernel's rules
 * (programs.md §1.3, §3.2, §6; MAPS-FORMAT.md), worked out by hand next to each assertion; trap
 * pcs are counted by hand from the listing.
 */
class JitMapProgramsTest {

    static final JitBackend DIRECT = new JitBackend();
    /** Regions of a few blocks: tail calls and helper calls happen inside region methods. */
    static final JitBackend SPLIT = new JitBackend(200);

    static Stream<JitBackend> forms() {
        return Stream.of(DIRECT, SPLIT);
    }

    static Executable load(Backend backend, String text, long budget) throws LoadRejected {
        DataFile d;
        try {
            d = DataFileParser.parse("t", null, text + "-- result\n0x0\n");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        Executable e = backend.load(d.program(), LoadOptions.DEFAULTS.withInstructionBudget(budget));
        assertFalse(e.info().containsKey("fallback"), () -> "fell back: " + e.info().get("fallback"));
        return e;
    }

    static Executable load(Backend backend, String text) throws LoadRejected {
        return load(backend, text, LoadOptions.DEFAULT_INSTRUCTION_BUDGET);
    }

    static long r0(Executable exe) {
        return assertInstanceOf(Outcome.Returned.class, exe.run(new byte[0])).r0();
    }

    static Outcome.Trapped trap(Executable exe) {
        return assertInstanceOf(Outcome.Trapped.class, exe.run(new byte[0]));
    }

    static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    /** map_update_elem(MAP, &key (r10-8), &value (r10-24), FLAGS); r0 = result. Clobbers r1..r5. */
    static String update(String map, long key, long value, int flags) {
        return "lddw %r1, " + key + "\nstxdw [%r10-8], %r1\nlddw %r1, " + value + "\nstxdw [%r10-24], %r1\n"
                + "lddw %r1, map:" + map + "\nmov %r2, %r10\nadd %r2, -8\nmov %r3, %r10\nadd %r3, -24\nmov %r4, "
                + flags + "\ncall 2\n";
    }

    /** map_lookup_elem / map_delete_elem(MAP, &key (r10-8)); r0 = result. */
    static String keyed(int helper, String map, long key) {
        return "lddw %r1, " + key + "\nstxdw [%r10-8], %r1\nlddw %r1, map:" + map
                + "\nmov %r2, %r10\nadd %r2, -8\ncall " + helper + "\n";
    }

    /** Shifts the low byte of r0 into r6 (errnos are distinct in their low byte). */
    static final String COLLECT = "lsh %r6, 8\nand %r0, 0xff\nor %r6, %r0\n";

    @ParameterizedTest
    @MethodSource("forms")
    void arrayFlagsIndexAndDeleteFollowTheKernel(JitBackend jit) throws Exception {
        String decl = "-- map a\ntype=array key=4 value=8 entries=3\n-- asm\nmov %r6, 0\n";
        Executable exe = load(jit, decl
                + update("a", 2, 0x77, 0) + COLLECT // 0
                + update("a", 2, 0x78, 2) + COLLECT // EXIST: every element exists → 0
                + update("a", 2, 0x79, 1) + COLLECT // NOEXIST → -EEXIST (0xef)
                + update("a", 3, 0x79, 0) + COLLECT // index 3 ≥ 3 → -E2BIG (0xf9)
                + update("a", 1, 0x79, 3) + COLLECT // flags 3 → -EINVAL (0xea)
                + keyed(3, "a", 1) + COLLECT // delete on an array → -EINVAL (0xea)
                + "mov %r0, %r6\nexit\n");
        assertEquals(0x0000eff9eaeaL, r0(exe));
        MapView a = exe.map("a").orElseThrow();
        assertArrayEquals(le(0x78, 8), a.lookup(le(2, 4)));
        assertArrayEquals(le(0, 8), a.lookup(le(0, 4)));
        assertEquals(3, a.entries().size()); // every index, zero values included
    }

    @ParameterizedTest
    @MethodSource("forms")
    void hashFillsDeletesAndRefusesLikeTheKernel(JitBackend jit) throws Exception {
        String decl = "-- map h\ntype=hash key=8 value=8 entries=2\n-- asm\nmov %r6, 0\n";
        Executable exe = load(jit, decl
                + update("h", 10, 100, 1) + COLLECT // NOEXIST, absent → 0
                + update("h", 20, 200, 0) + COLLECT // 0
                + update("h", 30, 300, 0) + COLLECT // full → -E2BIG (0xf9)
                + keyed(3, "h", 10) + COLLECT // delete → 0
                + keyed(3, "h", 10) + COLLECT // delete again → -ENOENT (0xfe)
                + update("h", 30, 300, 2) + COLLECT // EXIST, absent → -ENOENT (0xfe)
                + update("h", 30, 301, 0) + COLLECT // room again → 0
                + "mov %r0, %r6\nexit\n");
        assertEquals(0x0000f900fefe00L, r0(exe));
        MapView h = exe.map("h").orElseThrow();
        assertEquals(new HashSet<>(List.of(new MapView.Entry(le(20, 8), le(200, 8)), new MapView.Entry(le(30, 8), le(301, 8)))),
                new HashSet<>(h.entries()));
        assertNull(h.lookup(le(10, 8)));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void lookupPointersWriteThroughAndPersistAcrossRuns(JitBackend jit) throws Exception {
        for (String type : List.of("hash", "percpu_hash", "lru_hash", "array", "percpu_array")) {
            String key = type.contains("array") ? "4" : "8";
            // if lookup(1) is NULL: insert 5; else *value += 3 through the pointer; r0 = the value read back
            Executable exe = load(jit, "-- map m\ntype=" + type + " key=" + key + " value=16 entries=4\n-- asm\n"
                    + keyed(1, "m", 1) + "jne %r0, 0, found\n" + update("m", 1, 5, 0)
                    + keyed(1, "m", 1) + "ja read\n"
                    + "found:\nldxdw %r1, [%r0+8]\nadd %r1, 3\nstxdw [%r0+8], %r1\n"
                    + "read:\nldxdw %r0, [%r0+8]\nexit\n");
            byte[] k = le(1, Integer.parseInt(key));
            if (type.contains("array")) {
                assertEquals(3, r0(exe), type); // an array element always exists (zero): 0 + 3
                assertEquals(6, r0(exe), type);
            } else {
                assertEquals(0, r0(exe), type); // inserted value 5: bytes 8..15 are zero
                assertEquals(3, r0(exe), type);
                assertEquals(6, r0(exe), type);
            }
            byte[] v = exe.map("m").orElseThrow().lookup(k);
            assertEquals(6, v[8], type);
        }
    }

    @ParameterizedTest
    @MethodSource("forms")
    void lruHashEvictsInsteadOfRefusing(JitBackend jit) throws Exception {
        Executable exe = load(jit, "-- map l\ntype=lru_hash key=8 value=8 entries=2\n-- asm\nmov %r6, 0\n"
                + update("l", 1, 1, 0) + COLLECT + update("l", 2, 2, 0) + COLLECT
                + update("l", 3, 3, 0) + COLLECT // full: an LRU map evicts one, 0
                + "mov %r0, %r6\nexit\n");
        assertEquals(0, r0(exe));
        List<MapView.Entry> entries = exe.map("l").orElseThrow().entries();
        assertEquals(2, entries.size());
        assertTrue(entries.contains(new MapView.Entry(le(3, 8), le(3, 8))), entries::toString);
    }

    @ParameterizedTest
    @MethodSource("forms")
    void nullDereferenceAndValueOverrunTrapAtTheAccess(JitBackend jit) throws Exception {
        String decl = "-- map h\ntype=hash key=8 value=12 entries=2\n-- asm\n";
        // keyed() is lddw(2) stxdw lddw(2) mov add call: pcs 0..7, so the access is pc 8.
        Outcome.Trapped nul = trap(load(jit, decl + keyed(1, "h", 9) + "ldxw %r0, [%r0+4]\nexit\n"));
        assertEquals(TrapKind.OUT_OF_BOUNDS, nul.kind());
        assertEquals(8, nul.pc());
        String overrun = decl + update("h", 9, 0, 0) + keyed(1, "h", 9) + "ldxw %r1, [%r0+8]\nldxw %r0, [%r0+9]\nexit\n";
        // update() occupies pcs 0..13 (three lddw), keyed() 14..21; [+8, +12) fits (pc 22), [+9, +13) does not
        Outcome.Trapped over = trap(load(jit, overrun));
        assertEquals(TrapKind.OUT_OF_BOUNDS, over.kind());
        assertEquals(23, over.pc());
        Outcome.Trapped store = trap(load(jit, decl + update("h", 9, 0, 0) + keyed(1, "h", 9) + "stdw [%r0+8], 1\nexit\n"));
        assertEquals(TrapKind.OUT_OF_BOUNDS, store.kind());
        assertEquals(22, store.pc());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void globalDataIsAnArrayValueAndRodataIsReadOnly(JitBackend jit) throws Exception {
        String decl = "-- map .rodata\ntype=array key=4 value=16 entries=1 flags=0x80\n"
                + "-- map .data\ntype=array key=4 value=16 entries=1\n-- asm\n";
        Executable exe = load(jit, decl + "lddw %r1, map_value:.rodata+8\nldxdw %r2, [%r1]\n"
                + "lddw %r3, map_value:.data+4\nldxw %r4, [%r3]\nadd %r4, %r2\nstxw [%r3], %r4\nmov %r0, %r4\nexit\n");
        assertEquals(0, exe.map(".rodata").orElseThrow().update(le(0, 4), concat(le(0, 8), le(40, 8)), 0));
        assertEquals(40, r0(exe));
        assertEquals(80, r0(exe)); // .data keeps 40 between runs
        assertArrayEquals(concat(le(80L << 32, 8), le(0, 8)), exe.map(".data").orElseThrow().lookup(le(0, 4)));
        Outcome.Trapped store = trap(load(jit, decl + "lddw %r1, map_value:.rodata+12\nmov %r0, 0\nstw [%r1], 7\nexit\n"));
        assertEquals(TrapKind.OUT_OF_BOUNDS, store.kind());
        assertEquals(3, store.pc());
        // An atomic on .rodata is a store too.
        Outcome.Trapped atomic = trap(load(jit, decl + "lddw %r1, map_value:.rodata+0\nmov %r2, 1\nlock add [%r1], %r2\nexit\n"));
        assertEquals(TrapKind.OUT_OF_BOUNDS, atomic.kind());
        assertEquals(3, atomic.pc());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Counts its runs in cnt[0], then tail-calls slot SLOT of jmp; r0 = 7 when the call falls through. */
    static final String CHAIN = "-- map jmp\ntype=prog_array key=4 value=4 entries=2\n"
            + "-- map cnt\ntype=array key=4 value=8 entries=1\n-- asm\n"
            + "lddw %r6, map_value:cnt+0\nmov %r7, 1\nlock add [%r6], %r7\n"
            + "lddw %r2, map:jmp\nmov %r3, SLOT\ncall 12\nmov %r0, 7\nexit\n";

    @ParameterizedTest
    @MethodSource("forms")
    void aSelfTailCallChainRunsThirtyFourPrograms(JitBackend jit) throws Exception {
        Executable exe = load(jit, CHAIN.replace("SLOT", "0"));
        assertEquals(jit == SPLIT, (long) exe.info().get("splitFunctions") > 0, exe.info()::toString);
        assertEquals(0, exe.map("jmp").orElseThrow().setProgram(0, exe));
        assertEquals(7, r0(exe)); // 1 + 33 tail calls; the 34th program's call falls through
        assertArrayEquals(le(34, 8), exe.map("cnt").orElseThrow().lookup(le(0, 4)));
        assertEquals(7, r0(exe));
        assertArrayEquals(le(68, 8), exe.map("cnt").orElseThrow().lookup(le(0, 4)));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void theBudgetKeepsCountingAcrossTailCalls(JitBackend jit) throws Exception {
        // Each program runs 6 instructions up to and including call 12 at pc 7 (lddw counts once), so
        // the check at the call of program k (1-based) sees 6k: a budget of 6*34 - 1 stops the 34th.
        String chain = CHAIN.replace("SLOT", "0");
        Executable tight = load(jit, chain, 6 * 34 - 1);
        tight.map("jmp").orElseThrow().setProgram(0, tight);
        Outcome.Trapped t = trap(tight);
        assertEquals(TrapKind.BUDGET_EXHAUSTED, t.kind());
        assertEquals(7, t.pc());
        Executable enough = load(jit, chain, 6 * 34);
        enough.map("jmp").orElseThrow().setProgram(0, enough);
        assertEquals(7, r0(enough));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void emptySlotsAndIndexesPastTheEndFallThrough(JitBackend jit) throws Exception {
        Executable empty = load(jit, CHAIN.replace("SLOT", "1"));
        empty.map("jmp").orElseThrow().setProgram(0, empty);
        assertEquals(7, r0(empty));
        assertArrayEquals(le(1, 8), empty.map("cnt").orElseThrow().lookup(le(0, 4)));
        Executable past = load(jit, CHAIN.replace("SLOT", "2"));
        past.map("jmp").orElseThrow().setProgram(0, past);
        assertEquals(7, r0(past));
        assertArrayEquals(le(1, 8), past.map("cnt").orElseThrow().lookup(le(0, 4)));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void aTailCallFromASubprogramReturnsToThatSubprogramsCaller(JitBackend jit) throws Exception {
        // Run 1: cnt = 1, calls sub (depth 1), which tail-calls the program: at depth 1 it sees
        // cnt = 2 and exits with 2, which returns to main's call site: 2 + 1000.
        Executable exe = load(jit, "-- map jmp\ntype=prog_array key=4 value=4 entries=1\n"
                + "-- map d\ntype=array key=4 value=8 entries=1\n-- asm\n"
                + "lddw %r6, map_value:d+0\nldxdw %r7, [%r6]\nadd %r7, 1\nstxdw [%r6], %r7\n"
                + "jgt %r7, 1, again\ncall local sub\nadd %r0, 1000\nexit\n"
                + "again:\nmov %r0, %r7\nexit\n"
                + "sub:\nlddw %r2, map:jmp\nmov %r3, 0\ncall 12\nmov %r0, 55\nexit\n");
        exe.map("jmp").orElseThrow().setProgram(0, exe);
        assertEquals(1002, r0(exe));
        exe.map("d").orElseThrow().update(le(0, 4), le(0, 8), 0);
        exe.map("jmp").orElseThrow().delete(le(0, 4));
        assertEquals(1055, r0(exe)); // empty slot: sub falls through to r0 = 55
    }

    @ParameterizedTest
    @MethodSource("forms")
    void aTailCallIntoAnotherProgramIsAHelperFailure(JitBackend jit) throws Exception {
        Executable exe = load(jit, CHAIN.replace("SLOT", "0"));
        Executable other = load(jit, "-- asm\nmov %r0, 1\nexit\n");
        exe.map("jmp").orElseThrow().setProgram(0, other);
        Outcome.Trapped t = trap(exe);
        assertEquals(TrapKind.HELPER_FAILED, t.kind());
        assertEquals(7, t.pc()); // the call 12
    }

    @ParameterizedTest
    @MethodSource("forms")
    void callxCanTailCallToo(JitBackend jit) throws Exception {
        Executable exe = load(jit, CHAIN.replace("SLOT", "0").replace("call 12", "mov %r5, 12\ncall %r5"));
        exe.map("jmp").orElseThrow().setProgram(0, exe);
        assertEquals(7, r0(exe));
        assertArrayEquals(le(34, 8), exe.map("cnt").orElseThrow().lookup(le(0, 4)));
    }

    /** bpf_loop(N, cb, &acc (r10-8), FLAGS); cb adds the index to *ctx and stops after index STOP. */
    static final String LOOP = "-- asm\nstdw [%r10-8], 0\nlddw %r1, N\nlddw %r2, func:cb\nmov %r3, %r10\nadd %r3, -8\n"
            + "mov %r4, FLAGS\ncall 181\nldxdw %r1, [%r10-8]\nlsh %r1, 32\nor %r0, %r1\nexit\n"
            + "cb:\nldxdw %r3, [%r2]\nadd %r3, %r1\nstxdw [%r2], %r3\nmov %r0, 0\njne %r1, STOP, +1\nmov %r0, 1\nexit\n";

    static String loop(String n, int flags, int stop) {
        return LOOP.replace("N", n).replace("FLAGS", Integer.toString(flags)).replace("STOP", Integer.toString(stop));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void bpfLoopCallsTheCallbackUntilItStops(JitBackend jit) throws Exception {
        assertEquals(45L << 32 | 10, r0(load(jit, loop("10", 0, 99)))); // 0+..+9, 10 calls
        assertEquals(6L << 32 | 4, r0(load(jit, loop("10", 0, 3)))); // indexes 0..3, stop at 3: 4 calls
        assertEquals(0, r0(load(jit, loop("0", 0, 0))));
        assertEquals(-7, (int) r0(load(jit, loop("0x800001", 0, 0)))); // above 1 << 23: -E2BIG
        assertEquals(-22, (int) r0(load(jit, loop("0x800001", 2, 0)))); // flags checked first: -EINVAL
    }

    @ParameterizedTest
    @MethodSource("forms")
    void aCallbackSpendsTheCallersBudget(JitBackend jit) throws Exception {
        // pcs: 0 mov, 1 lddw, 3 lddw, 5 mov, 6 mov, 7 call 181, 8 exit; cb: 9 mov, 10 call 8, 11 mov, 12 exit.
        // Six instructions up to the bpf_loop call; callback run k is checked at pc 10 with 6 + 4k + 2.
        String p = "-- asm\nmov %r6, 0\nlddw %r1, 5\nlddw %r2, func:cb\nmov %r3, 0\nmov %r4, 0\ncall 181\nexit\n"
                + "cb:\nmov %r0, 0\ncall 8\nmov %r0, 0\nexit\n";
        Outcome.Trapped t = trap(load(jit, p, 23)); // k = 4 sees 24
        assertEquals(TrapKind.BUDGET_EXHAUSTED, t.kind());
        assertEquals(10, t.pc());
        assertEquals(5, r0(load(jit, p, 24)));
        Outcome.Trapped interp = trap(load(new InterpreterBackend(), p, 23));
        assertEquals(t.kind() + "@" + t.pc(), interp.kind() + "@" + interp.pc());
        // And the caller goes on counting after bpf_loop: a second call at pc 8 sees 6 + 4 * 5 + 1.
        String after = p.replace("call 181\nexit\n", "call 181\ncall 8\nexit\n");
        Outcome.Trapped late = trap(load(jit, after, 26));
        assertEquals(TrapKind.BUDGET_EXHAUSTED + "@8", late.kind() + "@" + late.pc());
        assertEquals(0, r0(load(jit, after, 27)));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void aCallbackBelowTheEighthFrameIsACallDepthTrapAtTheHelper(JitBackend jit) throws Exception {
        // f1..f6 at pcs 2..13; f7 (depth 7): lddw 14, lddw 16, mov 18, mov 19, call 181 at 20
        Outcome.Trapped t = trap(load(jit, callbackAtDepth(7)));
        assertEquals(TrapKind.CALL_DEPTH, t.kind());
        assertEquals(20, t.pc());
        // From depth 6 the callback gets the eighth (last) frame: one call.
        assertEquals(1, r0(load(jit, callbackAtDepth(6))));
    }

    /** main calls f1, f1 calls f2, ... f(depth) runs bpf_loop(1, cb) at that depth. */
    static String callbackAtDepth(int depth) {
        StringBuilder p = new StringBuilder("-- asm\n");
        for (int i = 0; i < depth; i++) {
            p.append(i == 0 ? "" : "f" + i + ":\n").append("call local f").append(i + 1).append("\nexit\n");
        }
        return p + "f" + depth + ":\nlddw %r1, 1\nlddw %r2, func:cb\nmov %r3, 0\nmov %r4, 0\ncall 181\nexit\n"
                + "cb:\nmov %r0, 0\nexit\n";
    }

    @ParameterizedTest
    @MethodSource("forms")
    void aCallbackHasItsOwnFrameOneDeeper(JitBackend jit) throws Exception {
        // The callback writes r10-8 of its own frame; the caller's r10-8 keeps 5.
        Executable exe = load(jit, "-- asm\nstdw [%r10-8], 5\nmov %r1, 3\nlddw %r2, func:cb\nmov %r3, 0\nmov %r4, 0\n"
                + "call 181\nldxdw %r0, [%r10-8]\nexit\ncb:\nstxdw [%r10-8], %r1\nldxdw %r0, [%r10-8]\nmov %r0, 0\nexit\n");
        assertEquals(5, r0(exe));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void ringBufferRecordsArriveInOrderAndDiscardsAreDropped(JitBackend jit) throws Exception {
        Executable exe = load(jit, "-- map rb\ntype=ringbuf key=0 value=0 entries=4096\n-- asm\n"
                + "stdw [%r10-8], 0x0201\nlddw %r1, map:rb\nmov %r2, %r10\nadd %r2, -8\nmov %r3, 2\nmov %r4, 0\ncall 130\n"
                + "mov %r6, %r0\n"
                + "lddw %r1, map:rb\nmov %r2, 4\nmov %r3, 0\ncall 131\njeq %r0, 0, fail\n"
                + "stw [%r0], 0x03030303\nmov %r1, %r0\nmov %r2, 0\ncall 132\n"
                + "lddw %r1, map:rb\nmov %r2, 1\nmov %r3, 0\ncall 131\njeq %r0, 0, fail\n"
                + "stb [%r0], 9\nmov %r1, %r0\nmov %r2, 0\ncall 133\n"
                + "lddw %r1, map:rb\nmov %r2, 8192\nmov %r3, 0\ncall 131\n" // larger than the ring: NULL
                + "add %r0, %r6\nexit\nfail:\nmov %r0, -1\nexit\n");
        assertEquals(0, r0(exe));
        List<byte[]> records = exe.map("rb").orElseThrow().drainRecords();
        assertEquals(2, records.size());
        assertArrayEquals(new byte[] {1, 2}, records.get(0));
        assertArrayEquals(new byte[] {3, 3, 3, 3}, records.get(1));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void badMapDefinitionsAreRefusedAtLoad(JitBackend jit) {
        LoadRejected r = assertThrows(LoadRejected.class,
                () -> load(jit, "-- map h\ntype=hash key=0 value=4 entries=1\n-- asm\nmov %r0, 0\nexit\n"));
        assertTrue(r.getMessage().contains("EINVAL"), r.getMessage());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void mapsWithoutHelpersStillUseTheEntryFacts(JitBackend jit) throws Exception {
        // A program with a map but no calls: the input fast paths still run (and stay correct).
        Executable exe = load(jit, "-- map .bss\ntype=array key=4 value=8 entries=1\n-- asm\n"
                + "ldxb %r2, [%r1+1]\nlddw %r3, map_value:.bss+0\nstxdw [%r3], %r2\nldxdw %r0, [%r3]\nexit\n");
        assertEquals(0x42, assertInstanceOf(Outcome.Returned.class, exe.run(new byte[] {0, 0x42})).r0());
        assertEquals(TrapKind.OUT_OF_BOUNDS, assertInstanceOf(Outcome.Trapped.class, exe.run(new byte[] {0})).kind());
    }

    @org.junit.jupiter.api.Test
    void theInterpreterFallbackKeepsMapsAndSelfTailCalls() throws Exception {
        DataFile d = DataFileParser.parse("t", null, CHAIN.replace("SLOT", "0") + "-- result\n0x0\n");
        Executable exe = new FallbackExecutable(
                InterpreterBackend.compile(d.program(), LoadOptions.DEFAULTS, dev.bpfh.exec.Helpers.standard()), "test");
        assertEquals(0, exe.map("jmp").orElseThrow().setProgram(0, exe));
        assertEquals(7, r0(exe));
        assertArrayEquals(le(34, 8), exe.map("cnt").orElseThrow().lookup(le(0, 4)));
        assertEquals("test", exe.info().get("fallback"));
    }
}
