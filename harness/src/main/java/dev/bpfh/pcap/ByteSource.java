package dev.bpfh.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * The file being read, buffered, with its position and size known: every length read from the
 * file is checked against {@link #remaining()} before anything is allocated or skipped, so a
 * hostile length costs neither memory nor a seek past the end.
 */
final class ByteSource implements Closeable {
    private static final int BUFFER = 64 * 1024;

    private final SeekableByteChannel channel;
    private final long size;
    private final ByteBuffer buffer;
    /** Position of the channel: {@link #position()} is this minus what the buffer still holds. */
    private long channelPosition;

    ByteSource(SeekableByteChannel channel) throws IOException {
        this.channel = channel;
        this.size = channel.size();
        this.channelPosition = channel.position();
        this.buffer = ByteBuffer.allocate((int) Math.max(16, Math.min(BUFFER, size))).flip();
    }

    long position() {
        return channelPosition - buffer.remaining();
    }

    long remaining() {
        return size - position();
    }

    /** Reads {@code length} bytes into {@code into[0..length)} or as many as remain; returns how many. */
    int readUpTo(byte[] into, int length) throws IOException {
        return readUpTo(into, 0, length);
    }

    /** Reads {@code length} bytes into {@code into[at..at+length)} or as many as remain; returns how many. */
    int readUpTo(byte[] into, int at, int length) throws IOException {
        int done = Math.min(length, buffer.remaining());
        buffer.get(into, at, done);
        if (done == length) {
            return done;
        }
        if (length - done >= buffer.capacity()) { // large packet: straight into the array
            ByteBuffer direct = ByteBuffer.wrap(into, at + done, length - done);
            while (direct.hasRemaining() && fillFrom(direct) > 0) {
                // keep reading
            }
            return direct.position() - at;
        }
        while (done < length) {
            if (!buffer.hasRemaining() && !refill()) {
                break;
            }
            int n = Math.min(length - done, buffer.remaining());
            buffer.get(into, at + done, n);
            done += n;
        }
        return done;
    }

    /** Skips {@code n} bytes; the caller has checked {@code n <= remaining()}. */
    void skip(long n) throws IOException {
        if (n <= buffer.remaining()) {
            buffer.position(buffer.position() + (int) n);
            return;
        }
        long target = position() + n;
        buffer.position(buffer.limit());
        channel.position(target);
        channelPosition = target;
    }

    private boolean refill() throws IOException {
        buffer.clear();
        int n = fillFrom(buffer);
        buffer.flip();
        return n > 0;
    }

    private int fillFrom(ByteBuffer into) throws IOException {
        int n = channel.read(into);
        if (n > 0) {
            channelPosition += n;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    static int u16(byte[] b, int at, boolean bigEndian) {
        int x0 = b[at] & 0xff;
        int x1 = b[at + 1] & 0xff;
        return bigEndian ? x0 << 8 | x1 : x1 << 8 | x0;
    }

    static int i32(byte[] b, int at, boolean bigEndian) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (b[at + (bigEndian ? 3 - i : i)] & 0xff) << (8 * i);
        }
        return v;
    }

    static long u32(byte[] b, int at, boolean bigEndian) {
        return Integer.toUnsignedLong(i32(b, at, bigEndian));
    }

    static void putLe32(byte[] b, int at, long v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    static long i64(byte[] b, int at, boolean bigEndian) {
        long lo = u32(b, at + (bigEndian ? 4 : 0), bigEndian);
        long hi = u32(b, at + (bigEndian ? 0 : 4), bigEndian);
        return hi << 32 | lo;
    }
}
