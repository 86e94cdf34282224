package dev.bpfh.cli;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The frames between {@code bpfh-client} (cli/src/main/c/bpfh-client.c) and the {@link Daemon}:
 * one byte of type, four bytes of big-endian payload length, the payload.
 *
 * <p>Client to daemon: {@link #RUN} (the command line, each argument NUL-terminated),
 * {@link #STATUS}, {@link #STOP}, and {@link #STDIN} (bytes asked for by {@link #NEED_STDIN}; an
 * empty one is end of input). Daemon to client: first {@link #ACCEPTED}, {@link #REFUSED},
 * {@link #STALE} or {@link #SOURCES_CHANGED}, then {@link #STDOUT}, {@link #STDERR},
 * {@link #NEED_STDIN} in any order and finally {@link #EXIT} (a four-byte exit code). stdin is read
 * only when the command asks for it, as a directly run command would, so {@code bpfh --version} at
 * a terminal never waits for input.
 */
final class DaemonProtocol {
    private DaemonProtocol() {}

    static final byte RUN = 'R';
    static final byte STATUS = 'Q';
    static final byte STOP = 'T';
    static final byte STDIN = 'I';

    static final byte ACCEPTED = 'K';
    /** Not a command line the daemon serves; the client runs it directly. */
    static final byte REFUSED = 'U';
    /** The jar changed since the daemon started; it exits, and the client starts a new one. */
    static final byte STALE = 'S';
    /** A source is newer than the jar ({@link SourceWatch}); the client hands the call back to the launcher, which rebuilds. */
    static final byte SOURCES_CHANGED = 'C';
    static final byte STDOUT = 'O';
    static final byte STDERR = 'E';
    static final byte NEED_STDIN = 'N';
    static final byte EXIT = 'X';

    /** Larger frames are a broken peer, not data: the client never sends more than 64 KiB of stdin at once. */
    static final int MAX_PAYLOAD = 16 << 20;

    record Frame(byte type, byte[] payload) {}

    static void write(SocketChannel channel, byte type, byte[] payload, int offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(5 + length);
        b.put(type).putInt(length).put(payload, offset, length).flip();
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    static void write(SocketChannel channel, byte type, byte[] payload) throws IOException {
        write(channel, type, payload, 0, payload.length);
    }

    static void writeInt(SocketChannel channel, byte type, int value) throws IOException {
        write(channel, type, ByteBuffer.allocate(4).putInt(value).array());
    }

    /** The next frame; EOFException when the peer closed the connection. */
    static Frame read(SocketChannel channel) throws IOException {
        ByteBuffer header = readFully(channel, 5);
        byte type = header.get();
        int length = header.getInt();
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IOException("bad frame length " + Integer.toUnsignedString(length));
        }
        return new Frame(type, readFully(channel, length).array());
    }

    private static ByteBuffer readFully(SocketChannel channel, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new EOFException("connection closed");
            }
        }
        return b.flip();
    }
}
