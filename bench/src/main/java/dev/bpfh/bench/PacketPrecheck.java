package dev.bpfh.bench;

import dev.bpfh.load.LoadedObject;
import dev.bpfh.load.ObjectSetupException;
import dev.bpfh.run.TraceRunner;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Before JMH times a packet workload: its whole trace runs once on every backend in lock step, and
 * the backends must agree on every packet and on the maps after ({@link TraceRunner}), so no
 * number is ever reported for an engine that computes something else. A backend that does not
 * support the program (it says so when loading it, e.g. uBPF and an XDP program) is left out of
 * the comparison and of the measurement, with its reason.
 */
final class PacketPrecheck {
    private PacketPrecheck() {}

    /**
     * @param failures one line each, naming workload and backend; empty when all agree
     * @param leftOut the backends that do not support the workload, with their reasons
     */
    record Result(List<String> failures, Map<String, String> leftOut) {}

    static Result check(String nameOrSpec, List<String> backendNames) {
        PacketWorkload w;
        try {
            w = PacketWorkload.load(nameOrSpec);
        } catch (IOException e) {
            return new Result(List.of(PacketWorkload.displayName(nameOrSpec) + " on " + String.join(",", backendNames)
                    + ": " + e.getMessage()), Map.of());
        }
        List<Backend> backends = new ArrayList<>();
        Map<String, String> leftOut = new LinkedHashMap<>();
        try {
            for (String name : backendNames) {
                Backend b = Prepared.backend(name);
                String unsupported = unsupported(w, b);
                if (unsupported == null) {
                    backends.add(b);
                } else {
                    leftOut.put(name, unsupported);
                    b.close();
                }
            }
            List<String> compared = backends.stream().map(Backend::name).toList();
            if (compared.isEmpty()) {
                return new Result(List.of(), leftOut);
            }
            TraceRunner.Report r = TraceRunner.run(w.source(), backends, LoadOptions.DEFAULTS, w.packets().iterator(),
                    (n, t) -> {});
            List<String> failures = new ArrayList<>();
            r.backends().stream().filter(b -> b.loadFailure() != null)
                    .forEach(b -> failures.add(w.name() + " on " + b.name() + ": " + b.loadFailure()));
            if (r.firstDisagreement() != null) {
                var d = r.firstDisagreement();
                StringBuilder sb = new StringBuilder(w.name() + " on " + String.join(",", compared)
                        + ": backends disagree on " + r.disagreeingPackets() + " packets, first packet " + d.index() + ":");
                d.outcomes().forEach((b, o) -> sb.append(' ').append(b).append(' ').append(o.describe(w.source().type())).append(';'));
                failures.add(sb.toString());
            }
            if (r.mapDisagreement() != null) {
                failures.add(w.name() + " on " + String.join(",", compared) + ": maps differ after the trace: " + r.mapDisagreement());
            }
            if (!r.skipped().isEmpty()) {
                failures.add(w.name() + ": packets test_run would refuse: " + r.skipped());
            }
            return new Result(failures, leftOut);
        } finally {
            backends.forEach(Backend::close);
        }
    }

    /**
     * The backend's reason when it does not support the workload's program, else null. Asked by
     * loading the program once (the backends have no other way to say it); any other refusal is
     * left for the trace run to report as a failure.
     */
    private static String unsupported(PacketWorkload w, Backend b) {
        try (LoadedObject loaded = w.source().load(b, LoadOptions.DEFAULTS)) {
            return null;
        } catch (LoadRejected e) {
            return e.unsupported() ? e.getMessage() : null;
        } catch (ObjectSetupException e) {
            return null;
        }
    }
}
