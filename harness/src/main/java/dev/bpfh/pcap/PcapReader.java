package dev.bpfh.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a classic pcap or a pcapng capture one packet at a time, without holding the file in
 * memory. The format is told by the first four bytes; {@link #next()} returns packets in file order
 * and {@code null} at the end.
 *
 * <p>Every malformed, truncated or hostile input is a {@link PcapFormatException} with one line
 * naming the file, the byte offset and the packet or block index. Lengths are checked against the
 * bytes left in the file and against {@link #MAX_CAPTURE_LENGTH} before anything is allocated;
 * every pcapng block advances by at least its 12-byte minimum, so a reader always ends.
 *
 * <p>The reader returns packets of every link type; {@link #nextEthernet()} is the form for
 * running them: a packet that is not Ethernet is an error there, not silently skipped, so a run
 * never reports fewer packets than the file holds without saying why.
 */
public final class PcapReader implements Closeable {

    /** The largest capture length accepted: libpcap's own limit for any link type (256 KiB). */
    public static final int MAX_CAPTURE_LENGTH = 256 * 1024;

    private final String name;
    private final ByteSource source;
    private final CaptureFormat format;
    private final PacketDecoder decoder;

    private PcapReader(String name, ByteSource source) throws IOException, PcapFormatException {
        this.name = name;
        this.source = source;
        byte[] magic = new byte[4];
        int n = source.readUpTo(magic, 4);
        if (n == 0) {
            throw new PcapFormatException(name + ": offset 0: the file is empty (no capture header)");
        }
        if (n < 4) {
            throw new PcapFormatException(name + ": offset 0: truncated: " + n + " bytes, too short for a capture header");
        }
        long le = ByteSource.u32(magic, 0, false);
        if (le == PcapNgDecoder.SHB_TYPE) {
            this.decoder = new PcapNgDecoder(name, source);
            this.format = CaptureFormat.PCAPNG;
        } else {
            ClassicPcapDecoder classic = ClassicPcapDecoder.open(name, source, le);
            this.decoder = classic;
            this.format = classic.nanoseconds() ? CaptureFormat.PCAP_NANOSECONDS : CaptureFormat.PCAP_MICROSECONDS;
        }
    }

    /** Opens {@code file}; the name in messages is the path as given. */
    public static PcapReader open(Path file) throws IOException, PcapFormatException {
        ByteSource source = new ByteSource(Files.newByteChannel(file));
        try {
            return new PcapReader(file.toString(), source);
        } catch (IOException | PcapFormatException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /** Reads a capture held in memory; {@code name} stands for the file in messages. */
    public static PcapReader open(String name, byte[] bytes) throws PcapFormatException {
        try {
            return new PcapReader(name, new ByteSource(new BytesChannel(bytes)));
        } catch (IOException e) {
            throw new IllegalStateException("a byte array cannot fail to read", e);
        }
    }

    /** Every packet of a file, for captures known to be small (tests, examples). */
    public static List<CapturedPacket> readAll(Path file) throws IOException, PcapFormatException {
        try (PcapReader reader = open(file)) {
            List<CapturedPacket> packets = new ArrayList<>();
            for (CapturedPacket p; (p = reader.next()) != null;) {
                packets.add(p);
            }
            return packets;
        }
    }

    public String name() {
        return name;
    }

    public CaptureFormat format() {
        return format;
    }

    /** The next packet, of any link type, or {@code null} after the last. */
    public CapturedPacket next() throws IOException, PcapFormatException {
        return decoder.next();
    }

    /**
     * The next packet, or {@code null} after the last; a packet whose link type is not Ethernet is
     * an error naming it.
     */
    public CapturedPacket nextEthernet() throws IOException, PcapFormatException {
        CapturedPacket p = decoder.next();
        if (p != null && !p.isEthernet()) {
            throw new PcapFormatException(name + ": offset " + p.offset() + ": packet " + p.index() + ": link type "
                    + p.linkType() + " (" + CapturedPacket.linkTypeName(p.linkType())
                    + ") is not Ethernet (1): only Ethernet frames can be run");
        }
        return p;
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    /** The two container formats behind one {@code next()}. */
    sealed interface PacketDecoder permits ClassicPcapDecoder, PcapNgDecoder {
        CapturedPacket next() throws IOException, PcapFormatException;
    }
}
