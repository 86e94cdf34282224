package dev.bpfh.pcap;

/**
 * One packet of a capture.
 *
 * @param index          0-based position among the file's packets (packet blocks only in pcapng)
 * @param offset         byte offset in the file of the packet's record header or block
 * @param timestampNanos nanoseconds since the Unix epoch (0 for a pcapng Simple Packet Block,
 *                       which has none)
 * @param data           the captured bytes ({@code data.length} is the capture length)
 * @param originalLength the packet's length on the wire, an unsigned 32-bit value as the file
 *                       holds it; larger than {@code data.length} when the capture cut it (the
 *                       reader does not require it to be at least {@code data.length})
 * @param linkType       the LINKTYPE_ value of the file (classic pcap) or of the packet's interface
 */
public record CapturedPacket(int index, long offset, long timestampNanos, byte[] data, int originalLength,
        int linkType) {

    public static final int LINKTYPE_ETHERNET = 1;

    public boolean isEthernet() {
        return linkType == LINKTYPE_ETHERNET;
    }

    public boolean truncated() {
        return Integer.toUnsignedLong(originalLength) > data.length;
    }

    /** A short name for the link types one meets in practice, else {@code "linktype N"}. */
    public static String linkTypeName(int linkType) {
        return switch (linkType) {
            case 0 -> "NULL (BSD loopback)";
            case 1 -> "ETHERNET";
            case 101 -> "RAW (IP)";
            case 105 -> "IEEE802_11";
            case 113 -> "LINUX_SLL";
            case 127 -> "IEEE802_11_RADIOTAP";
            case 228 -> "IPV4";
            case 229 -> "IPV6";
            case 276 -> "LINUX_SLL2";
            default -> "linktype " + linkType;
        };
    }
}
