package dev.bpfh.kernel;

import static dev.bpfh.kernel.Typed.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * tc (SCHED_CLS) programs run by the kernel backend as SCHED_CLS, against programs.md §4.2–§4.4.
 * Facts the spec does not state are marked "measured here" (Linux 6.18).
 */
class TcContextTest {
    @BeforeEach
    void kernel() {
        KernelAssumptions.requireKernel();
    }

    /** {@code struct __sk_buff} offsets used below. */
    static final int LEN = 0, PKT_TYPE = 4, MARK = 8, QUEUE_MAPPING = 12, PROTOCOL = 16, VLAN_PRESENT = 20,
            PRIORITY = 32, INGRESS_IFINDEX = 36, IFINDEX = 40, TC_INDEX = 44, CB0 = 48, HASH = 68, TC_CLASSID = 72,
            NAPI_ID = 84, TSTAMP = 152, WIRE_LEN = 160, GSO_SEGS = 164, GSO_SIZE = 176, HWTSTAMP = 184;

    /**
     * A tc program that runs {@code body} (r9 = ctx, r7 = data) after proving {@code results} u32
     * slots at data+14, and returns TC_ACT_OK; {@code store(i)} writes r0 into slot i.
     */
    static Program withResults(int results, String body) {
        return asm(ProgramType.SCHED_CLS, String.join("\n",
                "mov %r9, %r1",
                "ldxw %r7, [%r9+76]",
                "ldxw %r8, [%r9+80]",
                "mov %r5, %r7",
                "add %r5, " + (14 + 4 * results),
                "jgt %r5, %r8, short",
                body,
                "mov %r0, 0",
                "exit",
                "short:",
                "mov %r0, 2",
                "exit"));
    }

    static String store(int i) {
        return "stxw [%r7+" + (14 + 4 * i) + "], %r0\n";
    }

    /** One load per line: "b 16" = ldxb r0, [ctx+16], stored in the next result slot. */
    static String loads(List<String> specs) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < specs.size(); i++) {
            String[] w = specs.get(i).split(" ");
            String mn = switch (w[0]) {
                case "b" -> "ldxb";
                case "h" -> "ldxh";
                case "w" -> "ldxw";
                default -> throw new IllegalArgumentException(w[0]);
            };
            s.append(mn).append(" %r0, [%r9+").append(w[1]).append("]\n").append(store(i));
        }
        return s.toString();
    }

    /** §4.4: a load of S bytes at byte b of a field whose kernel width is T. */
    static long narrow(long value, int kernelWidth, int bytes, int b) {
        return bytes >= kernelWidth ? value : (value >>> (8 * b)) & ((1L << (8 * bytes)) - 1);
    }

    static byte[] skb() {
        return new byte[192];
    }

    @Test
    void narrowLoadsFollowTheKernelWidthOfEachField() {
        List<String> specs = List.of(
                "b 16", "b 17", "b 18", "b 19", "h 16", "h 18", "w 16",      // protocol, T = 2
                "b 4", "b 5", "b 6", "b 7", "h 4", "h 6", "w 4",             // pkt_type, T = 1
                "b 176", "b 177", "b 178", "b 179", "h 176", "h 178", "w 176", // gso_size, T = 2
                "b 9", "h 10", "w 8");                                      // mark: a plain u32
        byte[] ctx = skb();
        put32(ctx, MARK, 0x11223344);
        put32(ctx, GSO_SIZE, 0x05060708);
        Outcome.Returned r = returned(withResults(specs.size(), loads(specs)), new RunInput(frame(128), ctx));
        assertEquals(0, r.r0());
        long protocol = 0x0008; // IPv4, __be16 read as a little-endian u16
        long pktType = 3;       // PACKET_OTHERHOST
        long gsoSize = 0x0708;  // the kernel keeps 16 bits of 0x05060708
        long[] expected = {
            narrow(protocol, 2, 1, 0), narrow(protocol, 2, 1, 1), narrow(protocol, 2, 1, 2), narrow(protocol, 2, 1, 3),
            narrow(protocol, 2, 2, 0), narrow(protocol, 2, 2, 2), protocol,
            narrow(pktType, 1, 1, 0), narrow(pktType, 1, 1, 1), narrow(pktType, 1, 1, 2), narrow(pktType, 1, 1, 3),
            narrow(pktType, 1, 2, 0), narrow(pktType, 1, 2, 2), pktType,
            narrow(gsoSize, 2, 1, 0), narrow(gsoSize, 2, 1, 1), narrow(gsoSize, 2, 1, 2), narrow(gsoSize, 2, 1, 3),
            narrow(gsoSize, 2, 2, 0), narrow(gsoSize, 2, 2, 2), gsoSize,
            0x33, 0x1122, 0x11223344,
        };
        assertArrayEquals(new long[] {8, 0, 0, 0, 8, 8, 8, 3, 3, 3, 3, 3, 3, 3, 8, 7, 0, 0, 0x708, 0x708, 0x708,
                0x33, 0x1122, 0x11223344}, expected, "the §4.4 formula, spelled out");
        assertArrayEquals(expected, words(r.memory(), 14, specs.size()));
    }

    static final Program PROTOCOL_AND_TYPE = asm(ProgramType.SCHED_CLS, """
            ldxw %r0, [%r1+16]
            lsh %r0, 8
            ldxw %r2, [%r1+4]
            or %r0, %r2
            exit
            """);

    /** retval = protocol << 8 | pkt_type. */
    static long protocolAndType(byte[] frame) {
        return returned(PROTOCOL_AND_TYPE, frame).r0();
    }

    @Test
    void protocolIsBigEndianAsEthTypeTransDerivesIt() {
        assertEquals(0x0008, protocolAndType(frame(64, 0x0800)) >> 8);
        assertEquals(0xdd86, protocolAndType(frame(64, 0x86dd)) >> 8);
        assertEquals(0x0081, protocolAndType(frame(64, 0x8100)) >> 8, "no VLAN parsing");
        assertEquals(0x0006, protocolAndType(frame(64, 0x0600)) >> 8, "0x600 is the first ethertype");
        byte[] rawIpx = frame(64, 0x0100);
        rawIpx[14] = (byte) 0xff;
        rawIpx[15] = (byte) 0xff;
        assertEquals(0x0100, protocolAndType(rawIpx) >> 8, "length field, payload FF FF: ETH_P_802_3");
        assertEquals(0x0400, protocolAndType(frame(64, 0x0100)) >> 8, "length field: ETH_P_802_2");
    }

    @Test
    void pktTypeFollowsTheDestinationMac() {
        assertEquals(0, protocolAndType(frame(64, 0x0800, 0, 0, 0, 0, 0, 0)) & 0xff, "all-zero: lo's own address");
        assertEquals(2, protocolAndType(frame(64, 0x0800, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)) & 0xff,
                "broadcast is MULTICAST on lo (its broadcast address is zero)");
        assertEquals(2, protocolAndType(frame(64, 0x0800, 0x01, 0, 0x5e, 0, 0, 1)) & 0xff);
        assertEquals(2, protocolAndType(frame(64, 0x0800, 0x33, 0x33, 0, 0, 0, 1)) & 0xff);
        assertEquals(3, protocolAndType(frame(64, 0x0800, 0x02, 0, 0, 0, 0, 1)) & 0xff);
        assertEquals(3, protocolAndType(frame(64, 0x0800, 0, 0, 0, 0, 0, 1)) & 0xff);
    }

    @Test
    void ctxOutRefreshesWhatTestRunReportsAndDropsTcIndexQueueMappingClassid() {
        Program p = asm(ProgramType.SCHED_CLS, """
                ldxw %r2, [%r1+8]
                add %r2, 1
                stxw [%r1+8], %r2
                ldxw %r2, [%r1+32]
                add %r2, 2
                stxw [%r1+32], %r2
                ldxw %r2, [%r1+48]
                add %r2, 3
                stxw [%r1+48], %r2
                stw [%r1+64], 0x55
                mov %r2, 0x1234
                stxw [%r1+44], %r2
                stxw [%r1+12], %r2
                stxw [%r1+72], %r2
                ldxdw %r2, [%r1+152]
                add %r2, 5
                stxdw [%r1+152], %r2
                mov %r0, -1
                exit
                """);
        byte[] in = skb();
        put32(in, MARK, 10);
        put32(in, PRIORITY, 20);
        put32(in, CB0, 30);
        put32(in, CB0 + 4, 31);
        put32(in, INGRESS_IFINDEX, 7);
        put64(in, TSTAMP, 1000);
        put32(in, GSO_SEGS, 3);
        put32(in, GSO_SIZE, 0x05060708);
        put64(in, HWTSTAMP, 99);
        byte[] frame = frame(64);
        Outcome.Returned r = returned(p, new RunInput(frame, in));
        assertEquals(0xffffffffL, r.r0(), "TC_ACT_UNSPEC (-1): no range check");
        assertArrayEquals(frame, r.memory(), "data_out is the frame");
        byte[] expected = in.clone();
        put32(expected, MARK, 11);
        put32(expected, PRIORITY, 22);
        put32(expected, CB0, 33);
        put32(expected, CB0 + 16, 0x55);
        put64(expected, TSTAMP, 1005);
        put32(expected, WIRE_LEN, 64);  // ctx_in wire_len 0 -> len
        put32(expected, IFINDEX, 1);    // measured here: ctx_in ifindex 0 comes back as lo's 1
        assertArrayEquals(expected, r.ctx(), "tc_index, queue_mapping, tc_classid are not reported");
    }

    @Test
    void tcIndexQueueMappingAndClassidWriteRules() {
        String body = """
                mov %r2, 0x12345
                stxw [%r9+44], %r2
                ldxw %r0, [%r9+44]
                """ + store(0) + """
                mov %r2, 0x1234
                stxw [%r9+12], %r2
                ldxw %r0, [%r9+12]
                """ + store(1) + """
                mov %r2, 0xffff
                stxw [%r9+12], %r2
                ldxw %r0, [%r9+12]
                """ + store(2) + """
                mov %r2, 0xfffe
                stxw [%r9+12], %r2
                ldxw %r0, [%r9+12]
                """ + store(3) + """
                mov %r2, 0x10005
                stxw [%r9+12], %r2
                ldxw %r0, [%r9+12]
                """ + store(4) + """
                mov %r2, 0x12345
                stxw [%r9+72], %r2
                ldxw %r0, [%r9+72]
                """ + store(5) + """
                stw [%r9+44], 0x6789a
                ldxw %r0, [%r9+44]
                """ + store(6);
        Outcome.Returned r = returned(withResults(7, body), frame(64));
        assertArrayEquals(new long[] {0x2345, 0x1234, 0x1234, 0xfffe, 0xfffe, 0x2345, 0x789a},
                words(r.memory(), 14, 7), "tc_index/tc_classid keep 16 bits; queue_mapping ignores >= 0xffff");
    }

    /** len, ifindex, ingress_ifindex, wire_len, gso_segs, hash, napi_id, vlan_present, data_end - data. */
    static final Program DEFAULTS = withResults(9, loads(List.of(
            "w 0", "w 40", "w 36", "w 160", "w 164", "w 68", "w 84", "w 20")) + """
            mov %r0, %r8
            sub %r0, %r7
            """ + store(8));

    @Test
    void fieldsWithoutAndWithAZeroContext() {
        Outcome.Returned none = returned(DEFAULTS, frame(64));
        assertNull(none.ctx());
        // wire_len is 0 without ctx_in (§4.2); gso_segs 0 either way (measured here)
        assertArrayEquals(new long[] {64, 1, 0, 0, 0, 0, 0, 0, 64}, words(none.memory(), 14, 9));
        Outcome.Returned zero = returned(DEFAULTS, new RunInput(frame(64), skb()));
        assertArrayEquals(new long[] {64, 1, 0, 64, 0, 0, 0, 0, 64}, words(zero.memory(), 14, 9));
        byte[] expected = skb();
        put32(expected, IFINDEX, 1);
        put32(expected, WIRE_LEN, 64);
        assertArrayEquals(expected, zero.ctx());
        byte[] wire = skb();
        put32(wire, WIRE_LEN, 1500);
        put32(wire, GSO_SEGS, 4);
        put32(wire, IFINDEX, 1);
        Outcome.Returned given = returned(DEFAULTS, new RunInput(frame(64), wire));
        assertArrayEquals(new long[] {64, 1, 0, 1500, 4, 0, 0, 0, 64}, words(given.memory(), 14, 9));
    }

    @Test
    void ldAbsReadsTheFrameBigEndian() {
        // r6 = ctx; LD_ABS results go to cb[] and come back in ctx_out
        Program p = asm(ProgramType.SCHED_CLS, String.join("\n",
                "mov %r6, %r1",
                ldAbs(2, 12), "stxw [%r6+48], %r0",
                ldAbs(4, 14), "stxw [%r6+52], %r0",
                ldAbs(1, PacketConstants.SKF_NET_OFF + 1), "stxw [%r6+56], %r0",
                ldAbs(2, PacketConstants.SKF_LL_OFF + 6), "stxw [%r6+60], %r0",
                "mov %r7, 3",
                ldInd(1, 7, 14), "stxw [%r6+64], %r0",
                ldAbs(4, 60),
                "mov %r0, 99",
                "exit"));
        byte[] frame = frame(64);
        Outcome.Returned r = returned(p, new RunInput(frame, skb()));
        assertEquals(99, r.r0(), "[60..64) is inside a 64-byte frame");
        assertArrayEquals(new long[] {0x0800, 0x0e0f1011, 15, 0x0200, 17}, words(r.ctx(), CB0, 5));
        Program beyond = asm(ProgramType.SCHED_CLS, "mov %r6, %r1\n" + ldAbs(4, 61) + "\nmov %r0, 99\nexit");
        assertEquals(0, returned(beyond, frame).r0(), "out of range exits at once with r0 = 0");
        assertArrayEquals(frame, returned(beyond, frame).memory());
    }

    @Test
    void skbChangeTailAndHeadGrowDataOutUpToSkbMaxAlloc() {
        // measured here: test_run's skb grows to 16064 bytes at most (SKB_MAX_ALLOC with 4 KiB
        // pages), not to lo's MTU; the grown bytes read 0
        Program tail = asm(ProgramType.SCHED_CLS, "mov %r6, %r1\nmov %r2, 16064\nmov %r3, 0\ncall 38\nexit");
        byte[] in = frame(64);
        Outcome.Returned r = returned(tail, in);
        assertEquals(0, r.r0());
        assertEquals(16064, r.memory().length);
        assertArrayEquals(in, Arrays.copyOf(r.memory(), 64));
        assertArrayEquals(new byte[16000], Arrays.copyOfRange(r.memory(), 64, 16064));
        Program tooLong = asm(ProgramType.SCHED_CLS, "mov %r6, %r1\nmov %r2, 16065\nmov %r3, 0\ncall 38\nexit");
        Outcome.Returned refused = returned(tooLong, in);
        assertEquals(0xffffffeaL, refused.r0(), "-EINVAL");
        assertArrayEquals(in, refused.memory());
        Program head = asm(ProgramType.SCHED_CLS, "mov %r6, %r1\nmov %r2, 16000\nmov %r3, 0\ncall 43\nexit");
        Outcome.Returned pushed = returned(head, in);
        assertEquals(0, pushed.r0());
        assertEquals(16064, pushed.memory().length);
        assertArrayEquals(in, Arrays.copyOfRange(pushed.memory(), 16000, 16064));
    }

    /** SKF_* constants as the kernel defines them (programs.md §4.3). */
    static final class PacketConstants {
        static final int SKF_NET_OFF = -0x100000;
        static final int SKF_LL_OFF = -0x200000;
    }

    @Test
    void aProgramRunsMoreThanOnceWithFreshInput() {
        Program p = withResults(1, "ldxw %r0, [%r9+48]\nadd %r0, 1\nstxw [%r9+48], %r0\n" + store(0));
        byte[] ctx = skb();
        put32(ctx, CB0, 41);
        try (KernelExecutable e = new KernelBackend().load(p, dev.bpfh.spi.LoadOptions.DEFAULTS)) {
            for (int i = 0; i < 3; i++) {
                Outcome.Returned r = (Outcome.Returned) e.run(new RunInput(frame(64), ctx));
                assertEquals(42, u32(r.memory(), 14));
                assertEquals(42, u32(r.ctx(), CB0));
                assertArrayEquals(Arrays.copyOfRange(frame(64), 18, 64), Arrays.copyOfRange(r.memory(), 18, 64));
            }
        } catch (dev.bpfh.spi.LoadRejected x) {
            throw new AssertionError(x);
        }
    }
}
