package dev.bpfh.cli;

import dev.bpfh.reports.Charts;
import dev.bpfh.reports.Comparison;
import dev.bpfh.reports.Reports;
import dev.bpfh.reports.Summary;
import dev.bpfh.reports.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh compare}: the CI performance gate. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = {
            "Compares NEW against BASE per workload and backend: the ratio NEW/BASE of mean ns per run with a "
                    + "seeded bootstrap 95%% confidence interval over per-fork means (10,000 resamples), and a "
                    + "Mann-Whitney U p-value.",
            "A regression is declared only when the whole interval lies above 1 + threshold, so noise alone "
                    + "does not fail the gate. Use runs with at least 2 forks: with one fork the samples are "
                    + "correlated iterations and the interval is too narrow.",
        },
        footer = {"",
            "Examples:",
            "  bpfh compare bpfh-out/bench/base bpfh-out/bench/new",
            "  bpfh compare --threshold 10%% base/jmh.json new/jmh.json",
            "",
            "Exit codes: 0 no regression; 1 a regression; 2 bad usage (missing input, bad threshold)."})
final class CompareCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "BASE", description = "Baseline: a bench output directory or a JMH JSON file.")
    Path base;

    @Parameters(index = "1", paramLabel = "NEW", description = "Candidate: a bench output directory or a JMH JSON file.")
    Path next;

    @Option(names = "--threshold", paramLabel = "PCT", defaultValue = "5%",
            description = "Smallest slowdown that counts, e.g. 5%% (default) or 0.05.")
    String threshold;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where to write compare.png/.svg. Default: NEW (or the directory of the NEW file).")
    Path out;

    @Override
    public Integer call() {
        double t;
        try {
            t = Comparison.parseThreshold(threshold);
        } catch (NumberFormatException e) {
            throw UserError.usage("--threshold: not a percentage: " + threshold);
        }
        if (!(t >= 0)) {
            throw UserError.usage("--threshold must not be negative: " + threshold);
        }
        Path b = main.workDir.resolve(base);
        Path n = main.workDir.resolve(next);
        try {
            Summary baseSummary = Reports.load(b);
            Summary newSummary = Reports.load(n);
            List<Comparison.Row> rows = Comparison.compare(baseSummary, newSummary, t);
            main.out.print(Tables.format(Tables.comparisonRows(rows)));
            Path dir = out != null ? main.workDir.resolve(out) : Files.isDirectory(n) ? n : n.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Charts.save(Charts.comparison(rows, t), dir, "compare", new ArrayList<>());
            long regressions = rows.stream().filter(r -> r.verdict() == Comparison.Verdict.REGRESSION).count();
            long unconfirmed = rows.stream().filter(r -> r.verdict() == Comparison.Verdict.UNCONFIRMED).count();
            if (unconfirmed > 0) {
                main.out.println(unconfirmed + " figure(s) UNCONFIRMED: their interval lies beyond " + threshold
                        + ", but " + singleFork(baseSummary, newSummary)
                        + " a single fork, whose correlated iterations cannot show run-to-run noise; "
                        + "not counted as regressions. Compare runs with at least 2 forks (bench without --quick).");
            }
            main.out.println((regressions == 0 ? "No regression" : regressions + " regression(s)")
                    + " beyond " + threshold + " (95% bootstrap CI); chart: " + dir.resolve("compare.png"));
            return regressions == 0 ? Main.EXIT_OK : Main.EXIT_FAILED;
        } catch (IOException e) {
            throw UserError.usage(Main.oneLine(e.getMessage()));
        }
    }

    private static String singleFork(Summary base, Summary next) {
        boolean b = !Comparison.independentSamples(base);
        boolean n = !Comparison.independentSamples(next);
        return b && n ? "BASE and NEW have" : b ? "BASE has" : "NEW has";
    }
}
