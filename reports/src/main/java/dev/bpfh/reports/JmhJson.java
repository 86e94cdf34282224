package dev.bpfh.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JMH's JSON result format ({@code -rf json}) into {@link JmhResult}s.
 *
 * <p>Read through {@link JsonNode} rather than data binding: the format drifts between JMH versions,
 * and JMH writes non-finite numbers as the strings "NaN", "+INF" and "-INF", which
 * {@link Double#parseDouble} does not accept.
 */
public final class JmhJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JmhJson() {}

    public static List<JmhResult> read(Path file) throws IOException {
        return parse(MAPPER.readTree(file.toFile()), file.toString());
    }

    public static List<JmhResult> parse(String json) throws IOException {
        return parse(MAPPER.readTree(json), "<string>");
    }

    /**
     * Writes the results of several JMH runs as one JMH result file: their arrays joined, in order,
     * each result as JMH wrote it. A part that is empty (a run whose every benchmark failed may
     * leave no JSON) adds nothing.
     */
    public static void concat(List<Path> parts, Path out) throws IOException {
        ArrayNode all = MAPPER.createArrayNode();
        for (Path part : parts) {
            if (Files.size(part) == 0) {
                continue;
            }
            JsonNode root = MAPPER.readTree(part.toFile());
            if (root == null || root.isMissingNode()) {
                continue;
            }
            if (!root.isArray()) {
                throw new IOException(part + ": not a JMH JSON result (expected a top-level array)");
            }
            root.forEach(all::add);
        }
        MAPPER.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), all);
    }

    private static List<JmhResult> parse(JsonNode root, String where) throws IOException {
        if (root == null || !root.isArray()) {
            throw new IOException(where + ": not a JMH JSON result (expected a top-level array)");
        }
        List<JmhResult> out = new ArrayList<>();
        for (JsonNode r : root) {
            Map<String, String> params = new LinkedHashMap<>();
            r.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
            Map<String, JmhMetric> secondary = new LinkedHashMap<>();
            r.path("secondaryMetrics").properties().forEach(e -> secondary.put(e.getKey(), metric(e.getValue())));
            out.add(new JmhResult(
                    r.path("benchmark").asText(),
                    r.path("mode").asText(),
                    r.path("forks").asInt(),
                    r.path("jdkVersion").asText(""),
                    r.path("vmName").asText(""),
                    params,
                    metric(r.path("primaryMetric")),
                    secondary));
        }
        return out;
    }

    private static JmhMetric metric(JsonNode m) {
        Map<String, Double> percentiles = new LinkedHashMap<>();
        m.path("scorePercentiles").properties().forEach(e -> percentiles.put(e.getKey(), number(e.getValue())));
        List<List<Double>> iterations = new ArrayList<>();
        if (m.has("rawData")) {
            for (JsonNode fork : m.get("rawData")) {
                List<Double> scores = new ArrayList<>();
                fork.forEach(v -> scores.add(number(v)));
                iterations.add(scores);
            }
        } else if (m.has("rawDataHistogram")) {
            // SampleTime: fork -> iteration -> [[value, count], ...]; an iteration's score is its mean.
            for (JsonNode fork : m.get("rawDataHistogram")) {
                List<Double> scores = new ArrayList<>();
                for (JsonNode iteration : fork) {
                    double sum = 0;
                    double count = 0;
                    for (JsonNode bin : iteration) {
                        sum += number(bin.get(0)) * number(bin.get(1));
                        count += number(bin.get(1));
                    }
                    scores.add(count == 0 ? Double.NaN : sum / count);
                }
                iterations.add(scores);
            }
        }
        return new JmhMetric(
                number(m.path("score")), number(m.path("scoreError")), m.path("scoreUnit").asText(""),
                percentiles, iterations);
    }

    /** A JSON number, or one of JMH's strings for non-finite values; anything else is NaN. */
    static double number(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return Double.NaN;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        return switch (v.asText().trim()) {
            case "+INF", "INF", "Infinity", "+Infinity" -> Double.POSITIVE_INFINITY;
            case "-INF", "-Infinity" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(v.asText());
                } catch (NumberFormatException e) {
                    yield Double.NaN;
                }
            }
        };
    }
}
