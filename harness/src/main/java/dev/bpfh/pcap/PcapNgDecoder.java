package dev.bpfh.pcap;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng: a sequence of blocks {@code [type, length, body, length]}, each section opened by a
 * Section Header Block that sets the byte order and forgets the previous section's interfaces.
 * Interface Description Blocks give each interface its link type, snaplen and timestamp
 * resolution ({@code if_tsresol}, {@code if_tsoffset}); packets come from Enhanced, Simple and
 * (obsolete) Packet Blocks. Every other block is skipped by its length.
 */
final class PcapNgDecoder implements PcapReader.PacketDecoder {
    static final long SHB_TYPE = 0x0A0D0D0AL;
    static final int IDB_TYPE = 1;
    static final int OBSOLETE_PACKET_TYPE = 2;
    static final int SPB_TYPE = 3;
    static final int EPB_TYPE = 6;
    static final long BYTE_ORDER_MAGIC = 0x1A2B3C4DL;

    private static final int MIN_BLOCK = 12;
    private static final int SHB_MIN = 28;
    private static final int IDB_MIN = 20;
    private static final int EPB_MIN = 32;
    private static final int SPB_MIN = 16;
    /** Header blocks are read whole for their options; none legitimately comes near this. */
    private static final int MAX_IDB = 1 << 20;

    /** Bounds the per-section table a hostile file of tiny IDBs could grow. */
    private static final int MAX_INTERFACES = 1 << 16;

    private static final int OPT_ENDOFOPT = 0;
    private static final int IF_TSRESOL = 9;
    private static final int IF_TSOFFSET = 14;

    /** An interface of the current section. {@code tsresol} is the option's byte (6: microseconds). */
    private record Interface(int linkType, long snaplen, int tsresol, long tsoffsetSeconds) {}

    private final String name;
    private final ByteSource source;
    private final byte[] head = new byte[28];
    private final List<Interface> interfaces = new ArrayList<>();
    private boolean bigEndian;
    private int blockIndex;
    private int packetIndex;
    private boolean started;

    PcapNgDecoder(String name, ByteSource source) {
        this.name = name;
        this.source = source;
    }

    @Override
    public CapturedPacket next() throws IOException, PcapFormatException {
        while (true) {
            long offset = started ? source.position() : 0;
            int have = started ? 0 : 4; // the opening magic was read by PcapReader
            if (!started) {
                ByteSource.putLe32(head, 0, SHB_TYPE);
                started = true;
            }
            int n = source.readUpTo(head, have, 8 - have);
            if (n == 0 && have == 0) {
                return null;
            }
            if (have + n < 8) {
                throw error(offset, "truncated block header: " + (have + n) + " of 8 bytes");
            }
            long type = ByteSource.u32(head, 0, bigEndian);
            CapturedPacket packet = ByteSource.u32(head, 0, false) == SHB_TYPE ? sectionHeader(offset)
                    : block(offset, type, ByteSource.u32(head, 4, bigEndian));
            blockIndex++;
            if (packet != null) {
                return packet;
            }
        }
    }

    private CapturedPacket block(long offset, long type, long length) throws IOException, PcapFormatException {
        checkLength(offset, length, MIN_BLOCK, "a block");
        if (type == IDB_TYPE) {
            interfaceDescription(offset, length);
            return null;
        }
        if (type == EPB_TYPE || type == OBSOLETE_PACKET_TYPE) {
            return enhancedPacket(offset, length, type == OBSOLETE_PACKET_TYPE);
        }
        if (type == SPB_TYPE) {
            return simplePacket(offset, length);
        }
        source.skip(length - MIN_BLOCK);
        trailer(offset, length);
        return null;
    }

    private CapturedPacket sectionHeader(long offset) throws IOException, PcapFormatException {
        if (read(offset, 8, 4) < 4) {
            throw error(offset, "truncated section header block: no byte-order magic");
        }
        long magicLe = ByteSource.u32(head, 8, false);
        if (magicLe == BYTE_ORDER_MAGIC) {
            bigEndian = false;
        } else if (ByteSource.u32(head, 8, true) == BYTE_ORDER_MAGIC) {
            bigEndian = true;
        } else {
            throw error(offset, String.format("byte-order magic %08x is not 1a2b3c4d in either byte order", magicLe));
        }
        long length = ByteSource.u32(head, 4, bigEndian);
        checkLength(offset, length, SHB_MIN, "a section header block");
        if (read(offset, 12, 4) < 4) {
            throw error(offset, "truncated section header block");
        }
        int major = ByteSource.u16(head, 12, bigEndian);
        int minor = ByteSource.u16(head, 14, bigEndian);
        if (major != 1) {
            throw error(offset, "pcapng version " + major + "." + minor + " is not 1.x");
        }
        interfaces.clear();
        source.skip(length - 16 - 4); // section length and options: nothing bpfh needs
        trailer(offset, length);
        return null;
    }

    private void interfaceDescription(long offset, long length) throws IOException, PcapFormatException {
        checkLength(offset, length, IDB_MIN, "an interface description block");
        if (length > MAX_IDB) {
            throw error(offset, "interface description block of " + length + " bytes is larger than " + MAX_IDB);
        }
        byte[] body = new byte[(int) length - 8];
        source.readUpTo(body, body.length); // length was checked against the bytes left
        long trailing = ByteSource.u32(body, body.length - 4, bigEndian);
        if (trailing != length) {
            throw error(offset, "trailing block length " + trailing + " differs from the leading " + length);
        }
        int linkType = ByteSource.u16(body, 0, bigEndian);
        long snaplen = ByteSource.u32(body, 4, bigEndian);
        int tsresol = 6;
        long tsoffset = 0;
        int at = 8;
        int end = body.length - 4;
        while (at + 4 <= end) {
            int code = ByteSource.u16(body, at, bigEndian);
            int optionLength = ByteSource.u16(body, at + 2, bigEndian);
            at += 4;
            if (code == OPT_ENDOFOPT) {
                break;
            }
            if (optionLength > end - at) {
                throw error(offset, "option " + code + " of " + optionLength + " bytes runs past the block's end");
            }
            if (code == IF_TSRESOL && optionLength == 1) {
                tsresol = body[at] & 0xff;
                checkResolution(offset, tsresol);
            } else if (code == IF_TSOFFSET && optionLength == 8) {
                tsoffset = ByteSource.i64(body, at, bigEndian);
            }
            at += (optionLength + 3) & ~3;
        }
        if (interfaces.size() >= MAX_INTERFACES) {
            throw error(offset, "more than " + MAX_INTERFACES + " interface description blocks in one section");
        }
        interfaces.add(new Interface(linkType, snaplen, tsresol, tsoffset));
    }

    /** Enhanced Packet Block, or the obsolete Packet Block (16-bit interface id, then a drop count). */
    private CapturedPacket enhancedPacket(long offset, long length, boolean obsolete)
            throws IOException, PcapFormatException {
        String kind = obsolete ? "packet block" : "enhanced packet block";
        checkLength(offset, length, EPB_MIN, (obsolete ? "a " : "an ") + kind);
        if (read(offset, 8, 20) < 20) {
            throw error(offset, "truncated " + kind);
        }
        long interfaceId = obsolete ? ByteSource.u16(head, 8, bigEndian) : ByteSource.u32(head, 8, bigEndian);
        Interface in = interfaceOf(offset, interfaceId);
        long timestamp = ByteSource.u32(head, 12, bigEndian) << 32 | ByteSource.u32(head, 16, bigEndian);
        long caplen = ByteSource.u32(head, 20, bigEndian);
        long origlen = ByteSource.u32(head, 24, bigEndian);
        if (caplen > length - EPB_MIN) {
            throw error(offset, "captured length " + caplen + " does not fit in block length " + length);
        }
        long nanos = nanos(offset, in, timestamp);
        byte[] data = packetBytes(offset, caplen);
        source.skip(length - EPB_MIN - caplen); // padding and options
        trailer(offset, length);
        return new CapturedPacket(packetIndex++, offset, nanos, data, (int) origlen, in.linkType());
    }

    /** Simple Packet Block: interface 0, no timestamp; the captured length is implied. */
    private CapturedPacket simplePacket(long offset, long length) throws IOException, PcapFormatException {
        checkLength(offset, length, SPB_MIN, "a simple packet block");
        if (read(offset, 8, 4) < 4) {
            throw error(offset, "truncated simple packet block");
        }
        Interface in = interfaceOf(offset, 0);
        long origlen = ByteSource.u32(head, 8, bigEndian);
        long caplen = Math.min(origlen, length - SPB_MIN);
        if (in.snaplen() != 0) {
            caplen = Math.min(caplen, in.snaplen());
        }
        byte[] data = packetBytes(offset, caplen);
        source.skip(length - SPB_MIN - caplen);
        trailer(offset, length);
        return new CapturedPacket(packetIndex++, offset, 0, data, (int) origlen, in.linkType());
    }

    private byte[] packetBytes(long offset, long caplen) throws IOException, PcapFormatException {
        if (caplen > PcapReader.MAX_CAPTURE_LENGTH) {
            throw error(offset, "captured length " + caplen + " is larger than " + PcapReader.MAX_CAPTURE_LENGTH
                    + " bytes, the largest packet accepted");
        }
        byte[] data = new byte[(int) caplen];
        source.readUpTo(data, data.length); // within the block, whose length was checked
        return data;
    }

    private Interface interfaceOf(long offset, long id) throws PcapFormatException {
        if (id >= interfaces.size()) {
            throw error(offset, "packet " + packetIndex + " names interface " + id + " but the section has "
                    + interfaces.size() + " interface description block" + (interfaces.size() == 1 ? "" : "s"));
        }
        return interfaces.get((int) id);
    }

    /** The length is at least {@code min}, a multiple of 4, and its bytes (after the 8 read) are in the file. */
    private void checkLength(long offset, long length, int min, String kind) throws PcapFormatException {
        if (length < min) {
            throw error(offset, "block length " + length + " is shorter than the " + min + "-byte minimum of " + kind);
        }
        if (length % 4 != 0) {
            throw error(offset, "block length " + length + " is not a multiple of 4");
        }
        long fromStart = source.remaining() + (source.position() - offset);
        if (length > fromStart) {
            throw error(offset, "truncated: block length " + length + " but " + fromStart
                    + " bytes remain from the block's start");
        }
    }

    private void trailer(long offset, long length) throws IOException, PcapFormatException {
        source.readUpTo(head, 0, 4); // inside the checked length
        long trailing = ByteSource.u32(head, 0, bigEndian);
        if (trailing != length) {
            throw error(offset, "trailing block length " + trailing + " differs from the leading " + length);
        }
    }

    /** Reads {@code n} bytes into {@code head[at..]}; returns how many were there. */
    private int read(long offset, int at, int n) throws IOException {
        return source.readUpTo(head, at, n);
    }

    private void checkResolution(long offset, int tsresol) throws PcapFormatException {
        if ((tsresol & 0x80) == 0 ? tsresol > 18 : (tsresol & 0x7f) > 63) {
            throw error(offset, "if_tsresol " + tsresol + " is finer than this reader handles (10^-18 s or 2^-63 s)");
        }
    }

    /** Converts a timestamp in the interface's units to nanoseconds since the epoch (unsigned input). */
    private long nanos(long offset, Interface in, long timestamp) throws PcapFormatException {
        int r = in.tsresol();
        try {
            long nanos;
            if ((r & 0x80) == 0 && r <= 9 && timestamp >= 0) {
                nanos = Math.multiplyExact(timestamp, pow10(9 - r));
            } else {
                BigInteger units = new BigInteger(Long.toUnsignedString(timestamp));
                BigInteger scaled = units.multiply(BigInteger.valueOf(1_000_000_000L));
                BigInteger perSecond = (r & 0x80) == 0 ? BigInteger.TEN.pow(r) : BigInteger.TWO.pow(r & 0x7f);
                nanos = scaled.divide(perSecond).longValueExact();
            }
            return Math.addExact(nanos, Math.multiplyExact(in.tsoffsetSeconds(), 1_000_000_000L));
        } catch (ArithmeticException e) {
            throw error(offset, "timestamp " + Long.toUnsignedString(timestamp) + " (if_tsresol " + r
                    + ") is out of range (after the year 2262)");
        }
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }

    private PcapFormatException error(long offset, String what) {
        return new PcapFormatException(name + ": offset " + offset + ": block " + blockIndex + ": " + what);
    }
}
