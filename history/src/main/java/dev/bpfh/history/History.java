package dev.bpfh.history;

import dev.bpfh.reports.Fingerprint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stored figures in measurement order, grouped into series. A series is one workload on one
 * backend in one environment ({@link Fingerprint#id()}): figures from different environments are
 * never in the same series, so nothing compares them.
 */
public final class History {

    /** One figure of one run. */
    public record Point(String runId, String commit, String branch, Instant date, String fingerprintId,
            String workload, String backend, String unit, double value, double error) {
        /** The commit's first 10 hex digits, or "?" when unknown. */
        public String shortCommit() {
            return commit.isEmpty() ? "?" : commit.substring(0, Math.min(10, commit.length()));
        }
    }

    public record SeriesKey(String fingerprintId, String workload, String backend) {}

    /** One series, points in measurement order. */
    public record Series(SeriesKey key, String unit, List<Point> points) {
        public Series {
            points = List.copyOf(points);
        }

        public double[] values() {
            return points.stream().mapToDouble(Point::value).toArray();
        }

        public boolean higherIsBetter() {
            return Measurement.higherIsBetter(unit);
        }
    }

    private final List<Point> points;
    private final Map<String, Fingerprint> fingerprints;

    public History(List<Point> points, Map<String, Fingerprint> fingerprints) {
        this.points = List.copyOf(points);
        this.fingerprints = Map.copyOf(fingerprints);
    }

    public List<Point> points() {
        return points;
    }

    public Fingerprint fingerprint(String id) {
        return fingerprints.getOrDefault(id, Fingerprint.EMPTY);
    }

    /**
     * The series whose workload and backend match ({@code null} matches all), each cut to its
     * newest {@code last} points ({@code 0}: all), in first-seen order.
     */
    public List<Series> series(String workload, String backend, int last) {
        Map<SeriesKey, List<Point>> grouped = new LinkedHashMap<>();
        Map<SeriesKey, String> units = new LinkedHashMap<>();
        for (Point p : points) {
            if ((workload == null || p.workload().equals(workload)) && (backend == null || p.backend().equals(backend))) {
                SeriesKey k = new SeriesKey(p.fingerprintId(), p.workload(), p.backend());
                grouped.computeIfAbsent(k, x -> new ArrayList<>()).add(p);
                units.putIfAbsent(k, p.unit());
            }
        }
        List<Series> out = new ArrayList<>();
        grouped.forEach((k, ps) -> out.add(new Series(k, units.get(k),
                last > 0 && ps.size() > last ? ps.subList(ps.size() - last, ps.size()) : ps)));
        return out;
    }

    /** Fingerprint ids in the order their first run was measured. */
    public List<String> fingerprintIds() {
        return points.stream().map(Point::fingerprintId).distinct().toList();
    }

    /** Run ids in measurement order. */
    public List<String> runIds() {
        return points.stream().map(Point::runId).distinct().toList();
    }
}
