package dev.bpfh.pcap;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wireshark's tools as the independent side: pcapng that editcap and mergecap wrote (committed,
 * so this runs everywhere) against what tshark read from it; and, where the tools are installed,
 * fresh conversions of our traces and tshark's reading of our writers' output and our frames.
 */
class WiresharkOutputTest {

    /** One line of {@code tshark -T fields -e frame.number -e frame.interface_id -e frame.encap_type -e frame.time_epoch -e frame.len -e frame.cap_len}. */
    record TsharkFrame(int number, int encap, long nanos, int length, int captured) {
        static TsharkFrame parse(String line) {
            String[] f = line.split("\t");
            return new TsharkFrame(Integer.parseInt(f[0]), Integer.parseInt(f[2]), epochNanos(f[3]), Integer.parseInt(f[4]),
                    Integer.parseInt(f[5]));
        }
    }

    static long epochNanos(String decimal) {
        String[] parts = decimal.split("\\.");
        String fraction = (parts.length > 1 ? parts[1] : "") + "000000000";
        return Long.parseLong(parts[0]) * 1_000_000_000L + Long.parseLong(fraction.substring(0, 9));
    }

    /** Wireshark's encapsulation numbers (wtap.h) for the two link types in the test data. */
    static int linkTypeOfEncap(int encap) {
        return switch (encap) {
            case 1 -> 1; // WTAP_ENCAP_ETHERNET
            case 25 -> 113; // WTAP_ENCAP_SLL
            default -> throw new AssertionError("encap " + encap);
        };
    }

    static void assertSameAsTshark(List<TsharkFrame> tshark, List<CapturedPacket> ours) {
        assertEquals(tshark.size(), ours.size());
        for (int i = 0; i < ours.size(); i++) {
            TsharkFrame t = tshark.get(i);
            CapturedPacket p = ours.get(i);
            assertEquals(t.number() - 1, p.index());
            assertEquals(t.nanos(), p.timestampNanos(), "frame " + t.number());
            assertEquals(t.length(), p.originalLength(), "frame " + t.number());
            assertEquals(t.captured(), p.data().length, "frame " + t.number());
        }
    }

    @Test
    void committedEditcapAndMergecapFilesReadAsTsharkReadThem() throws Exception {
        List<CapturedPacket> source = PcapReader.readAll(Traces.testData("small-source.pcap"));
        for (String name : List.of("small-editcap", "multi-mergecap")) {
            Path file = Traces.testData(name + ".pcapng");
            try (PcapReader r = PcapReader.open(file)) {
                assertEquals(CaptureFormat.PCAPNG, r.format());
            }
            List<CapturedPacket> ours = PcapReader.readAll(file);
            List<TsharkFrame> tshark = Files.readAllLines(Traces.testData(name + ".tshark.tsv")).stream()
                    .map(TsharkFrame::parse).toList();
            assertSameAsTshark(tshark, ours);
            for (int i = 0; i < ours.size(); i++) {
                assertEquals(linkTypeOfEncap(tshark.get(i).encap()), ours.get(i).linkType(), name + " frame " + (i + 1));
                assertArrayEquals(source.get(i).data(), ours.get(i).data(), name + " frame " + (i + 1));
            }
        }
        // The merged file's frames 7-9 came through a LINUX_SLL interface.
        List<CapturedPacket> multi = PcapReader.readAll(Traces.testData("multi-mergecap.pcapng"));
        assertEquals(List.of(1, 1, 1, 1, 1, 1, 113, 113, 113, 1), multi.subList(0, 10).stream().map(CapturedPacket::linkType)
                .toList());
    }

    @Test
    void editcapConversionsOfOurTracesReadAsTheOriginals(@TempDir Path dir) throws Exception {
        requireTool("editcap");
        for (String trace : List.of("mixed", "vlan")) {
            Path pcap = Traces.dir().resolve(trace + ".pcap");
            List<CapturedPacket> original = PcapReader.readAll(pcap);
            for (String format : List.of("pcapng", "nsecpcap")) {
                Path converted = dir.resolve(trace + "." + format);
                run("editcap", "-F", format, pcap.toString(), converted.toString());
                try (PcapReader r = PcapReader.open(converted)) {
                    assertEquals(format.equals("pcapng") ? CaptureFormat.PCAPNG : CaptureFormat.PCAP_NANOSECONDS, r.format());
                }
                List<CapturedPacket> read = PcapReader.readAll(converted);
                assertEquals(original.size(), read.size());
                for (int i = 0; i < read.size(); i++) {
                    assertArrayEquals(original.get(i).data(), read.get(i).data(), trace + " " + format + " " + i);
                    assertEquals(original.get(i).timestampNanos(), read.get(i).timestampNanos());
                    assertEquals(original.get(i).originalLength(), read.get(i).originalLength());
                    assertEquals(1, read.get(i).linkType());
                }
            }
        }
    }

    @Test
    void tsharkReadsOurTracesAsWeDo() throws Exception {
        requireTool("tshark");
        for (String file : List.of("mixed.pcap", "vlan.pcap", "small.pcap", "small.pcapng")) {
            Path path = Traces.dir().resolve(file);
            List<TsharkFrame> tshark = run("tshark", "-r", path.toString(), "-T", "fields", "-e", "frame.number", "-e",
                    "frame.interface_id", "-e", "frame.encap_type", "-e", "frame.time_epoch", "-e", "frame.len", "-e",
                    "frame.cap_len").stream().map(TsharkFrame::parse).toList();
            assertSameAsTshark(tshark, PcapReader.readAll(path));
            tshark.forEach(t -> assertEquals(1, t.encap()));
        }
    }

    /** Layers 2-4 of every generated frame are well formed: tshark's own checksum checks all say Good. */
    @Test
    void tsharkFindsTheLayersSmallPcapDocumentsWithGoodChecksums() throws Exception {
        requireTool("tshark");
        List<String> expected = List.of("ip:tcp", "ip:udp", "ip:icmp", "ipv6:tcp", "ipv6:udp", "ipv6:icmpv6", "arp",
                "vlan:ip:tcp", "vlan:ipv6:udp", "ip:tcp", "ip:udp", "vlan:ip:udp", "ip:tcp", "ip:udp",
                "ieee8021ad:vlan:ip:icmp", "vlan:arp", "ipv6:tcp", "ip:icmp", "ip:tcp", "ipv6:udp");
        List<String> blocked = Arrays.asList(null, null, null, null, null, null, null, null, null, "10.0.0.66",
                "192.168.1.13", "10.0.0.66", null, null, null, null, null, "192.168.1.13", null, null);
        for (String trace : List.of("small", "mixed", "vlan")) {
            List<String> lines = run("tshark", "-r", Traces.dir().resolve(trace + ".pcap").toString(), "-o",
                    "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-T",
                    "fields", "-E", "occurrence=f", "-e", "frame.protocols", "-e", "ip.src", "-e", "ip.checksum.status",
                    "-e", "tcp.checksum.status", "-e", "udp.checksum.status", "-e", "icmp.checksum.status", "-e",
                    "icmpv6.checksum.status");
            for (int i = 0; i < lines.size(); i++) {
                String[] f = lines.get(i).split("\t", -1);
                for (int k = 2; k < f.length; k++) {
                    assertTrue(f[k].isEmpty() || f[k].equals("1"), trace + " frame " + (i + 1) + ": checksum field " + k
                            + " is " + f[k] + " (1 = Good): " + lines.get(i));
                }
                if (trace.equals("small")) {
                    assertEquals(expected.get(i), throughTransport(f[0]), "small frame " + (i + 1));
                    String source = f[1];
                    boolean isBlocked = source.equals("10.0.0.66") || source.equals("192.168.1.13");
                    assertEquals(blocked.get(i), isBlocked ? source : null, "small frame " + (i + 1));
                }
            }
            assertEquals(trace.equals("small") ? 20 : trace.equals("mixed") ? 1000 : 200, lines.size());
        }
    }

    /** {@code eth:ethertype:vlan:ethertype:ip:udp:dns} → {@code vlan:ip:udp}: the dissectors up to the transport. */
    static String throughTransport(String protocols) {
        List<String> kept = new ArrayList<>();
        for (String p : protocols.split(":")) {
            if (p.equals("eth") || p.equals("ethertype")) {
                continue;
            }
            kept.add(p);
            if (List.of("tcp", "udp", "icmp", "icmpv6", "arp").contains(p)) {
                break;
            }
        }
        return String.join(":", kept);
    }

    static void requireTool(String tool) {
        String skip = null;
        try {
            Process p = new ProcessBuilder(tool, "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                skip = tool + " -v failed";
            }
        } catch (IOException | InterruptedException e) {
            skip = tool + " is not installed (apt-get install tshark)";
        }
        if (skip != null) {
            System.out.println("WiresharkOutputTest: skipped: " + skip);
        }
        Assumptions.assumeTrue(skip == null, skip);
    }

    static List<String> run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed");
        return out.lines().toList();
    }
}
