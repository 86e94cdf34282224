package dev.bpfh.ctx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpfh.exec.Helpers;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.RunContext;
import dev.bpfh.exec.Trap;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import dev.bpfh.spi.TrapKind;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The packet helpers against the kernel facts of programs.md §3.2, §3.4 and §4.1 (measured on
 * 6.18), and checksums against an independent check: a full RFC 1071 recomputation over the
 * changed header, big-endian, as a textbook does it.
 *
 * <p>Where programs.md is silent (the errnos of skb_store_bytes and l3/l4_csum_replace, and
 * BPF_F_MARK_MANGLED_0), the expectations were measured on Linux 6.18 x86-64 with a throwaway C
 * probe (raw bpf(), SCHED_CLS, test_run on a 64-byte frame with ethertype 0x0800): l3 at offset 25
 * → -14, at 63 → -14, at 62 → 0, at 0x10000 → -14; l3 flags 0x12, size 3, size 0 with from ≠ 0 →
 * -22; l4 flags 0x84 and 0x52 → 0, 0x102 → -22, offset 63 → -14; store_bytes at 60 (4 bytes,
 * flags 3) → 0, at 61 → -14, flags 4 or 1 << 32 → -22; l4 on checksum 00 01 with (0, 0x100):
 * flags 0x22 → ff ff, flags 2 → 00 00; on checksum 00 00 with (0x1234, 0x5678): flags 0x22 →
 * unchanged 00 00, flags 0x62 → bb bb.
 */
class PacketHelpersTest {
    private static final long EINVAL = -22, EACCES = -13, EFAULT = -14;
    private static final Helpers H = Helpers.standard();
    /** A scratch buffer in the stack frame of depth 0. */
    private static final long BUF = Memory.frameTop(0) - 64;

    /** One run's state, as an engine sets it up. */
    private static final class Run {
        final Memory memory = new Memory();
        final RunContext rc = new RunContext(memory, 1);
        final PacketContext p;

        Run(ProgramType type, byte[] data, byte[] ctx) {
            memory.startRun(new byte[0], 1);
            p = PacketContext.start(type, new RunInput(data, ctx), memory, memory.allocateRegions(1));
            rc.startRun();
            rc.setPacket(p);
        }

        long call(int id, long r2, long r3, long r4, long r5) {
            return H.get(id).call(rc, p.ctxAddress(), r2, r3, r4, r5, 7);
        }

        void put(long addr, byte[] bytes) {
            for (int i = 0; i < bytes.length; i++) {
                memory.store8(addr + i, bytes[i], 0);
            }
        }

        byte[] get(long addr, int n) {
            return memory.read(addr, n, 0);
        }
    }

    private static byte[] packet(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i + 1);
        }
        return b;
    }

    private static Run xdp(int len) {
        return new Run(ProgramType.XDP, packet(len), null);
    }

    @Nested
    class XdpAdjustHead {
        @Test
        void onAFresh64BytePacketMinus216WorksAndMinus217DoesNot() {
            assertEquals(EINVAL, xdp(64).call(44, -217, 0, 0, 0));
            assertEquals(EINVAL, xdp(64).call(44, -220, 0, 0, 0));
            Run r = xdp(64);
            assertEquals(0, r.call(44, -216, 0, 0, 0));
            assertEquals(64 + 216, r.p.dataOut().length);
        }

        @Test
        void plus50LeavesTheMinimal14BytesAndPlus51IsRefused() {
            assertEquals(EINVAL, xdp(64).call(44, 51, 0, 0, 0));
            Run r = xdp(64);
            assertEquals(0, r.call(44, 50, 0, 0, 0));
            assertArrayEquals(Arrays.copyOfRange(packet(64), 50, 64), r.p.dataOut());
        }

        @Test
        void minus8GivesDataOutOf72BytesThatStartsWith8ZeroBytes() {
            Run r = xdp(64);
            assertEquals(0, r.call(44, -8 & 0xffffffffL, 0, 0, 0)); // an int argument: only the low 32 bits count
            byte[] expected = new byte[72];
            System.arraycopy(packet(64), 0, expected, 8, 64);
            assertArrayEquals(expected, r.p.dataOut());
        }

        @Test
        void theMetadataMovesWithTheDataAndLimitsTheHeadroom() {
            byte[] ctx = new byte[24];
            ctx[0] = 32; // data = metalen 32
            ctx[4] = 64; // data_end = the input length
            Run r = new Run(ProgramType.XDP, packet(64), ctx);
            assertEquals(EINVAL, r.call(44, -185, 0, 0, 0));
            assertEquals(0, r.call(44, -184, 0, 0, 0));
            byte[] out = r.p.dataOut();
            assertEquals(248, out.length); // programs.md §4.1: ctx_out {32, 248}
            assertArrayEquals(Arrays.copyOf(packet(64), 32), Arrays.copyOf(out, 32)); // metadata kept, in front
            byte[] ctxOut = r.p.ctxOut();
            assertEquals(32, ctxOut[0]);
            assertEquals(248, (ctxOut[4] & 0xff));
        }
    }

    @Nested
    class XdpAdjustMeta {
        @Test
        void growingPastDataIsEinvalAndAMisalignedLengthIsEacces() {
            assertEquals(EINVAL, xdp(64).call(54, 4, 0, 0, 0));
            assertEquals(EACCES, xdp(64).call(54, -2, 0, 0, 0));
            assertEquals(EINVAL, xdp(64).call(54, -220, 0, 0, 0));
        }

        @Test
        void minus216And36WorkAndTheMetadataComesBackFirstInDataOut() {
            assertEquals(0, xdp(64).call(54, -216, 0, 0, 0));
            assertEquals(0, xdp(64).call(54, -36, 0, 0, 0));
            Run r = xdp(64);
            assertEquals(0, r.call(54, -8, 0, 0, 0));
            byte[] expected = new byte[72];
            System.arraycopy(packet(64), 0, expected, 8, 64);
            assertArrayEquals(expected, r.p.dataOut());
        }

        @Test
        void metadataLongerThan255BytesIsEacces() {
            Run r = xdp(64);
            assertEquals(0, r.call(44, 48, 0, 0, 0)); // data at 304, room for 264 bytes of metadata above 40
            assertEquals(EACCES, r.call(54, -260, 0, 0, 0));
            assertEquals(0, r.call(54, -252, 0, 0, 0));
        }
    }

    @Nested
    class XdpAdjustTail {
        @Test
        void theFrameEndsAt3776AndAPacketKeeps14Bytes() {
            assertEquals(EINVAL, xdp(64).call(65, 3457, 0, 0, 0));
            assertEquals(EINVAL, xdp(64).call(65, -51, 0, 0, 0));
            assertEquals(0, xdp(64).call(65, -50, 0, 0, 0));
            Run r = xdp(64);
            assertEquals(0, r.call(65, 3456, 0, 0, 0));
            assertEquals(3520, r.p.dataOut().length);
        }

        @Test
        void grownBytesAreZeroEvenWhereThePacketWasBefore() {
            Run r = xdp(64);
            assertEquals(0, r.call(65, -10, 0, 0, 0));
            assertEquals(0, r.call(65, 20, 0, 0, 0));
            byte[] expected = Arrays.copyOf(Arrays.copyOf(packet(64), 54), 74);
            assertArrayEquals(expected, r.p.dataOut());
            assertEquals(74, r.memory.region(Memory.INPUT_REGION).length - 256);
        }
    }

    @Nested
    class SkbLoadBytes {
        @Test
        void tcReadsFromTheEthernetHeaderAndSocketFiltersFromL3() {
            Run tc = new Run(ProgramType.SCHED_CLS, packet(64), null);
            assertEquals(0, tc.call(26, 2, BUF, 4, 0));
            assertArrayEquals(new byte[] {3, 4, 5, 6}, tc.get(BUF, 4));
            Run sf = new Run(ProgramType.SOCKET_FILTER, packet(64), null);
            assertEquals(0, sf.call(26, 2, BUF, 4, 0));
            assertArrayEquals(new byte[] {17, 18, 19, 20}, sf.get(BUF, 4));
        }

        @Test
        void pastTheEndIsEfaultWithTheBufferZeroed() {
            Run sf = new Run(ProgramType.SOCKET_FILTER, packet(64), null);
            sf.put(BUF, new byte[] {9, 9, 9, 9, 9});
            assertEquals(0, sf.call(26, 46, BUF, 4, 0)); // len = 50: bytes 46..49 are the last
            assertEquals(EFAULT, sf.call(26, 47, BUF, 4, 0));
            assertArrayEquals(new byte[] {0, 0, 0, 0, 9}, sf.get(BUF, 5));
            Run tc = new Run(ProgramType.SCHED_CLS, packet(64), null);
            tc.put(BUF, new byte[] {9, 9});
            assertEquals(EFAULT, tc.call(26, 0x80000000L, BUF, 2, 0));
            assertArrayEquals(new byte[2], tc.get(BUF, 2));
        }

        @Test
        void aDestinationOutsideMemoryTraps() {
            Run tc = new Run(ProgramType.SCHED_CLS, packet(64), null);
            Trap t = assertThrows(Trap.class, () -> tc.call(26, 0, Memory.frameTop(0) - 2, 4, 0));
            assertEquals(TrapKind.OUT_OF_BOUNDS, t.kind());
        }
    }

    @Nested
    class SkbStoreBytes {
        @Test
        void storesAtL2AndOnlyTheTwoKnownFlagsAreAccepted() {
            Run tc = new Run(ProgramType.SCHED_CLS, packet(64), null);
            tc.put(BUF, new byte[] {(byte) 0xaa, (byte) 0xbb});
            assertEquals(0, tc.call(9, 62, BUF, 2, 3));
            assertEquals(EINVAL, tc.call(9, 0, BUF, 2, 4));
            assertEquals(EFAULT, tc.call(9, 63, BUF, 2, 0));
            assertEquals(EFAULT, tc.call(9, 0x80000000L, BUF, 2, 0));
            assertEquals(EINVAL, tc.call(9, 0, BUF, 2, 1L << 32)); // flags are 64 bits
            byte[] expected = packet(64);
            expected[62] = (byte) 0xaa;
            expected[63] = (byte) 0xbb;
            assertArrayEquals(expected, tc.p.dataOut());
        }
    }

    @Nested
    class Contexts {
        @Test
        void r1MustBeTheContextPointer() {
            Run tc = new Run(ProgramType.SCHED_CLS, packet(64), null);
            Trap t = assertThrows(Trap.class, () -> H.get(26).call(tc.rc, Memory.frameTop(0), 0, BUF, 4, 0, 7));
            assertEquals(TrapKind.HELPER_FAILED, t.kind());
            assertEquals(7, t.pc());
        }

        @Test
        void aRawRunHasNoPacketAndAnXdpPacketIsNotAnSkb() {
            Memory m = new Memory();
            RunContext raw = new RunContext(m, 1);
            assertEquals(TrapKind.HELPER_FAILED,
                    assertThrows(Trap.class, () -> H.get(44).call(raw, Memory.inputAddress(), 0, 0, 0, 0, 1)).kind());
            Run x = xdp(64);
            assertEquals(TrapKind.HELPER_FAILED, assertThrows(Trap.class, () -> x.call(26, 0, BUF, 4, 0)).kind());
            Run sf = new Run(ProgramType.SOCKET_FILTER, packet(64), null);
            assertEquals(TrapKind.HELPER_FAILED, assertThrows(Trap.class, () -> sf.call(9, 0, BUF, 4, 0)).kind());
        }
    }

    // ---- checksums ----------------------------------------------------------------------------

    /** Wikipedia's IPv4 header example, checksum 0xb861 at offset 10. */
    private static final byte[] IPV4 = HexFormat.of().parseHex("450000730000400040" + "11b861c0a80001c0a800c7");

    /** RFC 1071: the ones'-complement sum of the big-endian 16-bit words, folded. */
    private static int rfc1071Sum(byte[] b, int from, int to) {
        long sum = 0;
        for (int i = from; i < to; i += 2) {
            sum += (b[i] & 0xff) << 8 | (i + 1 < to ? b[i + 1] & 0xff : 0);
        }
        while (sum > 0xffff) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** A tc packet: 14 bytes of Ethernet, then {@link #IPV4}. */
    private static byte[] ipv4Frame() {
        byte[] f = new byte[14 + IPV4.length + 8];
        f[12] = 8;
        System.arraycopy(IPV4, 0, f, 14, IPV4.length);
        return f;
    }

    private static long le32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    @Nested
    class CsumDiff {
        private final Memory m = new Memory();
        private final RunContext rc = new RunContext(m, 1); // a raw run: csum_diff needs no packet
        private static final long FROM = BUF, TO = BUF + 16;

        CsumDiff() {
            byte[] f = {0x01, 0x02, 0x03, 0x04};
            byte[] t = {0x11, 0x12, 0x13, 0x14, 0x15};
            for (int i = 0; i < f.length; i++) {
                m.store8(FROM + i, f[i], 0);
            }
            for (int i = 0; i < t.length; i++) {
                m.store8(TO + i, t[i], 0);
            }
        }

        private long diff(long from, long fs, long to, long ts, long seed) {
            return H.get(28).call(rc, from, fs, to, ts, seed, 1);
        }

        @Test
        void aValidHeaderSumsToFfffAndWithoutItsChecksumToTheComplementAsTheBytesLie() {
            for (int i = 0; i < 20; i++) {
                m.store8(BUF + i, IPV4[i], 0);
            }
            assertEquals(0xffff, diff(0, 0, BUF, 20, 0));
            m.store16(BUF + 10, 0, 0);
            // without the checksum the sum is ~0xb861 = 0x479e big-endian: 0x9e47 as the bytes lie
            assertEquals(0x9e47, diff(0, 0, BUF, 20, 0));
        }

        @Test
        void theFourShapesOfSpec34() {
            // hand-computed from §3.4: little-endian words, from = 0201 + 0403 = 0604,
            // to = 1211 + 1413 + 0015 (the odd byte low) = 2639
            assertEquals(0x2639, diff(0, 0, TO, 5, 0));
            assertEquals(0x263c, diff(0, 0, TO, 5, 0x00010002)); // seed folded to 0003
            assertEquals(0xf9fb, diff(FROM, 4, 0, 0, 0)); // ~(ffffffff + 04030201) = fbfcfdfe, folded
            assertEquals(0x2035, diff(FROM, 4, TO, 5, 0)); // 2639 + f9fb with end-around carry
            assertEquals(0x68ac, diff(0, 0, 0, 0, 0x12345678)); // only the seed, folded
            assertEquals(0x68ac, diff(0, 0, 0, 0, 0xffffffff_12345678L)); // r5's high half is ignored
        }

        /**
         * The kernel sums in 32 bits and folds last, so a sum that is 0 modulo 0xffff comes out
         * ffff unless the 32-bit sum was exactly 0 (measured by CsumDiffKernelTest; folding each
         * buffer to 16 bits first gave 0 in all three).
         */
        @Test
        void aSumOfZeroModuloFfffIsFfffUnlessThe32BitSumWasZero() {
            long zeros = BUF + 32, ffff = BUF + 40; // zeros: 00 00 00 00; ffff: ff ff 00 00
            m.store16(ffff, 0xffff, 0);
            // the fuzzer's case: ~seed = ffff0000 plus a zero byte, complemented: 0000ffff
            assertEquals(0xffff, diff(zeros + 1, 1, 0, 0, 0xffff));
            // ~seed = 0 plus ffff, complemented: ffff0000
            assertEquals(0xffff, diff(ffff, 2, 0, 0, 0xffffffffL));
            // 0 - 0000ffff = ffff0000
            assertEquals(0xffff, diff(ffff, 4, zeros, 4, 0));
            // and 0 only when the 32-bit result is exactly 0: 0 - ffffffff = 0 + 00000000
            m.store32(ffff, 0xffffffffL, 0);
            assertEquals(0, diff(ffff, 4, zeros, 4, 0));
        }

        @Test
        void anyLengthWorksAndMemoryIsChecked() {
            assertEquals(0x1211 + 0x13, diff(0, 0, TO, 3, 0)); // no size % 4 check in 6.18
            assertEquals(TrapKind.OUT_OF_BOUNDS, assertThrows(Trap.class, () -> diff(0, 0, Memory.frameTop(0) - 2, 4, 0)).kind());
            assertEquals(0, diff(0, 0, 0, 0, 0)); // NULL with size 0 is never touched
        }
    }

    @Nested
    class CsumReplace {
        private static final int IP = 14, CHECK = IP + 10, SADDR = IP + 12;

        private Run tc() {
            return new Run(ProgramType.SCHED_CLS, ipv4Frame(), null);
        }

        /** The program's recipe: replace the checksum incrementally, then store the new field. */
        private byte[] changeSaddr(int flagsSize) {
            Run r = tc();
            byte[] newAddr = {10, 0, 0, 1};
            long from = le32(r.p.buffer(), SADDR);
            long to = le32(newAddr, 0);
            if (flagsSize == 0) {
                r.put(BUF, Arrays.copyOfRange(r.p.buffer(), SADDR, SADDR + 4));
                r.put(BUF + 8, newAddr);
                long d = H.get(28).call(r.rc, BUF, 4, BUF + 8, 4, 0, 1);
                assertEquals(0, r.call(10, CHECK, 0, d, 0));
            } else if (flagsSize == 4) {
                assertEquals(0, r.call(10, CHECK, from, to, 4));
            } else {
                assertEquals(0, r.call(10, CHECK, from & 0xffff, to & 0xffff, 2));
                assertEquals(0, r.call(10, CHECK, from >>> 16, to >>> 16, 2));
            }
            r.put(BUF + 16, newAddr);
            assertEquals(0, r.call(9, SADDR, BUF + 16, 4, 0));
            return r.p.dataOut();
        }

        @Test
        void eachFieldSizeGivesTheChecksumAFullRecomputationGives() {
            for (int size : new int[] {0, 2, 4}) {
                byte[] out = changeSaddr(size);
                assertEquals(0xffff, rfc1071Sum(out, IP, IP + 20), "size " + size);
                byte[] fresh = out.clone();
                fresh[CHECK] = 0;
                fresh[CHECK + 1] = 0;
                int expected = ~rfc1071Sum(fresh, IP, IP + 20) & 0xffff;
                assertEquals(expected, (out[CHECK] & 0xff) << 8 | (out[CHECK + 1] & 0xff), "size " + size);
            }
        }

        @Test
        void badFlagsSizesAndOffsetsAreRefusedAsTheKernelDoes() {
            Run r = tc();
            assertEquals(EINVAL, r.call(10, CHECK, 1, 2, 0x10)); // no pseudo header at L3
            assertEquals(EINVAL, r.call(10, CHECK, 1, 2, 3));
            assertEquals(EINVAL, r.call(10, CHECK, 1, 2, 0)); // size 0 takes from = 0
            assertEquals(EFAULT, r.call(10, CHECK + 1, 1, 2, 2)); // odd
            assertEquals(EFAULT, r.call(10, r.p.dataEnd() - 1, 1, 2, 2));
            assertEquals(0, r.call(10, r.p.dataEnd() - 2, 0, 0, 2));
            assertEquals(EFAULT, r.call(10, 0x10000, 1, 2, 2));
            assertEquals(EFAULT, r.call(10, r.p.dataEnd(), 1, 2, 2));
            assertEquals(EINVAL, r.call(11, CHECK, 1, 2, 0x100));
            assertEquals(EFAULT, r.call(11, r.p.dataEnd() - 1, 1, 2, 2));
            assertArrayEquals(ipv4Frame(), r.p.dataOut()); // nothing changed
            assertEquals(0, r.call(11, CHECK, 0, 0, 0x10 | 0x80 | 4)); // pseudo header and IPv6 are accepted
        }

        @Test
        void mangledZeroLeavesAnAbsentUdpChecksumAloneUnlessEnforced() {
            Run r = tc();
            int at = 14 + 20 + 6; // a UDP checksum slot in the padding after the header (tc offsets are from L2)
            int udp = at;
            assertEquals(0, r.call(11, udp, 0x1234, 0x5678, 0x20 | 2));
            assertEquals(0, r.p.buffer()[at] | r.p.buffer()[at + 1]);
            assertEquals(0, r.call(11, udp, 0x1234, 0x5678, 0x20 | 0x40 | 2));
            // the independent model: ones' complement arithmetic as sums mod 0xffff
            int expected = ~(((0xffff + (~0x1234 & 0xffff)) % 0xffff + 0x5678) % 0xffff) & 0xffff;
            assertEquals(expected, (r.p.buffer()[at] & 0xff) | (r.p.buffer()[at + 1] & 0xff) << 8);
        }

        @Test
        void aResultOfZeroIsWrittenAsFfffUnderMangledZero() {
            Run r = tc();
            int at = 14 + 20 + 6;
            r.p.buffer()[at + 1] = 1; // checksum 0x0100: its complement 0xfeff plus 0x0100 is ffff, the new checksum 0
            assertEquals(0, r.call(11, at, 0, 0x0100, 0x20 | 2));
            assertEquals(-1, r.p.buffer()[at]);
            assertEquals(-1, r.p.buffer()[at + 1]);
            Run plain = tc();
            plain.p.buffer()[at + 1] = 1;
            assertEquals(0, plain.call(11, at, 0, 0x0100, 2));
            assertEquals(0, plain.p.buffer()[at] | plain.p.buffer()[at + 1]);
        }
    }
}
