package dev.bpfh.cli;

import dev.bpfh.conformance.ConformanceException;
import dev.bpfh.data.DataFormatException;
import dev.bpfh.fuzz.Campaign;
import dev.bpfh.fuzz.Mutator;
import dev.bpfh.fuzz.Profile;
import dev.bpfh.fuzz.Summary;
import dev.bpfh.spi.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh fuzz}: differential fuzzing of every engine against the others and the kernel ({@link Campaign}). */
@Command(
        name = "fuzz",
        mixinStandardHelpOptions = true,
        description = {
            "Generates programs, runs each on every backend (one load, several inputs), and reports where they "
                    + "disagree; every disagreement is minimised and written to --out as a .data reproducer that "
                    + "bpfh diff and bpfh conformance run as is.",
            "Profiles: safe (programs the kernel verifier accepts; the kernel is the oracle), mutate (corpus, "
                    + "PATH and safe programs mutated at instruction level), hostile (arbitrary slots: no crash, no "
                    + "hang, interp and jit identical), packet (XDP, tc and socket filter programs the verifier accepts, on "
                    + "random packets and contexts: context fields, packet access, LD_ABS/LD_IND, packet helpers, maps; the "
                    + "kernel is the oracle for retval, data_out and ctx_out).",
        },
        footer = {"",
            "Examples:",
            "  bpfh fuzz --backends interp,jit,kernel --time 60s",
            "  bpfh fuzz --profile mutate --count 20000 my-tests/",
            "  bpfh fuzz --profile packet --backends interp,jit,kernel --count 20000",
            "  bpfh fuzz --shard 3/8 --seed 7 --time 10m --out shard3      (one of 8 CI jobs)",
            "  bpfh fuzz --merge shard0 shard1 shard2 --json all.json",
            "",
            "Exit codes: 0 no disagreement and no crash; 1 a disagreement or a crash (reproducers in --out); 2 bad "
                    + "usage (unknown backend or profile, bad --shard, missing or malformed PATH)."})
final class FuzzCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "mutate: .data files or directories to mutate besides the built-in corpus; --merge: "
                    + "directories holding fuzz.json, or JSON files.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--backends", split = ",", paramLabel = "NAME",
            description = "Comma-separated: interp, jit, kernel, plugin:<command>. Default: every available built-in backend.")
    List<String> backends = new ArrayList<>();

    @Option(names = "--profile", paramLabel = "NAME", defaultValue = "safe",
            description = "safe, mutate, hostile or packet. Default: ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the program sequence, decimal or 0x hex. Default: 0xb0ff022.")
    String seed;

    @Option(names = "--shard", paramLabel = "I/N",
            description = "Run programs I, I+N, I+2N, ... of the sequence (0 <= I < N), so N machines share one campaign. Default: 0/1.")
    String shard;

    @Option(names = "--count", paramLabel = "N",
            description = "Programs to generate. Default: 10000, or no limit when --time is given.")
    Long count;

    @Option(names = "--time", paramLabel = "DURATION", description = "Stop after this long: 90s, 10m, 2h (a bare number is seconds).")
    String time;

    @Option(names = "--out", paramLabel = "DIR", description = "Reproducers and fuzz.json go here. Default: bpfh-out/fuzz.")
    Path out;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the summary here instead of DIR/fuzz.json.")
    Path json;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads. Default: the number of processors.")
    Integer threads;

    @Option(names = "--inputs", paramLabel = "N",
            description = "Inputs per program: each backend loads a program once and runs it on N inputs. Default: 4.")
    Integer inputs;

    @Option(names = "--stop-after", paramLabel = "N", description = "Stop once N programs disagreed. Default: never.")
    Long stopAfter;

    @Option(names = "--merge", description = "Combine the fuzz.json of shards (PATH...) into one summary instead of fuzzing.")
    boolean merge;

    @Override
    public Integer call() {
        if (merge) {
            return merge();
        }
        Campaign.Options o = options();
        List<Backend> chosen = RunOptions.availableBackends(main, backends, "not fuzzed");
        try {
            if (chosen.size() < 2 && o.profile() != Profile.HOSTILE) {
                throw UserError.usage("fuzz needs at least two backends to compare; available here: "
                        + String.join(", ", chosen.stream().map(Backend::name).toList()));
            }
            if (o.profile() == Profile.MUTATE) {
                o = o.withSeeds(Mutator.seedsFrom(paths, true));
            } else if (!paths.isEmpty()) {
                throw UserError.usage("PATH arguments are for --profile mutate or --merge");
            }
            Summary s = new Campaign(o, chosen).run(line -> main.err.println(line), Duration.ofSeconds(2));
            Path file = json != null ? json : o.out().resolve("fuzz.json");
            s.write(file);
            s.print(main.out);
            main.out.println("reproducers: " + o.out().toAbsolutePath().normalize());
            main.out.println("JSON summary: " + file.toAbsolutePath().normalize());
            boolean crashed = s.outcomes().values().stream().anyMatch(m -> m.getOrDefault("crashed", 0L) > 0);
            return s.disagreeingPrograms() > 0 || crashed ? Main.EXIT_FAILED : Main.EXIT_OK;
        } catch (DataFormatException | ConformanceException e) {
            throw UserError.usage(e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            throw UserError.usage(Main.oneLine(e.getMessage()));
        } finally {
            chosen.forEach(Backend::close);
        }
    }

    private Campaign.Options options() {
        Campaign.Options o = Campaign.Options.defaults().withOut(out != null ? out : main.workDir.resolve("bpfh-out").resolve("fuzz"));
        try {
            o = o.withProfile(Profile.parse(profile));
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage());
        }
        if (seed != null) {
            o = o.withSeed(parseSeed(seed));
        }
        if (shard != null) {
            Matcher m = Pattern.compile("(\\d+)/(\\d+)").matcher(shard.strip());
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(1)) >= Integer.parseInt(m.group(2))) {
                throw UserError.usage("--shard must be I/N with 0 <= I < N: " + shard);
            }
            o = o.withShard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
        if (time != null) {
            o = o.withTime(parseDuration(time)).withCount(Long.MAX_VALUE);
        }
        if (count != null) {
            if (count < 1) {
                throw UserError.usage("--count must be at least 1: " + count);
            }
            o = o.withCount(count);
        }
        if (threads != null) {
            o = o.withThreads(RunOptions.checkThreads(threads));
        }
        if (inputs != null) {
            if (inputs < 1) {
                throw UserError.usage("--inputs must be at least 1: " + inputs);
            }
            o = o.withInputs(inputs);
        }
        if (stopAfter != null) {
            o = o.withStopAfter(Math.max(0, stopAfter));
        }
        return o;
    }

    private Integer merge() {
        if (paths.isEmpty()) {
            throw UserError.usage("--merge needs the directories (or fuzz.json files) of the shards");
        }
        List<Summary> parts = new ArrayList<>();
        for (Path p : paths) {
            Path file = Files.isDirectory(p) ? p.resolve("fuzz.json") : p;
            if (!Files.isRegularFile(file)) {
                throw UserError.usage(file + ": no such file");
            }
            try {
                parts.add(Summary.read(file));
            } catch (IOException e) {
                throw UserError.usage(file + ": not a fuzz summary: " + Main.oneLine(e.getMessage()));
            }
        }
        Summary s;
        try {
            s = Summary.merge(parts);
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage());
        }
        if (json != null) {
            try {
                s.write(json);
            } catch (IOException e) {
                throw UserError.usage(json + ": cannot write: " + Main.oneLine(e.getMessage()));
            }
        }
        s.print(main.out);
        if (json != null) {
            main.out.println("JSON summary: " + json.toAbsolutePath().normalize());
        }
        return s.disagreeingPrograms() > 0 ? Main.EXIT_FAILED : Main.EXIT_OK;
    }

    static long parseSeed(String s) {
        String t = s.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw UserError.usage("--seed must be a decimal or 0x hex number: " + s);
        }
    }

    static Duration parseDuration(String s) {
        Matcher m = Pattern.compile("(\\d+)([smh]?)").matcher(s.strip());
        if (!m.matches()) {
            throw UserError.usage("--time must be a number with s, m or h: " + s);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) {
            throw UserError.usage("--time must be positive: " + s);
        }
        return d;
    }
}
