package dev.bpfh.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Change points of every series and the trend gate: a change point counts against the gate when it
 * is measured after the {@code --since} run and moves the series the bad way by more than the
 * threshold (slower for times, fewer operations for throughputs).
 */
public final class Detection {
    private Detection() {}

    /**
     * One change point of one series.
     *
     * @param point the first run of the new level
     * @param index its position in the series
     * @param regression the change is the bad way by more than the threshold
     * @param gated it is a regression measured after {@code --since}: it fails the gate
     */
    public record Finding(History.Series series, History.Point point, int index, double meanBefore, double meanAfter,
            double pValue, boolean regression, boolean gated) {
        public double change() {
            return meanAfter / meanBefore - 1;
        }
    }

    /**
     * The change points of {@code series}; {@code since} (may be null) is the date after which a
     * regression fails the gate, null meaning every regression does.
     */
    public static List<Finding> detect(List<History.Series> series, EDivisive detector, double threshold, Instant since) {
        List<Finding> out = new ArrayList<>();
        for (History.Series s : series) {
            for (EDivisive.ChangePoint cp : detector.detect(s.values())) {
                double change = cp.change();
                boolean regression = s.higherIsBetter() ? change < -threshold : change > threshold;
                History.Point p = s.points().get(cp.index());
                boolean gated = regression && (since == null || p.date().isAfter(since));
                out.add(new Finding(s, p, cp.index(), cp.meanBefore(), cp.meanAfter(), cp.pValue(), regression, gated));
            }
        }
        return out;
    }

    /** The measurement date of the first stored run of a commit starting with {@code rev}. */
    public static Instant sinceDate(History h, String rev) throws HistoryException {
        String r = rev.strip().toLowerCase(java.util.Locale.ROOT);
        if (r.isEmpty()) {
            throw new HistoryException("--since: empty revision");
        }
        return h.points().stream().filter(p -> p.commit().toLowerCase(java.util.Locale.ROOT).startsWith(r))
                .map(History.Point::date).min(Instant::compareTo)
                .orElseThrow(() -> new HistoryException("--since " + rev + ": no stored run of a commit starting with "
                        + rev + " (see 'bpfh history show')"));
    }

    /**
     * {@code {"threshold":0.05,"since":"...","changePoints":[{"fingerprint","workload","backend","unit",
     * "commit","date","index","meanBefore","meanAfter","changePercent","pValue","regression","gated"}]}},
     * written to a temporary file and renamed, so a reader never sees half of it.
     */
    public static void writeJson(List<Finding> findings, double threshold, String since, Path file) throws IOException {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode().put("threshold", threshold);
        if (since != null) {
            root.put("since", since);
        }
        ArrayNode cps = root.putArray("changePoints");
        for (Finding f : findings) {
            cps.addObject().put("fingerprint", f.series().key().fingerprintId()).put("workload", f.series().key().workload())
                    .put("backend", f.series().key().backend()).put("unit", f.series().unit())
                    .put("commit", f.point().commit()).put("date", f.point().date().toString()).put("index", f.index())
                    .put("meanBefore", f.meanBefore()).put("meanAfter", f.meanAfter())
                    .put("changePercent", 100 * f.change()).put("pValue", f.pValue())
                    .put("regression", f.regression()).put("gated", f.gated());
        }
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, m.writeValueAsString(root) + "\n");
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
