package dev.bpfh.pcap;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Builds Ethernet frames byte by byte from the protocol layouts (IEEE 802.3/802.1Q, RFC 791, 8200,
 * 793, 768, 792, 4443, 826), with correct IPv4, TCP, UDP, ICMP and ICMPv6 checksums, so that a
 * dissector such as tshark finds nothing wrong with them.
 */
final class Frames {
    static final int ETH_IPV4 = 0x0800;
    static final int ETH_ARP = 0x0806;
    static final int ETH_IPV6 = 0x86dd;
    static final int TPID_8021Q = 0x8100;
    static final int TPID_8021AD = 0x88a8;
    static final int PROTO_ICMP = 1;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;
    static final int PROTO_ICMPV6 = 58;
    static final int MIN_FRAME = 60;
    static final int MAX_FRAME = 1514;

    private Frames() {}

    /** Transport header plus payload; {@code addresses} is the IP pseudo-header's address part. */
    static byte[] transport(int protocol, int sport, int dport, int payloadLength, byte[] src, byte[] dst,
            SplittableRandom random) {
        int header = switch (protocol) {
            case PROTO_TCP -> 20;
            case PROTO_UDP -> 8;
            default -> 8; // ICMP and ICMPv6 echo request
        };
        ByteBuffer b = ByteBuffer.allocate(header + payloadLength);
        switch (protocol) {
            case PROTO_TCP -> {
                b.putShort((short) sport).putShort((short) dport).putInt(random.nextInt()).putInt(random.nextInt());
                b.putShort((short) (5 << 12 | 0x18)).putShort((short) 64240).putShort((short) 0).putShort((short) 0);
            }
            case PROTO_UDP -> b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payloadLength))
                    .putShort((short) 0);
            case PROTO_ICMP -> b.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) sport)
                    .putShort((short) dport);
            case PROTO_ICMPV6 -> b.put((byte) 128).put((byte) 0).putShort((short) 0).putShort((short) sport)
                    .putShort((short) dport);
            default -> throw new IllegalArgumentException("protocol " + protocol);
        }
        byte[] payload = new byte[payloadLength];
        random.nextBytes(payload);
        b.put(payload);
        byte[] segment = b.array();
        int checksumAt = protocol == PROTO_TCP ? 16 : protocol == PROTO_UDP ? 6 : 2;
        long sum = protocol == PROTO_ICMP ? 0 : pseudoHeaderSum(src, dst, protocol, segment.length);
        int checksum = fold(sum + sum(segment));
        if (protocol == PROTO_UDP && checksum == 0) {
            checksum = 0xffff; // RFC 768: a computed zero is sent as all ones
        }
        segment[checksumAt] = (byte) (checksum >>> 8);
        segment[checksumAt + 1] = (byte) checksum;
        return segment;
    }

    static byte[] ipv4(int protocol, byte[] src, byte[] dst, int id, byte[] segment) {
        ByteBuffer b = ByteBuffer.allocate(20 + segment.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + segment.length)).putShort((short) id);
        b.putShort((short) 0x4000).put((byte) 64).put((byte) protocol).putShort((short) 0).put(src).put(dst);
        byte[] packet = b.put(segment).array();
        int checksum = fold(sum(java.util.Arrays.copyOf(packet, 20)));
        packet[10] = (byte) (checksum >>> 8);
        packet[11] = (byte) checksum;
        return packet;
    }

    static byte[] ipv6(int nextHeader, byte[] src, byte[] dst, int flowLabel, byte[] segment) {
        ByteBuffer b = ByteBuffer.allocate(40 + segment.length);
        b.putInt(6 << 28 | flowLabel & 0xfffff).putShort((short) segment.length).put((byte) nextHeader).put((byte) 64);
        return b.put(src).put(dst).put(segment).array();
    }

    /** An ARP request (who has {@code targetIp}, tell {@code senderIp}). */
    static byte[] arpRequest(byte[] senderMac, byte[] senderIp, byte[] targetIp) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) ETH_IPV4).put((byte) 6).put((byte) 4).putShort((short) 1);
        return b.put(senderMac).put(senderIp).put(new byte[6]).put(targetIp).array();
    }

    /**
     * An Ethernet frame: addresses, then each tag of {@code vlanIds} (the first outermost: 802.1ad
     * when there are two, else 802.1Q), the EtherType and the payload, zero-padded to 60 bytes.
     */
    static byte[] ethernet(byte[] dst, byte[] src, int[] vlanIds, int etherType, byte[] payload) {
        int length = Math.max(MIN_FRAME, 14 + 4 * vlanIds.length + payload.length);
        ByteBuffer b = ByteBuffer.allocate(length).put(dst).put(src);
        for (int i = 0; i < vlanIds.length; i++) {
            int tpid = vlanIds.length > 1 && i == 0 ? TPID_8021AD : TPID_8021Q;
            b.putShort((short) tpid).putShort((short) vlanIds[i]);
        }
        return b.putShort((short) etherType).put(payload).array();
    }

    private static long pseudoHeaderSum(byte[] src, byte[] dst, int protocol, int length) {
        return sum(src) + sum(dst) + protocol + (length & 0xffff) + (length >>> 16);
    }

    /** The one's-complement sum of big-endian 16-bit words, odd byte padded with zero. */
    private static long sum(byte[] bytes) {
        long s = 0;
        for (int i = 0; i < bytes.length; i += 2) {
            s += (bytes[i] & 0xff) << 8 | (i + 1 < bytes.length ? bytes[i + 1] & 0xff : 0);
        }
        return s;
    }

    private static int fold(long sum) {
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) ~sum & 0xffff;
    }
}
