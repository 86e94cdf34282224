package dev.bpfh.run;

import dev.bpfh.conformance.MapContents;
import dev.bpfh.ctx.PacketContext;
import dev.bpfh.load.LoadedObject;
import dev.bpfh.load.ObjectSetupException;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapType;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.RunInput;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one program over a sequence of packets on several backends in lock step, as on a real
 * interface: each backend keeps its maps across packets, ring buffers are drained after every
 * packet, and every packet's outcome is compared across backends as it happens. Only the
 * histograms, the first disagreement and the last outcomes are kept, so a long trace needs no
 * memory per packet.
 */
public final class TraceRunner {

    /** Told about progress after each packet; called on the running thread. */
    public interface Listener {
        void progress(int packetsDone, long elapsedNanos);
    }

    /** One backend's share of the run. {@code loadFailure} is null when it loaded. */
    public record BackendResult(String name, String loadFailure, Map<String, Long> verdicts, long runNanos, int packets,
            Map<String, List<String>> mapsAfter, PacketOutcome lastOutcome) {

        /** Packets per second of run time (the runs alone, without reading the trace or comparing). */
        public double packetsPerSecond() {
            return runNanos == 0 ? 0 : packets * 1e9 / runNanos;
        }
    }

    /** The first packet on which backends did different things: its index and bytes and each outcome. */
    public record Disagreement(int index, byte[] packet, Map<String, PacketOutcome> outcomes) {}

    /**
     * @param skipped inputs test_run would refuse (too short, too long for a linear XDP buffer), by reason; not run
     * @param disagreeingPackets how many packets had outcomes that differ between backends
     * @param mapDisagreement how the maps after the last packet differ between backends, or null
     * @param loadDisagreement when some backends loaded the program and others refused it, or null
     */
    public record Report(ProgramSource source, List<BackendResult> backends, int packets, Map<String, Long> skipped,
            Disagreement firstDisagreement, int disagreeingPackets, String mapDisagreement, String loadDisagreement,
            long wallNanos) {

        public boolean agree() {
            return disagreeingPackets == 0 && mapDisagreement == null && loadDisagreement == null;
        }
    }

    private TraceRunner() {}

    public static Report run(ProgramSource source, List<Backend> backends, LoadOptions options,
            Iterator<RunInput> inputs, Listener listener) {
        long start = System.nanoTime();
        List<Running> running = new ArrayList<>();
        for (Backend b : backends) {
            running.add(Running.load(b, source, options));
        }
        try {
            List<Running> loaded = running.stream().filter(r -> r.loaded != null).toList();
            Map<String, Long> skipped = new LinkedHashMap<>();
            Disagreement first = null;
            int disagreeing = 0;
            int index = 0;
            while (inputs.hasNext()) {
                RunInput input = inputs.next();
                int at = index++;
                Optional<String> bad = PacketContext.checkInput(source.type(), input);
                if (bad.isPresent()) {
                    skipped.merge(bad.get(), 1L, Long::sum);
                    continue;
                }
                Map<String, PacketOutcome> outcomes = new LinkedHashMap<>();
                for (Running r : loaded) {
                    outcomes.put(r.name, r.run(input, source));
                }
                if (!allSame(outcomes)) {
                    disagreeing++;
                    if (first == null) {
                        first = new Disagreement(at, input.data().clone(), outcomes);
                    }
                }
                listener.progress(index, System.nanoTime() - start);
            }
            List<BackendResult> results = running.stream().map(Running::result).toList();
            return new Report(source, results, index, skipped, first, disagreeing, mapDisagreement(results),
                    loadDisagreement(results), System.nanoTime() - start);
        } finally {
            running.forEach(Running::close);
        }
    }

    private static boolean allSame(Map<String, PacketOutcome> outcomes) {
        PacketOutcome first = null;
        for (PacketOutcome o : outcomes.values()) {
            if (first == null) {
                first = o;
            } else if (!first.sameAs(o)) {
                return false;
            }
        }
        return true;
    }

    private static String mapDisagreement(List<BackendResult> results) {
        BackendResult base = null;
        for (BackendResult r : results) {
            if (r.loadFailure() != null) {
                continue;
            }
            if (base == null) {
                base = r;
                continue;
            }
            Optional<String> d = MapContents.compare(base.name(), base.mapsAfter(), r.name(), r.mapsAfter());
            if (d.isPresent()) {
                return d.get();
            }
        }
        return null;
    }

    private static String loadDisagreement(List<BackendResult> results) {
        List<String> ok = results.stream().filter(r -> r.loadFailure() == null).map(BackendResult::name).toList();
        List<BackendResult> failed = results.stream().filter(r -> r.loadFailure() != null).toList();
        if (ok.isEmpty() || failed.isEmpty()) {
            return null;
        }
        return String.join(", ", ok) + " loaded the program; " + failed.stream()
                .map(f -> f.name() + " " + f.loadFailure()).reduce((a, b) -> a + "; " + b).orElseThrow();
    }

    /** One backend during the run. */
    private static final class Running {
        final String name;
        final LoadedObject loaded;
        final String loadFailure;
        final Map<String, Long> verdicts = new LinkedHashMap<>();
        final List<MapView> rings = new ArrayList<>();
        long nanos;
        int packets;
        PacketOutcome last;

        private Running(String name, LoadedObject loaded, String loadFailure) {
            this.name = name;
            this.loaded = loaded;
            this.loadFailure = loadFailure;
            if (loaded != null) {
                loaded.maps().stream().filter(m -> m.spec().type() == MapType.RINGBUF).forEach(rings::add);
            }
        }

        static Running load(Backend b, ProgramSource source, LoadOptions options) {
            try {
                return new Running(b.name(), source.load(b, options), null);
            } catch (LoadRejected e) {
                return new Running(b.name(), null, "refused it: " + e.getMessage());
            } catch (ObjectSetupException e) {
                return new Running(b.name(), null, "could not set its maps up: " + e.getMessage());
            }
        }

        PacketOutcome run(RunInput input, ProgramSource source) {
            RunInput copy = input.copy(); // engines run in place; every backend gets the same bytes
            long t0 = System.nanoTime();
            Outcome o = loaded.run(copy);
            nanos += System.nanoTime() - t0;
            packets++;
            Map<String, List<byte[]>> records = new LinkedHashMap<>();
            for (MapView ring : rings) {
                records.put(ring.spec().name(), ring.drainRecords());
            }
            last = new PacketOutcome(o, records);
            verdicts.merge(last.verdict(source.type()), 1L, Long::sum);
            return last;
        }

        BackendResult result() {
            Map<String, List<String>> maps = loaded == null ? Map.of() : MapContents.snapshot(loaded.maps());
            return new BackendResult(name, loadFailure, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(verdicts)), nanos, packets, maps, last);
        }

        void close() {
            if (loaded != null) {
                loaded.close();
            }
        }
    }
}
