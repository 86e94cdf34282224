package dev.bpfh.conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bpfh.conformance.BackendDiff.Observation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The result of a {@link BackendDiff}: one row per program, with each backend's observation and the disagreements. */
public final class DiffReport {

    /** One program: what each backend did, in backend order, and every pairwise disagreement. */
    public record Row(String program, List<Observation> observations, List<String> disagreements) {
        public Row {
            observations = List.copyOf(observations);
            disagreements = List.copyOf(disagreements);
        }

        public boolean hasError() {
            return observations.stream().anyMatch(o -> o instanceof Observation.Failed);
        }
    }

    private final List<String> backends;
    private final String date;
    private final List<Row> rows;
    private final List<String> notes;

    DiffReport(List<String> backends, String date, List<Row> rows, List<String> notes) {
        this.backends = List.copyOf(backends);
        this.date = date;
        this.rows = List.copyOf(rows);
        this.notes = List.copyOf(notes);
    }

    public List<String> backends() {
        return backends;
    }

    public List<Row> rows() {
        return rows;
    }

    public List<String> notes() {
        return notes;
    }

    public long disagreements() {
        return rows.stream().filter(r -> !r.disagreements().isEmpty()).count();
    }

    public long errors() {
        return rows.stream().filter(Row::hasError).count();
    }

    /** 0 when every backend agreed on every program and nothing crashed or failed to parse; 1 otherwise. */
    public int exitCode() {
        return disagreements() == 0 && errors() == 0 ? 0 : 1;
    }

    /**
     * A table of the programs with a disagreement or error (every program when there are at most
     * {@value RunReport#FULL_MATRIX_LIMIT}), the disagreements spelled out, and a summary line.
     */
    public void printTable(PrintStream out) {
        boolean full = rows.size() <= RunReport.FULL_MATRIX_LIMIT;
        List<Row> shown = rows.stream().filter(r -> full || !r.disagreements().isEmpty() || r.hasError()).toList();
        int width = Math.max(7, rows.stream().mapToInt(r -> r.program().length()).max().orElse(7));
        int col = Math.max(20, backends.stream().mapToInt(String::length).max().orElse(0));
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s  %-5s", "program", "diff"));
        backends.forEach(b -> head.append("  ").append(String.format(Locale.ROOT, "%-" + col + "s", b)));
        out.println(head.toString().stripTrailing());
        for (Row r : shown) {
            String mark = r.hasError() ? "ERROR" : r.disagreements().isEmpty() ? "same" : "DIFF";
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s  %-5s", r.program(), mark));
            r.observations().forEach(o -> line.append("  ").append(String.format(Locale.ROOT, "%-" + col + "s", cell(o))));
            out.println(line.toString().stripTrailing());
        }
        if (shown.size() < rows.size()) {
            out.println("(" + (rows.size() - shown.size()) + " more programs without disagreement or error)");
        }
        for (Row r : rows) {
            r.disagreements().forEach(d -> out.println(r.program() + ": " + d));
            r.observations().stream()
                    .filter(o -> o instanceof Observation.Failed)
                    .map(o -> r.program() + " [" + o.backend() + "]: " + ((Observation.Failed) o).message())
                    .distinct()
                    .forEach(out::println);
        }
        notes.forEach(n -> out.println("note: " + n));
        out.printf(Locale.ROOT, "%d programs on %d backends: %d with disagreements, %d with errors%n",
                rows.size(), backends.size(), disagreements(), errors());
    }

    private static String cell(Observation o) {
        return switch (o) {
            case Observation.Returned r -> Judge.hex(r.r0());
            case Observation.Trapped t -> t.kind() + (t.pc() >= 0 ? "@" + t.pc() : "");
            case Observation.NotRun n -> n.why().startsWith("rejected") ? "rejected"
                    : n.why().startsWith("unsupported") ? "unsupported" : "unavailable";
            case Observation.Failed f -> "error";
        };
    }

    /** JSON: {@code {"header": {backends, date}, "programs": [{program, agree, outcomes: [...], disagreements: [...]}], "notes": [...]}}. */
    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("header", Map.of("backends", backends, "date", date));
        List<Map<String, Object>> programs = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("program", r.program());
            p.put("agree", r.disagreements().isEmpty() && !r.hasError());
            List<Map<String, Object>> outcomes = new ArrayList<>();
            for (Observation o : r.observations()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("backend", o.backend());
                switch (o) {
                    case Observation.Returned ret -> {
                        m.put("outcome", "returned");
                        m.put("r0", Judge.hex(ret.r0()));
                        m.put("memory", ret.memoryKnown() ? java.util.HexFormat.of().formatHex(ret.memory()) : null);
                        if (!ret.maps().isEmpty()) {
                            m.put("maps", ret.maps());
                        }
                    }
                    case Observation.Trapped t -> {
                        m.put("outcome", "trapped");
                        m.put("trap", t.kind().name());
                        m.put("pc", t.pc());
                        m.put("message", t.message());
                    }
                    case Observation.NotRun n -> {
                        m.put("outcome", "not run");
                        m.put("message", n.why());
                    }
                    case Observation.Failed f -> {
                        m.put("outcome", "error");
                        m.put("message", f.message());
                    }
                }
                outcomes.add(m);
            }
            p.put("outcomes", outcomes);
            p.put("disagreements", r.disagreements());
            programs.add(p);
        }
        doc.put("programs", programs);
        doc.put("notes", notes);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
    }
}
