package dev.bpfh.fuzz;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.RunInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * A fuzz campaign: programs {@code shard, shard + shards, shard + 2·shards, ...} of the seeded
 * sequence of a profile, each loaded once per engine and run on every input, compared by
 * {@link Oracle}; every disagreement minimised ({@link Minimiser}) and written as a {@code .data}
 * reproducer ({@link Reproducer}), one file per distinct minimised shape.
 *
 * <p>Workers (one per thread) take the next program number from a shared counter, so the programs
 * of a campaign are the same whatever the thread count; with {@code --time} how far the sequence
 * gets depends on the machine, never which programs it holds.
 */
public final class Campaign {

    /**
     * @param count programs to generate (with {@code time}, whichever ends first; {@code Long.MAX_VALUE}: no limit)
     * @param time wall-clock limit, or null
     * @param out directory for reproducers
     * @param inputs inputs per program (one load, several runs)
     * @param minimiseTests candidate programs the minimiser may try per disagreement
     * @param perKind disagreements of one kind (pair and category) that are minimised; later ones are only counted
     * @param seeds starting programs of the mutate profile
     * @param stopAfter stop once this many programs disagreed (0: never)
     */
    public record Options(Profile profile, long seed, int shard, int shards, long count, Duration time, Path out,
            int threads, int inputs, int minimiseTests, int perKind, List<Mutator.Seed> seeds, long stopAfter) {

        public static final long DEFAULT_COUNT = 10_000;
        public static final int DEFAULT_INPUTS = 4;
        public static final int DEFAULT_MINIMISE_TESTS = 3_000;
        public static final int DEFAULT_PER_KIND = 10;

        public Options {
            if (shards < 1 || shard < 0 || shard >= shards) {
                throw new IllegalArgumentException("shard " + shard + "/" + shards + ": need 0 <= I < N");
            }
            if (threads < 1 || inputs < 1 || count < 0) {
                throw new IllegalArgumentException("threads and inputs must be at least 1, count at least 0");
            }
            seeds = List.copyOf(seeds);
        }

        public static Options defaults() {
            return new Options(Profile.SAFE, Seeds.DEFAULT, 0, 1, DEFAULT_COUNT, null, Path.of("bpfh-out", "fuzz"),
                    Runtime.getRuntime().availableProcessors(), DEFAULT_INPUTS, DEFAULT_MINIMISE_TESTS, DEFAULT_PER_KIND, List.of(), 0);
        }

        public Options withProfile(Profile v) {
            return new Options(v, seed, shard, shards, count, time, out, threads, inputs, minimiseTests, perKind, seeds, stopAfter);
        }

        public Options withSeed(long v) {
            return new Options(profile, v, shard, shards, count, time, out, threads, inputs, minimiseTests, perKind, seeds, stopAfter);
        }

        public Options withShard(int i, int n) {
            return new Options(profile, seed, i, n, count, time, out, threads, inputs, minimiseTests, perKind, seeds, stopAfter);
        }

        public Options withCount(long v) {
            return new Options(profile, seed, shard, shards, v, time, out, threads, inputs, minimiseTests, perKind, seeds, stopAfter);
        }

        public Options withTime(Duration v) {
            return new Options(profile, seed, shard, shards, count, v, out, threads, inputs, minimiseTests, perKind, seeds, stopAfter);
        }

        public Options withOut(Path v) {
            return new Options(profile, seed, shard, shards, count, time, v, threads, inputs, minimiseTests, perKind, seeds, stopAfter);
        }

        public Options withThreads(int v) {
            return new Options(profile, seed, shard, shards, count, time, out, v, inputs, minimiseTests, perKind, seeds, stopAfter);
        }

        public Options withInputs(int v) {
            return new Options(profile, seed, shard, shards, count, time, out, threads, v, minimiseTests, perKind, seeds, stopAfter);
        }

        public Options withMinimiseTests(int v) {
            return new Options(profile, seed, shard, shards, count, time, out, threads, inputs, v, perKind, seeds, stopAfter);
        }

        public Options withPerKind(int v) {
            return new Options(profile, seed, shard, shards, count, time, out, threads, inputs, minimiseTests, v, seeds, stopAfter);
        }

        public Options withSeeds(List<Mutator.Seed> v) {
            return new Options(profile, seed, shard, shards, count, time, out, threads, inputs, minimiseTests, perKind, v, stopAfter);
        }

        public Options withStopAfter(long v) {
            return new Options(profile, seed, shard, shards, count, time, out, threads, inputs, minimiseTests, perKind, seeds, v);
        }

        /** The command line that regenerates this campaign's programs. */
        String commandLine() {
            return "bpfh fuzz --profile " + profile.label() + " --seed 0x" + Long.toHexString(seed)
                    + (shards > 1 ? " --shard " + shard + "/" + shards : "");
        }
    }

    private final Options options;
    private final List<Backend> backends;
    private final List<String> names;
    private final LoadOptions load;
    private final Mutator mutator;

    // Counters, shared by the workers.
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong programs = new AtomicLong();
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong disagreeing = new AtomicLong();
    private final AtomicLong notCompared = new AtomicLong();
    private final List<Map<String, AtomicLong>> outcomes = new ArrayList<>();
    private final AtomicLongArray accepted;
    private final List<Map<String, AtomicLong>> rejections = new ArrayList<>();
    private final List<AtomicLongArray> opcodes = new ArrayList<>();
    private final List<Map<Integer, AtomicLong>> helpers = new ArrayList<>();
    private final Map<String, AtomicLong> minimisedPerKind = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> unminimised = new ConcurrentHashMap<>();
    /** Reproducers by kind and shape, in the order found. */
    private final Map<String, Summary.Repro> reproducers = new LinkedHashMap<>();
    private final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());

    public Campaign(Options options, List<Backend> backends) {
        this.options = options;
        this.backends = List.copyOf(backends);
        this.names = backends.stream().map(Backend::name).toList();
        this.load = LoadOptions.DEFAULTS.withInstructionBudget(options.profile().budget);
        this.mutator = new Mutator(options.seeds());
        this.accepted = new AtomicLongArray(backends.size());
        for (int b = 0; b < backends.size(); b++) {
            outcomes.add(new ConcurrentHashMap<>());
            rejections.add(new ConcurrentHashMap<>());
            opcodes.add(new AtomicLongArray(256));
            helpers.add(new ConcurrentHashMap<>());
        }
    }

    /** Case {@code index} of the sequence (what a worker runs, and what a test can regenerate). */
    public FuzzCase generate(long index) {
        return switch (options.profile()) {
            case SAFE -> SafeGenerator.generate(options.seed(), index, options.inputs());
            case HOSTILE -> HostileGenerator.generate(options.seed(), index, options.inputs());
            case MUTATE -> mutator.generate(options.seed(), index, options.inputs());
            case PACKET -> PacketGenerator.generate(options.seed(), index, options.inputs());
        };
    }

    /** Runs the campaign; {@code progress} gets a line every {@code progressEvery} (null: no progress). */
    public Summary run(Consumer<String> progress, Duration progressEvery) throws IOException {
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("processors", String.valueOf(Runtime.getRuntime().availableProcessors()));
        double loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        machine.put("loadAverage", loadAverage < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", loadAverage));
        Files.createDirectories(options.out());
        long start = System.nanoTime();
        long deadline = options.time() == null ? Long.MAX_VALUE : start + options.time().toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(options.threads(),
                Thread.ofPlatform().name("bpfh-fuzz-", 0).daemon().stackSize(16L << 20).factory());
        Thread reporter = null;
        if (progress != null) {
            reporter = Thread.ofPlatform().daemon().name("bpfh-fuzz-progress").start(() -> {
                try {
                    while (true) {
                        Thread.sleep(progressEvery.toMillis());
                        progress.accept(progressLine(start));
                    }
                } catch (InterruptedException done) {
                    // the campaign is over
                }
            });
        }
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < options.threads(); t++) {
                workers.add(pool.submit(() -> work(deadline)));
            }
            for (Future<?> w : workers) {
                try {
                    w.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } finally {
            pool.shutdownNow();
            if (reporter != null) {
                reporter.interrupt();
            }
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!failures.isEmpty()) {
            Throwable f = failures.getFirst();
            if (f instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw new IllegalStateException("a fuzz worker failed: " + f, f);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (progress != null) {
            progress.accept(progressLine(start));
        }
        return summary(elapsed, machine);
    }

    private void work(long deadline) {
        while (true) {
            long k = next.getAndIncrement();
            if (k >= options.count() || System.nanoTime() > deadline
                    || options.stopAfter() > 0 && disagreeing.get() >= options.stopAfter()) {
                return;
            }
            long index = options.shard() + k * options.shards();
            FuzzCase c = generate(index);
            Trial.Result r = Trial.run(c, backends, load);
            record(c, r);
            if (!r.findings().isEmpty()) {
                disagreeing.incrementAndGet();
                try {
                    report(c, r, r.findings().getFirst());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private void record(FuzzCase c, Trial.Result r) {
        programs.incrementAndGet();
        runs.addAndGet(c.inputs().size());
        boolean compared = c.deterministic() && c.clockFree();
        if (!compared) {
            notCompared.incrementAndGet();
        }
        long[] slots = c.program().slots();
        int[] starts = Slots.starts(slots);
        for (int b = 0; b < names.size(); b++) {
            Observed[] seen = r.seen()[b];
            int ran = 0;
            for (Observed o : seen) {
                outcomes.get(b).computeIfAbsent(o.label(), k -> new AtomicLong()).incrementAndGet();
                if (o instanceof Observed.Returned || o instanceof Observed.Trapped) {
                    ran++;
                }
            }
            if (seen[0] instanceof Observed.Refused ref) {
                rejections.get(b).computeIfAbsent(normalise(ref.reason()), k -> new AtomicLong()).incrementAndGet();
            } else if (!(seen[0] instanceof Observed.Crashed)) {
                accepted.incrementAndGet(b);
            }
            if (ran > 0) {
                for (int pc : starts) {
                    long s = slots[pc];
                    opcodes.get(b).addAndGet(Insn.opcode(s), ran);
                    if (Insn.opcode(s) == CALL_IMM && Insn.src(s) == CALL_HELPER) {
                        helpers.get(b).computeIfAbsent(Insn.imm(s), k -> new AtomicLong()).addAndGet(ran);
                    }
                }
            }
        }
    }

    /** Minimises the disagreement (up to the per-kind limit) and writes or counts its reproducer. */
    private void report(FuzzCase c, Trial.Result r, Trial.Finding f) throws IOException {
        String kind = f.disagreement().key();
        if (minimisedPerKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet() > options.perKind()) {
            unminimised.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            return;
        }
        Set<String> mustRun = new HashSet<>();
        for (int b = 0; b < names.size(); b++) {
            Observed o = r.seen()[b][f.input()];
            if (o instanceof Observed.Returned || o instanceof Observed.Trapped) {
                mustRun.add(names.get(b));
            }
        }
        Minimiser.Result m = new Minimiser(c, f.disagreement(), backends, mustRun, load, options.minimiseTests())
                .minimise(c.inputs().get(f.input()));
        Program program = m.program();
        RunInput memory = m.input();
        Trial.Result shown = m.trial() != null ? m.trial() : r;
        Oracle.Disagreement d = m.disagreement() != null ? m.disagreement() : f.disagreement();
        int input = m.trial() != null ? 0 : f.input();
        List<Observed> seen = new ArrayList<>();
        for (int b = 0; b < names.size(); b++) {
            seen.add(shown.seen()[b][input]);
        }
        String shape = Reproducer.shape(program);
        String key = kind + " " + shape;
        synchronized (reproducers) {
            Summary.Repro known = reproducers.get(key);
            if (known != null) {
                reproducers.put(key, new Summary.Repro(known.path(), known.key(), known.shape(), known.count() + 1,
                        Math.min(known.program(), c.index()), known.instructions(), known.detail()));
                return;
            }
            String found = options.commandLine() + " (program #" + c.index() + ", " + c.origin() + ", input " + f.input() + ")";
            String text = Reproducer.text(program, memory, d, found, Slots.starts(c.program().slots()).length, names, seen);
            Path file = options.out().resolve(fileName(kind, key));
            Path tmp = Files.createTempFile(options.out(), ".repro-", ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            reproducers.put(key, new Summary.Repro(file.toString(), kind, shape, 1, c.index(),
                    Slots.starts(program.slots()).length, d.detail()));
        }
    }

    private String fileName(String kind, String key) {
        String base = options.profile().label() + "-" + kind.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        if (base.length() > 60) {
            base = base.substring(0, 60);
        }
        return base + "-" + String.format("%08x", key.hashCode()) + ".data";
    }

    /** "R1 invalid mem access at pc 12" and "R3 invalid mem access at pc 7" are one reason. */
    static String normalise(String reason) {
        return reason.replaceAll("[0-9]+", "N");
    }

    private String progressLine(long start) {
        double s = (System.nanoTime() - start) / 1e9;
        long p = programs.get();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "fuzz: %d programs, %.0f/s", p, s > 0 ? p / s : 0.0));
        int k = names.indexOf("kernel");
        if (k >= 0 && p > 0) {
            line.append(String.format(Locale.ROOT, ", kernel accepted %.1f%%", 100.0 * accepted.get(k) / p));
        }
        line.append(", disagreements ").append(disagreeing.get());
        return line.toString();
    }

    private Summary summary(double elapsed, Map<String, String> machine) {
        long p = programs.get();
        Map<String, Map<String, Long>> out = new TreeMap<>();
        Map<String, Summary.Acceptance> acc = new TreeMap<>();
        Map<String, Summary.Coverage> cov = new TreeMap<>();
        for (int b = 0; b < names.size(); b++) {
            Map<String, Long> o = new TreeMap<>();
            outcomes.get(b).forEach((k, v) -> o.put(k, v.get()));
            out.put(names.get(b), o);
            Map<String, Long> reasons = new TreeMap<>();
            rejections.get(b).forEach((k, v) -> reasons.put(k, v.get()));
            acc.put(names.get(b), new Summary.Acceptance(p, accepted.get(b), Summary.rate(accepted.get(b), p),
                    Summary.top(reasons, Summary.TOP_REASONS)));
            Map<String, Long> ops = new TreeMap<>();
            for (int op = 0; op < 256; op++) {
                if (opcodes.get(b).get(op) > 0) {
                    ops.put(String.format("0x%02x", op), opcodes.get(b).get(op));
                }
            }
            Map<String, Long> hs = new TreeMap<>();
            helpers.get(b).forEach((id, v) -> hs.put(String.valueOf(id), v.get()));
            cov.put(names.get(b), new Summary.Coverage(ops, hs));
        }
        Map<String, Long> um = new TreeMap<>();
        unminimised.forEach((k, v) -> um.put(k, v.get()));
        List<Summary.Repro> repros;
        synchronized (reproducers) {
            repros = List.copyOf(reproducers.values());
        }
        return new Summary(options.profile().label(), "0x" + Long.toHexString(options.seed()),
                List.of(options.shard() + "/" + options.shards()), names, p, runs.get(), elapsed, elapsed > 0 ? p / elapsed : 0,
                options.threads(), machine, out, acc, cov, disagreeing.get(), notCompared.get(), repros, um);
    }
}
