package dev.bpfh.ctx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.data.DataFileParser;
import dev.bpfh.exec.Helpers;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.RunContext;
import dev.bpfh.isa.Program;
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

    // ---- runs that start on the XDP frame (a program that moves a bound: startsOnFrame) ---------

    private static final ContextLayout XDP = ContextLayout.of(ProgramType.XDP).orElseThrow();

    private long xdpPointer(PacketContext p, String field) {
        return p.load(XDP.check(XDP.field(field).orElseThrow().offset(), 4, false), p.ctxAddress(), 0);
    }

    private void beginOnFrame(PacketContext p, RunInput in) {
        p.begin(in, false, true);
        rc.startRun();
        rc.setPacket(p);
    }

    @Test
    void aRunOnTheFrameHasItsPacketAtTheHeadroomsEndAndZerosBelow() {
        PacketContext p = reusable(ProgramType.XDP);
        byte[] in = frame(60, 0x33);
        beginOnFrame(p, RunInput.of(in));
        // programs.md §4.1: data at frame offset 256, data_end 60 bytes on, data_meta = data
        assertEquals(Memory.address(Memory.INPUT_REGION, 256), xdpPointer(p, "data"));
        assertEquals(Memory.address(Memory.INPUT_REGION, 316), xdpPointer(p, "data_end"));
        assertEquals(Memory.address(Memory.INPUT_REGION, 256), xdpPointer(p, "data_meta"));
        assertEquals(316, memory.region(Memory.INPUT_REGION).length, "region 1 ends at data_end");
        assertEquals(0x33, memory.load8(Memory.address(Memory.INPUT_REGION, 256 + 20), 0));
        assertEquals(0, memory.load8(Memory.address(Memory.INPUT_REGION, 255), 0), "the headroom is there, zero");
        assertSame(in, p.dataOut(), "a packet the run left as it came is the caller's array");

        // 8 bytes of metadata (ctx_in data = 8): data stays at 256, the metadata just below it
        byte[] ctx = new byte[24];
        ctx[0] = 8;
        ctx[4] = 60;
        beginOnFrame(p, new RunInput(in, ctx));
        assertEquals(Memory.address(Memory.INPUT_REGION, 248), xdpPointer(p, "data_meta"));
        assertEquals(Memory.address(Memory.INPUT_REGION, 256), xdpPointer(p, "data"));
        assertEquals(Memory.address(Memory.INPUT_REGION, 308), xdpPointer(p, "data_end"));
        assertSame(in, p.dataOut());
    }

    /** vlan_strip.c by hand: the MACs move 4 bytes on over the 802.1Q tag, then the head moves 4 on. */
    @Test
    void aVlanStripOnTheFrameGivesTheUntaggedFrameAndKeepsEarlierOutputs() {
        PacketContext p = reusable(ProgramType.XDP);
        byte[][] outs = new byte[3][];
        byte[][] wants = new byte[3][];
        for (int run = 0; run < 3; run++) {
            byte[] in = new byte[64]; // the same length each run: the same kept frame
            for (int i = 0; i < in.length; i++) {
                in[i] = (byte) (i * 7 + run);
            }
            in[12] = (byte) 0x81;
            in[13] = 0x00;
            byte[] copy = in.clone();
            // the expected frame: dst and src MAC, then what followed the 4-byte tag
            wants[run] = new byte[60];
            System.arraycopy(copy, 0, wants[run], 0, 12);
            System.arraycopy(copy, 16, wants[run], 12, 48);

            beginOnFrame(p, RunInput.of(in));
            int data = (int) xdpPointer(p, "data");
            byte[] frame = p.buffer();
            byte[] macs = Arrays.copyOfRange(frame, data, data + 12);
            System.arraycopy(macs, 0, frame, data + 4, 12);
            assertEquals(0, H.get(HelperAvailability.XDP_ADJUST_HEAD).call(rc, p.ctxAddress(), 4, 0, 0, 0, 0));
            assertEquals(Memory.address(Memory.INPUT_REGION, 260), xdpPointer(p, "data"));
            // the program scribbles over the headroom; no later run may see it
            Arrays.fill(frame, 0, 256, (byte) 0xee);
            outs[run] = p.dataOut();
            assertArrayEquals(copy, in, "the input is never written");
        }
        for (int run = 0; run < 3; run++) {
            assertArrayEquals(wants[run], outs[run], "run " + run + "'s data_out after the later runs");
        }
        beginOnFrame(p, RunInput.of(frame(64, 1)));
        assertEquals(0, memory.load8(Memory.address(Memory.INPUT_REGION, 0), 0));
        assertEquals(0, memory.load8(Memory.address(Memory.INPUT_REGION, 255), 0));
    }

    @Test
    void onlyAnXdpProgramThatMayMoveABoundStartsOnTheFrame() throws Exception {
        assertTrue(PacketContext.startsOnFrame(program(ProgramType.XDP, "mov %r2, 4\ncall 44\nexit\n")));
        assertTrue(PacketContext.startsOnFrame(program(ProgramType.XDP, "mov %r2, 4\ncall 54\nexit\n")));
        assertTrue(PacketContext.startsOnFrame(program(ProgramType.XDP, "mov %r2, 4\ncall 65\nexit\n")));
        // callx: the helper id is in a register, so it may be any of them
        long callx = dev.bpfh.isa.Insn.encode(dev.bpfh.isa.Opcodes.CALLX, 2, 0, 0, 0);
        assertTrue(PacketContext.startsOnFrame(program(ProgramType.XDP,
                "mov %r2, 44\n.slot 0x" + Long.toHexString(callx) + "\nexit\n")));
        assertFalse(PacketContext.startsOnFrame(program(ProgramType.XDP, "mov %r2, 4\ncall 5\nmov %r0, 2\nexit\n")));
        assertFalse(PacketContext.startsOnFrame(program(ProgramType.SCHED_CLS, "mov %r2, 4\ncall 44\nexit\n")),
                "an skb has no frame");
        // an lddw whose second slot reads as "call 44" is one instruction, no call
        long call44 = dev.bpfh.isa.Insn.encode(dev.bpfh.isa.Opcodes.CALL_IMM, 0, 0, 0, 44);
        long lddw = dev.bpfh.isa.Insn.encode(dev.bpfh.isa.Opcodes.LDDW, 0, 0, 0, 1);
        long exit = dev.bpfh.isa.Insn.encode(dev.bpfh.isa.Opcodes.EXIT_OP, 0, 0, 0, 0);
        assertFalse(PacketContext.startsOnFrame(Program.of("t", lddw, call44, exit).withType(ProgramType.XDP)));
    }

    private static Program program(ProgramType type, String asm) throws Exception {
        return DataFileParser.parse("t", null, "-- asm\n" + asm + "-- result\n0x0\n").program().withType(type);
    }
}
