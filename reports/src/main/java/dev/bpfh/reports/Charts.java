package dev.bpfh.reports;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.VectorGraphicsEncoder.VectorGraphicsFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * The charts of a bench run, each saved as PNG and SVG. Time, speedup, throughput and load are
 * grouped bar charts (one group per workload, one bar per backend); latency is one percentile plot
 * per workload. Every backend has one colour in all of them ({@link Colors}).
 */
public final class Charts {
    private static final int WIDTH = 1100;
    private static final int HEIGHT = 560;

    private Charts() {}

    /** Writes every chart the summary has data for; returns the base names written (no extension). */
    public static List<String> writeAll(Summary s, Path dir) throws IOException {
        List<String> written = new ArrayList<>();
        if (!s.runs().isEmpty()) {
            save(time(s), dir, "time", written);
        }
        CategoryChart speedup = speedup(s);
        if (speedup != null) {
            save(speedup, dir, "speedup", written);
        }
        if (!Derived.throughput(s).isEmpty()) {
            save(throughput(s), dir, "throughput", written);
        }
        for (String program : s.latencies().stream().map(Latency::program).distinct().toList()) {
            XYChart chart = latency(s, program);
            if (!chart.getSeriesCollection().isEmpty()) {
                save(chart, dir, "latency-" + fileName(program), written);
            }
        }
        if (!s.loads().isEmpty()) {
            save(loads(s), dir, "load", written);
        }
        return written;
    }

    /** ns per run per workload × backend on a log axis, with JMH's 99.9 % interval as error bars. */
    static CategoryChart time(Summary s) {
        CategoryChart c = chart("Time per run (log scale, error bars: 99.9 % CI)", "workload", "ns per run");
        c.getStyler().setYAxisLogarithmic(true);
        List<String> programs = s.programs();
        for (String backend : s.backends()) {
            List<Double> values = new ArrayList<>();  // null: no bar (XChart skips it; NaN breaks a log axis)
            List<Double> errors = new ArrayList<>();
            for (String p : programs) {
                BenchRun r = s.run(p, backend);
                double v = r == null || !(r.nsPerRun() > 0) ? Double.NaN : r.nsPerRun();
                values.add(bar(v));
                errors.add(logErrorFactor(v, r == null ? 0 : r.error()));
            }
            color(c.addSeries(backend, programs, values, errors), backend);
        }
        return fitLogAxis(c);
    }

    /** How many times faster than the interpreter each other backend runs each workload. */
    static CategoryChart speedup(Summary s) {
        List<String> others = s.backends().stream().filter(b -> !b.equals("interp")).toList();
        if (!s.backends().contains("interp") || others.isEmpty()) {
            return null;
        }
        CategoryChart c = chart("Speedup over the interpreter (log scale)", "workload", "interp time / backend time");
        c.getStyler().setYAxisLogarithmic(true);
        List<String> programs = s.programs();
        for (String backend : others) {
            List<Double> values = new ArrayList<>();  // null: no bar (XChart skips it; NaN breaks a log axis)
            for (String p : programs) {
                BenchRun interp = s.run(p, "interp");
                BenchRun other = s.run(p, backend);
                values.add(interp == null || other == null || !(other.nsPerRun() > 0) ? null
                        : bar(interp.nsPerRun() / other.nsPerRun()));
            }
            color(c.addSeries(backend, programs, values), backend);
        }
        return fitLogAxis(c);
    }

    /** Million eBPF instructions per second per workload × backend ({@link Derived#throughput}). */
    static CategoryChart throughput(Summary s) {
        CategoryChart c = chart("eBPF instructions per second, millions (log scale; interp goal: "
                + (int) Derived.INTERP_GOAL_M_INSN_PER_S + " geomean on loop-heavy workloads without helpers)", "workload", "M insn/s");
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setLegendPosition(LegendPosition.OutsideE); // the tallest bars are often the first ones
        List<Derived.Throughput> all = Derived.throughput(s);
        List<String> programs = all.stream().map(Derived.Throughput::program).distinct().toList();
        for (String backend : s.backends()) {
            List<Double> values = new ArrayList<>();  // null: no bar (XChart skips it; NaN breaks a log axis)
            for (String p : programs) {
                values.add(all.stream().filter(t -> t.program().equals(p) && t.backend().equals(backend))
                        .map(t -> bar(t.mInsnPerSec())).filter(v -> v != null).findFirst().orElse(null));
            }
            color(c.addSeries(backend, programs, values), backend);
        }
        return fitLogAxis(c);
    }

    /** The percentiles a latency chart plots, as JMH names them. */
    static final List<String> PERCENTILES = List.of("50.0", "90.0", "99.0", "99.9", "99.99");

    /**
     * Latency of one run of {@code program} (JMH SampleTime) as a percentile plot, as HdrHistogram
     * draws them: x is the percentile on a "nines" axis, {@code -log10(1 - p)} (90 → 1, 99 → 2,
     * 99.9 → 3, ...), so every tail decade gets the same room; y is ns on a log axis; one line per
     * backend. (The axis keeps XChart's numeric labels and its title names them: XChart 4's custom
     * tick labels can loop forever while it searches for a tick spacing.)
     */
    static XYChart latency(Summary s, String program) {
        XYChart c = new XYChartBuilder().width(WIDTH / 2).height(HEIGHT * 3 / 4)
                .title("Latency of one run: " + program)
                .xAxisTitle("nines: 1 = p90, 2 = p99, 3 = p99.9, 4 = p99.99 (first: p50)")
                .yAxisTitle("ns").build();
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setLegendPosition(LegendPosition.InsideNW);
        c.getStyler().setXAxisMin(0.0);
        c.getStyler().setXAxisMax(nines(99.99));
        List<Latency> mine = s.latencies().stream().filter(l -> l.program().equals(program))
                .sorted(Comparator.comparingInt(l -> rank(s, l.backend()))).toList();
        for (Latency l : mine) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (String pct : PERCENTILES) {
                Double v = l.percentiles().get(pct);
                if (v != null && v > 0 && Double.isFinite(v)) {
                    xs.add(nines(Double.parseDouble(pct)));
                    ys.add(v);
                }
            }
            if (!xs.isEmpty()) {
                XYSeries line = c.addSeries(l.backend(), xs, ys);
                line.setLineColor(Colors.backend(l.backend()));
                line.setMarkerColor(Colors.backend(l.backend()));
                line.setMarker(SeriesMarkers.CIRCLE);
            }
        }
        return c;
    }

    /** The position of percentile {@code p} on the nines axis: {@code -log10(1 - p/100)}. */
    static double nines(double p) {
        return -Math.log10(1 - p / 100);
    }

    private static int rank(Summary s, String backend) {
        int i = s.backends().indexOf(backend);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    /** A file name from a workload name: letters, digits, '.', '_' and '-' kept, the rest '_'. */
    static String fileName(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** ns per load(): JIT compile latency and kernel load + verify. */
    static CategoryChart loads(Summary s) {
        CategoryChart c = chart("Load time: JIT compile, kernel load + verify (log scale)", "workload", "ns per load");
        c.getStyler().setYAxisLogarithmic(true);
        List<String> programs = s.loads().stream().map(BenchRun::program).distinct().toList();
        for (String backend : s.loads().stream().map(BenchRun::backend).distinct().toList()) {
            List<Double> values = new ArrayList<>();  // null: no bar (XChart skips it; NaN breaks a log axis)
            List<Double> errors = new ArrayList<>();
            for (String p : programs) {
                BenchRun r = s.loads().stream().filter(l -> l.program().equals(p) && l.backend().equals(backend))
                        .findFirst().orElse(null);
                double v = r == null || !(r.nsPerRun() > 0) ? Double.NaN : r.nsPerRun();
                values.add(bar(v));
                errors.add(logErrorFactor(v, r == null ? 0 : r.error()));
            }
            color(c.addSeries(backend, programs, values, errors), backend);
        }
        return fitLogAxis(c);
    }

    /** NEW/BASE ratio per figure with the bootstrap interval (error bar: its larger half). */
    public static CategoryChart comparison(List<Comparison.Row> rows, double threshold) {
        CategoryChart c = chart("NEW / BASE time ratio, 95 % bootstrap CI (threshold "
                + Math.round(threshold * 1000) / 10.0 + " %)", "workload/backend", "ratio");
        List<String> keys = new ArrayList<>();
        List<Double> values = new ArrayList<>();  // null: no bar (XChart skips it; NaN breaks a log axis)
        List<Double> errors = new ArrayList<>();
        for (Comparison.Row r : rows) {
            if (r.ratio() == null) {
                continue;
            }
            keys.add(r.program() + "/" + r.backend());
            values.add(r.ratio().estimate());
            errors.add(Math.max(r.ratio().high() - r.ratio().estimate(), r.ratio().estimate() - r.ratio().low()));
        }
        if (!keys.isEmpty()) {
            c.addSeries("ratio", keys, values, errors);
        }
        return c;
    }

    /** The backend's one colour ({@link Colors#backend}), for bars and their error bars. */
    private static void color(CategorySeries series, String backend) {
        series.setFillColor(Colors.backend(backend));
        series.setLineColor(Colors.backend(backend));
    }

    public static void save(CategoryChart chart, Path dir, String baseName, List<String> written) throws IOException {
        saveAny(chart, dir, baseName, written);
    }

    public static void save(XYChart chart, Path dir, String baseName, List<String> written) throws IOException {
        saveAny(chart, dir, baseName, written);
    }

    private static void saveAny(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path dir, String baseName,
            List<String> written) throws IOException {
        String base = dir.resolve(baseName).toString();
        BitmapEncoder.saveBitmap(chart, base, BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, base, VectorGraphicsFormat.SVG);
        written.add(baseName);
    }

    private static CategoryChart chart(String title, String x, String y) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setLegendPosition(LegendPosition.InsideNW);
        c.getStyler().setErrorBarsColorSeriesColor(true);
        c.getStyler().setXAxisLabelRotation(30);
        c.getStyler().setAvailableSpaceFill(0.8);
        return c;
    }

    /**
     * XChart starts bar charts at zero, which a log axis rejects: pin the axis to the decade below the
     * lowest bar end (error bar included) and above the highest.
     */
    private static CategoryChart fitLogAxis(CategoryChart c) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (CategorySeries series : c.getSeriesCollection()) {
            double[] ys = series.getYData();
            double[] es = series.getExtraValues() == null ? new double[ys.length] : series.getExtraValues();
            for (int i = 0; i < ys.length; i++) {
                double factor = i < es.length && es[i] > 1 ? es[i] : 1; // see logErrorFactor
                if (ys[i] > 0) {
                    min = Math.min(min, ys[i] / factor);
                    max = Math.max(max, ys[i] * factor);
                }
            }
        }
        if (max > 0) {
            c.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
            c.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(max))));
        }
        return c;
    }

    /** A bar's value, or null (no bar) when it cannot be drawn on a log axis. */
    private static Double bar(double v) {
        return v > 0 && Double.isFinite(v) ? v : null;
    }

    /**
     * The error-bar value XChart 4 needs on a log axis. Its bar renderer takes {@code log10} of the
     * error value and draws that many decades up and down from the bar's end, so a CI half-width
     * {@code e} is passed as the factor {@code 1 + e / v}: the bar then reaches exactly {@code v + e}
     * above and {@code v / (1 + e/v)} (≈ {@code v - e} for small errors) below. No interval: 1, no bar.
     */
    static double logErrorFactor(double value, double error) {
        if (!(value > 0) || !Double.isFinite(error) || error <= 0) {
            return 1.0;
        }
        return 1 + error / value;
    }
}
