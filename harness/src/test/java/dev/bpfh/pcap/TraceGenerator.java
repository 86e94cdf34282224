package dev.bpfh.pcap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates the committed example traces in {@code examples/traces/} from fixed seeds: the same
 * bytes on every run and every machine ({@code CommittedTracesTest} fails when a committed trace
 * differs). {@code examples/traces/generate.sh} runs {@link #main}.
 *
 * <p>Every frame is 60..1514 bytes. IPv4 sources 10.0.0.66 and 192.168.1.13 (a firewall example's
 * blocklist) appear only where a trace puts them on purpose.
 */
final class TraceGenerator {
    /** 2026-01-01T00:00:00Z. Gaps between packets are whole microseconds, so classic pcap keeps them exactly. */
    static final long START_NANOS = 1_767_225_600L * 1_000_000_000L;
    static final byte[] BLOCKED_A = {10, 0, 0, 66};
    static final byte[] BLOCKED_B = {(byte) 192, (byte) 168, 1, 13};
    static final List<String> PCAP_TRACES = List.of("mixed", "vlan", "small");

    enum Kind { IPV4_TCP, IPV4_UDP, IPV4_ICMP, IPV6_TCP, IPV6_UDP, IPV6_ICMP, ARP }

    /** One frame to build: {@code source} null for a random non-blocked IPv4 source, {@code length} 0 for a random size. */
    record Spec(Kind kind, int[] vlans, byte[] source, int length) {
        static Spec of(Kind kind, int... vlans) {
            return new Spec(kind, vlans, null, 0);
        }
    }

    private TraceGenerator() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "examples/traces");
        Files.createDirectories(dir);
        for (String trace : PCAP_TRACES) {
            Files.write(dir.resolve(trace + ".pcap"), pcap(trace));
        }
        Files.write(dir.resolve("small.pcapng"), pcapng("small"));
    }

    static byte[] pcap(String trace) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(out)) {
            writeAll(trace, writer::write);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] pcapng(String trace) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapNgWriter writer = new PcapNgWriter(out)) {
            writeAll(trace, writer::write);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private interface Sink {
        void write(long timestampNanos, byte[] frame) throws IOException;
    }

    private static void writeAll(String trace, Sink sink) throws IOException {
        SplittableRandom random = new SplittableRandom(seed(trace));
        long time = START_NANOS;
        for (Spec spec : specs(trace, random)) {
            sink.write(time, frame(spec, random));
            time += 1000L * (1 + random.nextInt(5000));
        }
    }

    private static long seed(String trace) {
        return switch (trace) {
            case "mixed" -> 0x6d69786564L;
            case "vlan" -> 0x766c616eL;
            case "small" -> 0x736d616c6cL;
            default -> throw new IllegalArgumentException("no trace " + trace);
        };
    }

    static List<Spec> specs(String trace, SplittableRandom random) {
        List<Spec> specs = new ArrayList<>();
        switch (trace) {
            case "mixed" -> {
                for (int i = 0; i < 1000; i++) {
                    int[] vlans = random.nextInt(100) < 8 ? new int[] {pick(random, 10, 20, 30, 100)} : new int[0];
                    specs.add(randomSpec(random, vlans, 6));
                }
            }
            case "vlan" -> {
                for (int i = 0; i < 200; i++) {
                    int r = random.nextInt(100);
                    int[] vlans = r < 25 ? new int[0]
                            : r < 85 ? new int[] {pick(random, 10, 20, 30, 100)}
                            : new int[] {1000, pick(random, 10, 20)};
                    specs.add(randomSpec(random, vlans, 10));
                }
            }
            case "small" -> specs.addAll(small());
            default -> throw new IllegalArgumentException("no trace " + trace);
        }
        return specs;
    }

    /** The 20 frames of small.pcap, in order (examples/traces/README.md lists them). */
    static List<Spec> small() {
        return List.of(
                Spec.of(Kind.IPV4_TCP), Spec.of(Kind.IPV4_UDP), Spec.of(Kind.IPV4_ICMP),
                Spec.of(Kind.IPV6_TCP), Spec.of(Kind.IPV6_UDP), Spec.of(Kind.IPV6_ICMP), Spec.of(Kind.ARP),
                Spec.of(Kind.IPV4_TCP, 10), Spec.of(Kind.IPV6_UDP, 20),
                new Spec(Kind.IPV4_TCP, new int[0], BLOCKED_A, 0),
                new Spec(Kind.IPV4_UDP, new int[0], BLOCKED_B, 0),
                new Spec(Kind.IPV4_UDP, new int[] {30}, BLOCKED_A, 0),
                new Spec(Kind.IPV4_TCP, new int[0], null, Frames.MAX_FRAME),
                new Spec(Kind.IPV4_UDP, new int[0], null, Frames.MIN_FRAME),
                Spec.of(Kind.IPV4_ICMP, 1000, 10), Spec.of(Kind.ARP, 100),
                new Spec(Kind.IPV6_TCP, new int[0], null, Frames.MAX_FRAME),
                new Spec(Kind.IPV4_ICMP, new int[0], BLOCKED_B, 0),
                Spec.of(Kind.IPV4_TCP), Spec.of(Kind.IPV6_UDP));
    }

    /** Kinds weighted like a busy LAN: mostly IPv4 TCP, some of everything. */
    private static Spec randomSpec(SplittableRandom random, int[] vlans, int blockedPercent) {
        int r = random.nextInt(100);
        Kind kind = r < 38 ? Kind.IPV4_TCP : r < 58 ? Kind.IPV4_UDP : r < 64 ? Kind.IPV4_ICMP : r < 78 ? Kind.IPV6_TCP
                : r < 88 ? Kind.IPV6_UDP : r < 93 ? Kind.IPV6_ICMP : Kind.ARP;
        byte[] source = null;
        if (kind.name().startsWith("IPV4") && random.nextInt(100) < blockedPercent) {
            source = random.nextBoolean() ? BLOCKED_A : BLOCKED_B;
        }
        return new Spec(kind, vlans, source, 0);
    }

    static byte[] frame(Spec spec, SplittableRandom random) {
        int tags = 4 * spec.vlans().length;
        int length = spec.length() != 0 ? spec.length() : size(random);
        boolean toServer = random.nextInt(100) < 70;
        if (spec.kind() == Kind.ARP) {
            byte[] sender = spec.source() != null ? spec.source() : client4(random);
            byte[] arp = Frames.arpRequest(mac(sender), sender, server4(random));
            return Frames.ethernet(broadcast(), mac(sender), spec.vlans(), Frames.ETH_ARP, arp);
        }
        boolean v6 = spec.kind().name().startsWith("IPV6");
        byte[] client = v6 ? client6(random) : spec.source() != null ? spec.source() : client4(random);
        byte[] server = v6 ? server6(random) : server4(random);
        byte[] src = toServer || spec.source() != null ? client : server;
        byte[] dst = src == client ? server : client;
        int protocol = switch (spec.kind()) {
            case IPV4_TCP, IPV6_TCP -> Frames.PROTO_TCP;
            case IPV4_UDP, IPV6_UDP -> Frames.PROTO_UDP;
            case IPV4_ICMP -> Frames.PROTO_ICMP;
            default -> Frames.PROTO_ICMPV6;
        };
        int headers = 14 + tags + (v6 ? 40 : 20) + (protocol == Frames.PROTO_TCP ? 20 : 8);
        int payload = Math.max(0, length - headers);
        int ephemeral = 32768 + random.nextInt(28232);
        int service = protocol == Frames.PROTO_TCP ? pick(random, 22, 80, 443, 8080)
                : protocol == Frames.PROTO_UDP ? pick(random, 53, 123, 443, 5353)
                : random.nextInt(1 << 16); // ICMP echo identifier
        int sport = src == client ? ephemeral : service;
        int dport = src == client ? service : ephemeral;
        byte[] segment = Frames.transport(protocol, sport, dport, payload, src, dst, random);
        byte[] ip = v6 ? Frames.ipv6(protocol, src, dst, random.nextInt(1 << 20), segment)
                : Frames.ipv4(protocol, src, dst, random.nextInt(1 << 16), segment);
        return Frames.ethernet(mac(dst), mac(src), spec.vlans(), v6 ? Frames.ETH_IPV6 : Frames.ETH_IPV4, ip);
    }

    /** 40% small (60..128), 30% medium (129..600), 30% large (601..1514). */
    private static int size(SplittableRandom random) {
        int r = random.nextInt(10);
        return r < 4 ? random.nextInt(60, 129) : r < 7 ? random.nextInt(129, 601) : random.nextInt(601, 1515);
    }

    private static byte[] client4(SplittableRandom random) {
        while (true) {
            byte[] a = random.nextBoolean() ? new byte[] {10, 0, 0, 0} : new byte[] {(byte) 192, (byte) 168, 1, 0};
            a[3] = (byte) random.nextInt(2, 255);
            if (!java.util.Arrays.equals(a, BLOCKED_A) && !java.util.Arrays.equals(a, BLOCKED_B)) {
                return a;
            }
        }
    }

    private static byte[] server4(SplittableRandom random) {
        return random.nextBoolean() ? new byte[] {(byte) 198, 51, 100, (byte) random.nextInt(1, 21)}
                : new byte[] {(byte) 203, 0, 113, (byte) random.nextInt(1, 21)};
    }

    private static byte[] client6(SplittableRandom random) {
        byte[] a = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        a[14] = (byte) random.nextInt(256);
        a[15] = (byte) random.nextInt(1, 256);
        return a;
    }

    private static byte[] server6(SplittableRandom random) {
        byte[] a = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, (byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        a[15] = (byte) random.nextInt(1, 21);
        return a;
    }

    /** A locally administered unicast MAC derived from the address's last four bytes. */
    private static byte[] mac(byte[] address) {
        int n = address.length;
        return new byte[] {0x02, 0x00, address[n - 4], address[n - 3], address[n - 2], address[n - 1]};
    }

    private static byte[] broadcast() {
        return new byte[] {-1, -1, -1, -1, -1, -1};
    }

    private static int pick(SplittableRandom random, int... choices) {
        return choices[random.nextInt(choices.length)];
    }
}
