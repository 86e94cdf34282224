package dev.bpfh.cli;

import static dev.bpfh.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bpfh.pcap.PcapWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bpfh run}: one program on several backends, one packet or a trace, and every way its input can be wrong. */
class RunCommandTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    private static Path asm(Path dir, String text) throws Exception {
        Path f = dir.resolve("first_byte.s");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void aRawProgramOnOnePacketPrintsEachBackendsResultAndAgreement(@TempDir Path dir) throws Exception {
        Path prog = asm(dir, "ldxb r0, [r1+1]\nexit\n");
        CliRun r = run("run", prog.toString(), "--packet", "01fe", "--backends", "interp,jit");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("interp  0xfe"), r.out());
        assertTrue(r.out().contains("jit     0xfe"), r.out());
        assertTrue(r.out().contains("all 2 backends agree on 1 packet"), r.out());
    }

    @Test
    void everyPacketOfATraceRunsAndTheHistogramCountsResults(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("t.pcap");
        try (PcapWriter w = PcapWriter.create(trace)) {
            for (int i = 0; i < 30; i++) {
                byte[] frame = new byte[60];
                frame[0] = (byte) (i % 3);
                w.write(i * 1000L, frame);
            }
        }
        Path prog = asm(dir, "ldxb r0, [r1+0]\nexit\n");
        Path json = dir.resolve("out.json");
        CliRun r = run("run", prog.toString(), "--pcap", trace.toString(), "--backends", "interp,jit", "--json", json.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(30, root.get("packets").asInt());
        assertTrue(root.get("agree").asBoolean());
        for (JsonNode b : root.get("backends")) {
            assertEquals(10, b.get("verdicts").get("0x0").asInt(), b.toString());
            assertEquals(10, b.get("verdicts").get("0x1").asInt());
            assertEquals(10, b.get("verdicts").get("0x2").asInt());
        }
    }

    @Test
    void anObjectWithSeveralProgramsNeedsProg() {
        CliRun r = run("run", EXAMPLES.resolve("subprograms.o").toString(), "--packet", "00".repeat(60));
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("pick one with --prog: tail_a, xdp_main, tc_main"), r.err());
        CliRun missing = run("run", EXAMPLES.resolve("subprograms.o").toString(), "--prog", "nope", "--packet", "00");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("has no program 'nope'"), missing.err());
    }

    @Test
    void badUsageIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        Path prog = asm(dir, "mov r0, 0\nexit\n");
        assertEquals(2, run("run", dir.resolve("absent.o").toString()).exit());
        assertEquals(2, run("run", prog.toString(), "--packet", "zz").exit());
        assertEquals(2, run("run", prog.toString(), "--packet", "00", "--pcap", "x.pcap").exit());
        assertEquals(2, run("run", prog.toString(), "--type", "nonsense").exit());
        CliRun typed = run("run", prog.toString(), "--type", "xdp");
        assertEquals(2, typed.exit());
        assertTrue(typed.err().contains("needs a packet"), typed.err());
        CliRun ctx = run("run", prog.toString(), "--type", "tc", "--packet", "00".repeat(60), "--ctx", "len=5");
        assertEquals(2, ctx.exit());
        assertTrue(ctx.err().contains("does not take"), ctx.err());
        CliRun objType = run("run", EXAMPLES.resolve("xdp_firewall.o").toString(), "--type", "tc");
        assertEquals(2, objType.exit());
    }

    @Test
    void aCorruptTraceNamesTheFileAndOffset(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("bad.pcap");
        try (PcapWriter w = PcapWriter.create(trace)) {
            w.write(0, new byte[60]);
        }
        byte[] bytes = Files.readAllBytes(trace);
        Files.write(trace, java.util.Arrays.copyOf(bytes, bytes.length - 10)); // the packet's record is cut short
        CliRun r = run("run", asm(dir, "mov r0, 0\nexit\n").toString(), "--pcap", trace.toString(), "--backends", "interp");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("bad.pcap") && r.err().contains("offset"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.out().contains("agree"), r.out());
    }

    /**
     * The firewall over the mixed trace: the drop count comes from reading the frames here (IPv4,
     * untagged, a malformed header or a blocklisted source), not from any engine.
     */
    @Test
    void theFirewallOverATraceDropsExactlyTheBlockedSources(@TempDir Path dir) throws Exception {
        Path trace = EXAMPLES.resolve("traces/mixed.pcap");
        long expectedDrops = 0;
        for (var p : dev.bpfh.pcap.PcapReader.readAll(trace)) {
            byte[] f = p.data();
            if (f.length < 14 || (f[12] & 0xff) != 0x08 || f[13] != 0) {
                continue; // not IPv4: XDP_PASS
            }
            boolean malformed = f.length < 34 || (f[14] & 0xf0) != 0x40 || (f[14] & 0x0f) < 5;
            int saddr = f.length < 30 ? 0 : (f[26] & 0xff) << 24 | (f[27] & 0xff) << 16 | (f[28] & 0xff) << 8 | f[29] & 0xff;
            boolean blocked = saddr == 0x0a000042 || saddr == 0xc0a8010d;
            if (malformed || blocked) {
                expectedDrops++;
            }
        }
        assertTrue(expectedDrops > 0, "the trace has blocked sources");
        String backends = kernelAvailable() ? "interp,jit,kernel" : "interp,jit";
        Path json = dir.resolve("fw.json");
        CliRun r = run("run", EXAMPLES.resolve("tests/fw_trace_blocklist.data").toString(), "--pcap", trace.toString(),
                "--backends", backends, "--json", json.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertTrue(root.get("agree").asBoolean());
        for (JsonNode b : root.get("backends")) {
            assertEquals(expectedDrops, b.get("verdicts").get("XDP_DROP").asLong(), b.get("name").asText());
            assertEquals(1000 - expectedDrops, b.get("verdicts").get("XDP_PASS").asLong(), b.get("name").asText());
        }
        assertTrue(r.out().contains("agree on 1,000 packets"), r.out());
    }

    private static boolean kernelAvailable() {
        try (var kernel = dev.bpfh.spi.Backends.find("kernel").orElseThrow()) {
            boolean ok = kernel.probe().available();
            if (!ok) {
                System.out.println("RunCommandTest: kernel backend unavailable, comparing interp and jit only: "
                        + kernel.probe().reason());
            }
            return ok;
        }
    }

    @Test
    void oneTcPacketWithAContextShowsTheContextAfter(@TempDir Path dir) throws Exception {
        // tc_marker.c: DSCP 46 (TOS 0xb8) is expedited forwarding: mark 0xef, priority 6, cb[0] = 46
        String frame = "020000000002020000000001" + "0800" + "45b8002e00010000401100000a0000010a000002"
                + "30390035001a0000" + "00".repeat(18);
        Path json = dir.resolve("tc.json");
        CliRun r = run("run", EXAMPLES.resolve("tc_marker.o").toString(), "--packet", frame, "--ctx", "mark=0",
                "--backends", kernelAvailable() ? "interp,jit,kernel" : "interp,jit", "--json", json.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("TC_ACT_OK (0)"), r.out());
        assertTrue(r.out().contains("context after: "), r.out());
        for (JsonNode b : new ObjectMapper().readTree(json.toFile()).get("backends")) {
            String ctx = b.get("lastOutcome").get("contextAfter").asText();
            assertEquals("ef000000", ctx.substring(2 * 8, 2 * 12), "mark");
            assertEquals("06000000", ctx.substring(2 * 32, 2 * 36), "priority");
            assertEquals("2e000000", ctx.substring(2 * 48, 2 * 52), "cb[0]");
        }
    }
}
