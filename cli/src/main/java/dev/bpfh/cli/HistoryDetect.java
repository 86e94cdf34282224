package dev.bpfh.cli;

import dev.bpfh.history.Detection;
import dev.bpfh.history.EDivisive;
import dev.bpfh.history.History;
import dev.bpfh.history.HistoryException;
import dev.bpfh.history.HistoryTables;
import dev.bpfh.reports.Comparison;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh history detect}: change points, and the trend gate for CI. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = {"Finds change points in every series with E-divisive means (Matteson & James 2014) and a "
                + "permutation test (199 shuffles, significance 0.01, at least 4 runs either side; seeded, so the "
                + "same history always gives the same answer) and prints each with its commit, the mean before "
                + "and after, the change and the p-value.",
            "A change point is a regression when the series got worse (slower; fewer ops for throughputs) by more "
                + "than --threshold. It fails the gate when its run was measured after the first run of --since."},
        footer = {"", "Examples:", "  bpfh history detect",
            "  bpfh history detect --since 1a2b3c4 --threshold 10%% --json bpfh-out/change-points.json",
            "", "Exit codes: 0 no regression after --since; 1 a regression after --since (without --since: any); "
                + "2 bad option, unknown revision, no history database or an unusable one."})
final class HistoryDetect implements Callable<Integer> {

    @ParentCommand
    HistoryCommand parent;

    @Mixin
    HistoryCommand.Db db;

    @Mixin
    HistoryCommand.Filter filter;

    @Option(names = "--since", paramLabel = "REV", description = "A stored commit (a prefix is enough): only "
            + "regressions measured after its first run fail the gate. Default: every regression does.")
    String since;

    @Option(names = "--threshold", paramLabel = "PCT", defaultValue = "5%",
            description = "Smallest change the bad way that is a regression, e.g. 5%% (default) or 0.05.")
    String threshold;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the change points as JSON.")
    Path json;

    @Override
    public Integer call() {
        Main main = parent.main;
        double t = threshold(threshold);
        History h = db.load(main);
        Instant sinceDate;
        try {
            sinceDate = since == null ? null : Detection.sinceDate(h, since);
        } catch (HistoryException e) {
            throw UserError.usage(e.getMessage());
        }
        List<History.Series> series = h.series(filter.workload, filter.backend, 0);
        List<Detection.Finding> findings = Detection.detect(series, new EDivisive(), t, sinceDate);
        if (findings.isEmpty()) {
            main.out.println("No change point in " + series.size() + " series.");
        } else {
            main.out.print(HistoryTables.findings(findings));
        }
        if (json != null) {
            Path file = main.workDir.resolve(json);
            try {
                Detection.writeJson(findings, t, since, file);
            } catch (IOException e) {
                throw UserError.usage("cannot write " + file + ": " + Main.oneLine(e.getMessage()));
            }
        }
        long gated = findings.stream().filter(Detection.Finding::gated).count();
        main.out.println((gated == 0 ? "No regression" : gated + " regression(s)") + " beyond " + threshold
                + (since == null ? "" : " after " + since) + " in " + series.size() + " series.");
        return gated == 0 ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    static double threshold(String text) {
        double t;
        try {
            t = Comparison.parseThreshold(text);
        } catch (NumberFormatException e) {
            throw UserError.usage("--threshold: not a percentage: " + text);
        }
        if (!(t >= 0)) {
            throw UserError.usage("--threshold must not be negative: " + text);
        }
        return t;
    }
}
