package dev.bpfh.history;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bpfh.reports.BenchRun;
import dev.bpfh.reports.Fingerprint;
import dev.bpfh.reports.JmhJson;
import dev.bpfh.reports.JmhResult;
import dev.bpfh.reports.Reports;
import dev.bpfh.reports.Summary;
import dev.bpfh.reports.SummaryJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads result files into {@link RunRecord}s, refusing anything malformed with a one-line reason. */
public final class Imports {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Imports() {}

    /**
     * What the command line says about the code measured; null fields fall back to the file's own
     * record (a bench run's git facts) or to {@code fallback}.
     */
    public record Provenance(String commit, String branch, Map<String, String> tags) {
        public Provenance {
            tags = tags == null ? Map.of() : Map.copyOf(tags);
        }
    }

    /**
     * A {@code bpfh bench} output directory (its {@code summary.json}) or a {@code summary.json}
     * itself. Every run with a finite time becomes a measurement in ns/op.
     */
    public static RunRecord benchDir(Path path, Provenance p) throws HistoryException {
        Path file = Files.isDirectory(path) ? path.resolve(Reports.SUMMARY_JSON) : path;
        if (Files.isDirectory(path) && !Files.exists(file)) {
            throw new HistoryException(path + ": no " + Reports.SUMMARY_JSON
                    + " (not a bpfh bench output directory; for a plain JMH JSON file use --jmh)");
        }
        byte[] bytes = read(file);
        String text = new String(bytes, StandardCharsets.UTF_8);
        Summary s;
        try {
            s = SummaryJson.parse(text);
        } catch (JsonProcessingException e) {
            throw malformed(file, e);
        } catch (IOException e) {
            throw new HistoryException(file + ": " + e.getMessage().replace("<string>: ", "")
                    + (text.stripLeading().startsWith("[") ? "; a JMH JSON file goes with --jmh" : ""));
        }
        List<Measurement> ms = new ArrayList<>();
        for (BenchRun r : s.runs()) {
            if (Double.isFinite(r.nsPerRun()) && r.nsPerRun() > 0) {
                ms.add(new Measurement(r.program(), r.backend(), "ns/op", r.nsPerRun(), r.error(), r.samples()));
            }
        }
        if (ms.isEmpty()) {
            throw new HistoryException(file + ": no run with a finite time to store");
        }
        Fingerprint fp = s.fingerprint().isEmpty() ? legacyFingerprint(s.environment()) : s.fingerprint();
        String envCommit = s.environment().getOrDefault("commit", "").replace(" (dirty)", "");
        String commit = first(p.commit(), fp.get("git.commit"), envCommit);
        String dirty = !fp.get("git.dirty").isEmpty() ? fp.get("git.dirty")
                : s.environment().getOrDefault("commit", "").endsWith("(dirty)") ? "true" : "unknown";
        return new RunRecord(path.toString(), sha256(bytes), commit.equals("unknown") ? "" : commit,
                first(p.branch(), fp.get("git.branch"), ""), dirty,
                date(s.environment().get("date"), file), fp, p.tags(), ms);
    }

    /**
     * A JMH JSON result file from any project ({@code -rf json}). The series key is the benchmark
     * with its parameters, and the mode; the fingerprint is this machine (run {@code history add} on
     * the machine that measured) plus the JDK, JVM flags and JMH settings the file records.
     */
    public static RunRecord jmh(Path file, Provenance p, String fallbackCommit) throws HistoryException {
        byte[] bytes = read(file);
        String text = new String(bytes, StandardCharsets.UTF_8);
        JsonNode root;
        List<JmhResult> results;
        try {
            root = MAPPER.readTree(text);
            if (root == null || !root.isArray()) {
                throw new HistoryException(file + ": not a JMH JSON result (expected a top-level array)");
            }
            for (int i = 0; i < root.size(); i++) {
                JsonNode r = root.get(i);
                if (!r.path("benchmark").isTextual() || !r.path("primaryMetric").path("score").isValueNode()) {
                    throw new HistoryException(file + ": entry " + i + " is not a JMH result (no benchmark or primaryMetric.score)");
                }
            }
            results = JmhJson.parse(text);
        } catch (JsonProcessingException e) {
            throw malformed(file, e);
        } catch (IOException e) {
            throw new HistoryException(file + ": " + e.getMessage().replace("<string>: ", ""));
        }
        List<Measurement> ms = new ArrayList<>();
        for (JmhResult r : results) {
            if (!Double.isFinite(r.primary().score())) {
                continue;
            }
            String params = r.params().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
            List<Double> forkMeans = r.primary().forkMeans();
            List<Double> samples = forkMeans.size() >= 2 || r.primary().iterations().isEmpty() ? forkMeans
                    : r.primary().iterations().getFirst();
            ms.add(new Measurement(params.isEmpty() ? r.benchmark() : r.benchmark() + "{" + params + "}", r.mode(),
                    r.primary().unit(), r.primary().score(), r.primary().error(), samples));
        }
        if (ms.isEmpty()) {
            throw new HistoryException(file + ": no JMH result with a finite score to store");
        }
        JsonNode first = root.get(0);
        Map<String, String> jvm = new LinkedHashMap<>();
        jvm.put("jdk.version", first.path("vmName").asText("") + " " + first.path("vmVersion").asText(""));
        jvm.put("jdk.jvm", first.path("jvm").asText(""));
        List<String> args = new ArrayList<>();
        first.path("jvmArgs").forEach(a -> args.add(a.asText()));
        jvm.put("jvm.flags", String.join(" ", args));
        jvm.put("jmh.version", first.path("jmhVersion").asText(""));
        jvm.put("jmh.settings", first.path("forks").asText("") + " forks, " + first.path("threads").asText("")
                + " threads, " + first.path("warmupIterations").asText("") + " x " + first.path("warmupTime").asText("")
                + " warm-up, " + first.path("measurementIterations").asText("") + " x "
                + first.path("measurementTime").asText("") + " measurement");
        String commit = first(p.commit(), fallbackCommit, "");
        jvm.put("git.commit", commit);
        Fingerprint fp = Fingerprint.ofThisMachine().with(jvm);
        Instant date;
        try {
            date = Files.getLastModifiedTime(file).toInstant();
        } catch (IOException e) {
            date = Instant.now();
        }
        return new RunRecord(file.toString(), sha256(bytes), commit, first(p.branch(), "", ""), "unknown", date, fp,
                p.tags(), ms);
    }

    /**
     * A summary written before fingerprints were recorded: its environment, without the date and
     * commit, stands in (such runs form their own series).
     */
    static Fingerprint legacyFingerprint(Map<String, String> env) {
        Map<String, String> m = new LinkedHashMap<>();
        env.forEach((k, v) -> {
            if (!k.equals("date") && !k.equals("commit")) {
                m.put("env." + k, v);
            }
        });
        return new Fingerprint(m);
    }

    private static Instant date(String iso, Path file) throws HistoryException {
        if (iso == null || iso.isBlank()) {
            try {
                return Files.getLastModifiedTime(file).toInstant();
            } catch (IOException e) {
                return Instant.now();
            }
        }
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException e) {
            throw new HistoryException(file + ": environment.date is not an ISO-8601 instant: " + iso);
        }
    }

    private static byte[] read(Path file) throws HistoryException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new HistoryException(file + ": no such file or directory");
        } catch (IOException e) {
            throw new HistoryException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static HistoryException malformed(Path file, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? file.toString() : file + ":" + at.getLineNr() + ":" + at.getColumnNr();
        String what = e.getOriginalMessage().lines().findFirst().orElse("").replaceAll("\\s*\\(start marker at .*$", "");
        return new HistoryException(where + ": malformed JSON: " + what);
    }

    private static String first(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isBlank()) {
                return c.strip();
            }
        }
        return "";
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
