package dev.bpfh.history;

import dev.bpfh.reports.Fingerprint;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Test runs: made-up figures with the fields a test cares about. */
final class Runs {
    private Runs() {}

    static final Fingerprint MACHINE_A = new Fingerprint(Map.of("cpu.model", "Test CPU A", "kernel.release", "6.18.0",
            "git.commit", "ignored-in-id"));
    static final Fingerprint MACHINE_B = new Fingerprint(Map.of("cpu.model", "Test CPU B", "kernel.release", "6.18.0"));

    /** A run of commit {@code commit} measured at {@code second} seconds after the epoch, identified by {@code name}. */
    static RunRecord run(String name, String commit, long second, Fingerprint fp, Measurement... ms) {
        return new RunRecord(name, Imports.sha256(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)), commit, "main",
                "false", Instant.ofEpochSecond(second), fp, Map.of("n", name), List.of(ms));
    }

    static Measurement ns(String workload, String backend, double value) {
        return new Measurement(workload, backend, "ns/op", value, value / 100, List.of(value * 0.99, value * 1.01));
    }
}
