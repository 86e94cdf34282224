package dev.bpfh.jit;

import static dev.bpfh.jit.TypedPrograms.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import dev.bpfh.spi.TrapKind;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * xdp, tc and socket_filter programs on the jit with their real context. Every expected value is
 * the kernel's, from programs.md §4 (test_run's setup, the context fields, the narrow-load quirk,
 * LD_ABS/LD_IND), worked out by hand next to the assertion; each program runs in the direct form and
 * in the split form (regions of a few blocks).
 */
class JitTypedProgramsTest {

    static Stream<JitBackend> forms() {
        return JitMapProgramsTest.forms();
    }

    static Executable load(JitBackend jit, ProgramType type, String text) throws LoadRejected {
        Executable e = jit.load(program(type, text), LoadOptions.DEFAULTS);
        assertFalse(e.info().containsKey("fallback"), () -> "fell back: " + e.info().get("fallback"));
        return e;
    }

    static Outcome.Returned returned(Outcome o) {
        return assertInstanceOf(Outcome.Returned.class, o);
    }

    static Outcome.Returned run(JitBackend jit, ProgramType type, String asm, byte[] packet) throws LoadRejected {
        return returned(load(jit, type, "-- asm\n" + asm).run(RunInput.of(packet)));
    }

    static long byteSum(byte[] b, int from) {
        long s = 0;
        for (int i = from; i < b.length; i++) {
            s += b[i] & 0xff;
        }
        return s;
    }

    // ---- XDP ----------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("forms")
    void xdpDataAndDataEndArePacketPointers(JitBackend jit) throws Exception {
        byte[] packet = frame(64, 0);
        Outcome.Returned r = run(jit, ProgramType.XDP,
                "ldxw %r2, [%r1+0]\nldxw %r3, [%r1+4]\nmov %r0, %r3\nsub %r0, %r2\nexit\n", packet);
        assertEquals(64, r.r0());
        assertArrayEquals(frame(64, 0), r.memory()); // data_out: the packet, untouched
        assertNull(r.ctx()); // no ctx_in, no ctx_out
    }

    @ParameterizedTest
    @MethodSource("forms")
    void xdpRetvalIsTheLow32BitsOfR0(JitBackend jit) throws Exception {
        assertEquals(0xdeadbeefL, run(jit, ProgramType.XDP, "lddw %r0, 0x12345678deadbeef\nexit\n", frame(20, 0)).r0());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void xdpWithoutCtxInArrivesOnLoQueueZero(JitBackend jit) throws Exception {
        String asm = "ldxw %r2, [%r1+12]\nldxw %r3, [%r1+16]\nlsh %r2, 8\nor %r2, %r3\nmov %r0, %r2\nexit\n";
        assertEquals(0x100, run(jit, ProgramType.XDP, asm, frame(14, 0)).r0()); // ingress_ifindex 1, rx_queue 0
    }

    /** The hot path of real XDP programs: a bounds-checked byte loop over data..data_end. */
    static final String BYTE_SUM = """
            ldxw %r2, [%r1+0]
            ldxw %r3, [%r1+4]
            mov %r0, 0
            mov %r4, 0
            loop:
            mov %r5, %r2
            add %r5, %r4
            mov %r6, %r5
            add %r6, 1
            jgt %r6, %r3, done
            ldxb %r7, [%r5+0]
            add %r0, %r7
            add %r4, 1
            jlt %r4, 1500, loop
            done:
            exit
            """;

    @ParameterizedTest
    @MethodSource("forms")
    void xdpByteLoopSumsThePacket(JitBackend jit) throws Exception {
        Executable e = load(jit, ProgramType.XDP, "-- asm\n" + BYTE_SUM);
        for (int len : new int[] {14, 15, 64, 1499, 1500, 1501, 3520}) {
            byte[] packet = frame(len, 0);
            long limit = Math.min(len, 1500);
            long expected = byteSum(Arrays.copyOf(packet, (int) limit), 0);
            assertEquals(expected, returned(e.run(RunInput.of(packet))).r0(), "length " + len);
        }
    }

    @ParameterizedTest
    @MethodSource("forms")
    void xdpStoresIntoThePacketComeBackInDataOut(JitBackend jit) throws Exception {
        Outcome.Returned r = run(jit, ProgramType.XDP, """
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+4]
                mov %r4, %r2
                add %r4, 2
                jgt %r4, %r3, out
                stb [%r2+0], 0xab
                sth [%r2+0], 0xcdab
                stb [%r2+1], 0x11
                out:
                mov %r0, 2
                exit
                """, frame(14, 0));
        byte[] expected = frame(14, 0);
        expected[0] = (byte) 0xab;
        expected[1] = 0x11;
        assertEquals(2, r.r0());
        assertArrayEquals(expected, r.memory());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void xdpReadingAtDataEndTraps(JitBackend jit) throws Exception {
        Outcome o = load(jit, ProgramType.XDP, "-- asm\nldxw %r2, [%r1+4]\nmov %r0, 0\nldxb %r0, [%r2+0]\nexit\n")
                .run(RunInput.of(frame(64, 0)));
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, o);
        assertEquals(TrapKind.OUT_OF_BOUNDS, t.kind());
        assertEquals(2, t.pc());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void xdpMetadataFromCtxIn(JitBackend jit) throws Exception {
        // ctx_in data = 8: the first 8 bytes of data_in are metadata; data_end = data_size_in
        byte[] in = frame(64, 0);
        byte[] ctx = put(put(new byte[24], 0, 4, 8), 4, 4, 64);
        Executable e = load(jit, ProgramType.XDP, """
                -- asm
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+8]
                ldxw %r4, [%r1+4]
                mov %r0, %r2
                sub %r0, %r3
                lsh %r0, 16
                sub %r4, %r2
                or %r0, %r4
                lsh %r0, 8
                ldxb %r5, [%r3+6]
                or %r0, %r5
                exit
                """);
        Outcome.Returned r = returned(e.run(new RunInput(in, ctx)));
        // data - data_meta = 8, data_end - data = 56, metadata byte 6 = data_in[6] = 2
        assertEquals((8L << 24) | (56 << 8) | 2, r.r0());
        assertArrayEquals(in, r.memory()); // data_out from data_meta: metadata + packet
        byte[] ctxOut = put(put(new byte[24], 0, 4, 8), 4, 4, 64); // {data - meta, data_end - meta}, rest echoed
        assertArrayEquals(ctxOut, r.ctx());
    }

    // ---- tc and socket_filter -----------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("forms")
    void skbFieldsAsTestRunSetsThemUp(JitBackend jit) throws Exception {
        // len, pkt_type, ifindex, wire_len (0 without ctx_in), packed one byte each
        String asm = """
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+4]
                ldxw %r4, [%r1+40]
                ldxw %r5, [%r1+160]
                mov %r0, %r2
                lsh %r0, 8
                or %r0, %r3
                lsh %r0, 8
                or %r0, %r4
                lsh %r0, 8
                or %r0, %r5
                exit
                """;
        assertEquals(0x40_00_01_00L, run(jit, ProgramType.SCHED_CLS, asm, frame(64, 0)).r0()); // dst MAC 0: HOST
        assertEquals(0x40_02_01_00L, run(jit, ProgramType.SCHED_CLS, asm, frame(64, 0xff)).r0()); // multicast
        assertEquals(0x40_03_01_00L, run(jit, ProgramType.SCHED_CLS, asm, frame(64, 0x02)).r0()); // other host
        // a socket filter has no wire_len: read hash (0) there instead; len is the frame's - 14
        assertEquals(0x32_00_01_00L, run(jit, ProgramType.SOCKET_FILTER, asm.replace("+160]", "+68]"), frame(64, 0)).r0());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void protocolFollowsTheNarrowLoadQuirk(JitBackend jit) throws Exception {
        // protocol is a __be16 (T = 2): IPv4 reads 0x0008; byte loads at +0/+1 give its bytes,
        // loads of 2 bytes or more anywhere in the field give the whole value.
        String asm = """
                ldxh %r2, [%r1+18]
                ldxb %r3, [%r1+16]
                ldxb %r4, [%r1+17]
                ldxw %r5, [%r1+16]
                mov %r0, %r2
                lsh %r0, 8
                or %r0, %r3
                lsh %r0, 8
                or %r0, %r4
                lsh %r0, 8
                or %r0, %r5
                exit
                """;
        assertEquals(0x08_08_00_08L, run(jit, ProgramType.SCHED_CLS, asm, frame(64, 0)).r0());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void tcStoresFollowTheFieldRulesAndComeBackInCtxOut(JitBackend jit) throws Exception {
        Executable e = load(jit, ProgramType.SCHED_CLS, """
                -- asm
                stw [%r1+8], 5
                lddw %r2, 0x12345
                stxw [%r1+44], %r2
                lddw %r3, 0x1122334455667788
                stxdw [%r1+48], %r3
                stw [%r1+12], 0xffff
                ldxw %r0, [%r1+44]
                ldxw %r4, [%r1+12]
                lsh %r4, 16
                or %r0, %r4
                exit
                """);
        byte[] ctx = put(new byte[192], 8, 4, 9); // mark 9 in ctx_in
        Outcome.Returned r = returned(e.run(new RunInput(frame(64, 0), ctx)));
        // tc_index keeps 16 bits (0x2345); queue_mapping 0xffff is ignored (stays 0)
        assertEquals(0x2345, r.r0());
        byte[] expected = new byte[192];
        put(expected, 8, 4, 5); // mark
        put(expected, 36, 4, 0); // ingress_ifindex echoes ctx_in (0)
        put(expected, 40, 4, 1); // ifindex: lo
        put(expected, 48, 8, 0x1122334455667788L); // cb[0], cb[1]
        put(expected, 160, 4, 64); // wire_len: len when ctx_in gave 0
        assertArrayEquals(expected, r.ctx()); // tc_index and queue_mapping are not reported
        assertArrayEquals(frame(64, 0), r.memory());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void tcDataPointersSpanTheFrameAndSocketFilterDataOutZeroesTheHeader(JitBackend jit) throws Exception {
        Outcome.Returned tc = run(jit, ProgramType.SCHED_CLS, """
                ldxw %r2, [%r1+76]
                ldxw %r3, [%r1+80]
                ldxw %r4, [%r1+140]
                mov %r0, %r3
                sub %r0, %r2
                sub %r4, %r2
                add %r0, %r4
                ldxb %r5, [%r2+12]
                lsh %r5, 16
                or %r0, %r5
                exit
                """, frame(64, 0));
        assertEquals(0x08_0040, tc.r0()); // data_end - data = 64, data_meta = data, frame[12] = 8
        byte[] out = returned(load(jit, ProgramType.SOCKET_FILTER, "-- asm\nmov %r0, 0\nexit\n")
                .run(RunInput.of(frame(64, 0)))).memory();
        byte[] expected = frame(64, 0);
        Arrays.fill(expected, 0, 14, (byte) 0);
        assertArrayEquals(expected, out);
    }

    // ---- LD_ABS / LD_IND ----------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("forms")
    void ldAbsReadsBigEndianFromSkbData(JitBackend jit) throws Exception {
        byte[] f = frame(64, 0);
        String asm = "mov %r6, %r1\n" + ldabs('h', 12) + "mov %r7, %r0\n" + ldabs('b', 0)
                + "lsh %r7, 8\nor %r0, %r7\nexit\n";
        assertEquals(0x0800L << 8 | (f[0] & 0xff), run(jit, ProgramType.SCHED_CLS, asm, f).r0());
        long w60 = (f[60] & 0xffL) << 24 | (f[61] & 0xff) << 16 | (f[62] & 0xff) << 8 | (f[63] & 0xff);
        assertEquals(w60, run(jit, ProgramType.SCHED_CLS, "mov %r6, %r1\n" + ldabs('w', 60) + "exit\n", f).r0());
        // socket filter: skb->data is at the network header, 14 bytes in
        assertEquals(f[14] & 0xff, run(jit, ProgramType.SOCKET_FILTER, "mov %r6, %r1\n" + ldabs('b', 0) + "exit\n",
                f).r0());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void ldAbsOutOfRangeExitsAtOnceWithZero(JitBackend jit) throws Exception {
        byte[] f = frame(64, 0);
        String tail = "mov %r0, 99\nexit\n";
        assertEquals(0, run(jit, ProgramType.SCHED_CLS, "mov %r6, %r1\n" + ldabs('w', 61) + tail, f).r0());
        assertEquals(0, run(jit, ProgramType.SCHED_CLS, "mov %r6, %r1\n" + ldabs('b', 64) + tail, f).r0());
        assertEquals(99, run(jit, ProgramType.SCHED_CLS, "mov %r6, %r1\n" + ldabs('b', 63) + tail, f).r0());
        // a negative LD_IND offset (above the SKF_ bases) is out of range too
        assertEquals(0, run(jit, ProgramType.SCHED_CLS, "mov %r6, %r1\nmov %r7, -3\n" + ldind('b', 7, 2) + tail,
                f).r0());
        assertEquals(99, run(jit, ProgramType.SCHED_CLS, "mov %r6, %r1\nmov %r7, -2\n" + ldind('b', 7, 2) + tail,
                f).r0());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void ldAbsSkfBasesReadTheLinkAndNetworkHeaders(JitBackend jit) throws Exception {
        byte[] f = frame(64, 0);
        for (ProgramType type : new ProgramType[] {ProgramType.SCHED_CLS, ProgramType.SOCKET_FILTER}) {
            String ll = "mov %r6, %r1\n" + ldabs('b', -0x200000 + 12) + "exit\n";
            assertEquals(0x08, run(jit, type, ll, f).r0(), type::word); // data_in[12]
            String net = "mov %r6, %r1\n" + ldabs('h', -0x100000 + 2) + "exit\n";
            assertEquals((f[16] & 0xff) << 8 | (f[17] & 0xff), run(jit, type, net, f).r0(), type::word); // data_in[16..]
            String ind = "mov %r6, %r1\nmov %r7, 2\n" + ldind('b', 7, -0x100000) + "exit\n";
            assertEquals(f[16] & 0xff, run(jit, type, ind, f).r0(), type::word);
        }
    }

    @Test
    void ldAbsInXdpIsRefusedAtLoad() {
        assertThrows(LoadRejected.class, () -> Engines.JIT.load(program(ProgramType.XDP,
                "-- asm\nmov %r6, %r1\n" + ldabs('b', 0) + "exit\n"), LoadOptions.DEFAULTS));
    }

    // ---- helpers that change the packet: the cached packet array ------------------------------

    /**
     * bpf_xdp_adjust_tail(ctx, DELTA) with data loaded into r7 before the call, then ACCESS; r6 =
     * ctx. Through r7 the access is one the facts prove to start in the packet, which the generated
     * code checks against its local copy of the packet array: that copy must be the new array.
     */
    /** adjust_tail, then data loaded afresh from the context (as the verifier requires) and ACCESS through it. */
    static final String ADJUST_TAIL = """
            mov %r6, %r1
            mov %r2, DELTA
            call 65
            ldxw %r7, [%r6+0]
            ACCESS
            exit
            """;

    @ParameterizedTest
    @MethodSource("forms")
    void afterAdjustTailShrinksTheOldEndIsGone(JitBackend jit) throws Exception {
        String shrink = ADJUST_TAIL.replace("DELTA", "-20");
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, load(jit, ProgramType.XDP,
                "-- asm\n" + shrink.replace("ACCESS", "ldxb %r0, [%r7+44]")).run(RunInput.of(frame(64, 0))));
        assertEquals(TrapKind.OUT_OF_BOUNDS, t.kind());
        assertEquals(4, t.pc()); // the access right after the reload
        Outcome.Returned r = returned(load(jit, ProgramType.XDP,
                "-- asm\n" + shrink.replace("ACCESS", "ldxb %r0, [%r7+43]")).run(RunInput.of(frame(64, 0))));
        assertEquals(frame(64, 0)[43] & 0xff, r.r0());
        assertArrayEquals(Arrays.copyOf(frame(64, 0), 44), r.memory());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void afterAdjustTailGrowsTheNewBytesReadZero(JitBackend jit) throws Exception {
        String grow = ADJUST_TAIL.replace("DELTA", "16").replace("ACCESS",
                "ldxb %r0, [%r7+64]\nldxb %r3, [%r7+79]\nor %r0, %r3\nstb [%r7+70], 0x5a\nadd %r0, 0x100");
        Outcome.Returned r = returned(load(jit, ProgramType.XDP, "-- asm\n" + grow).run(RunInput.of(frame(64, 0))));
        assertEquals(0x100, r.r0());
        byte[] expected = Arrays.copyOf(frame(64, 0), 80);
        expected[70] = 0x5a;
        assertArrayEquals(expected, r.memory());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void aSubprogramThatAdjustsTheTailLeavesItsCallerTheNewPacket(JitBackend jit) throws Exception {
        String asm = """
                mov %r6, %r1
                mov %r2, DELTA
                call local adjust
                ldxw %r7, [%r6+0]
                ldxb %r0, [%r7+OFF]
                add %r0, 0x100
                exit
                adjust:
                call 65
                exit
                """;
        Outcome.Returned grown = returned(load(jit, ProgramType.XDP, "-- asm\n"
                + asm.replace("DELTA", "8").replace("OFF", "70")).run(RunInput.of(frame(64, 0))));
        assertEquals(0x100, grown.r0());
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, load(jit, ProgramType.XDP, "-- asm\n"
                + asm.replace("DELTA", "-8").replace("OFF", "60")).run(RunInput.of(frame(64, 0))));
        assertEquals(TrapKind.OUT_OF_BOUNDS, t.kind());
        assertEquals(4, t.pc());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void adjustHeadMovesDataWithinTheSameArray(JitBackend jit) throws Exception {
        // adjust_head(-8): data moves 8 bytes down; the new head reads 0 in test_run, and data_out
        // starts with it (72 bytes)
        Outcome.Returned r = returned(load(jit, ProgramType.XDP, """
                -- asm
                mov %r6, %r1
                mov %r2, -8
                call 44
                ldxw %r2, [%r6+0]
                ldxw %r3, [%r6+4]
                mov %r4, %r2
                add %r4, 9
                jgt %r4, %r3, out
                ldxb %r0, [%r2+8]
                stb [%r2+0], 0x77
                out:
                exit
                """).run(RunInput.of(frame(64, 9))));
        assertEquals(9, r.r0()); // the old first byte, now 8 bytes in
        byte[] expected = new byte[72];
        expected[0] = 0x77;
        System.arraycopy(frame(64, 9), 0, expected, 8, 64);
        assertArrayEquals(expected, r.memory());
    }

    // ---- runs ---------------------------------------------------------------------------------

    @Test
    void aTypedProgramRunsAgainOnAFreshPacket() throws Exception {
        Executable e = load(Engines.JIT, ProgramType.XDP, "-- asm\n" + """
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+4]
                mov %r4, %r2
                add %r4, 1
                jgt %r4, %r3, out
                ldxb %r0, [%r2+0]
                add %r0, 1
                stxb [%r2+0], %r0
                out:
                exit
                """);
        byte[] packet = frame(14, 5);
        assertEquals(6, returned(e.run(RunInput.of(packet))).r0());
        assertEquals(6, returned(e.run(RunInput.of(packet))).r0()); // the input is copied, not changed
        assertEquals(5, packet[0]);
        assertEquals(6, returned(e.run(packet)).r0()); // run(byte[]) of a typed program: no context
    }

    /**
     * test_run refuses a 13-byte packet (EINVAL) and a context for a raw program: the jit gives that
     * refusal as the one outcome every engine gives (the interpreter's and the kernel backend's),
     * not an exception (found by bpfh fuzz --profile packet, where the jit crashed on such inputs).
     */
    @Test
    void aBadPacketAndAContextForARawProgramAreTestRunsRefusal() throws Exception {
        Executable xdp = load(Engines.JIT, ProgramType.XDP, "-- asm\nmov %r0, 2\nexit\n");
        Outcome.Trapped bad = assertInstanceOf(Outcome.Trapped.class, xdp.run(RunInput.of(new byte[13])));
        assertEquals(TrapKind.RUNTIME_ERROR, bad.kind());
        assertEquals(-1, bad.pc());
        assertEquals("test_run input refused: EINVAL: an XDP packet needs at least 14 bytes, got 13", bad.message());
        Outcome.Trapped ipv4 = assertInstanceOf(Outcome.Trapped.class, load(Engines.JIT, ProgramType.SCHED_CLS,
                "-- asm\nmov %r0, 2\nexit\n").run(RunInput.of(frame(14, 0))));
        assertEquals(-1, ipv4.pc(), ipv4::toString);
        Executable raw = Engines.JIT.load(Engines.asm("mov %r0, 2\nexit\n"), LoadOptions.DEFAULTS);
        Outcome.Trapped ctx = assertInstanceOf(Outcome.Trapped.class, raw.run(new RunInput(new byte[4], new byte[4])));
        assertEquals("test_run input refused: EINVAL: a raw program takes no context", ctx.message());
        assertEquals(2, returned(raw.run(RunInput.of(new byte[4]))).r0());
    }
}
