package dev.bpfh.pcap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds capture files field by field from the format descriptions (libpcap's savefile layout and
 * the pcapng draft), in either byte order: the tests' own source of bytes for the reader.
 */
final class CaptureBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private ByteOrder order;

    private CaptureBytes(ByteOrder order) {
        this.order = order;
    }

    static CaptureBytes classic(ByteOrder order, long magic, long snaplen, long linkTypeWord) {
        CaptureBytes b = new CaptureBytes(order);
        b.put(ByteBuffer.allocate(24).order(order).putInt((int) magic).putShort((short) 2).putShort((short) 4)
                .putInt(0).putInt(0).putInt((int) snaplen).putInt((int) linkTypeWord));
        return b;
    }

    CaptureBytes record(long seconds, long fraction, byte[] data, long origlen) {
        return record(seconds, fraction, data.length, origlen, data);
    }

    CaptureBytes record(long seconds, long fraction, long caplen, long origlen, byte[] data) {
        put(ByteBuffer.allocate(16).order(order).putInt((int) seconds).putInt((int) fraction).putInt((int) caplen)
                .putInt((int) origlen));
        out.writeBytes(data);
        return this;
    }

    static CaptureBytes pcapng() {
        return new CaptureBytes(ByteOrder.LITTLE_ENDIAN);
    }

    /** A Section Header Block in {@code order}, which later blocks then use. */
    CaptureBytes shb(ByteOrder sectionOrder) {
        order = sectionOrder;
        return block(0x0A0D0D0AL, ByteBuffer.allocate(16).order(order).putInt(0x1A2B3C4D).putShort((short) 1)
                .putShort((short) 0).putLong(-1L).array());
    }

    /** An IDB; {@code options} are already-encoded option bytes (see {@link #option}). */
    CaptureBytes idb(int linkType, long snaplen, byte[]... options) {
        ByteBuffer body = ByteBuffer.allocate(8).order(order).putShort((short) linkType).putShort((short) 0)
                .putInt((int) snaplen);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(body.array());
        for (byte[] o : options) {
            b.writeBytes(o);
        }
        if (options.length > 0) {
            b.writeBytes(new byte[4]); // opt_endofopt
        }
        return block(1, b.toByteArray());
    }

    byte[] option(int code, byte[] value) {
        int padded = (value.length + 3) & ~3;
        return ByteBuffer.allocate(4 + padded).order(order).putShort((short) code).putShort((short) value.length)
                .put(value).array();
    }

    byte[] longValue(long v) {
        return ByteBuffer.allocate(8).order(order).putLong(v).array();
    }

    CaptureBytes epb(int interfaceId, long timestamp, byte[] data, long origlen) {
        int padded = (data.length + 3) & ~3;
        ByteBuffer body = ByteBuffer.allocate(20 + padded).order(order).putInt(interfaceId)
                .putInt((int) (timestamp >>> 32)).putInt((int) timestamp).putInt(data.length).putInt((int) origlen)
                .put(data);
        return block(6, body.array());
    }

    /** The obsolete Packet Block (type 2): 16-bit interface id and drop count. */
    CaptureBytes opb(int interfaceId, long timestamp, byte[] data) {
        int padded = (data.length + 3) & ~3;
        ByteBuffer body = ByteBuffer.allocate(20 + padded).order(order).putShort((short) interfaceId)
                .putShort((short) 0).putInt((int) (timestamp >>> 32)).putInt((int) timestamp).putInt(data.length)
                .putInt(data.length).put(data);
        return block(2, body.array());
    }

    CaptureBytes spb(long origlen, byte[] data) {
        int padded = (data.length + 3) & ~3;
        return block(3, ByteBuffer.allocate(4 + padded).order(order).putInt((int) origlen).put(data).array());
    }

    /** Any block: type, total length, the body zero-padded to 4 bytes, total length again. */
    CaptureBytes block(long type, byte[] body) {
        int padded = (body.length + 3) & ~3;
        int length = 12 + padded;
        ByteBuffer b = ByteBuffer.allocate(length).order(order).putInt((int) type).putInt(length).put(body);
        b.position(length - 4);
        put(b.putInt(length));
        return this;
    }

    CaptureBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private void put(ByteBuffer b) {
        out.writeBytes(b.array());
    }
}
