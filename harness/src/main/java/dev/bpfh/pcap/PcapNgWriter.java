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
 * Writes a pcapng file: one little-endian section, one Ethernet interface with nanosecond
 * timestamps ({@code if_tsresol} 9), one Enhanced Packet Block per packet, no other options.
 */
public final class PcapNgWriter implements Closeable {
    private final OutputStream out;

    public PcapNgWriter(OutputStream out) throws IOException {
        this.out = out;
        ByteBuffer shb = block(PcapNgDecoder.SHB_TYPE, 28);
        shb.putInt((int) PcapNgDecoder.BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0);
        shb.putLong(-1L); // section length not given
        finish(shb);
        ByteBuffer idb = block(PcapNgDecoder.IDB_TYPE, 32);
        idb.putShort((short) CapturedPacket.LINKTYPE_ETHERNET).putShort((short) 0).putInt(PcapReader.MAX_CAPTURE_LENGTH);
        idb.putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]); // if_tsresol = 10^-9
        idb.putShort((short) 0).putShort((short) 0); // opt_endofopt
        finish(idb);
    }

    public static PcapNgWriter create(Path file) throws IOException {
        return new PcapNgWriter(new BufferedOutputStream(Files.newOutputStream(file)));
    }

    public void write(long timestampNanos, byte[] frame) throws IOException {
        write(timestampNanos, frame, frame.length);
    }

    public void write(long timestampNanos, byte[] captured, int originalLength) throws IOException {
        if (captured.length > PcapReader.MAX_CAPTURE_LENGTH || originalLength < captured.length) {
            throw new IllegalArgumentException("captured " + captured.length + " of " + originalLength + " bytes");
        }
        int padded = (captured.length + 3) & ~3;
        ByteBuffer epb = block(PcapNgDecoder.EPB_TYPE, 32 + padded);
        epb.putInt(0).putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos);
        epb.putInt(captured.length).putInt(originalLength).put(captured).put(new byte[padded - captured.length]);
        finish(epb);
    }

    private static ByteBuffer block(long type, int length) {
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN).putInt((int) type).putInt(length);
    }

    private void finish(ByteBuffer block) throws IOException {
        block.putInt(block.capacity());
        out.write(block.array());
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
