package dev.bpfh.pcap;

import java.io.IOException;

/**
 * Classic libpcap: a 24-byte file header (magic, version 2.x, snaplen, link type) then records of
 * a 16-byte header (seconds, micro- or nanoseconds, captured and original length) and the bytes.
 * The byte order is the magic's.
 */
final class ClassicPcapDecoder implements PcapReader.PacketDecoder {
    static final long MAGIC_MICROS = 0xa1b2c3d4L;
    static final long MAGIC_NANOS = 0xa1b23c4dL;
    private static final long MAGIC_MODIFIED = 0xa1b2cd34L;
    static final int FILE_HEADER = 24;
    static final int RECORD_HEADER = 16;

    private final String name;
    private final ByteSource source;
    private final boolean bigEndian;
    private final boolean nanoseconds;
    private final long snaplen;
    private final int linkType;
    private final byte[] header = new byte[RECORD_HEADER];
    private int index;

    private ClassicPcapDecoder(String name, ByteSource source, boolean bigEndian, boolean nanoseconds, long snaplen,
            int linkType) {
        this.name = name;
        this.source = source;
        this.bigEndian = bigEndian;
        this.nanoseconds = nanoseconds;
        this.snaplen = snaplen;
        this.linkType = linkType;
    }

    /** Reads the file header; {@code magicLe} is the first four bytes read little-endian. */
    static ClassicPcapDecoder open(String name, ByteSource source, long magicLe) throws IOException, PcapFormatException {
        long magicBe = Long.reverseBytes(magicLe) >>> 32;
        boolean bigEndian;
        boolean nanos;
        if (magicLe == MAGIC_MICROS || magicLe == MAGIC_NANOS) {
            bigEndian = false;
            nanos = magicLe == MAGIC_NANOS;
        } else if (magicBe == MAGIC_MICROS || magicBe == MAGIC_NANOS) {
            bigEndian = true;
            nanos = magicBe == MAGIC_NANOS;
        } else if (magicLe == MAGIC_MODIFIED || magicBe == MAGIC_MODIFIED) {
            throw new PcapFormatException(name + ": offset 0: Kuznetzov's modified pcap format (magic a1b2cd34) is not supported");
        } else {
            throw new PcapFormatException(name + ": offset 0: not a pcap or pcapng file (first bytes "
                    + String.format("%08x", magicBe) + ")");
        }
        byte[] rest = new byte[FILE_HEADER - 4];
        int n = source.readUpTo(rest, rest.length);
        if (n < rest.length) {
            throw new PcapFormatException(name + ": offset " + (4 + n) + ": truncated file header: " + (4 + n) + " of "
                    + FILE_HEADER + " bytes");
        }
        int major = ByteSource.u16(rest, 0, bigEndian);
        int minor = ByteSource.u16(rest, 2, bigEndian);
        if (major != 2) {
            throw new PcapFormatException(name + ": offset 4: pcap version " + major + "." + minor + " is not 2.x");
        }
        long snaplen = ByteSource.u32(rest, 12, bigEndian);
        // The link-type word also carries FCS flags in its top bits; the type is the low 16 bits.
        int linkType = ByteSource.u16(rest, bigEndian ? 18 : 16, bigEndian);
        return new ClassicPcapDecoder(name, source, bigEndian, nanos, snaplen, linkType);
    }

    boolean nanoseconds() {
        return nanoseconds;
    }

    @Override
    public CapturedPacket next() throws IOException, PcapFormatException {
        long offset = source.position();
        int n = source.readUpTo(header, RECORD_HEADER);
        if (n == 0) {
            return null;
        }
        if (n < RECORD_HEADER) {
            throw error(offset, "truncated record header: " + n + " of " + RECORD_HEADER + " bytes");
        }
        long seconds = ByteSource.u32(header, 0, bigEndian);
        long fraction = ByteSource.u32(header, 4, bigEndian);
        long caplen = ByteSource.u32(header, 8, bigEndian);
        long origlen = ByteSource.u32(header, 12, bigEndian);
        if (caplen > PcapReader.MAX_CAPTURE_LENGTH) {
            throw error(offset, "captured length " + caplen + " is larger than " + PcapReader.MAX_CAPTURE_LENGTH
                    + " bytes, the largest packet accepted");
        }
        if (caplen > snaplen) {
            throw error(offset, "captured length " + caplen + " exceeds the file's snaplen " + snaplen);
        }
        if (caplen > source.remaining()) {
            throw error(offset, "truncated packet: captured length " + caplen + " but " + source.remaining()
                    + " bytes remain");
        }
        byte[] data = new byte[(int) caplen];
        source.readUpTo(data, data.length);
        // u32 seconds times 1e9 stays below 2^63, so neither unit can overflow.
        long nanos = seconds * 1_000_000_000L + fraction * (nanoseconds ? 1 : 1000);
        return new CapturedPacket(index++, offset, nanos, data, (int) origlen, linkType);
    }

    private PcapFormatException error(long offset, String what) {
        return new PcapFormatException(name + ": offset " + offset + ": packet " + index + ": " + what);
    }
}
