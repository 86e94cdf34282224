package dev.bpfh.pcap;

/**
 * A capture file bpfh cannot read: malformed, truncated, hostile, or a packet that cannot run. The
 * message is one line: {@code FILE: offset N: packet I: what is wrong} (or {@code block I} for a
 * pcapng block that is not a packet), with the byte offset of the record or block concerned.
 */
public final class PcapFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public PcapFormatException(String message) {
        super(message.replace('\n', ' '), null, false, false);
    }
}
