package dev.bpfh.fuzz;

import dev.bpfh.ctx.ContextField;
import dev.bpfh.ctx.ContextLayout;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Random test_run inputs for the {@code packet} profile: Ethernet frames of 14 to 1514 bytes
 * (IPv4 and IPv6 with TCP, UDP or ICMP headers, ARP, VLAN, 802.3, random ethertypes; some IP
 * frames shorter than their IP header, which test_run refuses for tc and socket filters), half of
 * them with a ctx_in of random values in the fields test_run takes, now and then one it refuses (a
 * byte outside those fields, a bad wire_len or ifindex, a struct-sized tail). A refused input is
 * no disagreement when every engine refuses it alike.
 */
final class PacketInputs {
    private PacketInputs() {}

    static RunInput random(SplittableRandom rnd, ProgramType type) {
        byte[] frame = frame(rnd);
        byte[] ctx = rnd.nextBoolean() ? null : ctx(rnd, type, frame.length);
        return new RunInput(frame, ctx);
    }

    static int length(SplittableRandom rnd) {
        return switch (rnd.nextInt(10)) {
            case 0, 1, 2, 3 -> rnd.nextInt(14, 129);
            case 4, 5, 6 -> rnd.nextInt(128, 1515);
            default -> new int[] {14, 15, 20, 33, 34, 38, 42, 53, 54, 60, 64, 74, 1514}[rnd.nextInt(13)];
        };
    }

    static byte[] frame(SplittableRandom rnd) {
        byte[] f = new byte[length(rnd)];
        rnd.nextBytes(f);
        switch (rnd.nextInt(5)) { // destination: lo's own (zero), broadcast, multicast, other
            case 0, 1 -> Arrays.fill(f, 0, 6, (byte) 0);
            case 2 -> Arrays.fill(f, 0, 6, (byte) 0xff);
            case 3 -> {
                f[0] = 0x01;
                f[1] = 0x00;
                f[2] = 0x5e;
            }
            default -> f[0] &= (byte) 0xfe;
        }
        int ethertype = switch (rnd.nextInt(10)) {
            case 0, 1, 2, 3 -> 0x0800;
            case 4, 5 -> 0x86dd;
            case 6 -> 0x0806;
            case 7 -> 0x8100;
            case 8 -> rnd.nextInt(0, 0x600); // an 802.3 length
            default -> rnd.nextInt(0x10000);
        };
        put16(f, 12, ethertype);
        if (ethertype == 0x0800) {
            ipv4(rnd, f);
        } else if (ethertype == 0x86dd) {
            ipv6(rnd, f);
        } else if (ethertype < 0x600 && f.length >= 16 && rnd.nextBoolean()) {
            f[14] = (byte) 0xff; // raw IPX
            f[15] = (byte) 0xff;
        }
        return f;
    }

    private static void ipv4(SplittableRandom rnd, byte[] f) {
        if (f.length < 34) {
            return;
        }
        f[14] = (byte) (rnd.nextInt(8) == 0 ? rnd.nextInt(256) : 0x45 + (rnd.nextInt(4) == 0 ? rnd.nextInt(0, 11) : 0));
        put16(f, 16, rnd.nextInt(4) == 0 ? rnd.nextInt(0x10000) : f.length - 14);
        f[23] = (byte) new int[] {6, 17, 1, 6, 17, rnd.nextInt(256)}[rnd.nextInt(6)];
        if (rnd.nextBoolean()) {
            put16(f, 24, 0);
            put16(f, 24, ipChecksum(f, 14, 20));
        }
    }

    private static void ipv6(SplittableRandom rnd, byte[] f) {
        if (f.length < 54) {
            return;
        }
        f[14] = (byte) (0x60 | f[14] & 0x0f);
        put16(f, 18, Math.max(0, f.length - 54));
        f[20] = (byte) new int[] {6, 17, 58, 0, 6, rnd.nextInt(256)}[rnd.nextInt(6)];
    }

    private static int ipChecksum(byte[] f, int at, int len) {
        long sum = 0;
        for (int i = at; i < at + len; i += 2) {
            sum += (f[i] & 0xff) << 8 | f[i + 1] & 0xff;
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) ~sum & 0xffff;
    }

    private static void put16(byte[] f, int at, int v) {
        f[at] = (byte) (v >> 8);
        f[at + 1] = (byte) v;
    }

    /** A ctx_in: random values in the fields test_run takes, mostly ones it accepts. */
    static byte[] ctx(SplittableRandom rnd, ProgramType type, int packetLength) {
        ContextLayout layout = ContextLayout.of(type).orElseThrow();
        byte[] ctx = new byte[layout.size()];
        for (ContextField f : layout.fields()) {
            if (!f.inInput() || rnd.nextInt(3) == 0) {
                continue;
            }
            long v = switch (f.name()) {
                case "data" -> type == ProgramType.XDP ? 4L * rnd.nextInt(0, 9) : 0; // the metadata length
                case "data_end" -> packetLength; // any other value puts the tail in fragments
                case "ifindex", "ingress_ifindex" -> rnd.nextInt(12) == 0 ? rnd.nextInt(2, 5) : rnd.nextInt(0, 2);
                case "rx_queue_index", "data_meta", "egress_ifindex" -> rnd.nextInt(16) == 0 ? 1 : 0;
                case "wire_len" -> rnd.nextInt(8) == 0 ? rnd.nextInt(0, 70000) : packetLength + rnd.nextInt(0, 100);
                case "gso_segs", "gso_size" -> rnd.nextInt(10) == 0 ? rnd.nextInt(0, 0x20000) : rnd.nextInt(0, 64);
                default -> f.size() == 8 ? rnd.nextLong() : rnd.nextInt() & 0xffffffffL;
            };
            ContextLayout.write(ctx, f, v);
        }
        if (type == ProgramType.XDP && ContextLayout.read(ctx, layout.field("data_end").orElseThrow()) == 0) {
            ContextLayout.write(ctx, layout.field("data_end").orElseThrow(), packetLength);
        }
        return switch (rnd.nextInt(40)) {
            case 0 -> { // a byte test_run does not take
                ctx[rnd.nextInt(ctx.length)] = (byte) rnd.nextInt(1, 256);
                yield ctx;
            }
            case 1 -> Arrays.copyOf(ctx, ctx.length + 8); // a zero tail past the struct
            case 2 -> Arrays.copyOf(ctx, rnd.nextInt(0, ctx.length)); // a short ctx_in: the rest is zero
            default -> ctx;
        };
    }
}
