package dev.bpfh.pcap;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a classic pcap file: little-endian, microsecond timestamps, Ethernet, snaplen
 * {@link PcapReader#MAX_CAPTURE_LENGTH}. Used by the trace generator and the tests; the bytes
 * depend only on what is written, so a generated trace is reproducible byte for byte.
 */
public final class PcapWriter implements Closeable {
    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(ClassicPcapDecoder.RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);

    public PcapWriter(OutputStream out) throws IOException {
        this.out = out;
        ByteBuffer file = ByteBuffer.allocate(ClassicPcapDecoder.FILE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt((int) ClassicPcapDecoder.MAGIC_MICROS).putShort((short) 2).putShort((short) 4);
        file.putInt(0).putInt(0); // thiszone (UTC), sigfigs
        file.putInt(PcapReader.MAX_CAPTURE_LENGTH).putInt(CapturedPacket.LINKTYPE_ETHERNET);
        out.write(file.array());
    }

    public static PcapWriter create(Path file) throws IOException {
        return new PcapWriter(new BufferedOutputStream(Files.newOutputStream(file)));
    }

    /** Writes a whole frame; the timestamp is truncated to microseconds. */
    public void write(long timestampNanos, byte[] frame) throws IOException {
        write(timestampNanos, frame, frame.length);
    }

    /** Writes {@code captured}, which the capture cut from a packet of {@code originalLength} bytes. */
    public void write(long timestampNanos, byte[] captured, int originalLength) throws IOException {
        if (timestampNanos < 0 || timestampNanos / 1_000_000_000L > 0xffff_ffffL) {
            throw new IllegalArgumentException("timestamp " + timestampNanos + " ns does not fit a pcap record");
        }
        if (captured.length > PcapReader.MAX_CAPTURE_LENGTH || originalLength < captured.length) {
            throw new IllegalArgumentException("captured " + captured.length + " of " + originalLength + " bytes");
        }
        header.clear();
        header.putInt((int) (timestampNanos / 1_000_000_000L));
        header.putInt((int) (timestampNanos % 1_000_000_000L / 1000));
        header.putInt(captured.length).putInt(originalLength);
        out.write(header.array());
        out.write(captured);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
