package dev.bpfh.conformance;

import dev.bpfh.ctx.PacketContext;
import dev.bpfh.data.DataFile;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.data.DataFormatException;
import dev.bpfh.isa.Program;
import dev.bpfh.load.LoadedObject;
import dev.bpfh.load.ObjectSetupException;
import dev.bpfh.plugin.PluginBackend;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.TrapKind;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Differential testing: every backend runs every program, and any disagreement is reported; no
 * expected values are needed ({@code ./bpfh diff [PATH...]}).
 *
 * <p>Inputs are {@code .data} files (program and memory from the file; its expectation is ignored)
 * and raw little-endian bytecode files {@code *.bin} (memory from {@link Options#memory()}, empty by
 * default), named directly or found recursively in directories; no path means the built-in corpus.
 *
 * <p>Two backends that both <em>ran</em> the program (returned or trapped) disagree when:
 * one returned and the other trapped; both returned with different r0; both returned with different
 * memory after the run (a typed program's data_out) or ctx_out (only between backends that
 * report memory: never a {@code plugin:});
 * both trapped with different {@link TrapKind} (only between non-plugin backends: a plugin reports
 * every failure as RUNTIME_ERROR); both trapped at different pcs (only between userspace engines,
 * i.e. neither {@code kernel} nor a plugin). A rejection or skip by one backend is shown but is not a
 * disagreement (the kernel verifier legitimately refuses programs the userspace engines run); a
 * backend crash or a malformed file is an error. The exit code is 1 when there is any disagreement
 * or error.
 */
public final class BackendDiff {
    private BackendDiff() {}

    /**
     * @param paths {@code .data}/{@code .bin} files or directories; empty: the built-in corpus
     * @param backends backend names as for {@link ConformanceRunner.Options#backends()}; empty: every available built-in
     * @param memory input memory for {@code .bin} programs
     */
    public record Options(List<Path> paths, List<String> backends, byte[] memory, int threads, LoadOptions load,
            Duration pluginTimeout) {

        public Options {
            paths = List.copyOf(paths);
            backends = List.copyOf(backends);
            memory = memory.clone();
        }

        public static Options defaults() {
            return new Options(List.of(), List.of(), new byte[0], Runtime.getRuntime().availableProcessors(),
                    ConformanceRunner.DEFAULT_LOAD, Duration.ofSeconds(PluginBackend.DEFAULT_TIMEOUT_SECONDS));
        }

        public Options withPaths(List<Path> v) {
            return new Options(v, backends, memory, threads, load, pluginTimeout);
        }

        public Options withBackends(List<String> v) {
            return new Options(paths, v, memory, threads, load, pluginTimeout);
        }

        /** Memory for {@code .bin} programs, as hex ({@code "aabb01"} or {@code "aa bb 01"}). */
        public Options withMemoryHex(String hex) throws ConformanceException {
            String digits = hex.replaceAll("\\s+", "");
            if (digits.startsWith("0x") || digits.startsWith("0X")) {
                digits = digits.substring(2);
            }
            try {
                return new Options(paths, backends, HexFormat.of().parseHex(digits), threads, load, pluginTimeout);
            } catch (IllegalArgumentException e) {
                throw new ConformanceException("invalid --mem hex '" + hex + "': " + e.getMessage());
            }
        }

        public Options withThreads(int v) {
            return new Options(paths, backends, memory, v, load, pluginTimeout);
        }

        public Options withLoad(LoadOptions v) {
            return new Options(paths, backends, memory, threads, v, pluginTimeout);
        }

        public Options withPluginTimeout(Duration v) {
            return new Options(paths, backends, memory, threads, load, v);
        }
    }

    /** What one backend did with one program. */
    public sealed interface Observation {
        String backend();

        /**
         * Returned r0, the memory after the run ({@code memoryKnown} is false for plugins) and the
         * maps after it ({@link MapContents#snapshot}; empty for programs without maps).
         */
        record Returned(String backend, long r0, byte[] memory, boolean memoryKnown, Map<String, List<String>> maps,
                byte[] ctx) implements Observation {
            public Returned(String backend, long r0, byte[] memory, boolean memoryKnown) {
                this(backend, r0, memory, memoryKnown, Map.of(), null);
            }
        }

        record Trapped(String backend, TrapKind kind, int pc, String message) implements Observation {}

        /** Refused at load, or unsupported ({@code unsupported}), or unavailable: did not run. */
        record NotRun(String backend, String why) implements Observation {}

        /** The backend crashed, or the file could not be parsed. */
        record Failed(String backend, String message) implements Observation {}
    }

    /** Loads and runs {@code program} once on a copy of {@code memory}. */
    public static Observation observe(Backend backend, Program program, byte[] memory, LoadOptions load) {
        return observe(backend, new DataFile(program.name(), null, program, memory, java.util.OptionalLong.empty(),
                Optional.empty(), false), load);
    }

    /** Loads the test's program, fills its maps ({@code -- map-init}) and runs it once on its memory. */
    public static Observation observe(Backend backend, DataFile test, LoadOptions load) {
        String name = backend.name();
        if (test.programType() != ProgramType.RAW) {
            Optional<String> typed = Judge.typedSkip(backend);
            if (typed.isPresent()) {
                return new Observation.NotRun(name, "unsupported: " + typed.get());
            }
        }
        Optional<String> badInput = PacketContext.checkInput(test.programType(), test.input());
        if (badInput.isPresent()) {
            return new Observation.Failed(name, test.displayName() + ": the input cannot be run: " + badInput.get());
        }
        try (LoadedObject loaded = Judge.load(backend, test, load)) {
            Optional<String> initFailure = MapContents.initialise(test, loaded);
            if (initFailure.isPresent()) {
                return new Observation.Failed(name, initFailure.get());
            }
            return switch (loaded.run(test.input())) {
                case Outcome.Returned r -> new Observation.Returned(name, r.r0(), r.memory(), !isPlugin(name),
                        MapContents.snapshot(loaded.maps()), r.ctx());
                case Outcome.Trapped t -> new Observation.Trapped(name, t.kind(), t.pc(), t.message());
                case Outcome.Refused r -> new Observation.NotRun(name, "rejected: " + r.message());
            };
        } catch (ObjectSetupException e) {
            return new Observation.Failed(name, test.displayName() + ": " + e.getMessage());
        } catch (LoadRejected r) {
            return new Observation.NotRun(name, (r.unsupported() ? "unsupported: " : "rejected: ") + r.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            return new Observation.Failed(name, "backend crashed: " + Judge.oneLine(e));
        }
    }

    /**
     * The disagreement between two observations by the rules of the class comment, or empty when
     * they agree or are not comparable.
     */
    public static Optional<String> compare(Observation a, Observation b) {
        String an = a.backend(), bn = b.backend();
        boolean plugins = isPlugin(an) || isPlugin(bn);
        boolean userspace = !plugins && !an.equals("kernel") && !bn.equals("kernel");
        return switch (a) {
            case Observation.Returned ra when b instanceof Observation.Returned rb -> {
                if (ra.r0() != rb.r0()) {
                    yield Optional.of("r0: " + an + " " + Judge.hex(ra.r0()) + ", " + bn + " " + Judge.hex(rb.r0()));
                }
                if (ra.memoryKnown() && rb.memoryKnown() && !java.util.Arrays.equals(ra.memory(), rb.memory())) {
                    yield Optional.of("memory after the run: " + an + " " + hex(ra.memory()) + ", " + bn + " " + hex(rb.memory()));
                }
                if (ra.memoryKnown() && rb.memoryKnown() && !java.util.Arrays.equals(ra.ctx(), rb.ctx())) {
                    yield Optional.of("ctx_out: " + an + " " + hexOrNone(ra.ctx()) + ", " + bn + " " + hexOrNone(rb.ctx()));
                }
                yield MapContents.compare(an, ra.maps(), bn, rb.maps());
            }
            case Observation.Trapped ta when b instanceof Observation.Trapped tb -> {
                if (!plugins && ta.kind() != tb.kind()) {
                    yield Optional.of("trap kind: " + an + " " + ta.kind() + ", " + bn + " " + tb.kind());
                }
                if (userspace && ta.pc() != tb.pc()) {
                    yield Optional.of("trap pc: " + an + " " + ta.pc() + ", " + bn + " " + tb.pc());
                }
                yield Optional.empty();
            }
            case Observation.Returned ra when b instanceof Observation.Trapped tb ->
                    Optional.of(an + " returned " + Judge.hex(ra.r0()) + ", " + bn + " trapped " + tb.kind() + " at pc " + tb.pc());
            case Observation.Trapped ta when b instanceof Observation.Returned rb ->
                    Optional.of(an + " trapped " + ta.kind() + " at pc " + ta.pc() + ", " + bn + " returned " + Judge.hex(rb.r0()));
            default -> Optional.empty();
        };
    }

    /** Runs the diff. Bad input (missing path, unknown backend) is a {@link ConformanceException}. */
    public static DiffReport run(Options options) throws ConformanceException, IOException {
        List<Backend> backends = ConformanceRunner.resolveBackends(options.backends(), options.pluginTimeout());
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

    /** Runs the diff on the given backends (the options' backend names are ignored). */
    public static DiffReport run(Options options, List<Backend> backends) throws ConformanceException, IOException {
        return run(options, backends, new ArrayList<>());
    }

    private static DiffReport run(Options options, List<Backend> backends, List<String> notes)
            throws ConformanceException, IOException {
        List<Path> paths = options.paths();
        if (paths.isEmpty()) {
            paths = List.of(Corpus.builtIn().orElseThrow(() -> new ConformanceException(
                    "no paths given and no built-in corpus (" + Corpus.RESOURCE + ") on the class path")));
        }
        List<Corpus.Entry> files = Corpus.collect(paths, List.of(".data", ".bin"));
        if (files.isEmpty()) {
            throw new ConformanceException("no .data or .bin files under " + paths);
        }
        List<Availability> availability = backends.stream().map(BackendDiff::probe).toList();
        List<String> names = backends.stream().map(Backend::name).toList();
        DiffReport.Row[] rows = new DiffReport.Row[files.size()];
        ExecutorService pool = Executors.newFixedThreadPool(options.threads(),
                Thread.ofPlatform().name("bpfh-diff-", 0).daemon().stackSize(16L << 20).factory());
        try {
            List<CompletableFuture<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                int slot = i;
                Corpus.Entry f = files.get(i);
                tasks.add(CompletableFuture.runAsync(
                        () -> rows[slot] = diffOne(f, options, backends, availability), pool));
            }
            CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).join();
        } finally {
            pool.shutdownNow();
        }
        return new DiffReport(names, Instant.now().toString(), List.of(rows), notes);
    }

    private static DiffReport.Row diffOne(Corpus.Entry file, Options options, List<Backend> backends,
            List<Availability> availability) {
        DataFile test;
        try {
            if (file.path().getFileName().toString().endsWith(".bin")) {
                Program program = Program.fromBytes(file.id(), Files.readAllBytes(file.path()));
                test = new DataFile(file.id(), file.path(), program, options.memory(), java.util.OptionalLong.empty(),
                        Optional.empty(), false);
            } else {
                test = DataFileParser.parse(file.path());
            }
        } catch (DataFormatException e) {
            return failedRow(file, backends, e.getMessage());
        } catch (IOException | IllegalArgumentException e) {
            return failedRow(file, backends, file.path() + ": " + e.getMessage());
        }
        List<Observation> seen = new ArrayList<>();
        for (int b = 0; b < backends.size(); b++) {
            Backend backend = backends.get(b);
            if (!availability.get(b).available()) {
                seen.add(new Observation.NotRun(backend.name(), "unavailable: " + availability.get(b).reason()));
            } else {
                seen.add(observe(backend, test, options.load()));
            }
        }
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < seen.size(); i++) {
            for (int j = i + 1; j < seen.size(); j++) {
                compare(seen.get(i), seen.get(j)).ifPresent(disagreements::add);
            }
        }
        return new DiffReport.Row(file.id(), seen, disagreements);
    }

    private static DiffReport.Row failedRow(Corpus.Entry file, List<Backend> backends, String message) {
        List<Observation> seen = backends.stream().map(b -> (Observation) new Observation.Failed(b.name(), message)).toList();
        return new DiffReport.Row(file.id(), seen, List.of());
    }

    private static Availability probe(Backend b) {
        try {
            return b.probe();
        } catch (RuntimeException e) {
            return Availability.no("probe failed: " + Judge.oneLine(e));
        }
    }

    static boolean isPlugin(String backend) {
        return backend.startsWith(PluginBackend.PREFIX);
    }

    private static String hexOrNone(byte[] bytes) {
        return bytes == null ? "(none)" : hex(bytes);
    }

    static String hex(byte[] bytes) {
        return bytes.length == 0 ? "(empty)" : HexFormat.of().formatHex(bytes);
    }
}
