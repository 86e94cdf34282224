package dev.bpfh.kernel;

import static dev.bpfh.kernel.Typed.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Socket filters run by the kernel backend as SOCKET_FILTER (programs.md §4.2, §4.3): the program
 * sees the packet after the Ethernet header, reaches it only through LD_ABS/LD_IND, and data_out
 * starts with 14 zero bytes.
 */
class SocketFilterContextTest {
    private static final int SKF_NET_OFF = -0x100000, SKF_LL_OFF = -0x200000, CB0 = 48;

    @BeforeEach
    void kernel() {
        KernelAssumptions.requireKernel();
    }

    @Test
    void lenExcludesTheEthernetHeaderAndDataOutZeroesIt() {
        byte[] in = frame(64);
        Outcome.Returned r = returned(asm(ProgramType.SOCKET_FILTER, "ldxw %r0, [%r1+0]\nexit"), in);
        assertEquals(50, r.r0(), "skb->len = size - 14");
        assertEquals(64, r.memory().length);
        assertArrayEquals(new byte[14], Arrays.copyOf(r.memory(), 14));
        assertArrayEquals(Arrays.copyOfRange(in, 14, 64), Arrays.copyOfRange(r.memory(), 14, 64));
    }

    @Test
    void ldAbsIsBigEndianFromTheNetworkHeader() {
        Program p = asm(ProgramType.SOCKET_FILTER, String.join("\n",
                "mov %r6, %r1",
                ldAbs(4, 0), "stxw [%r6+48], %r0",
                ldAbs(2, 2), "stxw [%r6+52], %r0",
                ldAbs(1, 3), "stxw [%r6+56], %r0",
                ldAbs(1, SKF_NET_OFF + 1), "stxw [%r6+60], %r0",
                ldAbs(2, SKF_LL_OFF + 12), "stxw [%r6+64], %r0",
                "mov %r0, 7",
                "exit"));
        Outcome.Returned r = returned(p, new RunInput(frame(64), new byte[192]));
        assertEquals(7, r.r0());
        // frame byte i = i from 14 on: [0] of the skb is frame byte 14
        assertArrayEquals(new long[] {0x0e0f1011, 0x1011, 0x11, 0x0f, 0x0800}, words(r.ctx(), CB0, 5));
    }

    @Test
    void outOfRangeLdAbsAndNegativeLdIndExitWithZero() {
        byte[] in = frame(64); // skb->len 50
        String tail = "\nmov %r0, 99\nexit";
        assertEquals(99, returned(asm(ProgramType.SOCKET_FILTER, "mov %r6, %r1\n" + ldAbs(4, 46) + tail), in).r0());
        assertEquals(0, returned(asm(ProgramType.SOCKET_FILTER, "mov %r6, %r1\n" + ldAbs(4, 47) + tail), in).r0());
        assertEquals(0, returned(asm(ProgramType.SOCKET_FILTER, "mov %r6, %r1\n" + ldAbs(1, 50) + tail), in).r0());
        assertEquals(99, returned(asm(ProgramType.SOCKET_FILTER,
                "mov %r6, %r1\nmov %r7, 5\n" + ldInd(1, 7, 44) + tail), in).r0());
        assertEquals(0, returned(asm(ProgramType.SOCKET_FILTER,
                "mov %r6, %r1\nmov %r7, -1\n" + ldInd(1, 7, 0) + tail), in).r0());
        Outcome.Returned ind = returned(asm(ProgramType.SOCKET_FILTER,
                "mov %r6, %r1\nmov %r7, 5\n" + ldInd(2, 7, 2) + "\nexit"), in);
        assertEquals(0x1516, ind.r0(), "LD_IND: src + imm, big-endian");
    }

    @Test
    void cbRoundTripsAndTheRetvalIsPlain() {
        Program p = asm(ProgramType.SOCKET_FILTER, """
                ldxw %r2, [%r1+48]
                add %r2, 1
                stxw [%r1+48], %r2
                ldxw %r0, [%r1+8]
                exit
                """);
        byte[] ctx = new byte[192];
        put32(ctx, CB0, 5);
        put32(ctx, 8, 0xabcdef01); // mark: readable, not writable in a socket filter
        Outcome.Returned r = returned(p, new RunInput(frame(64), ctx));
        assertEquals(0xabcdef01L, r.r0());
        byte[] expected = ctx.clone();
        put32(expected, CB0, 6);
        put32(expected, 40, 1);        // ifindex: lo
        put32(expected, 160, 50);      // wire_len: 0 in ctx_in -> len, which is size - 14
        assertArrayEquals(expected, r.ctx());
    }
}
