package dev.bpfh.pcap;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Write, then read the file back: the same packets, through the file path (buffer refills, large packets). */
class RoundTripTest {
    record Written(long nanos, byte[] data, int originalLength) {}

    /** Sizes across the reader's 64 KiB buffer, including empty and near-maximum packets. */
    static List<Written> packets(boolean wholeMicros) {
        SplittableRandom random = new SplittableRandom(7);
        List<Written> list = new ArrayList<>();
        long t = 1_767_225_600_000_000_000L;
        int[] sizes = {0, 1, 60, 1514, 9000, 65535, 65536, 70000, 200_000, PcapReader.MAX_CAPTURE_LENGTH, 61};
        for (int i = 0; i < 300; i++) {
            int size = i < sizes.length ? sizes[i] : random.nextInt(60, 1515);
            byte[] data = new byte[size];
            random.nextBytes(data);
            t += wholeMicros ? 1000L * random.nextInt(1, 100_000) : random.nextLong(1, 100_000_000);
            list.add(new Written(t, data, size + (i % 5 == 0 ? random.nextInt(0, 100) : 0)));
        }
        return list;
    }

    static void assertSame(List<Written> written, List<CapturedPacket> read, boolean micros) {
        assertEquals(written.size(), read.size());
        for (int i = 0; i < written.size(); i++) {
            Written w = written.get(i);
            CapturedPacket p = read.get(i);
            assertEquals(i, p.index());
            assertEquals(micros ? w.nanos() / 1000 * 1000 : w.nanos(), p.timestampNanos(), "packet " + i);
            assertArrayEquals(w.data(), p.data(), "packet " + i);
            assertEquals(w.originalLength(), p.originalLength(), "packet " + i);
            assertEquals(CapturedPacket.LINKTYPE_ETHERNET, p.linkType());
        }
    }

    @Test
    void classicPcapRoundTripsAndTruncatesTimestampsToMicroseconds(@TempDir Path dir) throws Exception {
        List<Written> written = packets(false);
        Path file = dir.resolve("t.pcap");
        try (PcapWriter w = PcapWriter.create(file)) {
            for (Written p : written) {
                w.write(p.nanos(), p.data(), p.originalLength());
            }
        }
        try (PcapReader r = PcapReader.open(file)) {
            assertEquals(CaptureFormat.PCAP_MICROSECONDS, r.format());
        }
        assertSame(written, PcapReader.readAll(file), true);
    }

    @Test
    void pcapngRoundTripsWithNanoseconds(@TempDir Path dir) throws Exception {
        List<Written> written = packets(false);
        Path file = dir.resolve("t.pcapng");
        try (PcapNgWriter w = PcapNgWriter.create(file)) {
            for (Written p : written) {
                w.write(p.nanos(), p.data(), p.originalLength());
            }
        }
        assertSame(written, PcapReader.readAll(file), false);
    }

    @Test
    void fileAndMemoryReadersAgree(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.pcap");
        List<Written> written = packets(true);
        try (PcapWriter w = PcapWriter.create(file)) {
            for (Written p : written) {
                w.write(p.nanos(), p.data());
            }
        }
        List<CapturedPacket> fromMemory = PcapReaderTest.read(java.nio.file.Files.readAllBytes(file));
        List<CapturedPacket> fromFile = PcapReader.readAll(file);
        for (int i = 0; i < written.size(); i++) {
            assertEquals(fromFile.get(i).offset(), fromMemory.get(i).offset());
            assertArrayEquals(fromFile.get(i).data(), fromMemory.get(i).data());
        }
    }

    @Test
    void writersRefuseWhatTheFormatCannotHold() throws Exception {
        try (PcapWriter w = new PcapWriter(java.io.OutputStream.nullOutputStream())) {
            assertThrows(IllegalArgumentException.class, () -> w.write(-1, new byte[60]));
            assertThrows(IllegalArgumentException.class, () -> w.write(0, new byte[PcapReader.MAX_CAPTURE_LENGTH + 1]));
            assertThrows(IllegalArgumentException.class, () -> w.write(0, new byte[60], 59));
        }
    }
}
