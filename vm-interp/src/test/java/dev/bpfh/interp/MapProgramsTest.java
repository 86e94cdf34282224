package dev.bpfh.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.data.DataFile;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Maps and their helpers in the interpreter. Every expected value is the kernel's rule from
 * programs.md (§1.3 element semantics, §3.2 helper results, §6 ring buffer capacity), worked out by
 * hand in the comment next to it.
 */
class MapProgramsTest {

    static Executable load(String text, long budget) throws Exception {
        DataFile d = DataFileParser.parse("t", null, text + "-- result\n0x0\n");
        return new InterpreterBackend().load(d.program(), LoadOptions.DEFAULTS.withInstructionBudget(budget));
    }

    static Executable load(String text) throws Exception {
        return load(text, LoadOptions.DEFAULT_INSTRUCTION_BUDGET);
    }

    static long r0(Executable exe) {
        return assertInstanceOf(Outcome.Returned.class, exe.run(new byte[0])).r0();
    }

    static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    /** Calls update(map, key = r10-4 holding KEY, value = r10-16 holding VALUE, flags); r0 = its result. */
    static String update(String map, int key, long value, int flags) {
        return "stw [%r10-4], " + key + "\nlddw %r0, " + value + "\nstxdw [%r10-16], %r0\nlddw %r1, map:" + map
                + "\nmov %r2, %r10\nadd %r2, -4\nmov %r3, %r10\nadd %r3, -16\nmov %r4, " + flags + "\ncall 2\n";
    }

    @Test
    void arrayUpdateFlagsAndIndexFollowTheKernelOrder() throws Exception {
        String decl = "-- map a\ntype=array key=4 value=8 entries=4\n-- asm\n";
        assertEquals(0, r0(load(decl + update("a", 1, 7, 0) + "exit\n")));
        assertEquals(0, r0(load(decl + update("a", 1, 7, 2) + "exit\n"))); // EXIST: every element exists
        assertEquals(-17, r0(load(decl + update("a", 1, 7, 1) + "exit\n"))); // NOEXIST → -EEXIST
        assertEquals(-7, r0(load(decl + update("a", 4, 7, 1) + "exit\n"))); // index ≥ max before NOEXIST → -E2BIG
        assertEquals(-22, r0(load(decl + update("a", 4, 7, 3) + "exit\n"))); // flags 3 before the index → -EINVAL
        assertEquals(-22, r0(load(decl + update("a", 1, 7, 4) + "exit\n"))); // BPF_F_LOCK without a spin lock
        // delete on an array is always -EINVAL
        assertEquals(-22, r0(load(decl + "stw [%r10-4], 0\nlddw %r1, map:a\nmov %r2, %r10\nadd %r2, -4\ncall 3\nexit\n")));
    }

    @Test
    void hashInsertsUntilFullThenReplacesButDoesNotGrow() throws Exception {
        Executable exe = load("-- map h\ntype=hash key=4 value=8 entries=2\n-- asm\n"
                + update("h", 1, 10, 0) + "mov %r6, %r0\n"
                + update("h", 2, 20, 0) + "lsh %r6, 8\nor %r6, %r0\n"
                + update("h", 3, 30, 0) + "lsh %r6, 8\nand %r0, 0xff\nor %r6, %r0\n" // full → -E2BIG (0xf9)
                + update("h", 1, 11, 2) + "lsh %r6, 8\nor %r6, %r0\n" // replace with EXIST → 0
                + update("h", 9, 90, 2) + "lsh %r6, 8\nand %r0, 0xff\nor %r6, %r0\n" // EXIST, missing → -ENOENT (0xfe)
                + update("h", 2, 21, 1) + "lsh %r6, 8\nand %r0, 0xff\nor %r6, %r0\n" // NOEXIST, present → -EEXIST (0xef)
                + "mov %r0, %r6\nexit\n");
        assertEquals(0x0000f900feefL, r0(exe) & 0xffffffffffffL);
        MapView h = exe.map("h").orElseThrow();
        assertArrayEquals(le(11, 8), h.lookup(le(1, 4)));
        assertArrayEquals(le(20, 8), h.lookup(le(2, 4)));
        assertNull(h.lookup(le(3, 4)));
        assertEquals(2, h.entries().size());
    }

    @Test
    void aLookupPointerWritesThroughAndItsBoundsAreTheValue() throws Exception {
        String decl = "-- map a\ntype=array key=4 value=8 entries=2\n-- asm\n";
        String lookup = "stw [%r10-4], 1\nlddw %r1, map:a\nmov %r2, %r10\nadd %r2, -4\ncall 1\n";
        Executable exe = load(decl + lookup + "jeq %r0, 0, +2\nstdw [%r0], 0x55\nmov %r0, 1\nexit\n");
        assertEquals(1, r0(exe));
        assertArrayEquals(le(0x55, 8), exe.map("a").orElseThrow().lookup(le(1, 4)));
        // An 8-byte load at offset 4 of an 8-byte value crosses its end: OUT_OF_BOUNDS at that load (pc 6).
        Outcome o = load(decl + lookup + "ldxdw %r0, [%r0+4]\nexit\n").run(new byte[0]);
        assertEquals(new Outcome.Trapped(TrapKind.OUT_OF_BOUNDS, 6, "").kind(), ((Outcome.Trapped) o).kind());
        assertEquals(6, ((Outcome.Trapped) o).pc());
        // A lookup past max_entries is NULL, and dereferencing NULL traps (region 0).
        Outcome nul = load(decl + "stw [%r10-4], 2\nlddw %r1, map:a\nmov %r2, %r10\nadd %r2, -4\ncall 1\n"
                + "ldxb %r0, [%r0]\nexit\n").run(new byte[0]);
        assertEquals(TrapKind.OUT_OF_BOUNDS, ((Outcome.Trapped) nul).kind());
    }

    @Test
    void rodataIsReadOnlyToPrograms() throws Exception {
        String decl = "-- map .rodata\ntype=array key=4 value=8 entries=1 flags=0x80\n-- asm\n";
        Executable read = load(decl + "lddw %r1, map_value:.rodata+4\nldxw %r0, [%r1]\nexit\n");
        assertEquals(0, read.map(".rodata").orElseThrow().update(le(0, 4), le(0x1122334455667788L, 8), 0));
        assertEquals(0x11223344L, r0(read)); // bytes 4..7, little-endian
        Outcome store = load(decl + "lddw %r1, map_value:.rodata+0\nstw [%r1], 1\nmov %r0, 0\nexit\n").run(new byte[0]);
        assertEquals(TrapKind.OUT_OF_BOUNDS, ((Outcome.Trapped) store).kind());
        assertEquals(2, ((Outcome.Trapped) store).pc());
    }

    @Test
    void badDefinitionsAreRefusedWithTheKernelsErrno() {
        LoadRejected r = assertThrows(LoadRejected.class,
                () -> load("-- map a\ntype=array key=8 value=4 entries=1\n-- asm\nmov %r0, 0\nexit\n"));
        assertTrue(r.getMessage().contains("EINVAL"), r.getMessage());
        r = assertThrows(LoadRejected.class,
                () -> load("-- map r\ntype=ringbuf key=0 value=0 entries=2048\n-- asm\nmov %r0, 0\nexit\n"));
        assertTrue(r.getMessage().contains("EINVAL"), r.getMessage());
        r = assertThrows(LoadRejected.class,
                () -> load("-- map p\ntype=percpu_array key=4 value=32769 entries=1\n-- asm\nmov %r0, 0\nexit\n"));
        assertTrue(r.getMessage().contains("E2BIG"), r.getMessage());
    }

    static final String SELF_TAIL_CALL = "-- map jmp\ntype=prog_array key=4 value=4 entries=2\n"
            + "-- map cnt\ntype=array key=4 value=8 entries=1\n-- asm\n"
            + "mov %r6, %r1\nlddw %r1, map_value:cnt+0\nldxdw %r2, [%r1]\nadd %r2, 1\nstxdw [%r1], %r2\n"
            + "mov %r1, %r6\nlddw %r2, map:jmp\nmov %r3, SLOT\ncall 12\nmov %r0, 7\nexit\n";

    @Test
    void aSelfTailCallChainRunsThirtyFourTimes() throws Exception {
        Executable exe = load(SELF_TAIL_CALL.replace("SLOT", "0"));
        assertEquals(0, exe.map("jmp").orElseThrow().setProgram(0, exe));
        assertEquals(7, r0(exe)); // the 34th run falls through to mov r0, 7
        assertArrayEquals(le(34, 8), exe.map("cnt").orElseThrow().lookup(le(0, 4)));
        assertEquals(7, r0(exe)); // the count restarts every run: 34 more
        assertArrayEquals(le(68, 8), exe.map("cnt").orElseThrow().lookup(le(0, 4)));
    }

    @Test
    void tailCallsToAnEmptySlotOrPastTheEndFallThrough() throws Exception {
        Executable empty = load(SELF_TAIL_CALL.replace("SLOT", "1"));
        empty.map("jmp").orElseThrow().setProgram(0, empty);
        assertEquals(7, r0(empty));
        assertArrayEquals(le(1, 8), empty.map("cnt").orElseThrow().lookup(le(0, 4)));
        Executable past = load(SELF_TAIL_CALL.replace("SLOT", "2"));
        past.map("jmp").orElseThrow().setProgram(0, past);
        assertEquals(7, r0(past));
        assertEquals(-7, past.map("jmp").orElseThrow().setProgram(2, past)); // -E2BIG
    }

    static final String LOOP = "-- asm\nstdw [%r10-8], 0\nlddw %r1, N\nlddw %r2, func:cb\nmov %r3, %r10\nadd %r3, -8\n"
            + "mov %r4, FLAGS\ncall 181\nexit\ncb:\nldxdw %r3, [%r2]\nadd %r3, 1\nstxdw [%r2], %r3\nmov %r0, 0\n"
            + "jne %r1, STOP, +1\nmov %r0, 1\nexit\n";

    @Test
    void bpfLoopCountsCallsAndStopsWhenTheCallbackSaysSo() throws Exception {
        assertEquals(10, r0(load(LOOP.replace("N", "10").replace("FLAGS", "0").replace("STOP", "99"))));
        assertEquals(3, r0(load(LOOP.replace("N", "10").replace("FLAGS", "0").replace("STOP", "2")))); // i = 2 breaks
        assertEquals(0, r0(load(LOOP.replace("N", "0").replace("FLAGS", "0").replace("STOP", "0"))));
        assertEquals(-7, (int) r0(load(LOOP.replace("N", "0x800001").replace("FLAGS", "0").replace("STOP", "0"))));
        assertEquals(-22, r0(load(LOOP.replace("N", "0x800001").replace("FLAGS", "1").replace("STOP", "0")))); // flags first
    }

    @Test
    void aCallbackSpendsTheSameBudget() throws Exception {
        // The callback starts with a helper call, where the budget is checked. Before bpf_loop the
        // program executes 7 instructions (the call included); each callback run executes 7. In the
        // run with index k the check at the callback's first instruction (pc 10) sees 7 + 7k + 1.
        String program = LOOP.replace("N", "6").replace("FLAGS", "0").replace("STOP", "99").replace("cb:\n", "cb:\ncall 7\n");
        Outcome over = load(program, 42).run(new byte[0]); // k = 5 sees 43 > 42
        assertEquals(TrapKind.BUDGET_EXHAUSTED, ((Outcome.Trapped) over).kind());
        assertEquals(10, ((Outcome.Trapped) over).pc());
        assertEquals(6, r0(load(program, 43))); // 43 is enough for all six runs
    }

    @Test
    void ringBufferRecordsFollowTheKernelsCapacityRule() throws Exception {
        // 4096-byte ring: a record of n bytes takes round_up(n + 8, 8); it fits while
        // prod + size - cons <= 4095, so 255 records of 8 bytes fit and the 256th is -EAGAIN.
        Executable exe = load("-- map rb\ntype=ringbuf key=0 value=0 entries=4096\n-- asm\nmov %r6, 0\nstdw [%r10-8], 0\n"
                + "again:\nstxdw [%r10-8], %r6\nlddw %r1, map:rb\nmov %r2, %r10\nadd %r2, -8\nmov %r3, 8\nmov %r4, 0\n"
                + "call 130\njne %r0, 0, done\nadd %r6, 1\nja again\ndone:\nlsh %r6, 32\nand %r0, 0xffff\nor %r0, %r6\nexit\n");
        assertEquals((255L << 32) | (-11 & 0xffff), r0(exe));
        List<byte[]> records = exe.map("rb").orElseThrow().drainRecords();
        assertEquals(255, records.size());
        assertArrayEquals(le(254, 8), records.get(254));
        assertEquals(List.of(), exe.map("rb").orElseThrow().drainRecords()); // consumed
    }

    @Test
    void discardedReservationsAreNotDelivered() throws Exception {
        Executable exe = load("-- map rb\ntype=ringbuf key=0 value=0 entries=4096\n-- asm\n"
                + "lddw %r1, map:rb\nmov %r2, 4\nmov %r3, 0\ncall 131\njeq %r0, 0, +9\nstw [%r0], 0x11\nmov %r1, %r0\n"
                + "mov %r2, 0\ncall 133\n"
                + "lddw %r1, map:rb\nmov %r2, 2\nmov %r3, 0\ncall 131\njeq %r0, 0, +4\nsth [%r0], 0x2222\nmov %r1, %r0\n"
                + "mov %r2, 0\ncall 132\nmov %r0, 0\nexit\n");
        assertEquals(0, r0(exe));
        List<byte[]> records = exe.map("rb").orElseThrow().drainRecords();
        assertEquals(1, records.size());
        assertArrayEquals(new byte[] {0x22, 0x22}, records.get(0));
    }
}
