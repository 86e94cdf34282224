package dev.bpfh.reports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns JMH results of the bench module into a {@link Summary}. The conventions (all results carry
 * the {@code @Param}s "program" and "backend"):
 *
 * <ul>
 *   <li>method {@code run}, mode avgt: ns per run; for the kernel this is the Java round trip
 *       (one {@code BPF_PROG_TEST_RUN} syscall) and goes to {@code roundTrips};
 *   <li>method {@code inKernel}, mode avgt: the kernel's own ns per run, taken from the
 *       {@code @AuxCounters} {@code kernelNs} / {@code kernelRuns} per iteration (the kernel's
 *       {@code duration} over a large repeat), not from JMH's wall clock;
 *   <li>method {@code run}, mode sample: latency percentiles;
 *   <li>method {@code load}, any mode: ns per load (JIT compile, kernel load + verify); the
 *       engine is the parameter "loader".
 * </ul>
 *
 * <p><b>Thread CPU time.</b> Where a result carries the {@code cpuNs} and {@code wallNs} counters of
 * the bench's {@code IterationClock}, each iteration's score is scaled by {@code cpuNs / wallNs},
 * the share of the iteration the benchmark thread was on a core: time spent waiting for a core
 * (another process, GC and compiler threads on a 2-core machine) is not the engine's cost. The
 * kernel's in-kernel time already leaves out the time test_run is preempted, so the engines are
 * compared on the same footing. On a quiet machine the share is 0.97–1.0.
 *
 * <p><b>The figure.</b> With several forks: the mean over every iteration, the samples are the
 * per-fork means. With one fork ({@code --quick}): the median of the iterations, so that an
 * iteration slowed by the machine moves nothing, and the samples are the iterations, which are
 * correlated, so an interval over them is too narrow: compare runs with at least 2 forks.
 */
public final class JmhSummaries {
    private JmhSummaries() {}

    public static Summary from(List<JmhResult> results, Map<String, String> environment) {
        List<BenchRun> runs = new ArrayList<>();
        List<BenchRun> roundTrips = new ArrayList<>();
        List<BenchRun> loads = new ArrayList<>();
        List<Latency> latencies = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>(environment);
        for (JmhResult r : results) {
            // packet workloads (PacketBenchmark) name theirs "workload"
            String program = shortName(r.param("program").isEmpty() ? r.param("workload") : r.param("program"));
            String backend = !r.param("backend").isEmpty() ? r.param("backend")
                    : !r.param("loader").isEmpty() ? r.param("loader")
                    : "kernel"; // inKernel has no backend parameter: it only measures the kernel
            switch (r.method()) {
                case "run" -> {
                    if (r.mode().equals("sample")) {
                        latencies.add(new Latency(program, backend, r.primary().percentiles()));
                    } else if (backend.equals("kernel")) {
                        roundTrips.add(fromPrimary(program, backend, r));
                    } else {
                        runs.add(fromPrimary(program, backend, r));
                    }
                }
                case "inKernel" -> runs.add(inKernel(program, backend, r));
                case "load" -> loads.add(fromPrimary(program, backend, r));
                default -> { } // other benchmarks (e.g. ad-hoc ones) are kept in the JMH JSON only
            }
            env.putIfAbsent("jdk", r.jdkVersion() + " (" + r.vmName() + ")");
            env.putIfAbsent("forks", Integer.toString(r.forks()));
        }
        return new Summary(env, runs, roundTrips, loads, latencies);
    }

    /**
     * A workload given as a path is shown by its file name without ".data"; a packet workload's
     * spec {@code OBJECT#PROGRAM@TRACE} as the program @ the trace's file name without extension.
     */
    public static String shortName(String program) {
        int hash = program.lastIndexOf('#');
        int at = program.lastIndexOf('@');
        if (hash >= 0 && at > hash) {
            String trace = program.substring(at + 1);
            trace = trace.substring(trace.lastIndexOf('/') + 1);
            return program.substring(hash + 1, at) + "@" + trace.replaceFirst("\\.[^.]*$", "");
        }
        String n = program.substring(program.lastIndexOf('/') + 1);
        return n.endsWith(".data") ? n.substring(0, n.length() - 5) : n;
    }

    private static BenchRun fromPrimary(String program, String backend, JmhResult r) {
        JmhMetric cpu = r.secondary().get("cpuNs");
        JmhMetric wall = r.secondary().get("wallNs");
        if (cpu == null || wall == null) {
            return new BenchRun(program, backend, r.primary().score(), r.primary().error(), samples(r.primary()));
        }
        List<List<Double>> scaled = new ArrayList<>();
        List<List<Double>> scores = r.primary().iterations();
        for (int f = 0; f < scores.size() && f < cpu.iterations().size() && f < wall.iterations().size(); f++) {
            List<Double> perIteration = new ArrayList<>();
            List<Double> s = scores.get(f);
            List<Double> c = cpu.iterations().get(f);
            List<Double> w = wall.iterations().get(f);
            for (int i = 0; i < Math.min(s.size(), Math.min(c.size(), w.size())); i++) {
                if (w.get(i) > 0 && c.get(i) > 0) {
                    perIteration.add(s.get(i) * Math.min(1.0, c.get(i) / w.get(i)));
                }
            }
            scaled.add(perIteration);
        }
        return figure(program, backend, scaled);
    }

    /** The kernel's ns per run: per iteration {@code kernelNs / kernelRuns}. */
    private static BenchRun inKernel(String program, String backend, JmhResult r) {
        JmhMetric ns = r.secondary().get("kernelNs");
        JmhMetric count = r.secondary().get("kernelRuns");
        if (ns == null || count == null) {
            return fromPrimary(program, backend, r);
        }
        List<List<Double>> ratios = new ArrayList<>();
        for (int f = 0; f < Math.min(ns.iterations().size(), count.iterations().size()); f++) {
            List<Double> perIteration = new ArrayList<>();
            List<Double> a = ns.iterations().get(f);
            List<Double> b = count.iterations().get(f);
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                if (b.get(i) > 0) {
                    perIteration.add(a.get(i) / b.get(i));
                }
            }
            ratios.add(perIteration);
        }
        return figure(program, backend, ratios);
    }

    /** The figure of per-fork iteration values (see the class comment): a mean over forks, a median in one. */
    private static BenchRun figure(String program, String backend, List<List<Double>> iterations) {
        JmhMetric m = new JmhMetric(Double.NaN, Double.NaN, "ns/op", Map.of(), iterations);
        double[] xs = Stats.array(iterations.stream().flatMap(List::stream).toList());
        long forks = iterations.stream().filter(f -> !f.isEmpty()).count();
        double value = xs.length == 0 ? Double.NaN : forks >= 2 ? Stats.mean(xs) : Stats.median(xs);
        return new BenchRun(program, backend, value, Stats.tHalfWidth(xs, 0.999), samples(m));
    }

    private static List<Double> samples(JmhMetric m) {
        List<Double> forkMeans = m.forkMeans();
        if (forkMeans.size() >= 2) {
            return forkMeans;
        }
        return m.iterations().isEmpty() ? List.of() : m.iterations().getFirst();
    }
}
