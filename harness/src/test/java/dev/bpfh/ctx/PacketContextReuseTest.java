package dev.bpfh.ctx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.bpfh.exec.Helpers;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.RunContext;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A {@link PacketContext#reusable} context run after run, as the jit keeps one per executable: no
 * run sees anything of an earlier one, no data_out changes after its run, and no input is written.
 * The expected bytes are written out by hand from programs.md §4.1–§4.3 (the packet comes back as
 * the program left it; a frame's headroom reads as zeros; a socket filter's first 14 bytes come
 * back zero), not taken from a fresh context.
 */
class PacketContextReuseTest {
    private static final Helpers H = Helpers.standard();

    private final Memory memory = new Memory();
    private final RunContext rc = new RunContext(memory, 1);

    private PacketContext reusable(ProgramType type) {
        memory.startRun(new byte[0], 1);
        return PacketContext.reusable(type, memory, memory.allocateRegions(1));
    }

    private void begin(PacketContext p, RunInput in) {
        p.begin(in);
        rc.startRun();
        rc.setPacket(p);
    }

    private static byte[] frame(int n, int fill) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) fill);
        b[12] = 0x08; // IPv4, so that a tc packet is taken
        return b;
    }

    @Test
    void aWrittenPacketComesOutAsACopyThatTheNextRunDoesNotTouch() {
        PacketContext p = reusable(ProgramType.SCHED_CLS);
        byte[] first = frame(64, 0x11);
        byte[] firstCopy = first.clone();
        begin(p, RunInput.of(first));
        memory.store8(Memory.inputAddress() + 20, 0x99, 0); // the program writes its packet
        byte[] out1 = p.dataOut();
        byte[] want1 = firstCopy.clone();
        want1[20] = (byte) 0x99;
        assertArrayEquals(want1, out1);
        assertArrayEquals(firstCopy, first, "the input is never written");

        byte[] second = frame(64, 0x22); // same length: the same kept array
        begin(p, RunInput.of(second));
        assertEquals(0x22, memory.load8(Memory.inputAddress() + 20, 0), "nothing of the last run's write is left");
        memory.store8(Memory.inputAddress() + 21, 0x77, 0);
        byte[] out2 = p.dataOut();
        assertArrayEquals(want1, out1, "an earlier data_out stays as it was");
        assertEquals(0x77, out2[21] & 0xff);
        assertEquals(0x22, out2[20] & 0xff);
    }

    @Test
    void anUnchangedPacketComesOutWithTheInputsBytes() {
        PacketContext p = reusable(ProgramType.XDP);
        for (int len : new int[] {60, 61, 60, 1500}) {
            byte[] in = frame(len, len);
            byte[] copy = in.clone();
            begin(p, RunInput.of(in));
            assertEquals(len, memory.region(Memory.INPUT_REGION).length, "region 1 ends at data_end");
            byte[] out = p.dataOut();
            assertArrayEquals(copy, out);
            assertArrayEquals(copy, in);
        }
    }

    @Test
    void aReusedFramesHeadroomReadsAsZeros() {
        PacketContext p = reusable(ProgramType.XDP);
        for (int run = 0; run < 2; run++) {
            byte[] in = frame(64, 0x40 + run);
            begin(p, RunInput.of(in));
            // bpf_xdp_adjust_head(ctx, -16): 16 bytes of headroom become packet
            assertEquals(0, H.get(HelperAvailability.XDP_ADJUST_HEAD).call(rc, p.ctxAddress(), -16, 0, 0, 0, 0));
            byte[] want = new byte[80];
            System.arraycopy(in, 0, want, 16, 64);
            assertArrayEquals(want, p.dataOut(), "run " + run);
            // the program writes the headroom it got; the next run's frame must not show it
            for (int i = 0; i < 16; i++) {
                p.buffer()[p.data() + i] = (byte) 0xee;
            }
        }
    }

    @Test
    void aRunWithoutContextSeesNoneOfTheLastRunsContext() {
        PacketContext p = reusable(ProgramType.SCHED_CLS);
        ContextLayout l = ContextLayout.of(ProgramType.SCHED_CLS).orElseThrow();
        ContextLayout.Access markStore = l.check(8, 4, true);
        ContextLayout.Access markLoad = l.check(8, 4, false);
        byte[] ctx = new byte[ContextLayout.SK_BUFF_SIZE];
        ctx[8] = 5; // mark 5
        begin(p, new RunInput(frame(64, 1), ctx));
        assertEquals(5, p.load(markLoad, p.ctxAddress(), 0));
        p.store(markStore, p.ctxAddress(), 0x1234, 0);
        byte[] ctxOut = p.ctxOut();
        assertEquals(0x34, ctxOut[8]);
        assertEquals(0x12, ctxOut[9]);

        begin(p, RunInput.of(frame(64, 1)));
        assertEquals(0, p.load(markLoad, p.ctxAddress(), 0));
        assertNull(p.ctxOut());
        assertEquals(0x34, ctxOut[8], "an earlier ctx_out stays as it was");
        assertEquals(64, p.load(l.check(0, 4, false), p.ctxAddress(), 0), "len");
    }

    @Test
    void aSocketFiltersPulledHeaderComesBackZeroAndTheInputKeepsIt() {
        PacketContext p = reusable(ProgramType.SOCKET_FILTER);
        byte[] in = frame(64, 0x5a);
        begin(p, RunInput.of(in));
        byte[] out = p.dataOut();
        byte[] want = in.clone();
        Arrays.fill(want, 0, 14, (byte) 0);
        assertArrayEquals(want, out);
        assertNotSame(in, out);
        assertEquals(0x5a, in[0]);
    }

    @Test
    void anUnchangedPacketIsTheCallersOwnArray() {
        PacketContext p = reusable(ProgramType.SCHED_CLS);
        byte[] in = frame(64, 3);
        begin(p, RunInput.of(in));
        assertSame(in, p.dataOut(), "no copy for a packet the run only read");
    }
}
