package dev.bpfh.conformance;

import dev.bpfh.isa.CpuVersion;
import dev.bpfh.isa.Group;
import dev.bpfh.plugin.PluginBackend;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.LoadOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Runs {@code .data} tests on backends and decides a {@link Status} for every (test, backend) pair.
 * See the package documentation for the rules; {@link #run(Options)} is the entry point.
 */
public final class ConformanceRunner {
    private ConformanceRunner() {}

    /**
     * 10^7 instructions per run, a tenth of the SPI's default: every program of the built-in corpus
     * that is meant to finish executes well under 10^6, and each test that is meant to exhaust the
     * budget would otherwise spend about a second of CPU per userspace engine (most of the corpus
     * run time). The trap pc of such a test does not depend on the budget.
     */
    public static final long DEFAULT_INSTRUCTION_BUDGET = 10_000_000L;

    /** The runner's load options: {@link LoadOptions#DEFAULTS} with {@link #DEFAULT_INSTRUCTION_BUDGET}. */
    public static final LoadOptions DEFAULT_LOAD = LoadOptions.DEFAULTS.withInstructionBudget(DEFAULT_INSTRUCTION_BUDGET);

    /**
     * What to run.
     *
     * @param paths {@code .data} files or directories (recursive); empty: the built-in corpus
     * @param backends backend names ({@code interp}, {@code jit}, {@code kernel}, {@code plugin:<command>});
     *     empty: every built-in backend that is available here
     * @param cpu tests needing a newer version are SKIPPED (default v4)
     * @param groups enabled group mask; tests needing another group are SKIPPED (default: every
     *     group, see {@link #defaultGroups()})
     * @param manifests expectation manifests; empty with the built-in corpus: every {@code *.expect}
     *     at its root ({@code kernel.expect}, {@code ubpf.expect}, {@code ubpf-jit.expect})
     * @param json where to write the JSON results, if anywhere
     * @param junitXml directory for {@code TEST-bpfh-<backend>.xml}, if any
     * @param threads worker threads (default: available processors)
     * @param load instruction budget and random seed for every load (default {@link #DEFAULT_LOAD})
     * @param pluginTimeout per-run timeout of {@code plugin:} backends (default 10 s)
     * @param progress where a progress line goes every second of a long run ({@code null}: nowhere)
     * @param requireAvailable an UNAVAILABLE result fails the run (for CI that must test the kernel)
     * @param exactMessages compare the text of every {@code -- error} outside bpfh's vocabulary, as
     *     for {@code plugin:} backends; default false: for an in-process engine such a text (another
     *     VM's words) means "must fail", and a refusal or trap passes (see the package documentation)
     */
    public record Options(
            List<Path> paths,
            List<String> backends,
            CpuVersion cpu,
            int groups,
            List<Path> manifests,
            Optional<Path> json,
            Optional<Path> junitXml,
            int threads,
            LoadOptions load,
            Duration pluginTimeout,
            PrintStream progress,
            boolean requireAvailable,
            boolean exactMessages) {

        public Options {
            paths = List.copyOf(paths);
            backends = List.copyOf(backends);
            manifests = List.copyOf(manifests);
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1: " + threads);
            }
        }

        public static Options defaults() {
            return new Options(List.of(), List.of(), CpuVersion.V4, defaultGroups(), List.of(), Optional.empty(),
                    Optional.empty(), Runtime.getRuntime().availableProcessors(), DEFAULT_LOAD,
                    Duration.ofSeconds(PluginBackend.DEFAULT_TIMEOUT_SECONDS), null, false, false);
        }

        public Options withPaths(List<Path> v) {
            return new Options(v, backends, cpu, groups, manifests, json, junitXml, threads, load, pluginTimeout, progress, requireAvailable, exactMessages);
        }

        public Options withBackends(List<String> v) {
            return new Options(paths, v, cpu, groups, manifests, json, junitXml, threads, load, pluginTimeout, progress, requireAvailable, exactMessages);
        }

        public Options withCpu(CpuVersion v) {
            return new Options(paths, backends, v, groups, manifests, json, junitXml, threads, load, pluginTimeout, progress, requireAvailable, exactMessages);
        }

        public Options withGroups(int v) {
            return new Options(paths, backends, cpu, v, manifests, json, junitXml, threads, load, pluginTimeout, progress, requireAvailable, exactMessages);
        }

        public Options withManifests(List<Path> v) {
            return new Options(paths, backends, cpu, groups, v, json, junitXml, threads, load, pluginTimeout, progress, requireAvailable, exactMessages);
        }

        public Options withJson(Path v) {
            return new Options(paths, backends, cpu, groups, manifests, Optional.ofNullable(v), junitXml, threads, load, pluginTimeout, progress, requireAvailable, exactMessages);
        }

        public Options withJunitXml(Path v) {
            return new Options(paths, backends, cpu, groups, manifests, json, Optional.ofNullable(v), threads, load, pluginTimeout, progress, requireAvailable, exactMessages);
        }

        public Options withThreads(int v) {
            return new Options(paths, backends, cpu, groups, manifests, json, junitXml, v, load, pluginTimeout, progress, requireAvailable, exactMessages);
        }

        public Options withLoad(LoadOptions v) {
            return new Options(paths, backends, cpu, groups, manifests, json, junitXml, threads, v, pluginTimeout, progress, requireAvailable, exactMessages);
        }

        public Options withPluginTimeout(Duration v) {
            return new Options(paths, backends, cpu, groups, manifests, json, junitXml, threads, load, v, progress, requireAvailable, exactMessages);
        }

        public Options withProgress(PrintStream v) {
            return new Options(paths, backends, cpu, groups, manifests, json, junitXml, threads, load, pluginTimeout, v, requireAvailable, exactMessages);
        }

        public Options withExactMessages(boolean v) {
            return new Options(paths, backends, cpu, groups, manifests, json, junitXml, threads, load, pluginTimeout, progress, requireAvailable, v);
        }

        public Options withRequireAvailable(boolean v) {
            return new Options(paths, backends, cpu, groups, manifests, json, junitXml, threads, load, pluginTimeout, progress, v, exactMessages);
        }
    }

    /**
     * Every group (isa.md §3.2 default groups plus callx and packet), so the built-in corpus runs
     * fully: it has callx tests and a test that legacy packet loads are rejected, which a narrower
     * default would report as SKIPPED (never a pass).
     */
    public static int defaultGroups() {
        return Group.ALL_MASK;
    }

    /** Comma- or space-separated isa.md §3 group names; {@code all} is every group, {@code none} none. */
    public static int parseGroups(String names) throws ConformanceException {
        String expanded = Arrays.stream(names.split("[,\\s]+"))
                .filter(s -> !s.isEmpty())
                .collect(Collectors.joining(","));
        try {
            return Group.parseMask(expanded);
        } catch (IllegalArgumentException e) {
            throw new ConformanceException("invalid groups '" + names + "': " + e.getMessage());
        }
    }

    /** {@code v1} … {@code v4}. */
    public static CpuVersion parseCpu(String text) throws ConformanceException {
        try {
            return CpuVersion.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new ConformanceException("invalid cpu version '" + text + "' (expected v1, v2, v3 or v4)");
        }
    }

    /**
     * The backends an {@link Options#backends()} list names: {@code plugin:<command>} makes a
     * {@link PluginBackend}, any other name must be a built-in one. An empty list means every
     * built-in backend that runs by default (available or not: the caller filters).
     */
    public static List<Backend> resolveBackends(List<String> names, Duration pluginTimeout) throws ConformanceException {
        if (names.isEmpty()) {
            return Backends.defaults();
        }
        List<Backend> out = new ArrayList<>();
        for (String name : names) {
            if (name.startsWith(PluginBackend.PREFIX)) {
                try {
                    out.add(PluginBackend.fromName(name, pluginTimeout));
                } catch (IllegalArgumentException e) {
                    throw new ConformanceException(e.getMessage());
                }
            } else {
                out.add(Backends.find(name).orElseThrow(() -> new ConformanceException("unknown backend '" + name
                        + "' (built-in: " + Backends.discover().stream().map(Backend::name).toList()
                        + ", or plugin:<command>)")));
            }
        }
        return out;
    }

    /**
     * Runs {@code options}: resolves paths, manifests and backends, runs every pair, writes the JSON
     * and JUnit XML files the options ask for, and returns the report. Bad input (a missing path, an
     * unknown backend, a malformed manifest) is a {@link ConformanceException}; a malformed test file
     * is not: it is ERROR on every backend and the run goes on.
     */
    public static RunReport run(Options options) throws ConformanceException, IOException {
        List<Backend> backends = resolveBackends(options.backends(), options.pluginTimeout());
        List<String> notes = new ArrayList<>();
        if (options.backends().isEmpty()) {
            backends = ConformanceRunner.availableOnly(backends, notes);
        }
        try {
            return run(options, backends, notes);
        } finally {
            backends.forEach(Backend::close);
        }
    }

    /**
     * The backends whose probe says available; each left out adds a note with its reason. Used
     * when the user named no backends: the default is every built-in backend that can run here.
     */
    static List<Backend> availableOnly(List<Backend> backends, List<String> notes) {
        List<Backend> available = new ArrayList<>();
        for (Backend b : backends) {
            Availability a = b.probe();
            if (a.available()) {
                available.add(b);
            } else {
                notes.add(b.name() + " not run: unavailable: " + a.reason());
            }
        }
        return available;
    }

    /** Runs {@code options} on the given backends (its own backend names are ignored). */
    public static RunReport run(Options options, List<Backend> backends) throws ConformanceException, IOException {
        return run(options, backends, new ArrayList<>());
    }

    private static RunReport run(Options options, List<Backend> backends, List<String> notes)
            throws ConformanceException, IOException {
        List<Path> paths = options.paths();
        List<Path> manifests = options.manifests();
        if (paths.isEmpty()) {
            paths = List.of(Corpus.builtIn().orElseThrow(() -> new ConformanceException(
                    "no test paths given and no built-in corpus (" + Corpus.RESOURCE + ") on the class path")));
            if (manifests.isEmpty()) {
                manifests = Corpus.builtInManifests();
            }
        }
        ExpectationManifest manifest = ExpectationManifest.empty();
        for (Path m : manifests) {
            manifest = manifest.plus(ExpectationManifest.read(m));
        }
        List<Corpus.Entry> files = Corpus.collect(paths);
        if (files.isEmpty()) {
            throw new ConformanceException("no .data files under " + paths);
        }
        List<String> names = backends.stream().map(Backend::name).toList();
        if (names.stream().distinct().count() != names.size()) {
            throw new ConformanceException("a backend is named twice: " + names);
        }
        List<Availability> availability = backends.stream().map(ConformanceRunner::probe).toList();

        long start = System.nanoTime();
        TestResult[] results = new TestResult[files.size() * backends.size()];
        List<TestCase> tests = execute(options, files, backends, availability, manifest, results);
        List<TestResult> annotated = new ArrayList<>(results.length);
        for (int t = 0; t < tests.size(); t++) {
            TestCase test = tests.get(t);
            for (int b = 0; b < backends.size(); b++) {
                String backend = names.get(b);
                annotated.add(results[t * backends.size() + b]
                        .withListing(manifest.lookup(backend, test.id(), test.name()).orElse(null)));
            }
        }
        RunReport.Header header = new RunReport.Header(Judge.version(options.cpu()), Judge.names(options.groups()),
                names, Instant.now().toString(), System.nanoTime() - start);
        RunReport report = new RunReport(header, tests.stream().map(TestCase::id).toList(), annotated, notes,
                options.requireAvailable());
        if (options.json().isPresent()) {
            report.writeJson(options.json().get());
        }
        if (options.junitXml().isPresent()) {
            report.writeJunitXml(options.junitXml().get());
        }
        return report;
    }

    /**
     * Runs one already-parsed test on one available backend with the options' cpu version, groups
     * and load options, annotated with the manifest's listing (for JUnit dynamic tests and other
     * callers that schedule pairs themselves). Backend availability is the caller's business.
     */
    public static TestResult runOne(TestCase test, Backend backend, ExpectationManifest manifest, Options options) {
        return judgeUnlessListedSkipped(test, backend, manifest, options)
                .withListing(manifest.lookup(backend.name(), test.id(), test.name()).orElse(null));
    }

    /**
     * A pair the manifest lists as SKIPPED is not run: SKIPPED there means "this backend cannot or
     * should not run this test" (the kernel verifier needs seconds to refuse an unbounded loop, a
     * plugin lacks a feature), so running it would only cost time. Everything else is judged.
     */
    private static TestResult judgeUnlessListedSkipped(TestCase test, Backend backend, ExpectationManifest manifest,
            Options options) {
        var listed = manifest.lookup(backend.name(), test.id(), test.name());
        if (listed.isPresent() && listed.get().status() == Status.SKIPPED && test.parseError() == null) {
            // The file's own reason, when it gives one, says more than the listing.
            String why = Judge.declaredSkip(test.data(), backend).orElse("not run: the manifest lists it as SKIPPED");
            return new TestResult(test.id(), backend.name(), Status.SKIPPED, "", "", why, 0, null, "",
                    test.data().notes().description());
        }
        return Judge.judge(test, backend, options.cpu(), options.groups(), options.load(), options.exactMessages());
    }

    private static Availability probe(Backend b) {
        try {
            return b.probe();
        } catch (RuntimeException e) {
            return Availability.no("probe failed: " + Judge.oneLine(e));
        }
    }

    /**
     * Parses every file and runs every (test, backend) pair on a pool of {@code options.threads()}
     * threads. Each pair loads, runs and closes its own Executable on one thread, so none is shared
     * (the kernel's must stay on the thread that loaded it). Kernel pairs are not serialized: the
     * kernel backend keeps no shared state, and serializing would park pool threads behind a
     * verifier that can take seconds on one program.
     */
    private static List<TestCase> execute(Options options, List<Corpus.Entry> files, List<Backend> backends,
            List<Availability> availability, ExpectationManifest manifest, TestResult[] results) {
        int nb = backends.size();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failing = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(options.threads(),
                Thread.ofPlatform().name("bpfh-conformance-", 0).daemon().stackSize(16L << 20).factory());
        ScheduledExecutorService ticker = progress(options.progress(), done, failing, results.length);
        try {
            List<CompletableFuture<TestCase>> parsed = new ArrayList<>();
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (int t = 0; t < files.size(); t++) {
                Corpus.Entry f = files.get(t);
                CompletableFuture<TestCase> test = CompletableFuture.supplyAsync(() -> TestCase.load(f.id(), f.path()), pool);
                parsed.add(test);
                for (int b = 0; b < nb; b++) {
                    int slot = t * nb + b;
                    Backend backend = backends.get(b);
                    Availability a = availability.get(b);
                    runs.add(test.thenAcceptAsync(tc -> {
                        TestResult r;
                        if (tc.parseError() == null && !a.available()) {
                            r = new TestResult(tc.id(), backend.name(), Status.UNAVAILABLE, "", "", a.reason(), 0, null, "");
                        } else {
                            r = judgeUnlessListedSkipped(tc, backend, manifest, options);
                        }
                        results[slot] = r;
                        if (r.status() == Status.FAIL || r.status() == Status.ERROR) {
                            failing.incrementAndGet();
                        }
                        done.incrementAndGet();
                    }, pool));
                }
            }
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).join();
            return parsed.stream().map(CompletableFuture::join).toList();
        } finally {
            pool.shutdownNow();
            if (ticker != null) {
                ticker.shutdownNow();
            }
        }
    }

    private static ScheduledExecutorService progress(PrintStream out, AtomicInteger done, AtomicInteger failing, int total) {
        if (out == null || total == 0) {
            return null;
        }
        long start = System.nanoTime();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("bpfh-progress").daemon().factory());
        ticker.scheduleAtFixedRate(() -> out.printf(Locale.ROOT, "[bpfh] %d/%d runs, %d failing, %.1f s%n",
                done.get(), total, failing.get(), (System.nanoTime() - start) / 1e9), 1, 1, TimeUnit.SECONDS);
        return ticker;
    }
}
