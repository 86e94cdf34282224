package dev.bpfh.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class ChartsTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    static Summary sample() {
        List<BenchRun> runs = new ArrayList<>();
        String[] programs = {"sum", "primes", "checksum"};
        for (int i = 0; i < programs.length; i++) {
            runs.add(new BenchRun(programs[i], "interp", 1000.0 * (i + 1), 50, List.of(990.0, 1010.0)));
            runs.add(new BenchRun(programs[i], "jit", 100.0 * (i + 1), Double.NaN, List.of()));
            runs.add(new BenchRun(programs[i], "kernel", 80.0 * (i + 1), 200, List.of()));
        }
        return new Summary(Map.of("kernel", "6.18 <test>"), runs,
                List.of(new BenchRun("sum", "kernel", 500, 5, List.of())),
                List.of(new BenchRun("sum", "jit", 2e5, 1e3, List.of()), new BenchRun("sum", "kernel", 3e4, 1e2, List.of())),
                List.of(new Latency("sum", "jit", Map.of("50.0", 90.0, "99.0", 300.0))));
    }

    /** A parser that does not fetch the SVG DOCTYPE's DTD from the network. */
    private static javax.xml.parsers.DocumentBuilder xml() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder();
    }

    @Test
    void everyChartIsWrittenAsPngAndWellFormedSvg(@TempDir Path dir) throws Exception {
        List<String> written = Charts.writeAll(sample(), dir);
        assertEquals(List.of("time", "speedup", "latency-sum", "load"), written);
        for (String name : written) {
            byte[] png = Files.readAllBytes(dir.resolve(name + ".png"));
            assertTrue(png.length > 1000, name);
            assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 8), name);
            Document svg = xml()
                    .parse(dir.resolve(name + ".svg").toFile());
            assertEquals("svg", svg.getDocumentElement().getNodeName(), name);
        }
    }

    @Test
    void htmlIsSelfContainedWithTablesEnvironmentAndEmbeddedCharts(@TempDir Path dir) throws IOException {
        Path html = Reports.render(sample(), dir);
        String text = Files.readString(html);
        assertTrue(text.contains("data:image/png;base64,iVBORw0KGgo"), "PNG embedded as base64");
        assertTrue(text.contains("6.18 &lt;test&gt;"), "environment escaped into the page");
        assertTrue(text.contains("<td>primes</td>"));
        assertTrue(!text.contains("src=\"time.png\""), "no external image references");
    }

    @Test
    void everyBackendKeepsOneColourInEveryChart() {
        Summary s = sample();
        for (var chart : List.of(Charts.time(s), Charts.speedup(s), Charts.loads(s))) {
            for (var series : chart.getSeriesCollection()) {
                assertEquals(Colors.backend(series.getName()), series.getFillColor(), series.getName());
            }
        }
        // the speedup chart has no interp bars: jit must not take interp's colour
        assertEquals(List.of("jit", "kernel"), Charts.speedup(s).getSeriesCollection().stream().map(x -> x.getName()).toList());
        for (var series : Charts.latency(s, "sum").getSeriesCollection()) {
            assertEquals(Colors.backend(series.getName()), series.getLineColor(), series.getName());
        }
        assertEquals(3, List.of("interp", "jit", "kernel").stream().map(Colors::backend).distinct().count());
    }

    @Test
    void latencyIsAPercentilePlotOnANinesAxis() {
        Summary s = new Summary(Map.of(), List.of(), List.of(), List.of(), List.of(
                new Latency("sum", "jit", Map.of("0.0", 20.0, "50.0", 90.0, "90.0", 120.0, "99.0", 300.0, "99.9", 900.0,
                        "99.99", 5000.0, "100.0", 90000.0)),
                new Latency("sum", "interp", Map.of("50.0", 900.0, "99.0", 3000.0))));
        var chart = Charts.latency(s, "sum");
        var jit = series(chart, "jit");
        // p50 at -log10(0.5) = 0.301, p90 at 1, p99 at 2, p99.9 at 3, p99.99 at 4; p0 and p100 are not plotted
        assertArrayEquals(new double[] {Math.log10(2), 1, 2, 3, 4}, jit.getXData(), 1e-9);
        assertArrayEquals(new double[] {90, 120, 300, 900, 5000}, jit.getYData(), 1e-9);
        assertArrayEquals(new double[] {Math.log10(2), 2}, series(chart, "interp").getXData(), 1e-9);
    }

    private static org.knowm.xchart.XYSeries series(org.knowm.xchart.XYChart chart, String name) {
        return chart.getSeriesCollection().stream().filter(x -> x.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theReportOpensWithAVerdictBeforeChartsAndTables(@TempDir Path dir) throws IOException {
        String text = Files.readString(Reports.render(sample(), dir));
        int verdict = text.indexOf("<h2>Verdict</h2>");
        int charts = text.indexOf("<h2>Charts</h2>");
        int tables = text.indexOf("<h2>Time per run</h2>");
        assertTrue(verdict > 0 && verdict < charts && charts < tables, "verdict, charts, tables in that order");
        // interp/jit per workload: sum 1000/100 = 10, primes 2000/200 = 10, checksum 3000/300 = 10
        assertTrue(text.contains("Largest the JIT's speedup over the interpreter: 10.00x"), text.substring(verdict, charts));
        assertTrue(text.contains("jit time / kernel time: 1.25x"), text.substring(verdict, charts)); // 100/80
    }

    @Test
    void pairsLeftOutAreListedAndCountedButAreNoFailure(@TempDir Path dir) throws IOException {
        Summary s = sample().withLeftOut(List.of("sum on ubpf: not supported: the uBPF backends run programs without maps"));
        String text = Files.readString(Reports.render(s, dir));
        int verdict = text.indexOf("<h2>Verdict</h2>");
        int leftOut = text.indexOf("<h2>Left out (the backend does not support the workload)</h2>");
        int charts = text.indexOf("<h2>Charts</h2>");
        assertTrue(verdict > 0 && verdict < leftOut && leftOut < charts, "verdict, left out, charts in that order");
        String v = text.substring(verdict, leftOut);
        assertTrue(v.contains("Every workload produced a figure on every backend that supports it."), v);
        assertTrue(v.contains("1 workload x backend pair(s) left out"), v);
        assertFalse(v.contains("FAILED"), v);
        assertTrue(text.substring(leftOut, charts).contains("<li>sum on ubpf: not supported: the uBPF backends run"));
        assertFalse(text.contains("Failures (no figure)"));
    }

    @Test
    void comparisonChartIsWritten(@TempDir Path dir) throws Exception {
        Summary s = sample();
        List<Comparison.Row> rows = Comparison.compare(s, s, 0.05);
        List<String> written = new ArrayList<>();
        Charts.save(Charts.comparison(rows, 0.05), dir, "compare", written);
        assertTrue(Files.size(dir.resolve("compare.png")) > 0);
        assertNotNull(xml().parse(dir.resolve("compare.svg").toFile()));
    }

    @Test
    void logAxisErrorBarIsPassedAsTheFactorThatReachesTheUpperCiEnd() {
        // XChart draws log10(factor) decades each side: factor 1.1 puts the top at 100 * 1.1 = 110 = v + e.
        assertEquals(1.1, Charts.logErrorFactor(100, 10), 1e-12);
        assertEquals(1.0, Charts.logErrorFactor(100, Double.NaN));
        assertEquals(1.0, Charts.logErrorFactor(Double.NaN, 5));
    }

    @Test
    void backendsAreListedInCanonicalOrderWhateverTheJsonOrder() {
        Summary s = new Summary(Map.of(), List.of(new BenchRun("p", "kernel", 1, 0, List.of()),
                new BenchRun("p", "plugin:x", 1, 0, List.of()), new BenchRun("p", "interp", 1, 0, List.of()),
                new BenchRun("p", "jit", 1, 0, List.of())), List.of(), List.of(), List.of());
        assertEquals(List.of("interp", "jit", "kernel", "plugin:x"), s.backends());
    }

    @Test
    void tableShowsRatiosToKernelAndInterpreter() {
        String table = Tables.format(Tables.runRows(sample()));
        // sum: interp 1000, jit 100, kernel 80 -> jit is 1.25x kernel and 0.10x interp.
        assertTrue(table.lines().anyMatch(l -> l.startsWith("sum") && l.contains("jit") && l.contains("1.25") && l.endsWith("0.10")), table);
    }

    @Test
    void throughputChartAndHtmlSectionsAppearWithFacts(@TempDir Path dir) throws Exception {
        Summary s = DerivedTest.sample();
        List<String> written = Charts.writeAll(s, dir);
        assertTrue(written.contains("throughput"), written.toString());
        assertEquals("svg", xml().parse(dir.resolve("throughput.svg").toFile()).getDocumentElement().getNodeName());
        String html = Files.readString(HtmlReport.write(s, dir, written));
        assertTrue(html.contains("<h2>Engine facts</h2>"));
        assertTrue(html.contains("<h2>Ratios and goals</h2>"));
        assertTrue(html.contains("<th>M insn/s</th>"));
        assertTrue(html.contains("jit/kernel geomean &lt;= 0.8: 1.00 over 3 workloads: NOT MET")
                || html.contains("jit/kernel geomean <= 0.8: 1.00 over 3 workloads: NOT MET"), "goal line in the page");
    }
}
