package dev.bpfh.conformance;

import dev.bpfh.data.DataFile;
import dev.bpfh.data.MapLine;
import dev.bpfh.load.LoadedObject;
import dev.bpfh.maps.Errno;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Map contents around a run, the same way for every backend: {@code -- map-init} written through
 * {@link MapView} before the run, a canonical snapshot after it, and the comparison of a snapshot
 * with {@code -- map-expect}/{@code -- ringbuf-expect} or with another backend's snapshot.
 *
 * <p>A snapshot maps each map name to lines of text: {@code "KEY : VALUE"} in hex for hash maps
 * (sorted: their order is the kernel's random bucket order), every index for arrays, one hex line
 * per submitted record for ring buffers. PROG_ARRAY contents are programs and are not compared.
 */
public final class MapContents {
    private MapContents() {}

    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    /**
     * Writes the test's {@code -- map-init} sections (after an object's own initial data and
     * PROG_ARRAY slots, so a test may override them); {@code self} is the entry program. A failed
     * write is the returned message.
     */
    public static Optional<String> initialise(DataFile data, LoadedObject loaded) {
        Executable exe = loaded.entry();
        for (var e : data.mapInit().entrySet()) {
            Optional<MapView> view = loaded.map(e.getKey());
            if (view.isEmpty()) {
                return Optional.of("the backend has no map '" + e.getKey() + "'");
            }
            for (MapLine l : e.getValue()) {
                byte[] key = l.key();
                int rc = l.self()
                        ? view.get().setProgram(index(key), exe)
                        : view.get().update(key, l.value(), 0);
                if (rc != 0) {
                    return Optional.of(data.displayName() + ":" + l.line() + ": map-init of '" + e.getKey() + "' failed: "
                            + Errno.name(rc) + " (" + l + ")");
                }
            }
        }
        return Optional.empty();
    }

    /** The canonical contents of every map after a run (ring buffers are drained). */
    public static Map<String, List<String>> snapshot(List<MapView> maps) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (MapView v : maps) {
            MapSpec spec = v.spec();
            switch (spec.type()) {
                case PROG_ARRAY -> {}
                case RINGBUF -> out.put(spec.name(), v.drainRecords().stream().map(MapContents::hex).toList());
                default -> {
                    List<String> lines = new ArrayList<>(v.entries().stream().map(MapView.Entry::toString).toList());
                    if (spec.type().isHash()) {
                        lines.sort(null);
                    }
                    out.put(spec.name(), lines);
                }
            }
        }
        return out;
    }

    /**
     * How the snapshot differs from the test's expectations, or empty. HASH-like maps must hold
     * exactly the listed set; arrays the listed values at the listed keys and zeros elsewhere; ring
     * buffers exactly the listed records in order.
     */
    static Optional<String> checkExpected(DataFile data, Map<String, List<String>> snapshot) {
        for (var e : data.mapExpect().entrySet()) {
            MapSpec spec = data.program().maps().get(data.program().mapIndex(e.getKey()));
            List<String> got = snapshot.getOrDefault(e.getKey(), List.of());
            List<String> want = expectedLines(spec, e.getValue());
            Optional<String> d = firstDifference(e.getKey(), want, got, spec.type().isHash(), "expected", "actual");
            if (d.isPresent()) {
                return Optional.of("map " + d.get());
            }
        }
        for (var e : data.ringbufExpect().entrySet()) {
            List<String> want = e.getValue().stream().map(MapContents::hex).toList();
            Optional<String> d = firstDifference(e.getKey(), want, snapshot.getOrDefault(e.getKey(), List.of()), false,
                    "expected", "actual");
            if (d.isPresent()) {
                return Optional.of("ring buffer " + d.get());
            }
        }
        return Optional.empty();
    }

    /** The disagreement between two backends' snapshots, naming both, or empty. */
    public static Optional<String> compare(String a, Map<String, List<String>> sa, String b, Map<String, List<String>> sb) {
        for (var e : sa.entrySet()) {
            List<String> other = sb.get(e.getKey());
            if (other == null) {
                continue; // a backend without the map (a plugin) has nothing to compare
            }
            Optional<String> d = firstDifference(e.getKey(), e.getValue(), other, false, a, b);
            if (d.isPresent()) {
                return Optional.of("map " + d.get());
            }
        }
        return Optional.empty();
    }

    /** The expected lines in snapshot form: arrays list every index, unlisted ones zero. */
    private static List<String> expectedLines(MapSpec spec, List<MapLine> lines) {
        if (spec.type().isHash()) {
            List<String> out = new ArrayList<>(lines.stream().map(MapLine::toString).toList());
            out.sort(null);
            return out;
        }
        String zero = hex(new byte[spec.valueSize()]);
        String[] values = new String[spec.maxEntries()];
        Arrays.fill(values, zero);
        for (MapLine l : lines) {
            int i = index(l.key());
            if (Integer.compareUnsigned(i, values.length) < 0) {
                values[i] = hex(l.value());
            }
        }
        List<String> out = new ArrayList<>(values.length);
        for (int i = 0; i < values.length; i++) {
            out.add(hex(new byte[] {(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24)}) + " : " + values[i]);
        }
        return out;
    }

    /** "NAME: first difference ..." between two line lists, or empty when equal. */
    private static Optional<String> firstDifference(String map, List<String> a, List<String> b, boolean asSets,
            String aName, String bName) {
        if (a.equals(b)) {
            return Optional.empty();
        }
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String x = i < a.size() ? a.get(i) : "(nothing)";
            String y = i < b.size() ? b.get(i) : "(nothing)";
            if (!x.equals(y)) {
                String what = asSets ? "entry " + i + " in key order" : "entry " + i;
                return Optional.of("'" + map + "' differs at " + what + ": " + aName + " [" + x + "], " + bName
                        + " [" + y + "] (" + a.size() + " vs " + b.size() + " entries)");
            }
        }
        return Optional.of("'" + map + "' differs");
    }

    static int index(byte[] key) {
        return key.length < 4 ? -1
                : (key[0] & 0xff) | (key[1] & 0xff) << 8 | (key[2] & 0xff) << 16 | (key[3] & 0xff) << 24;
    }

    private static String hex(byte[] b) {
        return HEX.formatHex(b);
    }
}
