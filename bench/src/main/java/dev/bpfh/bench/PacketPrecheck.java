package dev.bpfh.bench;

import dev.bpfh.run.TraceRunner;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.LoadOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Before JMH times a packet workload: its whole trace runs once on every backend in lock step, and
 * the backends must agree on every packet and on the maps after ({@link TraceRunner}), so no
 * number is ever reported for an engine that computes something else.
 */
final class PacketPrecheck {
    private PacketPrecheck() {}

    /** The failures, one line each, naming workload and backend; empty when all agree. */
    static List<String> check(String nameOrSpec, List<String> backendNames) {
        PacketWorkload w;
        try {
            w = PacketWorkload.load(nameOrSpec);
        } catch (IOException e) {
            return List.of(PacketWorkload.displayName(nameOrSpec) + " on " + String.join(",", backendNames) + ": " + e.getMessage());
        }
        List<Backend> backends = new ArrayList<>();
        try {
            for (String b : backendNames) {
                backends.add(Prepared.backend(b));
            }
            TraceRunner.Report r = TraceRunner.run(w.source(), backends, LoadOptions.DEFAULTS, w.packets().iterator(),
                    (n, t) -> {});
            List<String> failures = new ArrayList<>();
            r.backends().stream().filter(b -> b.loadFailure() != null)
                    .forEach(b -> failures.add(w.name() + " on " + b.name() + ": " + b.loadFailure()));
            if (r.firstDisagreement() != null) {
                var d = r.firstDisagreement();
                StringBuilder sb = new StringBuilder(w.name() + " on " + String.join(",", backendNames)
                        + ": backends disagree on " + r.disagreeingPackets() + " packets, first packet " + d.index() + ":");
                d.outcomes().forEach((b, o) -> sb.append(' ').append(b).append(' ').append(o.describe(w.source().type())).append(';'));
                failures.add(sb.toString());
            }
            if (r.mapDisagreement() != null) {
                failures.add(w.name() + " on " + String.join(",", backendNames) + ": maps differ after the trace: " + r.mapDisagreement());
            }
            if (!r.skipped().isEmpty()) {
                failures.add(w.name() + ": packets test_run would refuse: " + r.skipped());
            }
            return failures;
        } finally {
            backends.forEach(Backend::close);
        }
    }
}
