package dev.bpfh.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Entry points for the cli: load results from a directory or file, render charts and HTML. */
public final class Reports {
    /** The file names a bench output directory holds. */
    public static final String SUMMARY_JSON = "summary.json";

    public static final String JMH_JSON = "jmh.json";

    private Reports() {}

    /**
     * Loads a summary from a bench output directory ({@code summary.json}, else {@code jmh.json}),
     * a {@code summary.json}, or a JMH JSON file.
     */
    public static Summary load(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            if (Files.exists(path.resolve(SUMMARY_JSON))) {
                return SummaryJson.read(path.resolve(SUMMARY_JSON));
            }
            if (Files.exists(path.resolve(JMH_JSON))) {
                return JmhSummaries.from(JmhJson.read(path.resolve(JMH_JSON)), Map.of());
            }
            throw new IOException(path + ": neither " + SUMMARY_JSON + " nor " + JMH_JSON + " found");
        }
        if (!Files.exists(path)) {
            throw new IOException(path + ": no such file or directory");
        }
        String text = Files.readString(path).stripLeading();
        return text.startsWith("[") ? JmhSummaries.from(JmhJson.parse(text), Map.of()) : SummaryJson.parse(text);
    }

    /** Writes the charts (PNG and SVG) and {@code index.html} into {@code dir}; returns the HTML. */
    public static Path render(Summary s, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> charts = Charts.writeAll(s, dir);
        return HtmlReport.write(s, dir, charts);
    }
}
