package dev.bpfh.kernel;

import static dev.bpfh.kernel.Typed.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import dev.bpfh.spi.TrapKind;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * XDP programs run by the kernel backend as XDP (programs.md §4.1): the expected numbers are the
 * spec's measurements, so these tests are the ground truth the userspace engines are compared with.
 * Facts the spec does not state are marked "measured here" (Linux 6.18).
 */
class XdpContextTest {
    private static final int EINVAL = 0xffffffea, EACCES = 0xfffffff3;

    @BeforeEach
    void kernel() {
        KernelAssumptions.requireKernel();
    }

    /** Writes data_end - data, data - data_meta, data (8 bytes), ingress_ifindex, rx_queue_index at data. */
    private static final Program POINTERS = asm(ProgramType.XDP, """
            ldxw %r2, [%r1+0]
            ldxw %r3, [%r1+4]
            ldxw %r4, [%r1+8]
            ldxw %r5, [%r1+12]
            ldxw %r6, [%r1+16]
            mov %r7, %r2
            add %r7, 24
            jgt %r7, %r3, short
            mov %r0, %r3
            sub %r0, %r2
            stxw [%r2+0], %r0
            mov %r0, %r2
            sub %r0, %r4
            stxw [%r2+4], %r0
            stxdw [%r2+8], %r2
            stxw [%r2+16], %r5
            stxw [%r2+20], %r6
            mov %r0, 2
            exit
            short:
            mov %r0, 1
            exit
            """);

    private static byte[] xdpMd(long data, long dataEnd, long ingressIfindex) {
        byte[] c = new byte[24];
        put32(c, 0, data);
        put32(c, 4, dataEnd);
        put32(c, 12, ingressIfindex);
        return c;
    }

    @Test
    void contextPointersSpanThePacketAndAreKernelAddresses() {
        byte[] in = frame(64);
        Outcome.Returned r = returned(POINTERS, in);
        assertEquals(XDP_PASS, r.r0());
        assertEquals(64, r.memory().length, "data_out is the packet");
        assertEquals(64, u32(r.memory(), 0), "data_end - data");
        assertEquals(0, u32(r.memory(), 4), "data_meta = data without metadata");
        long data = u64(r.memory(), 8);
        assertEquals(0xffffL, data >>> 48, "data is a 64-bit kernel address (not truncated to 32 bits): "
                + Long.toHexString(data));
        assertEquals(1, u32(r.memory(), 16), "ingress_ifindex without ctx_in: lo");
        assertEquals(0, u32(r.memory(), 20), "rx_queue_index");
        assertArrayEquals(Arrays.copyOfRange(in, 24, 64), Arrays.copyOfRange(r.memory(), 24, 64));
        assertNull(r.ctx(), "no ctx_out without ctx_in");
    }

    @Test
    void zeroIngressIfindexInCtxInReadsLoAndEchoesZero() {
        // measured here: ctx_in ingress_ifindex 0 leaves the frame on lo (reads 1); ctx_out echoes 0
        Outcome.Returned r = returned(POINTERS, new RunInput(frame(64), xdpMd(0, 64, 0)));
        assertEquals(1, u32(r.memory(), 16));
        assertArrayEquals(xdpMd(0, 64, 0), r.ctx());
        Outcome.Returned lo = returned(POINTERS, new RunInput(frame(64), xdpMd(0, 64, 1)));
        assertEquals(1, u32(lo.memory(), 16));
        assertArrayEquals(xdpMd(0, 64, 1), lo.ctx());
    }

    @Test
    void ctxInDataIsTheMetadataLength() {
        byte[] in = frame(64);
        Outcome.Returned r = returned(POINTERS, new RunInput(in, xdpMd(32, 64, 0)));
        assertEquals(XDP_PASS, r.r0());
        assertEquals(64, r.memory().length, "data_out runs from data_meta");
        assertArrayEquals(Arrays.copyOfRange(in, 0, 32), Arrays.copyOfRange(r.memory(), 0, 32), "the metadata");
        assertEquals(32, u32(r.memory(), 32), "data_end - data");
        assertEquals(32, u32(r.memory(), 36), "data - data_meta");
        assertArrayEquals(xdpMd(32, 64, 0), r.ctx());
    }

    private static Program helper(int id, int delta) {
        return asm(ProgramType.XDP, "mov %r6, %r1\nmov %r2, " + delta + "\ncall " + id + "\nexit\n");
    }

    private static final int ADJUST_HEAD = 44, ADJUST_META = 54, ADJUST_TAIL = 65;

    @Test
    void adjustHeadHasHeadroomOf216AndKeeps14Bytes() {
        byte[] in = frame(64);
        Outcome.Returned grown = returned(helper(ADJUST_HEAD, -216), in);
        assertEquals(0, grown.r0());
        assertEquals(280, grown.memory().length);
        assertArrayEquals(new byte[216], Arrays.copyOfRange(grown.memory(), 0, 216), "new head bytes read 0");
        assertArrayEquals(in, Arrays.copyOfRange(grown.memory(), 216, 280));

        Outcome.Returned refused = returned(helper(ADJUST_HEAD, -220), in);
        assertEquals(EINVAL & 0xffffffffL, refused.r0());
        assertArrayEquals(in, refused.memory());

        Outcome.Returned shrunk = returned(helper(ADJUST_HEAD, 50), in);
        assertEquals(0, shrunk.r0());
        assertArrayEquals(Arrays.copyOfRange(in, 50, 64), shrunk.memory());
        assertEquals(EINVAL & 0xffffffffL, returned(helper(ADJUST_HEAD, 51), in).r0());
    }

    @Test
    void adjustHeadMovesTheMetadataWithTheData() {
        // §4.1: metalen 32, then adjust_head(-184) -> ctx_out {32, 248}; -188 leaves data_meta below 40
        byte[] in = frame(64);
        Outcome.Returned r = returned(helper(ADJUST_HEAD, -184), new RunInput(in, xdpMd(32, 64, 0)));
        assertEquals(0, r.r0());
        assertArrayEquals(xdpMd(32, 248, 0), r.ctx());
        assertEquals(248, r.memory().length);
        assertArrayEquals(Arrays.copyOfRange(in, 0, 32), Arrays.copyOfRange(r.memory(), 0, 32), "metadata moved along");
        assertArrayEquals(Arrays.copyOfRange(in, 32, 64), Arrays.copyOfRange(r.memory(), 216, 248));
        Outcome.Returned refused = returned(helper(ADJUST_HEAD, -188), new RunInput(in, xdpMd(32, 64, 0)));
        assertEquals(EINVAL & 0xffffffffL, refused.r0());
        assertArrayEquals(xdpMd(32, 64, 0), refused.ctx());
    }

    @Test
    void adjustMetaGrowsDataOutFromDataMeta() {
        byte[] in = frame(64);
        Outcome.Returned r = returned(helper(ADJUST_META, -8), new RunInput(in, xdpMd(0, 64, 0)));
        assertEquals(0, r.r0());
        assertEquals(72, r.memory().length, "data_out = metalen + len");
        assertArrayEquals(in, Arrays.copyOfRange(r.memory(), 8, 72));
        assertArrayEquals(xdpMd(8, 72, 0), r.ctx(), "ctx_out {data - data_meta, data_end - data_meta}");
        assertEquals(0, returned(helper(ADJUST_META, -36), in).r0(), "no 32-byte limit");
        assertEquals(0, returned(helper(ADJUST_META, -216), in).r0());
        assertEquals(EINVAL & 0xffffffffL, returned(helper(ADJUST_META, -220), in).r0());
        assertEquals(EINVAL & 0xffffffffL, returned(helper(ADJUST_META, 4), in).r0(), "data_meta past data");
        assertEquals(EACCES & 0xffffffffL, returned(helper(ADJUST_META, -6), in).r0(), "metalen % 4 != 0");
    }

    @Test
    void adjustTailZeroesGrownBytesUpToTheFrameLimit() {
        byte[] in = frame(64);
        Outcome.Returned grown = returned(helper(ADJUST_TAIL, 3456), in);
        assertEquals(0, grown.r0());
        assertEquals(3520, grown.memory().length);
        assertArrayEquals(in, Arrays.copyOfRange(grown.memory(), 0, 64));
        assertArrayEquals(new byte[3456], Arrays.copyOfRange(grown.memory(), 64, 3520));
        assertEquals(EINVAL & 0xffffffffL, returned(helper(ADJUST_TAIL, 3457), in).r0());
        assertArrayEquals(Arrays.copyOf(in, 14), returned(helper(ADJUST_TAIL, -50), in).memory());
        assertEquals(EINVAL & 0xffffffffL, returned(helper(ADJUST_TAIL, -51), in).r0());
    }

    @Test
    void retvalIsTheLow32BitsOfR0WithNoRangeCheck() {
        assertEquals(0xdeadbeefL, returned(asm(ProgramType.XDP, "lddw %r0, 0x12345678deadbeef\nexit"), frame(14)).r0());
        assertEquals(5, returned(asm(ProgramType.XDP, "mov %r0, 5\nexit"), frame(14)).r0());
    }

    @Test
    void inputsTestRunRefusesAreOutcomesNotExceptions() {
        Program p = asm(ProgramType.XDP, "mov %r0, 2\nexit");
        Outcome.Trapped shortPacket = assertInstanceOf(Outcome.Trapped.class, run(p, RunInput.of(new byte[13])));
        assertEquals(TrapKind.RUNTIME_ERROR, shortPacket.kind());
        assertEquals(-1, shortPacket.pc());
        assertTrue(shortPacket.message().startsWith("test_run input refused: EINVAL"), shortPacket.message());
        byte[] metaNotZero = xdpMd(0, 64, 0);
        put32(metaNotZero, 8, 4);
        Outcome.Trapped meta = assertInstanceOf(Outcome.Trapped.class, run(p, new RunInput(frame(64), metaNotZero)));
        assertTrue(meta.message().startsWith("test_run input refused: EINVAL"), meta.message());
        Outcome.Trapped tooLong = assertInstanceOf(Outcome.Trapped.class, run(p, new RunInput(frame(64), new byte[25])));
        assertTrue(tooLong.message().startsWith("test_run input refused: E2BIG"), tooLong.message());
    }
}
