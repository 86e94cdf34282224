package dev.bpfh.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text tables for the terminal; the HTML report renders the same rows. */
public final class Tables {
    private Tables() {}

    /** Header and rows of the main table: ns per run with ratios to the kernel and the interpreter. */
    public static List<List<String>> runRows(Summary s) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("workload", "backend", "ns/run", "± (99.9%)", "× kernel", "× interp"));
        for (String p : s.programs()) {
            BenchRun kernel = s.run(p, "kernel");
            BenchRun interp = s.run(p, "interp");
            for (String b : s.backends()) {
                BenchRun r = s.run(p, b);
                if (r == null) {
                    continue;
                }
                rows.add(List.of(p, b, ns(r.nsPerRun()), ns(r.error()), ratio(r, kernel), ratio(r, interp)));
            }
        }
        return rows;
    }

    /** The other figures: Java round trips, load times, latency percentiles. */
    public static List<List<String>> extraRows(Summary s) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("figure", "workload", "backend", "ns", "±"));
        for (BenchRun r : s.roundTrips()) {
            rows.add(List.of("round trip per run", r.program(), r.backend(), ns(r.nsPerRun()), ns(r.error())));
        }
        for (BenchRun r : s.loads()) {
            rows.add(List.of(r.backend().equals("kernel") ? "load + verify" : "load (compile)", r.program(),
                    r.backend(), ns(r.nsPerRun()), ns(r.error())));
        }
        for (Latency l : s.latencies()) {
            for (String pct : List.of("50.0", "90.0", "99.0", "99.9")) {
                Double v = l.percentiles().get(pct);
                if (v != null) {
                    rows.add(List.of("latency p" + pct.replace(".0", ""), l.program(), l.backend(), ns(v), ""));
                }
            }
        }
        return rows;
    }

    public static List<List<String>> comparisonRows(List<Comparison.Row> rows) {
        List<List<String>> out = new ArrayList<>();
        out.add(List.of("workload", "backend", "base ns", "new ns", "new/base", "95% CI", "MWU p", "verdict"));
        for (Comparison.Row r : rows) {
            String ci = r.ratio() == null ? "" : String.format(Locale.ROOT, "[%.3f, %.3f]", r.ratio().low(), r.ratio().high());
            String ratio = r.ratio() == null ? "" : String.format(Locale.ROOT, "%.3f", r.ratio().estimate());
            String p = Double.isNaN(r.mannWhitneyP()) ? "" : String.format(Locale.ROOT, "%.3g", r.mannWhitneyP());
            out.add(List.of(r.program(), r.backend(), ns(r.baseNs()), ns(r.newNs()), ratio, ci, p, r.verdict().name()));
        }
        return out;
    }

    /** Aligned columns, first row as header underlined with dashes. */
    public static String format(List<List<String>> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        int[] width = new int[rows.getFirst().size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                boolean numeric = i >= 2;
                sb.append(numeric ? " ".repeat(width[i] - cell.length()) + cell : cell + " ".repeat(width[i] - cell.length()));
                sb.append(i + 1 < row.size() ? "  " : "");
            }
            sb.append('\n');
            if (r == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                sb.append("-".repeat(total - 2)).append('\n');
            }
        }
        return sb.toString();
    }

    static String ns(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (v >= 100_000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String ratio(BenchRun r, BenchRun reference) {
        if (reference == null || !(reference.nsPerRun() > 0) || Double.isNaN(r.nsPerRun())) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2f", r.nsPerRun() / reference.nsPerRun());
    }
}
