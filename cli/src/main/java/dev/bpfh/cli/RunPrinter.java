package dev.bpfh.cli;

import dev.bpfh.run.PacketOutcome;
import dev.bpfh.run.TraceRunner.BackendResult;
import dev.bpfh.run.TraceRunner.Report;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The text {@code bpfh run} prints: what ran, per backend what it did, and where backends disagree. */
final class RunPrinter {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");
    private final PrintStream out;

    RunPrinter(PrintStream out) {
        this.out = out;
    }

    /** @param single the one packet's input, or null for a trace */
    void print(Report r, String inputLabel, dev.bpfh.spi.RunInput single) {
        boolean singlePacket = single != null;
        ProgramType type = r.source().type();
        out.println(r.source().label() + " " + inputLabel);
        for (BackendResult b : r.backends()) {
            if (b.loadFailure() != null) {
                out.println("  " + b.name() + " " + b.loadFailure());
            }
        }
        r.skipped().forEach((why, n) -> out.printf(Locale.ROOT, "  %,d packet%s not run: %s%n", n, n == 1 ? "" : "s", why));
        List<BackendResult> ran = r.backends().stream().filter(b -> b.loadFailure() == null).toList();
        if (ran.isEmpty()) {
            out.println("no backend loaded the program");
            return;
        }
        out.println();
        if (singlePacket) {
            printOnePacket(ran, type, single);
        } else {
            printHistogram(ran);
        }
        out.println();
        printMaps(ran);
        printVerdict(r, ran, type);
    }

    private void printOnePacket(List<BackendResult> ran, ProgramType type, dev.bpfh.spi.RunInput input) {
        int width = ran.stream().mapToInt(b -> b.name().length()).max().orElse(7);
        for (BackendResult b : ran) {
            PacketOutcome o = b.lastOutcome();
            if (o == null) {
                continue;
            }
            out.printf(Locale.ROOT, "%-" + width + "s  %s%n", b.name(), o.describe(type));
        }
        PacketOutcome first = ran.get(0).lastOutcome();
        if (first != null && first.outcome() instanceof Outcome.Returned ret) {
            out.println();
            if (java.util.Arrays.equals(ret.memory(), input.data())) {
                out.println("packet after: unchanged (" + ret.memory().length + " bytes)");
            } else {
                out.println("packet after (" + ran.get(0).name() + ", " + ret.memory().length + " bytes, was "
                        + input.data().length + "):");
                hexDump(ret.memory());
            }
            if (ret.ctx() != null) {
                out.println("context after: " + contextFields(type, ret.ctx()));
            }
            String records = first.recordsHex();
            if (!records.isEmpty()) {
                out.println("ring buffer records:");
                records.lines().forEach(l -> out.println("  " + l));
            }
        }
    }

    private void printHistogram(List<BackendResult> ran) {
        Set<String> verdicts = new LinkedHashSet<>();
        ran.forEach(b -> verdicts.addAll(b.verdicts().keySet()));
        List<String> cols = new ArrayList<>(verdicts);
        int width = Math.max(7, ran.stream().mapToInt(b -> b.name().length()).max().orElse(7));
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", "backend"));
        cols.forEach(c -> head.append(String.format(Locale.ROOT, "  %" + Math.max(8, c.length()) + "s", c)));
        head.append(String.format(Locale.ROOT, "  %12s  %10s", "packets/s", "ns/packet"));
        out.println(head);
        for (BackendResult b : ran) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", b.name()));
            for (String c : cols) {
                line.append(String.format(Locale.ROOT, "  %" + Math.max(8, c.length()) + "s",
                        String.format(Locale.ROOT, "%,d", b.verdicts().getOrDefault(c, 0L))));
            }
            double nsPerPacket = b.packets() == 0 ? 0 : (double) b.runNanos() / b.packets();
            line.append(String.format(Locale.ROOT, "  %,12.0f  %,10.0f", b.packetsPerSecond(), nsPerPacket));
            out.println(line);
        }
        out.println("(packets/s: the runs alone through bpfh, one packet per call; for the kernel that includes the "
                + "BPF_PROG_TEST_RUN syscall. `bpfh bench` measures per-packet cost with JMH.)");
    }

    private void printMaps(List<BackendResult> ran) {
        Map<String, List<String>> maps = ran.get(0).mapsAfter();
        if (maps.isEmpty()) {
            return;
        }
        out.println("maps after (" + ran.get(0).name() + "):");
        maps.forEach((name, lines) -> {
            List<String> shown = lines.stream().filter(l -> !l.matches("[0-9a-f ]*: [0 ]*")).toList();
            out.println("  " + name + ": " + (shown.isEmpty() ? "all zero / empty" : shown.size() + " non-zero"
                    + (shown.size() == 1 ? " entry" : " entries")));
            shown.stream().limit(16).forEach(l -> out.println("    " + l));
            if (shown.size() > 16) {
                out.println("    ... " + (shown.size() - 16) + " more");
            }
        });
    }

    private void printVerdict(Report r, List<BackendResult> ran, ProgramType type) {
        if (r.loadDisagreement() != null) {
            out.println("DISAGREE at load: " + r.loadDisagreement());
        }
        if (r.firstDisagreement() != null) {
            var d = r.firstDisagreement();
            out.printf(Locale.ROOT, "DISAGREE on %,d of %,d packets; the first is packet %d (%d bytes):%n",
                    r.disagreeingPackets(), r.packets(), d.index(), d.packet().length);
            hexDump(d.packet());
            d.outcomes().forEach((name, o) -> {
                out.println("  " + name + ": " + o.describe(type));
                byte[] after = o.packetAfter();
                if (after != null) {
                    out.println("    packet after: " + HEX.formatHex(after));
                }
                if (o.outcome() instanceof Outcome.Returned ret && ret.ctx() != null) {
                    out.println("    context after: " + contextFields(type, ret.ctx()));
                }
                if (!o.recordsHex().isEmpty()) {
                    out.print(o.recordsHex().indent(4));
                }
            });
        }
        if (r.mapDisagreement() != null) {
            out.println("DISAGREE on the maps after the last packet: " + r.mapDisagreement());
        }
        if (r.agree()) {
            out.printf(Locale.ROOT, "all %d backends agree on %,d packet%s: results, packets after, contexts, ring buffer "
                    + "records, and the maps after%n", ran.size(), r.packets(), r.packets() == 1 ? "" : "s");
        }
    }

    /** The context's non-zero fields by name: {@code mark=0xef priority=0x6 ...}. */
    static String contextFields(ProgramType type, byte[] ctx) {
        var layout = dev.bpfh.ctx.ContextLayout.of(type).orElse(null);
        if (layout == null) {
            return HEX.formatHex(ctx);
        }
        StringBuilder sb = new StringBuilder();
        for (var f : layout.fields()) {
            long v = dev.bpfh.ctx.ContextLayout.read(ctx, f);
            if (v != 0) {
                sb.append(sb.isEmpty() ? "" : " ").append(f.name()).append("=0x").append(Long.toHexString(v));
            }
        }
        return sb.isEmpty() ? "all zero" : sb.toString();
    }

    private void hexDump(byte[] b) {
        for (int i = 0; i < b.length; i += 16) {
            out.printf(Locale.ROOT, "  %04x  %s%n", i, HEX.formatHex(b, i, Math.min(b.length, i + 16)));
        }
    }
}
