package dev.bpfh.conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The results of one conformance run: one {@link TestResult} per (test, backend), in test order
 * then backend order, plus notes (backends left out, stale manifest entries).
 */
public final class RunReport {

    /** What was run: cpu version, group names, backend names, ISO-8601 date, wall time of the run. */
    public record Header(String cpu, String groups, List<String> backends, String date, long durationNanos) {}

    /** One backend's totals. {@code failed} counts FAIL, ERROR and REJECTED not listed in the manifest. */
    public record Summary(String backend, int passed, int failed, int skipped, int rejected, int rejectedAsListed,
            int unavailable) {}

    /** At most this many tests: every row of the matrix is printed; above it, rows passing everywhere are summarized. */
    static final int FULL_MATRIX_LIMIT = 60;

    private final Header header;
    private final List<String> tests;
    private final List<TestResult> results;
    private final List<String> notes;
    private final boolean requireAvailable;

    RunReport(Header header, List<String> tests, List<TestResult> results, List<String> notes, boolean requireAvailable) {
        this.header = header;
        this.tests = List.copyOf(tests);
        this.results = List.copyOf(results);
        List<String> all = new ArrayList<>(notes);
        for (TestResult r : results) {
            if (r.unexpectedPass()) {
                all.add(r.test() + " [" + r.backend() + "]: unexpected pass; remove from manifest (listed as "
                        + r.listedAs() + ")");
            } else if (r.listedAs() != null && !r.asListed() && r.status() != Status.UNAVAILABLE) {
                all.add(r.test() + " [" + r.backend() + "]: listed as " + r.listedAs() + " but was " + r.status());
            }
        }
        this.notes = List.copyOf(all);
        this.requireAvailable = requireAvailable;
    }

    public Header header() {
        return header;
    }

    /** Test ids in run order. */
    public List<String> tests() {
        return tests;
    }

    public List<TestResult> results() {
        return results;
    }

    public List<String> notes() {
        return notes;
    }

    public List<Summary> summaries() {
        List<Summary> out = new ArrayList<>();
        for (String b : header.backends()) {
            int pass = 0, fail = 0, skip = 0, rej = 0, rejListed = 0, unav = 0;
            for (TestResult r : results) {
                if (!r.backend().equals(b)) {
                    continue;
                }
                switch (r.status()) {
                    case PASS -> pass++;
                    case FAIL, ERROR -> fail++;
                    case REJECTED -> {
                        rej++;
                        if (r.asListed()) {
                            rejListed++;
                        } else {
                            fail++;
                        }
                    }
                    case SKIPPED -> skip++;
                    case UNAVAILABLE -> unav++;
                }
            }
            out.add(new Summary(b, pass, fail, skip, rej, rejListed, unav));
        }
        return out;
    }

    /**
     * 0 when no pair failed and nothing was rejected or skipped outside the manifest (and, if the run
     * requires it, no backend was unavailable); 1 otherwise.
     */
    public int exitCode() {
        for (TestResult r : results) {
            if (r.gatesRun() || (requireAvailable && r.status() == Status.UNAVAILABLE)) {
                return 1;
            }
        }
        return 0;
    }

    /**
     * The test × backend matrix (rows with a failure first, then other non-passing rows, then passing
     * rows — listed for small runs, counted for large ones), the reason of every non-passing cell,
     * notes, and two summary lines per backend.
     */
    public void printMatrix(PrintStream out) {
        List<String> backends = header.backends();
        Map<String, List<TestResult>> byTest = new LinkedHashMap<>();
        for (String t : tests) {
            byTest.put(t, new ArrayList<>());
        }
        for (TestResult r : results) {
            byTest.get(r.test()).add(r);
        }
        List<String> failing = new ArrayList<>(), other = new ArrayList<>(), passing = new ArrayList<>();
        for (var e : byTest.entrySet()) {
            List<TestResult> row = e.getValue();
            if (row.stream().anyMatch(TestResult::gatesRun)) {
                failing.add(e.getKey());
            } else if (row.stream().allMatch(r -> r.status() == Status.PASS)) {
                passing.add(e.getKey());
            } else {
                other.add(e.getKey());
            }
        }
        int width = Math.max(4, tests.stream().mapToInt(String::length).max().orElse(4));
        int[] col = backends.stream().mapToInt(b -> Math.max(11, b.length())).toArray();
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", "test"));
        for (int b = 0; b < backends.size(); b++) {
            head.append("  ").append(String.format(Locale.ROOT, "%-" + col[b] + "s", backends.get(b)));
        }
        out.println(head.toString().stripTrailing());
        boolean full = tests.size() <= FULL_MATRIX_LIMIT;
        List<String> rows = new ArrayList<>(failing);
        rows.addAll(other);
        if (full) {
            rows.addAll(passing);
        }
        for (String t : rows) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", t));
            List<TestResult> row = byTest.get(t);
            for (int b = 0; b < row.size(); b++) {
                line.append("  ").append(String.format(Locale.ROOT, "%-" + col[b] + "s", cell(row.get(b))));
            }
            out.println(line.toString().stripTrailing());
        }
        if (!full && !passing.isEmpty()) {
            out.println("(" + passing.size() + " more tests passed on every backend)");
        }
        out.println("(UPPER CASE = counts against the run; lower case = as listed in the manifest)");
        List<TestResult> reasons = results.stream()
                .filter(r -> r.status() != Status.PASS && r.status() != Status.UNAVAILABLE)
                .toList();
        if (!reasons.isEmpty()) {
            out.println();
            for (TestResult r : reasons) {
                out.println(r.test() + " [" + r.backend() + "] " + r.status() + ": " + r.message()
                        + (r.asListed() && !r.listedReason().isEmpty() ? " (manifest: " + r.listedReason() + ")" : ""));
            }
        }
        List<TestResult> uncompared = results.stream().filter(TestResult::passedWithoutComparingMessages).toList();
        if (!uncompared.isEmpty()) {
            out.println();
            out.println("passed by failing as required; the messages were not compared (--exact-messages compares them):");
            for (TestResult r : uncompared) {
                out.println(r.test() + " [" + r.backend() + "] expected " + r.expected() + " | got " + r.actual());
            }
        }
        results.stream()
                .filter(r -> r.status() == Status.UNAVAILABLE)
                .map(r -> r.backend() + " unavailable: " + r.message())
                .distinct()
                .forEach(out::println);
        if (!notes.isEmpty()) {
            out.println();
            notes.forEach(n -> out.println("note: " + n));
        }
        out.println();
        for (Summary s : summaries()) {
            out.printf(Locale.ROOT, "%s: %d passed, %d failed, %d skipped%n", s.backend(), s.passed(), s.failed(), s.skipped());
            out.printf(Locale.ROOT, "  %d rejected (%d as listed in the manifest), %d unavailable%n",
                    s.rejected(), s.rejectedAsListed(), s.unavailable());
        }
    }

    private static String cell(TestResult r) {
        return switch (r.status()) {
            case PASS -> r.unexpectedPass() ? "pass!" : "pass";
            case FAIL -> "FAIL";
            case ERROR -> "ERROR";
            case REJECTED -> r.asListed() ? "rejected" : "REJECTED";
            case SKIPPED -> r.asListed() ? "skipped" : "SKIPPED";
            case UNAVAILABLE -> "unavailable";
        };
    }

    /** JSON: {@code {"header": {...}, "summary": [...], "results": [{test, backend, status, ...}], "notes": [...]}}. */
    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("header", header);
        doc.put("summary", summaries());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (TestResult r : results) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("test", r.test());
            row.put("backend", r.backend());
            row.put("status", r.status().name());
            row.put("expected", r.expected());
            row.put("actual", r.actual());
            row.put("message", r.message());
            row.put("duration", r.durationNanos());
            row.put("listedAs", r.listedAs() == null ? null : r.listedAs().name());
            row.put("listedReason", r.listedReason());
            row.put("description", r.description());
            rows.add(row);
        }
        doc.put("results", rows);
        doc.put("notes", notes);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
    }

    /**
     * One {@code TEST-bpfh-<backend>.xml} per backend in {@code dir} (characters other than letters,
     * digits, '.', '_' and '-' in the backend name become '_'): a testcase per test; FAIL and
     * unlisted REJECTED are {@code <failure>}, ERROR is {@code <error>}, SKIPPED, UNAVAILABLE and
     * listed REJECTED are {@code <skipped>} with the reason. {@code <system-out>} holds the test's
     * description and, for a pass whose failure text was not compared, the expected and actual texts.
     */
    public void writeJunitXml(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String backend : header.backends()) {
            List<TestResult> rows = results.stream().filter(r -> r.backend().equals(backend)).toList();
            Path file = dir.resolve("TEST-bpfh-" + backend.replaceAll("[^A-Za-z0-9._-]", "_") + ".xml");
            try (OutputStream os = Files.newOutputStream(file)) {
                writeSuite(os, backend, rows);
            } catch (XMLStreamException e) {
                throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
            }
        }
    }

    private void writeSuite(OutputStream os, String backend, List<TestResult> rows) throws XMLStreamException {
        XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(os, "UTF-8");
        String suite = "bpfh." + backend;
        long failures = rows.stream().filter(r -> r.status() == Status.FAIL || (r.status() == Status.REJECTED && !r.asListed())).count();
        long errors = rows.stream().filter(r -> r.status() == Status.ERROR).count();
        long skipped = rows.stream().filter(r -> r.status() == Status.SKIPPED || r.status() == Status.UNAVAILABLE
                || (r.status() == Status.REJECTED && r.asListed())).count();
        long nanos = rows.stream().mapToLong(TestResult::durationNanos).sum();
        w.writeStartDocument("UTF-8", "1.0");
        w.writeCharacters("\n");
        w.writeStartElement("testsuite");
        w.writeAttribute("name", suite);
        w.writeAttribute("tests", Integer.toString(rows.size()));
        w.writeAttribute("failures", Long.toString(failures));
        w.writeAttribute("errors", Long.toString(errors));
        w.writeAttribute("skipped", Long.toString(skipped));
        w.writeAttribute("time", seconds(nanos));
        w.writeAttribute("timestamp", header.date());
        w.writeCharacters("\n");
        for (TestResult r : rows) {
            w.writeCharacters("  ");
            w.writeStartElement("testcase");
            w.writeAttribute("name", r.test());
            w.writeAttribute("classname", suite);
            w.writeAttribute("time", seconds(r.durationNanos()));
            String detail = "expected: " + r.expected() + "\nactual: " + r.actual() + "\n" + r.message();
            switch (r.status()) {
                case PASS -> {}
                case FAIL -> element(w, "failure", "FAIL", r.message(), detail);
                case ERROR -> element(w, "error", "ERROR", r.message(), detail);
                case REJECTED -> {
                    if (r.asListed()) {
                        element(w, "skipped", null, "rejected as listed: " + r.message(), null);
                    } else {
                        element(w, "failure", "REJECTED", "rejected: " + r.message(), detail);
                    }
                }
                case SKIPPED -> element(w, "skipped", null, r.message(), null);
                case UNAVAILABLE -> element(w, "skipped", null, "backend unavailable: " + r.message(), null);
            }
            // What a reader of a CI page wants next to the verdict: the test's own description, and
            // for a pass whose failure text was not compared, the two texts.
            String out = (r.description().isEmpty() ? "" : "description: " + r.description() + "\n")
                    + (r.passedWithoutComparingMessages() ? detail : "");
            if (!out.isEmpty()) {
                w.writeStartElement("system-out");
                w.writeCharacters(xmlSafe(out));
                w.writeEndElement();
            }
            w.writeEndElement();
            w.writeCharacters("\n");
        }
        w.writeEndElement();
        w.writeCharacters("\n");
        w.writeEndDocument();
        w.close();
    }

    private static void element(XMLStreamWriter w, String name, String type, String message, String body)
            throws XMLStreamException {
        w.writeStartElement(name);
        w.writeAttribute("message", xmlSafe(message));
        if (type != null) {
            w.writeAttribute("type", type);
        }
        if (body != null) {
            w.writeCharacters(xmlSafe(body));
        }
        w.writeEndElement();
    }

    /** XML 1.0 cannot hold most control characters, even escaped; a plugin's output might contain them. */
    private static String xmlSafe(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 && c != '\n' && c != '\t' && c != '\r' ? '?' : c);
        }
        return sb.toString();
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.6f", nanos / 1e9);
    }
}
