package dev.bpfh.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One self-contained HTML page: a verdict first (goals, largest ratios, failures), then the charts
 * embedded as base64 PNG, then the tables and the environment.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /** Writes {@code index.html} into {@code dir}, embedding the PNGs named in {@code charts}. */
    public static Path write(Summary s, Path dir, List<String> charts) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bpfh benchmark</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}")
                .append("td{white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f2f2f2}")
                .append("img{max-width:100%;border:1px solid #eee;margin:1em 0}li.met{color:#060}li.miss{color:#a00}</style></head><body>\n")
                .append("<h1>bpfh benchmark</h1>\n<p>Times are JMH AverageTime means in ns per program run; ")
                .append("for the kernel the in-kernel time from <code>BPF_PROG_TEST_RUN</code>'s <code>duration</code> ")
                .append("over a large repeat, with the Java round trip listed separately. ± is JMH's 99.9 % interval.</p>\n");
        h.append("<h2>Verdict</h2>\n<ul>");
        for (String line : verdict(s)) {
            String cls = line.endsWith("NOT MET") || line.startsWith("FAILED") ? "miss" : line.endsWith("MET") ? "met" : "";
            h.append("<li class=\"").append(cls).append("\">").append(esc(line)).append("</li>");
        }
        h.append("</ul>\n");
        if (!s.failures().isEmpty()) {
            h.append("<h2>Failures (no figure)</h2>\n<ul>");
            s.failures().forEach(f -> h.append("<li>").append(esc(f)).append("</li>"));
            h.append("</ul>\n");
        }
        if (!s.leftOut().isEmpty()) {
            h.append("<h2>Left out (the backend does not support the workload)</h2>\n<ul>");
            s.leftOut().forEach(f -> h.append("<li>").append(esc(f)).append("</li>"));
            h.append("</ul>\n");
        }
        h.append("<h2>Charts</h2>\n");
        for (String c : charts) {
            Path png = dir.resolve(c + ".png");
            if (Files.exists(png)) {
                h.append("<figure style=\"display:inline-block;margin:0\"><img alt=\"").append(esc(c)).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(Files.readAllBytes(png)))
                        .append("\"><figcaption>").append(esc(c)).append(" (also ").append(esc(c))
                        .append(".svg)</figcaption></figure>\n");
            }
        }
        h.append("<h2>Time per run</h2>\n<p>M insn/s is the eBPF instructions one run executes (counted once by ")
                .append("the interpreter, outside the timed region) divided by the time per run.</p>\n")
                .append(table(Tables.runRows(s)));
        if (Tables.ratioRows(s).size() > 2) {
            h.append("<h2>Ratios and goals</h2>\n<p>jit/kernel: jit time over the kernel's in-kernel time (below 1: ")
                    .append("the JIT is faster); interp/jit: the JIT's speedup over the interpreter. Geometric means ")
                    .append("weigh every workload the same; the interpreter's is over loop-heavy workloads (executing ")
                    .append("at least ").append(String.format(java.util.Locale.ROOT, "%.0f", Derived.LOOP_HEAVY_FACTOR))
                    .append("&times; their size).</p>\n<ul>");
            for (String g : Tables.goalLines(s)) {
                String cls = g.endsWith("NOT MET") ? "miss" : g.endsWith("MET") ? "met" : "";
                h.append("<li class=\"").append(cls).append("\">").append(esc(g)).append("</li>");
            }
            h.append("</ul>\n").append(table(Tables.ratioRows(s)));
        }
        if (!s.facts().isEmpty()) {
            h.append("<h2>Engine facts</h2>\n<p>insns: the program's size; executed: instructions one run executes; ")
                    .append("loop &times;: executed / size. The JIT's generated JVM bytecode (HotSpot compiles only ")
                    .append("methods under 8000 bytes); the kernel's JIT image and its translated and verified ")
                    .append("instruction counts (wrapper included).</p>\n").append(table(Tables.factsRows(s)));
        }
        if (Tables.extraRows(s).size() > 1) {
            h.append("<h2>Round trips, load times, latency</h2>\n").append(table(Tables.extraRows(s)));
        }
        h.append("<h2>Measured on</h2>\n<table>");
        for (Map.Entry<String, String> e : s.environment().entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            h.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(e.getValue())).append("</td></tr>");
        }
        h.append("</table>\n");
        h.append("</body></html>\n");
        Path out = dir.resolve("index.html");
        Files.writeString(out, h);
        return out;
    }

    /**
     * The page's opening: each goal met or not, the JIT's largest and smallest speedup over the
     * interpreter, where it is farthest from and closest to the kernel, and how many figures failed.
     */
    static List<String> verdict(Summary s) {
        List<String> out = new ArrayList<>();
        Derived.Goals g = Derived.goals(s);
        if (g.jit().count() > 0 || !g.jit().loops().isEmpty() || g.jit().fixedCostNs() > 0 || g.interpOverJitCount() > 0
                || !g.interp().workloads().isEmpty()) {
            out.addAll(Tables.goalLines(s));
        }
        List<Derived.Ratios> ratios = Derived.ratios(s);
        extremes(out, ratios.stream().filter(r -> usable(r.interpOverJit())).toList(), Derived.Ratios::interpOverJit,
                "the JIT's speedup over the interpreter");
        extremes(out, ratios.stream().filter(r -> usable(r.jitOverKernel())).toList(), Derived.Ratios::jitOverKernel,
                "jit time / kernel time");
        String everywhere = s.leftOut().isEmpty() ? "on every backend" : "on every backend that supports it";
        out.add(s.failures().isEmpty() ? "Every workload produced a figure " + everywhere + "."
                : "FAILED: " + s.failures().size() + " workload x backend pair(s) produced no figure (listed below).");
        if (!s.leftOut().isEmpty()) {
            out.add(s.leftOut().size() + " workload x backend pair(s) left out: the backend does not support the workload"
                    + " (listed below).");
        }
        return out;
    }

    private static void extremes(List<String> out, List<Derived.Ratios> rs, ToDoubleFunction<Derived.Ratios> f,
            String what) {
        if (rs.isEmpty()) {
            return;
        }
        Derived.Ratios max = rs.stream().max(Comparator.comparingDouble(f)).orElseThrow();
        Derived.Ratios min = rs.stream().min(Comparator.comparingDouble(f)).orElseThrow();
        out.add(String.format(Locale.ROOT, "Largest %s: %.2fx (%s); smallest: %.2fx (%s).", what,
                f.applyAsDouble(max), max.program(), f.applyAsDouble(min), min.program()));
    }

    private static boolean usable(double v) {
        return v > 0 && Double.isFinite(v);
    }

    static String table(List<List<String>> rows) {
        StringBuilder t = new StringBuilder("<table>\n<tr>");
        rows.getFirst().forEach(c -> t.append("<th>").append(esc(c)).append("</th>"));
        t.append("</tr>\n");
        for (List<String> row : rows.subList(1, rows.size())) {
            t.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                boolean numeric = i >= 2 || i == 1 && !cell.isEmpty() && Character.isDigit(cell.charAt(0));
                t.append(numeric ? "<td class=\"n\">" : "<td>").append(esc(cell)).append("</td>");
            }
            t.append("</tr>\n");
        }
        return t.append("</table>\n").toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
