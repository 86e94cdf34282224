package dev.bpfh.history;

import dev.bpfh.reports.Fingerprint;
import dev.bpfh.reports.Tables;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The terminal text of {@code history show} and {@code history detect}. */
public final class HistoryTables {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final String BARS = "▁▂▃▄▅▆▇█";

    private HistoryTables() {}

    /** One line naming an environment: its id and the fields a reader tells machines apart by. */
    public static String describe(String id, Fingerprint f) {
        List<String> parts = new ArrayList<>();
        for (String k : List.of("cpu.model", "cpu.count", "memory.total", "kernel.release", "jdk.version", "jmh.settings")) {
            String v = f.get(k);
            if (!v.isEmpty()) {
                parts.add(k.equals("cpu.count") ? v + " cpus" : v);
            }
        }
        if (parts.isEmpty()) { // a summary from before fingerprints: its environment
            f.fields().forEach((k, v) -> parts.add(k + "=" + v));
        }
        return "environment " + id + ": " + String.join(", ", parts);
    }

    /** Per environment, one row per series: runs, latest value, change from the run before, a sparkline. */
    public static String show(History h, List<History.Series> series) {
        StringBuilder out = new StringBuilder();
        for (String fp : h.fingerprintIds()) {
            List<History.Series> mine = series.stream().filter(s -> s.key().fingerprintId().equals(fp)).toList();
            if (mine.isEmpty()) {
                continue;
            }
            out.append(describe(fp, h.fingerprint(fp))).append('\n');
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("workload", "backend", "runs", "latest", "±", "unit", "change", "trend", "commit", "date (UTC)"));
            for (History.Series s : mine) {
                List<History.Point> ps = s.points();
                History.Point last = ps.getLast();
                String change = ps.size() < 2 ? "" : percent(last.value() / ps.get(ps.size() - 2).value() - 1);
                rows.add(List.of(s.key().workload(), s.key().backend(), Integer.toString(ps.size()), number(last.value()),
                        Double.isFinite(last.error()) ? number(last.error()) : "", s.unit(), change,
                        sparkline(s.values()), last.shortCommit(), DAY.format(last.date())));
            }
            out.append(Tables.format(rows)).append('\n');
        }
        return out.toString();
    }

    /** The change points, one row each, regressions marked. */
    public static String findings(List<Detection.Finding> findings) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("workload", "backend", "environment", "commit", "date (UTC)", "run", "before", "after", "change",
                "p", "verdict"));
        for (Detection.Finding f : findings) {
            rows.add(List.of(f.series().key().workload(), f.series().key().backend(), f.series().key().fingerprintId(),
                    f.point().shortCommit(), DAY.format(f.point().date()), (f.index() + 1) + "/" + f.series().points().size(),
                    number(f.meanBefore()), number(f.meanAfter()), percent(f.change()),
                    String.format(Locale.ROOT, "%.3f", f.pValue()),
                    f.gated() ? "REGRESSION" : f.regression() ? "regression (before --since)" : improvement(f) ? "improvement" : "shift"));
        }
        return Tables.format(rows);
    }

    private static boolean improvement(Detection.Finding f) {
        return f.series().higherIsBetter() ? f.change() > 0 : f.change() < 0;
    }

    /** Eight-level bars scaled between the series' own minimum and maximum. */
    static String sparkline(double[] xs) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : xs) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        StringBuilder s = new StringBuilder();
        for (double x : xs) {
            int level = max > min ? (int) Math.round((x - min) / (max - min) * (BARS.length() - 1)) : 0;
            s.append(BARS.charAt(level));
        }
        return s.toString();
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%+.1f %%", 100 * fraction);
    }

    static String number(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
