package dev.bpfh.reports;

import dev.bpfh.spi.Backends;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The small JSON a bench run writes next to JMH's own ({@code summary.json}); reports, charts and
 * comparisons are rendered from it alone.
 *
 * @param environment where it was measured: machine, cpus, kernel, JDK, commit, date, settings
 * @param runs ns per run: the engine's own time (for the kernel the in-kernel {@code duration})
 * @param roundTrips the Java-side round trip per run where it differs from the engine's own time
 *     (the kernel's syscall)
 * @param loads ns per load(): JIT compile latency, kernel load + verify
 * @param latencies SampleTime percentiles per workload and backend
 * @param failures one line per workload × backend that produced no figure (wrong result, load
 *     rejected, backend unavailable), so a missing bar is never silent
 * @param facts per workload: executed instructions and what each engine generated (not timed);
 *     the base of {@link Derived}'s instruction throughput and of the "engine facts" table
 * @param fingerprint the environment that can change the numbers ({@link Fingerprint}); empty in
 *     summaries written before it was recorded
 * @param leftOut one line per workload × backend that was not measured because the backend does not
 *     support the workload (e.g. uBPF and a program with maps), with the backend's reason: not a
 *     failure, and not a missing bar without a word
 */
public record Summary(
        Map<String, String> environment,
        List<BenchRun> runs,
        List<BenchRun> roundTrips,
        List<BenchRun> loads,
        List<Latency> latencies,
        List<String> failures,
        List<WorkloadFacts> facts,
        Fingerprint fingerprint,
        List<String> leftOut) {

    public Summary(Map<String, String> environment, List<BenchRun> runs, List<BenchRun> roundTrips,
            List<BenchRun> loads, List<Latency> latencies, List<String> failures, List<WorkloadFacts> facts,
            Fingerprint fingerprint) {
        this(environment, runs, roundTrips, loads, latencies, failures, facts, fingerprint, List.of());
    }

    public Summary(Map<String, String> environment, List<BenchRun> runs, List<BenchRun> roundTrips,
            List<BenchRun> loads, List<Latency> latencies, List<String> failures, List<WorkloadFacts> facts) {
        this(environment, runs, roundTrips, loads, latencies, failures, facts, Fingerprint.EMPTY);
    }

    public Summary(Map<String, String> environment, List<BenchRun> runs, List<BenchRun> roundTrips,
            List<BenchRun> loads, List<Latency> latencies) {
        this(environment, runs, roundTrips, loads, latencies, List.of(), List.of());
    }

    public Summary(Map<String, String> environment, List<BenchRun> runs, List<BenchRun> roundTrips,
            List<BenchRun> loads, List<Latency> latencies, List<String> failures) {
        this(environment, runs, roundTrips, loads, latencies, failures, List.of());
    }

    public Summary {
        environment = Map.copyOf(environment);
        runs = List.copyOf(runs);
        roundTrips = roundTrips == null ? List.of() : List.copyOf(roundTrips);
        loads = loads == null ? List.of() : List.copyOf(loads);
        latencies = latencies == null ? List.of() : List.copyOf(latencies);
        failures = failures == null ? List.of() : List.copyOf(failures);
        facts = facts == null ? List.of() : List.copyOf(facts);
        fingerprint = fingerprint == null ? Fingerprint.EMPTY : fingerprint;
        leftOut = leftOut == null ? List.of() : List.copyOf(leftOut);
    }

    public Summary withFailures(List<String> more) {
        List<String> all = new java.util.ArrayList<>(failures);
        all.addAll(more);
        return new Summary(environment, runs, roundTrips, loads, latencies, all, facts, fingerprint, leftOut);
    }

    public Summary withEnvironment(Map<String, String> more) {
        Map<String, String> all = new java.util.LinkedHashMap<>(environment);
        all.putAll(more);
        return new Summary(all, runs, roundTrips, loads, latencies, failures, facts, fingerprint, leftOut);
    }

    public Summary withFacts(List<WorkloadFacts> workloadFacts) {
        return new Summary(environment, runs, roundTrips, loads, latencies, failures, workloadFacts, fingerprint, leftOut);
    }

    public Summary withFingerprint(Fingerprint f) {
        return new Summary(environment, runs, roundTrips, loads, latencies, failures, facts, f, leftOut);
    }

    public Summary withLeftOut(List<String> lines) {
        return new Summary(environment, runs, roundTrips, loads, latencies, failures, facts, fingerprint, lines);
    }

    /** The facts of {@code program}, or null. */
    public WorkloadFacts facts(String program) {
        for (WorkloadFacts f : facts) {
            if (f.program().equals(program)) {
                return f;
            }
        }
        return null;
    }

    /** Workload names in first-seen order. */
    public List<String> programs() {
        return runs.stream().map(BenchRun::program).distinct().toList();
    }

    /** Backend names: the built-in ones in canonical order (interp, jit, kernel), then others as first seen. */
    public List<String> backends() {
        return runs.stream().map(BenchRun::backend).distinct().sorted(Comparator.comparingInt(Summary::rank)).toList();
    }

    private static int rank(String backend) {
        int i = Backends.BUILT_IN_ORDER.indexOf(backend);
        return i < 0 ? Backends.BUILT_IN_ORDER.size() : i;
    }

    /** The run of {@code program} on {@code backend}, or null. */
    public BenchRun run(String program, String backend) {
        for (BenchRun r : runs) {
            if (r.program().equals(program) && r.backend().equals(backend)) {
                return r;
            }
        }
        return null;
    }
}
