package dev.bpfh.pcap;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Truncated, corrupted and hostile captures: the reader's only failure is its own one-line
 * {@link PcapFormatException}; no other exception, no allocation beyond the file, no endless loop
 * (the class timeout would catch one).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostilePcapTest {

    /** A classic pcap, our pcapng, and two pcapng files written by Wireshark's tools. */
    static List<byte[]> files() throws Exception {
        return List.of(Files.readAllBytes(Traces.dir().resolve("small.pcap")),
                Files.readAllBytes(Traces.dir().resolve("small.pcapng")),
                Files.readAllBytes(Traces.testData("small-editcap.pcapng")),
                Files.readAllBytes(Traces.testData("multi-mergecap.pcapng")));
    }

    /** Reads every packet; returns how many, or -1 after a clean refusal. Anything else fails. */
    static int readsOrRefusesCleanly(byte[] bytes, String what) {
        try {
            return PcapReaderTest.read(bytes).size();
        } catch (PcapFormatException e) {
            String m = e.getMessage();
            assertFalse(m == null || m.isBlank() || m.contains("\n"), what + ": bad message " + m);
            assertTrue(m.startsWith("t: offset "), what + ": " + m);
            return -1;
        } catch (Throwable t) {
            throw new AssertionError(what + ": " + t, t);
        }
    }

    @Test
    void everyTruncationIsRefusedUnlessItFallsOnARecordBoundary() throws Exception {
        for (byte[] whole : files()) {
            List<CapturedPacket> all = PcapReaderTest.read(whole);
            for (int n = 0; n < whole.length; n++) {
                int count = readsOrRefusesCleanly(Arrays.copyOf(whole, n), "cut at " + n);
                if (count >= 0) {
                    // A clean end: exactly at the start of packet `count` (or of a block before the first).
                    long boundary = all.get(count).offset();
                    assertTrue(n == boundary || count == 0 && n < boundary && n >= 24, "cut at " + n + " read " + count);
                    if (count > 0) {
                        assertEquals(boundary, n);
                    }
                }
            }
        }
    }

    @Test
    void randomByteFlipsNeverEscapeAsAnotherException() throws Exception {
        SplittableRandom random = new SplittableRandom(0x9ca9);
        for (byte[] good : files()) {
            for (int trial = 0; trial < 3000; trial++) {
                byte[] bad = good.clone();
                int flips = 1 + random.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    int at = random.nextInt(bad.length);
                    switch (random.nextInt(3)) {
                        case 0 -> bad[at] ^= (byte) (1 << random.nextInt(8));
                        case 1 -> bad[at] = (byte) random.nextInt(256);
                        default -> bad[at] = (byte) 0xff;
                    }
                }
                readsOrRefusesCleanly(bad, "trial " + trial);
            }
        }
    }

    /** Flips confined to headers and length fields, where a missing check would hide. */
    @Test
    void flipsInLengthFieldsAreRefusedCleanly() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        for (byte[] good : files()) {
            List<CapturedPacket> all = PcapReaderTest.read(good);
            for (int trial = 0; trial < 3000; trial++) {
                byte[] bad = good.clone();
                long at = all.get(random.nextInt(all.size())).offset() + random.nextInt(28);
                bad[(int) at] = (byte) random.nextInt(256);
                readsOrRefusesCleanly(bad, "byte " + at);
            }
        }
    }

    @Test
    void hugeLengthsAreRefusedBeforeAnythingIsAllocated() throws Exception {
        byte[] pcap = Files.readAllBytes(Traces.dir().resolve("small.pcap"));
        for (long caplen : new long[] {0xffff_ffffL, 0x7fff_ffffL, 262_145L}) {
            byte[] bad = pcap.clone();
            ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 8, (int) caplen);
            assertEquals("t: offset 24: packet 0: captured length " + caplen
                    + " is larger than 262144 bytes, the largest packet accepted",
                    assertThrows(PcapFormatException.class, () -> PcapReaderTest.read(bad)).getMessage());
        }
        byte[] lying = pcap.clone(); // 200 KiB claimed, within the limits, but the file is 8 KB
        ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 8, 200_000);
        assertTrue(assertThrows(PcapFormatException.class, () -> PcapReaderTest.read(lying)).getMessage()
                .startsWith("t: offset 24: packet 0: truncated packet: captured length 200000 but "));
        byte[] ng = Files.readAllBytes(Traces.dir().resolve("small.pcapng"));
        long epb = PcapReaderTest.read(ng).get(0).offset();
        for (long length : new long[] {0xffff_fffcL, 0x7fff_fff0L, 1L << 20}) {
            byte[] bad = ng.clone();
            ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt((int) epb + 4, (int) length);
            assertTrue(assertThrows(PcapFormatException.class, () -> PcapReaderTest.read(bad)).getMessage()
                    .startsWith("t: offset " + epb + ": block 2: truncated: block length " + length), "" + length);
        }
        byte[] caplen = ng.clone(); // caplen beyond its block
        ByteBuffer.wrap(caplen).order(ByteOrder.LITTLE_ENDIAN).putInt((int) epb + 20, 0x7fff_ffff);
        assertTrue(assertThrows(PcapFormatException.class, () -> PcapReaderTest.read(caplen)).getMessage()
                .contains("captured length 2147483647 does not fit in block length"));
    }

    @Test
    void zeroAndShortBlockLengthsEndTheRead() throws Exception {
        byte[] ng = Files.readAllBytes(Traces.dir().resolve("small.pcapng"));
        for (int length : new int[] {0, 4, 8}) {
            for (int block : new int[] {0, 28}) { // the SHB and the IDB
                byte[] bad = ng.clone();
                ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(block + 4, length);
                String m = assertThrows(PcapFormatException.class, () -> PcapReaderTest.read(bad)).getMessage();
                assertTrue(m.contains("block length " + length + " is shorter than the"), m);
            }
        }
        // Thousands of minimal unknown blocks are read through, each advancing 12 bytes.
        CaptureBytes many = CaptureBytes.pcapng().shb(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 5000; i++) {
            many.block(0x0BAD, new byte[0]);
        }
        assertEquals(0, PcapReaderTest.read(many.bytes()).size());
    }
}
