package dev.bpfh.bench;

import dev.bpfh.reports.JmhJson;
import dev.bpfh.reports.JmhSummaries;
import dev.bpfh.reports.Reports;
import dev.bpfh.reports.Summary;
import dev.bpfh.reports.SummaryJson;
import dev.bpfh.reports.Tables;
import dev.bpfh.reports.WorkloadFacts;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the benchmarks through JMH's {@link Runner} and writes, into one directory: JMH's JSON
 * unchanged ({@code jmh.json}), {@code summary.json}, the charts and {@code index.html}; prints the
 * table with ratios to the kernel and the interpreter.
 *
 * <p>JMH forks new JVMs with {@code java.class.path}, so this works from any jar that contains the
 * generated {@code META-INF/BenchmarkList}: {@code bench/target/benchmarks.jar} or the cli's jar.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.bpfh.bench.BenchRunner [--quick]
 * [--backends interp,jit] [--out DIR] [PATH...]}
 */
public final class BenchRunner {
    private final PrintStream out;

    public BenchRunner(PrintStream out) {
        this.out = out;
    }

    /** The result of a run: where it was written and what it says. */
    public record Result(Path dir, Summary summary) {}

    public Result run(BenchOptions o) throws IOException, RunnerException {
        List<String> workloads = o.workloads();
        if (workloads.isEmpty()) {
            workloads = new ArrayList<>(Workloads.builtInNames());
            workloads.addAll(PacketWorkload.BUILT_IN_NAMES);
        }
        List<String> failures = new ArrayList<>();
        List<String> unavailable = new ArrayList<>();
        List<String> backends = selectBackends(o.backends(), unavailable);
        if (backends.isEmpty()) {
            throw new IOException("no backend to run: " + String.join("; ", unavailable));
        }
        unavailable.forEach(u -> out.println("Skipping " + u));
        if (!o.backends().isEmpty()) {
            failures.addAll(unavailable); // asked for by name: its absence is a failure, not a note
        }
        Path dir = o.out() != null ? o.out()
                : Path.of("bpfh-out", "bench", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);

        out.println("Checking " + workloads.size() + " workloads on " + String.join(", ", backends) + " ...");
        List<WorkloadFacts> facts = new ArrayList<>();
        Precheck checked = precheck(workloads, backends, facts);
        failures.addAll(checked.failures());
        checked.leftOutLines().forEach(l -> out.println("  LEFT OUT " + l));
        failures.forEach(f -> out.println("  FAILED " + f));

        Path jmhJson = dir.resolve(Reports.JMH_JSON);
        runJmh(o, checked.plan(workloads, backends), jmhJson);

        Map<String, String> env = new LinkedHashMap<>(Environment.describe());
        String settings = o.quick() ? "quick: 1 fork, " + Defaults.QUICK_WARMUP_ITERATIONS + " x "
                + Defaults.QUICK_ITERATION_MILLIS + " ms warm-up, " + Defaults.QUICK_MEASUREMENT_ITERATIONS + " x "
                + Defaults.QUICK_ITERATION_MILLIS + " ms measurement, each iteration after the JIT compilers are idle"
                : Defaults.FORKS + " forks, " + Defaults.WARMUP_ITERATIONS + " x " + Defaults.WARMUP_SECONDS
                        + " s warm-up, " + Defaults.MEASUREMENT_ITERATIONS + " x " + Defaults.MEASUREMENT_SECONDS
                        + " s measurement" + (o.nsOnly() ? ", ns/run only (no latency, no load times, no kernel round trip)" : "");
        settings += ", engines timed by thread CPU time"; // in the fingerprint: wall-time runs are another series
        env.put("settings", settings);
        env.put("kernel repeat", Integer.toString(Defaults.KERNEL_REPEAT));
        Summary summary = JmhSummaries.from(JmhJson.read(jmhJson), env);
        summary = summary.withFailures(missing(summary, workloads, backends, failures, checked)).withFacts(facts)
                .withLeftOut(checked.leftOutLines())
                .withFingerprint(Environment.fingerprint(settings + ", kernel repeat " + Defaults.KERNEL_REPEAT));
        SummaryJson.write(summary, dir.resolve(Reports.SUMMARY_JSON));
        Path html = Reports.render(summary, dir);

        out.println();
        out.print(Tables.format(Tables.runRows(summary)));
        out.println();
        out.print(Tables.format(Tables.extraRows(summary)));
        if (!facts.isEmpty()) {
            out.println();
            out.print(Tables.format(Tables.factsRows(summary)));
        }
        out.println();
        out.print(Tables.format(Tables.ratioRows(summary)));
        printPackets(summary, workloads, backends, checked);
        Tables.goalLines(summary).forEach(out::println);
        summary.leftOut().forEach(l -> out.println("LEFT OUT " + l));
        summary.failures().forEach(f -> out.println("FAILED " + f));
        out.println();
        out.println("Wrote " + dir.resolve(Reports.JMH_JSON) + ", " + Reports.SUMMARY_JSON + ", charts and " + html);
        return new Result(dir, summary);
    }

    /**
     * One JMH run per group of workloads measured on the same backends (JMH times every workload on
     * every backend of a run, so a pair a backend does not support would fail inside JMH); their
     * results are joined into one {@code jmh.json}.
     */
    private void runJmh(BenchOptions o, Map<List<String>, List<String>> plan, Path jmhJson)
            throws IOException, RunnerException {
        if (plan.size() == 1) {
            var only = plan.entrySet().iterator().next();
            new Runner(options(o.quick(), o.nsOnly(), only.getValue(), only.getKey(), jmhJson).build()).run();
            return;
        }
        List<Path> parts = new ArrayList<>();
        try {
            for (var group : plan.entrySet()) {
                Path part = jmhJson.resolveSibling("jmh-part" + (parts.size() + 1) + ".json");
                parts.add(part);
                out.println("JMH run " + parts.size() + " of " + plan.size() + ": " + group.getValue().size()
                        + " workload(s) on " + String.join(", ", group.getKey()));
                new Runner(options(o.quick(), o.nsOnly(), group.getValue(), group.getKey(), part).build()).run();
            }
            JmhJson.concat(parts.stream().filter(Files::exists).toList(), jmhJson);
        } finally {
            for (Path p : parts) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Packet workloads per packet: ns and millions of packets per second, per backend (the kernel's in-kernel time). */
    private void printPackets(Summary summary, List<String> workloads, List<String> backends, Precheck checked) {
        List<String> packets = workloads.stream().filter(PacketWorkload::isPacketWorkload).toList();
        if (packets.isEmpty()) {
            return;
        }
        out.println();
        out.println("Per packet (ns/packet, Mpps = millions of packets per second; kernel: in-kernel time):");
        for (String w : packets) {
            String name = displayName(w);
            StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT, "  %-24s", name));
            for (String b : backends) {
                var run = summary.run(name, b);
                boolean leftOut = checked.leftOut().getOrDefault(w, Map.of()).containsKey(b);
                line.append(run == null ? String.format(java.util.Locale.ROOT, "  %s %s", b, leftOut ? "left out" : "-")
                        : String.format(java.util.Locale.ROOT, "  %s %,.0f ns (%.2f Mpps)", b, run.nsPerRun(), 1e3 / run.nsPerRun()));
            }
            out.println(line);
        }
    }

    /** The name a workload parameter has in the summary. */
    static String displayName(String w) {
        return PacketWorkload.isPacketWorkload(w) ? PacketWorkload.displayName(w) : Workloads.displayName(w);
    }

    /**
     * The host JVM's options the forks keep. Without {@code jvmArgs} JMH gives every fork all of
     * them, which includes the launcher's AOT cache ({@code -XX:AOTCache=cli/target/bpfh.aot}): the
     * classes and, since JDK 25 (JEP 515), the method profiles of one training {@code bpfh plugin}
     * call. A benchmark fork must start as a plain JVM with the options we name, not with C2 seeded
     * by another program's profile, so those options are dropped; the rest ({@code BPFH_JAVA_OPTS},
     * for one) stay.
     */
    static List<String> inheritedJvmArgs(List<String> hostArgs) {
        return hostArgs.stream()
                .filter(a -> !a.startsWith("-XX:AOTCache=") && !a.startsWith("-XX:AOTMode=")
                        && !a.startsWith("-Xlog:aot") && !a.startsWith("-Xlog:cds"))
                .toList();
    }

    /** JMH options: every setting named in {@link Defaults}. */
    static ChainedOptionsBuilder options(boolean quick, List<String> allWorkloads, List<String> backends, Path json) {
        return options(quick, false, allWorkloads, backends, json);
    }

    static ChainedOptionsBuilder options(boolean quick, boolean nsOnly, List<String> allWorkloads, List<String> backends,
            Path json) {
        List<String> workloads = allWorkloads.stream().filter(w -> !PacketWorkload.isPacketWorkload(w)).toList();
        List<String> packets = allWorkloads.stream().filter(PacketWorkload::isPacketWorkload).toList();
        // --quick and --ns-only time the kernel by its in-kernel time alone: its Java round trip (run,
        // backend kernel) is a full run's extra, and leaving it out saves a fork per workload.
        List<String> runBackends = quick || nsOnly ? backends.stream().filter(x -> !x.equals("kernel")).toList() : backends;
        ChainedOptionsBuilder b = new OptionsBuilder()
                .timeUnit(TimeUnit.NANOSECONDS)
                .threads(1)
                .jvmArgs(inheritedJvmArgs(ManagementFactory.getRuntimeMXBean().getInputArguments()).toArray(String[]::new))
                .jvmArgsAppend(quick ? Defaults.QUICK_FORK_JVM_ARGS : Defaults.FORK_JVM_ARGS)
                .shouldFailOnError(false) // one failing workload (e.g. a verifier refusal) must not stop the rest
                .verbosity(VerboseMode.NORMAL) // JMH's own progress lines: per fork, per iteration
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
        if (!runBackends.isEmpty()) {
            b.param("backend", runBackends.toArray(String[]::new));
        }
        if (!workloads.isEmpty()) {
            b.param("program", workloads.toArray(String[]::new));
            if (!runBackends.isEmpty()) {
                b.include(RunBenchmark.class.getName() + ".run$");
            }
            List<String> loaders = backends.stream().filter(x -> x.equals("jit") || x.equals("kernel")).toList();
            if (!loaders.isEmpty() && !quick && !nsOnly) { // load times are for full runs: --quick times runs only
                b.include(LoadBenchmark.class.getName() + ".load$").param("loader", loaders.toArray(String[]::new));
            }
            if (backends.contains("kernel")) {
                b.include(KernelTimeBenchmark.class.getName() + ".inKernel$");
            }
        }
        if (!packets.isEmpty()) {
            b.param("workload", packets.toArray(String[]::new));
            if (!runBackends.isEmpty()) {
                b.include(PacketBenchmark.class.getName() + ".run$");
            }
            if (backends.contains("kernel")) {
                b.include(KernelPacketTimeBenchmark.class.getName() + ".inKernel$");
            }
        }
        if (quick || nsOnly) {
            // one mode: SampleTime's latency percentiles would double the forks, and these runs are about ns/run
            b.mode(org.openjdk.jmh.annotations.Mode.AverageTime);
        }
        if (quick) {
            b.forks(1)
                    .warmupIterations(Defaults.QUICK_WARMUP_ITERATIONS)
                    .warmupTime(TimeValue.milliseconds(Defaults.QUICK_ITERATION_MILLIS))
                    .measurementIterations(Defaults.QUICK_MEASUREMENT_ITERATIONS)
                    .measurementTime(TimeValue.milliseconds(Defaults.QUICK_ITERATION_MILLIS));
        }
        return b;
    }

    /** Requested backends (or every built-in one) that are present and available; the rest are listed in {@code unavailable}. */
    static List<String> selectBackends(List<String> requested, List<String> unavailable) {
        List<String> names = requested.isEmpty() ? Backends.BUILT_IN_ORDER : requested;
        List<String> ok = new ArrayList<>();
        for (String name : names) {
            var b = Backends.find(name);
            if (b.isEmpty()) {
                unavailable.add("backend " + name + ": not on the class path");
                continue;
            }
            try (Backend backend = b.get()) {
                var a = backend.probe();
                if (a.available()) {
                    ok.add(name);
                } else {
                    unavailable.add("backend " + name + ": unavailable: " + a.reason());
                }
            }
        }
        return ok;
    }

    /**
     * What the precheck found.
     *
     * @param failures one line per workload × backend that failed (wrong r0, refused, traps)
     * @param leftOut per workload parameter, the backends that do not support it and why
     */
    record Precheck(List<String> failures, Map<String, Map<String, String>> leftOut) {

        /** One line per pair left out: {@code WORKLOAD on BACKEND: reason}. */
        List<String> leftOutLines() {
            List<String> lines = new ArrayList<>();
            leftOut.forEach((w, byBackend) -> byBackend.forEach((b, why) ->
                    lines.add(displayName(w) + " on " + b + ": not supported: " + why)));
            return lines;
        }

        /**
         * The JMH runs to make: workloads grouped by the backends that measure them (every backend
         * but those that left the workload out), in first-seen order. A workload no backend supports
         * is in no group.
         */
        Map<List<String>, List<String>> plan(List<String> workloads, List<String> backends) {
            Map<List<String>, List<String>> plan = new LinkedHashMap<>();
            for (String w : workloads) {
                Map<String, String> out = leftOut.getOrDefault(w, Map.of());
                List<String> measuredOn = backends.stream().filter(b -> !out.containsKey(b)).toList();
                if (!measuredOn.isEmpty()) {
                    plan.computeIfAbsent(measuredOn, k -> new ArrayList<>()).add(w);
                }
            }
            return plan;
        }
    }

    /**
     * Loads and runs every workload once on every backend, in this JVM; returns the failures and the
     * pairs left out because the backend does not support the workload, and adds each workload's
     * untimed {@link WorkloadFacts} (executed instructions, JIT and kernel output) to {@code facts}.
     */
    static Precheck precheck(List<String> workloads, List<String> backends, List<WorkloadFacts> facts) {
        List<String> failures = new ArrayList<>();
        Map<String, Map<String, String>> leftOut = new LinkedHashMap<>();
        for (String w : workloads) {
            if (PacketWorkload.isPacketWorkload(w)) {
                PacketPrecheck.Result r = PacketPrecheck.check(w, backends);
                failures.addAll(r.failures());
                if (!r.leftOut().isEmpty()) {
                    leftOut.put(w, r.leftOut());
                }
                continue;
            }
            WorkloadFacts.Jit jit = null;
            WorkloadFacts.Kernel kernel = null;
            for (String b : backends) {
                try (Prepared p = Prepared.of(w, b)) {
                    // Prepared.of has run it once and checked r0, so info() describes a program that ran
                    switch (b) {
                        case "jit" -> jit = Facts.jit(p.executable.info());
                        case "kernel" -> kernel = Facts.kernel(p.executable.info());
                        default -> { }
                    }
                } catch (UnsupportedWorkload u) {
                    leftOut.computeIfAbsent(w, k -> new LinkedHashMap<>()).put(b, u.reason);
                } catch (IOException | RuntimeException e) {
                    failures.add(e.getMessage());
                }
            }
            try {
                Workload workload = Workloads.load(w);
                facts.add(new WorkloadFacts(Workloads.displayName(w), Facts.programInsns(workload.program()),
                        Facts.executedInstructions(workload), jit, kernel, Facts.helperCalls(workload.program())));
            } catch (IOException e) {
                // already reported as a failure by Prepared.of above
            }
        }
        return new Precheck(failures, leftOut);
    }

    /** Workload × backend pairs the summary has no time for, beyond those already explained or left out. */
    private static List<String> missing(Summary s, List<String> workloads, List<String> backends, List<String> known,
            Precheck checked) {
        List<String> out = new ArrayList<>();
        for (String w : workloads) {
            String name = displayName(w);
            for (String b : backends) {
                boolean explained = known.stream().anyMatch(f -> f.startsWith(name + " on " + b))
                        || checked.leftOut().getOrDefault(w, Map.of()).containsKey(b);
                if (s.run(name, b) == null && !explained) {
                    out.add(name + " on " + b + ": no result from JMH (see its log above)");
                }
            }
        }
        List<String> all = new ArrayList<>(known);
        all.addAll(out);
        return all;
    }

    /** {@code BenchRunner [--quick] [--backends a,b] [--out DIR] [PATH...]}: for use from benchmarks.jar. */
    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean nsOnly = false;
        List<String> backends = List.of();
        Path outDir = null;
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--ns-only" -> nsOnly = true;
                case "--backends" -> backends = Stream.of(args[++i].split(",")).map(String::strip).toList();
                case "--out" -> outDir = Path.of(args[++i]);
                default -> paths.add(Path.of(args[i]));
            }
        }
        try {
            new BenchRunner(System.out).run(new BenchOptions(Workloads.expand(paths), backends, quick, outDir, nsOnly));
        } catch (IOException e) {
            System.err.println("bpfh bench: " + e.getMessage());
            System.exit(2);
        }
    }
}
