package dev.bpfh.pcap;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code examples/traces/} holds exactly what {@link TraceGenerator} makes now, and what the
 * README says it holds (checked from the frames' bytes, not from the generator's plans).
 */
class CommittedTracesTest {
    static final String REGENERATE = " differs from what TraceGenerator makes now: run examples/traces/generate.sh and commit";

    @Test
    void committedTracesAreTheGeneratorsOutputByteForByte() throws Exception {
        for (String trace : TraceGenerator.PCAP_TRACES) {
            byte[] committed = Files.readAllBytes(Traces.dir().resolve(trace + ".pcap"));
            assertTrue(Arrays.equals(TraceGenerator.pcap(trace), committed), trace + ".pcap" + REGENERATE);
        }
        byte[] ng = Files.readAllBytes(Traces.dir().resolve("small.pcapng"));
        assertTrue(Arrays.equals(TraceGenerator.pcapng("small"), ng), "small.pcapng" + REGENERATE);
        try (var files = Files.list(Traces.dir())) {
            for (Path f : files.toList()) {
                assertTrue(f.toString().matches(".*/(mixed|vlan|small)\\.pcap|.*small\\.pcapng|.*README\\.md|.*generate\\.sh"),
                        "a file the generator does not make: " + f);
            }
        }
    }

    /** EtherType after any 802.1Q/802.1ad tags, and how many tags there were. */
    record L2(int etherType, int tags, int l3) {
        static L2 of(byte[] f) {
            int at = 12;
            int tags = 0;
            while (u16(f, at) == 0x8100 || u16(f, at) == 0x88a8) {
                at += 4;
                tags++;
            }
            return new L2(u16(f, at), tags, at + 2);
        }
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
    }

    static long blockedSources(List<CapturedPacket> packets) {
        return packets.stream().map(CapturedPacket::data).filter(f -> {
            L2 l2 = L2.of(f);
            if (l2.etherType() != 0x0800) {
                return false;
            }
            byte[] src = Arrays.copyOfRange(f, l2.l3() + 12, l2.l3() + 16);
            return Arrays.equals(src, new byte[] {10, 0, 0, 66}) || Arrays.equals(src, new byte[] {(byte) 192, (byte) 168, 1, 13});
        }).count();
    }

    @Test
    void tracesHoldWhatTheReadmeSays() throws Exception {
        for (String trace : TraceGenerator.PCAP_TRACES) {
            Path file = Traces.dir().resolve(trace + ".pcap");
            assertTrue(Files.size(file) < 1_000_000, trace + " is under 1 MB");
            List<CapturedPacket> packets = PcapReader.readAll(file);
            long previous = 0;
            for (CapturedPacket p : packets) {
                assertTrue(p.data().length >= 60 && p.data().length <= 1514, trace + " packet " + p.index());
                assertEquals(p.data().length, p.originalLength());
                assertTrue(p.timestampNanos() > previous);
                previous = p.timestampNanos();
            }
            long tagged = packets.stream().filter(p -> L2.of(p.data()).tags() > 0).count();
            long ipv6 = packets.stream().filter(p -> L2.of(p.data()).etherType() == 0x86dd).count();
            long arp = packets.stream().filter(p -> L2.of(p.data()).etherType() == 0x0806).count();
            switch (trace) {
                case "mixed" -> {
                    assertEquals(1000, packets.size());
                    assertTrue(tagged > 40 && tagged < 150, "tagged " + tagged);
                    assertTrue(ipv6 > 200 && arp > 30, ipv6 + " " + arp);
                    assertTrue(blockedSources(packets) > 20, "blocked " + blockedSources(packets));
                }
                case "vlan" -> {
                    assertEquals(200, packets.size());
                    assertTrue(tagged > 120, "tagged " + tagged);
                    assertTrue(packets.stream().anyMatch(p -> L2.of(p.data()).tags() == 2), "QinQ frames");
                }
                default -> {
                    assertEquals(20, packets.size());
                    // README: frames 7, 8, 11, 14 (two tags), 15 are tagged; 3, 4, 5, 8, 16, 19 IPv6; 6, 15 ARP;
                    // 9, 10, 11, 17 from a blocklisted source.
                    assertEquals(List.of(5L, 6L, 2L, 4L), List.of(tagged, ipv6, arp, blockedSources(packets)));
                }
            }
        }
    }

    @Test
    void smallPcapngHoldsTheSamePacketsAsSmallPcap() throws Exception {
        List<CapturedPacket> pcap = PcapReader.readAll(Traces.dir().resolve("small.pcap"));
        List<CapturedPacket> ng = PcapReader.readAll(Traces.dir().resolve("small.pcapng"));
        assertEquals(pcap.size(), ng.size());
        for (int i = 0; i < pcap.size(); i++) {
            assertArrayEquals(pcap.get(i).data(), ng.get(i).data());
            assertEquals(pcap.get(i).timestampNanos(), ng.get(i).timestampNanos());
        }
    }
}
