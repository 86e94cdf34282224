package dev.bpfh.pcap;

/** The container format of a capture file, as told by its first four bytes. */
public enum CaptureFormat {
    /** Classic libpcap, timestamps in microseconds (magic {@code a1b2c3d4}, either byte order). */
    PCAP_MICROSECONDS,
    /** Classic libpcap, timestamps in nanoseconds (magic {@code a1b23c4d}, either byte order). */
    PCAP_NANOSECONDS,
    /** pcapng: blocks, one or more sections, per-interface link types and timestamp resolutions. */
    PCAPNG
}
