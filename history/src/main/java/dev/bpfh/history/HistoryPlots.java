package dev.bpfh.history;

import dev.bpfh.reports.Colors;
import dev.bpfh.reports.Fingerprint;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code history plot}: one chart per workload × backend (PNG and SVG) and one self-contained
 * {@code index.html} embedding them. x is the run's number in measurement order (the page lists
 * each number's commit and date under the chart); y the value with its 99.9 % interval as an error bar. Each environment is its
 * own line (series never cross environments); a dashed grey rule marks where the environment
 * changes, a red rule each detected change point.
 */
public final class HistoryPlots {
    private static final int WIDTH = 1100;
    private static final int HEIGHT = 480;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final Color CHANGE = new Color(0xD00000);
    private static final Color ENVIRONMENT = new Color(0x888888);

    private HistoryPlots() {}

    /** One chart of one workload × backend. */
    public record Plot(String workload, String backend, String file, List<History.Point> runs, int changePoints,
            int environments) {}

    /** Writes the charts and {@code index.html} into {@code dir}; returns the plots written. */
    public static List<Plot> write(History h, List<History.Series> series, List<Detection.Finding> findings, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        Map<List<String>, List<History.Series>> byPair = new LinkedHashMap<>();
        for (History.Series s : series) {
            byPair.computeIfAbsent(List.of(s.key().workload(), s.key().backend()), k -> new ArrayList<>()).add(s);
        }
        List<Plot> plots = new ArrayList<>();
        java.util.Set<String> used = new java.util.HashSet<>();
        for (Map.Entry<List<String>, List<History.Series>> e : byPair.entrySet()) {
            String workload = e.getKey().get(0);
            String backend = e.getKey().get(1);
            List<Detection.Finding> mine = findings.stream()
                    .filter(f -> f.series().key().workload().equals(workload) && f.series().key().backend().equals(backend))
                    .toList();
            String file = fileName(workload + "__" + backend);
            for (int n = 2; used.contains(file); n++) {
                file = fileName(workload + "__" + backend) + "_" + n;
            }
            used.add(file);
            XYChart chart = chart(workload, backend, e.getValue(), mine);
            String base = dir.resolve(file).toString();
            BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
            VectorGraphicsEncoder.saveVectorGraphic(chart, base, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            plots.add(new Plot(workload, backend, file, inOrder(e.getValue()), mine.size(), e.getValue().size()));
        }
        html(h, plots, findings, dir);
        return plots;
    }

    static XYChart chart(String workload, String backend, List<History.Series> series, List<Detection.Finding> findings) {
        // every run of this workload × backend, in measurement order: the x positions
        List<History.Point> all = inOrder(series);
        Map<String, Integer> x = new LinkedHashMap<>();
        for (History.Point p : all) {
            x.putIfAbsent(p.runId(), x.size() + 1);
        }
        String unit = series.getFirst().unit();
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(workload + " on " + backend + " (" + unit + "; error bars: 99.9 % CI)")
                .xAxisTitle("run number, in measurement order (its commit and date: the table below the chart)").yAxisTitle(unit).build();
        c.getStyler().setLegendPosition(LegendPosition.OutsideS);
        c.getStyler().setErrorBarsColorSeriesColor(true);
        c.getStyler().setXAxisLabelRotation(35);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (History.Point p : all) {
            double err = Double.isFinite(p.error()) ? p.error() : 0;
            lo = Math.min(lo, p.value() - err);
            hi = Math.max(hi, p.value() + err);
        }
        double pad = Math.max((hi - lo) * 0.1, Math.abs(hi) * 0.01);
        // times and rates are positive: an error bar reaching below 0 is cut there, not the axis stretched
        lo = all.stream().allMatch(p -> p.value() > 0) ? Math.max(0, lo - pad) : lo - pad;
        hi += pad;
        c.getStyler().setYAxisMin(lo);
        c.getStyler().setYAxisMax(hi);
        c.getStyler().setXAxisMin(0.5);
        c.getStyler().setXAxisMax(all.size() + 0.5);
        int color = 0;
        for (History.Series s : series) {
            double[] xs = s.points().stream().mapToDouble(p -> x.get(p.runId())).toArray();
            double[] ys = s.values();
            double[] es = s.points().stream().mapToDouble(p -> Double.isFinite(p.error()) ? p.error() : 0).toArray();
            XYSeries line = c.addSeries("environment " + s.key().fingerprintId(), xs, ys, es);
            Color col = series.size() == 1 ? Colors.backend(backend) : Colors.nth(color++);
            line.setLineColor(col);
            line.setMarkerColor(col);
            line.setMarker(SeriesMarkers.CIRCLE);
        }
        // environment changes: between consecutive runs of different fingerprints
        boolean first = true;
        for (int i = 1; i < all.size(); i++) {
            if (!all.get(i).fingerprintId().equals(all.get(i - 1).fingerprintId())) {
                rule(c, "environment change", i + 0.5, lo, hi, ENVIRONMENT, true, first);
                first = false;
            }
        }
        first = true;
        for (Detection.Finding f : findings) {
            rule(c, "change point", x.get(f.point().runId()) - 0.5, lo, hi, CHANGE, false, first);
            first = false;
        }
        return c;
    }

    /** Every run of these series in measurement order: run number i is element i - 1. */
    static List<History.Point> inOrder(List<History.Series> series) {
        return series.stream().flatMap(s -> s.points().stream())
                .sorted(java.util.Comparator.comparing(History.Point::date).thenComparing(History.Point::runId)).toList();
    }

    /** A vertical rule drawn as a two-point series (XChart 4's annotation lines share one colour). */
    private static void rule(XYChart c, String name, double at, double lo, double hi, Color color, boolean dashed,
            boolean inLegend) {
        java.util.Set<String> taken = new java.util.HashSet<>();
        c.getSeriesCollection().forEach(x -> taken.add(x.getName()));
        String unique = name;
        for (int n = 2; taken.contains(unique); n++) {
            unique = name + " " + n;
        }
        XYSeries s = c.addSeries(unique, new double[] {at, at}, new double[] {lo, hi});
        s.setMarker(SeriesMarkers.NONE).setLineColor(color);
        s.setLineStyle(dashed ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f) : new BasicStroke(2f));
        s.setShowInLegend(inLegend);
    }

    private static void html(History h, List<Plot> plots, List<Detection.Finding> findings, Path dir) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bpfh performance history</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}")
                .append("th{background:#f2f2f2}img{max-width:100%;border:1px solid #eee}.bad{color:#a00}</style></head><body>\n")
                .append("<h1>bpfh performance history</h1>\n<p>").append(h.runIds().size()).append(" runs, ")
                .append(plots.size()).append(" charts, ").append(findings.size())
                .append(" change points (E-divisive means, permutation test). A series is one workload on one backend in one ")
                .append("environment; values from different environments are never compared.</p>\n");
        b.append("<h2>Change points</h2>\n");
        if (findings.isEmpty()) {
            b.append("<p>None.</p>\n");
        } else {
            b.append("<table><tr><th>workload</th><th>backend</th><th>environment</th><th>commit</th><th>date</th>")
                    .append("<th>before</th><th>after</th><th>change</th><th>p</th></tr>\n");
            for (Detection.Finding f : findings) {
                b.append(f.regression() ? "<tr class=\"bad\">" : "<tr>").append(td(f.series().key().workload()))
                        .append(td(f.series().key().backend())).append(td(f.series().key().fingerprintId()))
                        .append(td(f.point().shortCommit())).append(td(f.point().date().toString()))
                        .append(td(HistoryTables.number(f.meanBefore()))).append(td(HistoryTables.number(f.meanAfter())))
                        .append(td(HistoryTables.percent(f.change())))
                        .append(td(String.format(java.util.Locale.ROOT, "%.3f", f.pValue()))).append("</tr>\n");
            }
            b.append("</table>\n");
        }
        b.append("<h2>Charts</h2>\n");
        for (Plot p : plots) {
            byte[] png = Files.readAllBytes(dir.resolve(p.file() + ".png"));
            b.append("<h3>").append(esc(p.workload())).append(" on ").append(esc(p.backend())).append("</h3>\n<p>")
                    .append(p.runs().size()).append(" runs, ").append(p.environments()).append(" environment(s), ")
                    .append(p.changePoints()).append(" change point(s); <a href=\"").append(esc(p.file())).append(".png\">PNG</a>, ")
                    .append("<a href=\"").append(esc(p.file())).append(".svg\">SVG</a></p>\n<img alt=\"")
                    .append(esc(p.workload() + " on " + p.backend())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(png)).append("\">\n")
                    .append("<table><tr><th>run</th><th>commit</th><th>date (UTC)</th><th>environment</th><th>value</th></tr>\n");
            for (int i = 0; i < p.runs().size(); i++) {
                History.Point r = p.runs().get(i);
                b.append("<tr>").append(td(Integer.toString(i + 1))).append(td(r.shortCommit())).append(td(DAY.format(r.date())))
                        .append(td(r.fingerprintId())).append(td(HistoryTables.number(r.value()))).append("</tr>\n");
            }
            b.append("</table>\n");
        }
        b.append("<h2>Environments</h2>\n");
        String previous = null;
        for (String id : h.fingerprintIds()) {
            Fingerprint f = h.fingerprint(id);
            b.append("<h3>").append(esc(id)).append("</h3>\n");
            if (previous != null) {
                b.append("<p>Differs from ").append(esc(previous)).append(" in: ")
                        .append(esc(String.join(", ", f.differences(h.fingerprint(previous))))).append("</p>\n");
            }
            b.append("<table>");
            f.identity().forEach((k, v) -> b.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>"));
            b.append("</table>\n");
            previous = id;
        }
        b.append("</body></html>\n");
        Files.writeString(dir.resolve("index.html"), b);
    }

    private static String td(String s) {
        return "<td>" + esc(s) + "</td>";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** A file name from any workload name: letters, digits, '.', '_' and '-' kept, the rest '_'. */
    static String fileName(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
