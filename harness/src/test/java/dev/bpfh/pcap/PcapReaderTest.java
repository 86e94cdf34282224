package dev.bpfh.pcap;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reader on files built field by field by {@link CaptureBytes}: every format variant and every refusal's words. */
class PcapReaderTest {
    static final byte[] A = bytes(60, 1);
    static final byte[] B = bytes(75, 2);

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }

    static List<CapturedPacket> read(byte[] file) throws Exception {
        try (PcapReader r = PcapReader.open("t", file)) {
            List<CapturedPacket> all = new ArrayList<>();
            for (CapturedPacket p; (p = r.next()) != null;) {
                all.add(p);
            }
            return all;
        }
    }

    static String refusal(byte[] file) {
        return assertThrows(PcapFormatException.class, () -> read(file)).getMessage();
    }

    @Test
    void classicInBothByteOrdersAndBothResolutions() throws Exception {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            for (boolean nanos : new boolean[] {false, true}) {
                byte[] file = CaptureBytes.classic(order, nanos ? 0xa1b23c4dL : 0xa1b2c3d4L, 65535, 1)
                        .record(1_700_000_000L, 999_999, A, 60).record(0xffff_ffffL, 7, 40, 1500, bytes(40, 9)).bytes();
                try (PcapReader r = PcapReader.open("t", file)) {
                    assertEquals(nanos ? CaptureFormat.PCAP_NANOSECONDS : CaptureFormat.PCAP_MICROSECONDS, r.format());
                    CapturedPacket p = r.next();
                    assertEquals(0, p.index());
                    assertEquals(24, p.offset());
                    assertEquals(1_700_000_000_000_000_000L + 999_999L * (nanos ? 1 : 1000), p.timestampNanos());
                    assertArrayEquals(A, p.data());
                    assertEquals(60, p.originalLength());
                    assertEquals(1, p.linkType());
                    assertFalse(p.truncated());
                    CapturedPacket q = r.next();
                    assertEquals(1, q.index());
                    assertEquals(24 + 16 + 60, q.offset());
                    assertEquals(0xffff_ffffL * 1_000_000_000L + 7 * (nanos ? 1 : 1000), q.timestampNanos());
                    assertArrayEquals(bytes(40, 9), q.data());
                    assertEquals(1500, q.originalLength());
                    assertTrue(q.truncated());
                    assertNull(r.next());
                    assertNull(r.next());
                }
            }
        }
    }

    @Test
    void theLinkTypeIsTheLow16BitsOfItsWord() throws Exception {
        // The upper bits carry the FCS length and its flag.
        byte[] file = CaptureBytes.classic(ByteOrder.BIG_ENDIAN, 0xa1b2c3d4L, 65535, 0x1000_0071L).record(1, 0, A, 60)
                .bytes();
        assertEquals(113, read(file).get(0).linkType());
    }

    @Test
    void classicRefusalsNameFileOffsetAndPacket() {
        byte[] header = CaptureBytes.classic(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4L, 64, 1).bytes();
        assertEquals("t: offset 0: the file is empty (no capture header)", refusal(new byte[0]));
        assertEquals("t: offset 0: truncated: 3 bytes, too short for a capture header", refusal(new byte[] {1, 2, 3}));
        assertEquals("t: offset 0: not a pcap or pcapng file (first bytes 7f454c46)",
                refusal(new byte[] {0x7f, 'E', 'L', 'F', 0, 0}));
        assertEquals("t: offset 10: truncated file header: 10 of 24 bytes", refusal(java.util.Arrays.copyOf(header, 10)));
        assertEquals("t: offset 24: packet 0: captured length 65 exceeds the file's snaplen 64",
                refusal(CaptureBytes.classic(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4L, 64, 1).record(0, 0, bytes(65, 1), 65)
                        .bytes()));
        assertEquals("t: offset 100: packet 1: captured length 262145 is larger than 262144 bytes, the largest packet accepted",
                refusal(CaptureBytes.classic(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4L, 0xffff_ffffL, 1).record(0, 0, A, 60)
                        .record(0, 0, 262145, 262145, new byte[0]).bytes()));
        assertEquals("t: offset 100: packet 1: truncated packet: captured length 60 but 59 bytes remain",
                refusal(CaptureBytes.classic(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4L, 1000, 1).record(0, 0, A, 60)
                        .record(0, 0, 60, 60, bytes(59, 1)).bytes()));
        assertEquals("t: offset 24: packet 0: truncated record header: 5 of 16 bytes",
                refusal(CaptureBytes.classic(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4L, 1000, 1).raw(new byte[5]).bytes()));
        byte[] v3 = header.clone();
        v3[4] = 3;
        assertEquals("t: offset 4: pcap version 3.4 is not 2.x", refusal(v3));
        byte[] modified = header.clone();
        modified[0] = 0x34;
        modified[1] = (byte) 0xcd;
        assertEquals("t: offset 0: Kuznetzov's modified pcap format (magic a1b2cd34) is not supported", refusal(modified));
    }

    @Test
    void pcapngSectionsByteOrdersInterfacesAndPacketBlocks() throws Exception {
        CaptureBytes ng = CaptureBytes.pcapng().shb(ByteOrder.BIG_ENDIAN);
        ng.idb(1, 0, ng.option(9, new byte[] {3})) // milliseconds
                .epb(0, 1_700_000_000_123L, A, 1514)
                .block(0x0BADL, bytes(33, 5)) // unknown: skipped by its length
                .shb(ByteOrder.LITTLE_ENDIAN); // a new section forgets interface 0 above
        ng.idb(1, 64, ng.option(2, "eth0".getBytes()), ng.option(9, new byte[] {(byte) 0x8a}), // 2^-10 s
                ng.option(14, ng.longValue(100))) // if_tsoffset: 100 s
                .idb(113, 0)
                .epb(1, 42_000_000_000L, B, 75)
                .spb(75, B) // interface 0: snaplen 64 cuts it
                .epb(0, 3 * 1024 + 512, A, 60)
                .opb(1, 5, A);
        byte[] file = ng.bytes();
        try (PcapReader r = PcapReader.open("t", file)) {
            assertEquals(CaptureFormat.PCAPNG, r.format());
        }
        List<CapturedPacket> all = read(file);
        assertEquals(5, all.size());
        CapturedPacket p0 = all.get(0);
        assertEquals(1_700_000_000_123_000_000L, p0.timestampNanos());
        assertArrayEquals(A, p0.data());
        assertEquals(1514, p0.originalLength());
        assertEquals(28 + 32, p0.offset()); // after the SHB (28) and the IDB (8 header + 8 + 8 if_tsresol + 4 end + 4)
        CapturedPacket p1 = all.get(1);
        assertEquals(1, p1.index());
        assertEquals(113, p1.linkType());
        assertEquals(42_000_000_000L * 1000, p1.timestampNanos());
        assertArrayEquals(B, p1.data());
        CapturedPacket p2 = all.get(2);
        assertEquals(1, p2.linkType());
        assertEquals(0, p2.timestampNanos());
        assertArrayEquals(java.util.Arrays.copyOf(B, 64), p2.data());
        assertEquals(75, p2.originalLength());
        // 3.5 s in 1/1024 s units plus the 100 s offset.
        assertEquals(103_500_000_000L, all.get(3).timestampNanos());
        assertEquals(113, all.get(4).linkType());
        assertEquals(5_000L, all.get(4).timestampNanos()); // interface 1: the default microseconds
    }

    @Test
    void pcapngRefusalsNameFileOffsetAndBlock() {
        CaptureBytes ok = CaptureBytes.pcapng().shb(ByteOrder.LITTLE_ENDIAN).idb(1, 0);
        byte[] head = ok.bytes(); // 28 + 20 bytes
        assertEquals("t: offset 48: block 2: block length 0 is shorter than the 12-byte minimum of a block",
                refusal(concat(head, le(0x0BAD, 0, 0))));
        assertEquals("t: offset 48: block 2: block length 28 is shorter than the 32-byte minimum of an enhanced packet block",
                refusal(concat(head, le(6, 28, 0, 0, 0, 0, 28))));
        assertEquals("t: offset 48: block 2: block length 14 is not a multiple of 4", refusal(concat(head, le(5, 14, 0, 14))));
        assertEquals("t: offset 48: block 2: truncated: block length 4294967292 but 12 bytes remain from the block's start",
                refusal(concat(head, le(5, 0xffff_fffc, 0))));
        assertEquals("t: offset 48: block 2: trailing block length 16 differs from the leading 12",
                refusal(concat(head, le(5, 12, 16))));
        assertEquals("t: offset 48: block 2: truncated block header: 6 of 8 bytes", refusal(concat(head, new byte[6])));
        assertEquals("t: offset 48: block 2: captured length 5 does not fit in block length 32",
                refusal(concat(head, le(6, 32, 0, 0, 0, 5, 5, 32))));
        assertEquals("t: offset 48: block 2: packet 0 names interface 1 but the section has 1 interface description block",
                refusal(concat(head, le(6, 32, 1, 0, 0, 0, 0, 32))));
        assertEquals("t: offset 48: block 2: captured length 262148 is larger than 262144 bytes, the largest packet accepted",
                refusal(concat(head, le(3, 262164, 262148), new byte[262148], le(262164))));
        byte[] bom = head.clone();
        bom[8] = 0x11;
        assertEquals("t: offset 0: block 0: byte-order magic 1a2b3c11 is not 1a2b3c4d in either byte order", refusal(bom));
        byte[] version = head.clone();
        version[12] = 2;
        assertEquals("t: offset 0: block 0: pcapng version 2.0 is not 1.x", refusal(version));
        // A packet block before any IDB, and one after a new section forgot the interfaces.
        assertEquals("t: offset 28: block 1: packet 0 names interface 0 but the section has 0 interface description blocks",
                refusal(CaptureBytes.pcapng().shb(ByteOrder.LITTLE_ENDIAN).spb(60, A).bytes()));
        assertTrue(refusal(concat(head, CaptureBytes.pcapng().shb(ByteOrder.BIG_ENDIAN).epb(0, 0, A, 60).bytes()))
                .startsWith("t: offset 76: block 3: packet 0 names interface 0 but the section has 0"));
        CaptureBytes badOption = CaptureBytes.pcapng().shb(ByteOrder.LITTLE_ENDIAN);
        byte[] option = badOption.option(2, new byte[4]);
        option[2] = 40; // claims 40 bytes in a 4-byte option area
        assertEquals("t: offset 28: block 1: option 2 of 40 bytes runs past the block's end",
                refusal(badOption.idb(1, 0, option).bytes()));
        CaptureBytes late = CaptureBytes.pcapng().shb(ByteOrder.LITTLE_ENDIAN);
        late.idb(1, 0, late.option(9, new byte[] {9})).epb(0, -1L, A, 60);
        assertEquals("t: offset 60: block 2: timestamp 18446744073709551615 (if_tsresol 9) is out of range (after the year 2262)",
                refusal(late.bytes()));
    }

    @Test
    void nextEthernetRefusesAnotherLinkTypeNamingThePacket() throws Exception {
        byte[] file = CaptureBytes.classic(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4L, 65535, 113).record(1, 0, A, 60).bytes();
        try (PcapReader r = PcapReader.open("sll.pcap", file)) {
            var e = assertThrows(PcapFormatException.class, r::nextEthernet);
            assertEquals("sll.pcap: offset 24: packet 0: link type 113 (LINUX_SLL) is not Ethernet (1): only Ethernet frames can be run",
                    e.getMessage());
        }
        try (PcapReader r = PcapReader.open("eth.pcap", CaptureBytes.classic(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4L,
                65535, 1).record(1, 0, A, 60).bytes())) {
            assertArrayEquals(A, r.nextEthernet().data());
            assertNull(r.nextEthernet());
        }
    }

    static byte[] le(long... words) {
        var b = java.nio.ByteBuffer.allocate(4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            b.putInt((int) w);
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        var out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
