package dev.bpfh.interp;

import static dev.bpfh.interp.Typed.frame;
import static dev.bpfh.interp.Typed.ipv4;
import static dev.bpfh.interp.Typed.load;
import static dev.bpfh.interp.Typed.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.ProgramType;
import org.junit.jupiter.api.Test;

/**
 * LD_ABS / LD_IND and the packet helpers called from programs. Expected values: programs.md §4.3
 * (offsets from skb->data, SKF_* bases, out of range exits with r0 = 0), §3.2 (skb_load_bytes),
 * applied by hand to {@link Typed#frame} (byte i is i + 1).
 */
class PacketLoadsTest {
    private static final ProgramType TC = ProgramType.SCHED_CLS;
    private static final ProgramType SF = ProgramType.SOCKET_FILTER;

    private static long retval(ProgramType type, String asm, byte[] data) throws Exception {
        return run(load(type, asm), data).r0();
    }

    @Test
    void absoluteLoadsAreBigEndianFromSkbData() throws Exception {
        assertEquals(0x0800, retval(TC, "mov %r6, %r1\nldabsh 12\nexit\n", ipv4(0)));
        assertEquals(15, retval(SF, "mov %r6, %r1\nldabsb 0\nexit\n", frame(64))); // data_in[14]
        assertEquals(0x0f101112L, retval(SF, "mov %r6, %r1\nldabsw 0\nexit\n", frame(64)));
        assertEquals(64, retval(TC, "mov %r6, %r1\nldabsb 63\nexit\n", frame(64)));
    }

    @Test
    void skfBasesReachTheMacAndNetworkHeadersOfBothTypes() throws Exception {
        assertEquals(1, retval(SF, "mov %r6, %r1\nldabsb -0x200000\nexit\n", frame(64)));
        assertEquals(0x0d0e, retval(SF, "mov %r6, %r1\nldabsh -0x1ffff4\nexit\n", frame(64))); // MAC header + 12
        assertEquals(15, retval(TC, "mov %r6, %r1\nldabsb -0x100000\nexit\n", frame(64)));
        assertEquals(15, retval(SF, "mov %r6, %r1\nldabsb -0x100000\nexit\n", frame(64)));
    }

    @Test
    void outOfRangeExitsAtOnceWithR0Zero() throws Exception {
        String tail = "\nmov %r0, 99\nexit\n";
        assertEquals(99, retval(TC, "mov %r6, %r1\nldabsw 60" + tail, frame(64)));
        assertEquals(0, retval(TC, "mov %r6, %r1\nldabsw 61" + tail, frame(64)));
        assertEquals(0, retval(SF, "mov %r6, %r1\nldabsb 50" + tail, frame(64))); // len is 50
        assertEquals(0, retval(SF, "mov %r6, %r1\nldabsb -0x200001" + tail, frame(64))); // below SKF_LL_OFF
    }

    @Test
    void indirectLoadsAddTheRegisterAndANegativeSumIsOutOfRange() throws Exception {
        assertEquals(0x0800, retval(TC, "mov %r6, %r1\nmov %r7, 10\nldindh %r7, 2\nexit\n", ipv4(0)));
        assertEquals(0, retval(TC, "mov %r6, %r1\nmov %r7, -20\nldindb %r7, 0\nmov %r0, 99\nexit\n", frame(64)));
        // the sum is 32-bit: 0x1_0000_000c + 0 is offset 12
        assertEquals(13, retval(TC, "mov %r6, %r1\nlddw %r7, 0x10000000c\nldindb %r7, 0\nexit\n", frame(64)));
    }

    /**
     * The verifier rewrites LD_ABS into a helper call and "if r0 < 0: w0 = 0; exit" (net/core/filter.c,
     * bpf_gen_ld_abs): in a subprogram the exit returns to the caller.
     */
    @Test
    void inASubprogramTheFailedLoadReturnsZeroToTheCaller() throws Exception {
        assertEquals(40, retval(TC, """
                mov %r6, %r1
                call local sub
                add %r0, 40
                exit
                sub:
                mov %r6, %r1
                ldabsb 1000
                mov %r0, 5
                exit
                """, frame(64)));
    }

    @Test
    void theVerifierWantsTheSkbInR6AndNoPacketLoadsInXdp() {
        LoadRejected r6 = assertThrows(LoadRejected.class, () -> load(TC, "mov %r6, 0\nldabsb 0\nexit\n"));
        assertTrue(r6.getMessage().contains("R6 != pointer to skb"), r6.getMessage());
        LoadRejected xdp = assertThrows(LoadRejected.class, () -> load(ProgramType.XDP, "mov %r6, %r1\nldabsb 0\nexit\n"));
        assertTrue(xdp.getMessage().contains("not allowed for this program type"), xdp.getMessage());
    }

    @Test
    void skbLoadBytesReadsFromL3InASocketFilterAndZeroesOnFailure() throws Exception {
        String prog = """
                mov %r6, %r1
                stdw [%r10-8], -1
                mov %r1, %r6
                mov %r2, OFF
                mov %r3, %r10
                add %r3, -8
                mov %r4, 4
                call 26
                ldxw %r7, [%r10-8]
                lsh %r0, 32
                or %r0, %r7
                exit
                """;
        // r0 of the program: (helper result << 32 | the bytes); only the low 32 bits are retval,
        // so read the helper result separately
        assertEquals(0x1211100fL, retval(SF, prog.replace("OFF", "0"), frame(64)));
        assertEquals(0, retval(SF, prog.replace("OFF", "47"), frame(64))); // 47 + 4 > 50: zeroed
        String result = prog.replace("lsh %r0, 32\nor %r0, %r7\n", "");
        assertEquals(-14 & 0xffffffffL, retval(SF, result.replace("OFF", "47"), frame(64)));
        assertEquals(0, retval(SF, result.replace("OFF", "46"), frame(64)));
        assertEquals(0x04030201L, retval(TC, prog.replace("OFF", "0"), frame(64)));
    }

    @Test
    void skbStoreBytesChangesTheFrameTestRunHandsBack() throws Exception {
        byte[] out = run(load(TC, """
                mov %r6, %r1
                stw [%r10-4], 0x44332211
                mov %r1, %r6
                mov %r2, 2
                mov %r3, %r10
                add %r3, -4
                mov %r4, 4
                mov %r5, 0
                call 9
                exit
                """), frame(64)).memory();
        byte[] expected = frame(64);
        expected[2] = 0x11;
        expected[3] = 0x22;
        expected[4] = 0x33;
        expected[5] = 0x44;
        assertArrayEquals(expected, out);
    }
}
