package dev.bpfh.fuzz;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The result of a campaign, as written to {@code --json} and combined by {@code --merge}.
 *
 * @param shards {@code "I/N"} of every shard this summary covers
 * @param programs programs generated; {@code runs} = programs × inputs
 * @param programsPerSecond programs per wall-clock second; for a merge, the sum over the shards
 *     (they run side by side)
 * @param machine processors and the load average when the campaign started, because throughput
 *     means little without them
 * @param outcomes per engine, runs by outcome (returned, trapped, refused, unsupported, crashed, other)
 * @param acceptance per engine, how many programs it loaded and its most frequent refusal reasons
 *     (digits replaced by N so that the same reason at different pcs counts once)
 * @param coverage per engine, opcode (hex) → runs of programs containing it, once per occurrence;
 *     helper id → the same for {@code call} of that helper. A static count per run, not an
 *     instruction trace
 * @param disagreeingPrograms programs on which some pair of engines disagreed
 * @param notCompared programs whose values were not compared with the kernel or a plugin (not
 *     {@linkplain FuzzCase#deterministic() deterministic}) or between interp and jit (may read the clock)
 * @param reproducers one per distinct minimised program shape, with how many programs led to it
 * @param unminimised disagreements by kind (pair/category) beyond the per-kind minimisation limit
 */
public record Summary(String profile, String seed, List<String> shards, List<String> backends, long programs, long runs,
        double elapsedSeconds, double programsPerSecond, int threads, Map<String, String> machine,
        Map<String, Map<String, Long>> outcomes, Map<String, Acceptance> acceptance, Map<String, Coverage> coverage,
        long disagreeingPrograms, long notCompared, List<Repro> reproducers, Map<String, Long> unminimised) {

    public record Acceptance(long programs, long accepted, double rate, Map<String, Long> topRejections) {}

    public record Coverage(Map<String, Long> opcodes, Map<String, Long> helpers) {}

    /**
     * @param path the reproducer file; {@code key} pair and category; {@code count} programs that
     *     minimised to this shape; {@code program} the first of them
     */
    public record Repro(String path, String key, String shape, long count, long program, int instructions, String detail) {}

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes the JSON through a temporary file, so a reader never sees half of it. */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".fuzz-", ".json.tmp");
        try {
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static Summary read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Summary.class);
    }

    /**
     * Combines shards of one campaign (same profile, seed and engines): counts add up, reproducers
     * of the same shape and kind are one with their counts added, throughput adds up (shards run in
     * parallel), elapsed time is the longest shard's.
     */
    public static Summary merge(List<Summary> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        Summary first = parts.getFirst();
        TreeSet<String> shards = new TreeSet<>(Comparator.comparing(Summary::shardOrder));
        long programs = 0, runs = 0, disagreeing = 0, notCompared = 0;
        double elapsed = 0, rate = 0;
        Map<String, Map<String, Long>> outcomes = new TreeMap<>();
        Map<String, long[]> accepted = new TreeMap<>();
        Map<String, Map<String, Long>> rejections = new TreeMap<>();
        Map<String, Map<String, Long>> opcodes = new TreeMap<>();
        Map<String, Map<String, Long>> helpers = new TreeMap<>();
        Map<String, Repro> repros = new LinkedHashMap<>();
        Map<String, Long> unminimised = new TreeMap<>();
        for (Summary s : parts) {
            if (!s.profile.equals(first.profile) || !s.seed.equals(first.seed) || !s.backends.equals(first.backends)) {
                throw new IllegalArgumentException("cannot merge different campaigns: " + first.describe() + " and " + s.describe());
            }
            for (String shard : s.shards) {
                if (!shards.add(shard)) {
                    throw new IllegalArgumentException("shard " + shard + " appears twice");
                }
            }
            programs += s.programs;
            runs += s.runs;
            disagreeing += s.disagreeingPrograms;
            notCompared += s.notCompared;
            elapsed = Math.max(elapsed, s.elapsedSeconds);
            rate += s.programsPerSecond;
            s.outcomes.forEach((b, m) -> m.forEach((k, v) -> outcomes.computeIfAbsent(b, x -> new TreeMap<>()).merge(k, v, Long::sum)));
            s.acceptance.forEach((b, a) -> {
                long[] pa = accepted.computeIfAbsent(b, x -> new long[2]);
                pa[0] += a.programs;
                pa[1] += a.accepted;
                a.topRejections.forEach((k, v) -> rejections.computeIfAbsent(b, x -> new TreeMap<>()).merge(k, v, Long::sum));
            });
            s.coverage.forEach((b, c) -> {
                c.opcodes.forEach((k, v) -> opcodes.computeIfAbsent(b, x -> new TreeMap<>()).merge(k, v, Long::sum));
                c.helpers.forEach((k, v) -> helpers.computeIfAbsent(b, x -> new TreeMap<>()).merge(k, v, Long::sum));
            });
            for (Repro r : s.reproducers) {
                repros.merge(r.key + " " + r.shape, r, (a, b) -> new Repro(a.path, a.key, a.shape, a.count + b.count,
                        Math.min(a.program, b.program), a.instructions, a.detail));
            }
            s.unminimised.forEach((k, v) -> unminimised.merge(k, v, Long::sum));
        }
        Map<String, Acceptance> acceptance = new TreeMap<>();
        accepted.forEach((b, pa) -> acceptance.put(b, new Acceptance(pa[0], pa[1], rate(pa[1], pa[0]),
                top(rejections.getOrDefault(b, Map.of()), TOP_REASONS))));
        Map<String, Coverage> coverage = new TreeMap<>();
        opcodes.forEach((b, m) -> coverage.put(b, new Coverage(m, helpers.getOrDefault(b, new TreeMap<>()))));
        return new Summary(first.profile, first.seed, List.copyOf(shards), first.backends, programs, runs, elapsed, rate,
                first.threads, first.machine, outcomes, acceptance, coverage, disagreeing, notCompared,
                new ArrayList<>(repros.values()), unminimised);
    }

    static final int TOP_REASONS = 10;

    static double rate(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    static Map<String, Long> top(Map<String, Long> counts, int n) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(n).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static int shardOrder(String shard) {
        int slash = shard.indexOf('/');
        return Integer.parseInt(slash < 0 ? shard : shard.substring(0, slash));
    }

    String describe() {
        return "profile " + profile + ", seed " + seed + ", backends " + String.join(",", backends);
    }

    /** The human report. */
    public void print(PrintStream out) {
        out.println("bpfh fuzz: " + describe() + ", shard" + (shards.size() > 1 ? "s " : " ") + String.join(" ", shards));
        out.printf(Locale.ROOT, "programs: %d (%d runs) in %.1f s: %.0f programs/s, %d threads%s%n", programs, runs,
                elapsedSeconds, programsPerSecond, threads,
                machine.isEmpty() ? "" : " (" + machine.get("processors") + " processors, load average " + machine.get("loadAverage") + " at start)");
        out.printf("%-10s %-20s %10s %10s %10s %8s %8s%n", "backend", "accepted programs", "returned", "trapped", "refused", "crashed", "opcodes");
        for (String b : backends) {
            Acceptance a = acceptance.get(b);
            Map<String, Long> o = outcomes.getOrDefault(b, Map.of());
            Coverage c = coverage.get(b);
            out.printf(Locale.ROOT, "%-10s %-20s %10d %10d %10d %8d %8d%n", b.length() > 10 ? b.substring(0, 10) : b,
                    a == null ? "-" : String.format(Locale.ROOT, "%d (%.1f%%)", a.accepted, 100 * a.rate),
                    o.getOrDefault("returned", 0L), o.getOrDefault("trapped", 0L),
                    o.getOrDefault("refused", 0L) + o.getOrDefault("unsupported", 0L), o.getOrDefault("crashed", 0L),
                    c == null ? 0 : c.opcodes.size());
        }
        for (String b : backends) {
            Acceptance a = acceptance.get(b);
            if (a != null && !a.topRejections.isEmpty()) {
                out.println("top refusals by " + b + ":");
                a.topRejections.forEach((reason, n) -> out.printf("  %8d  %s%n", n, reason));
            }
        }
        if (notCompared > 0) {
            out.println("not compared (may read helper results, uninitialised stack or the clock): " + notCompared + " programs");
        }
        out.println("disagreements: " + disagreeingPrograms + " programs" + (reproducers.isEmpty() ? "" : ", " + reproducers.size() + " distinct:"));
        for (Repro r : reproducers) {
            out.printf("  %s (%d program%s, %d instructions): %s%n", r.path, r.count, r.count == 1 ? "" : "s", r.instructions, r.detail);
        }
        unminimised.forEach((k, v) -> out.println("  " + k + ": " + v + " more, not minimised (per-kind limit)"));
    }
}
