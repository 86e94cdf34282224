package dev.bpfh.cli;

import dev.bpfh.history.Detection;
import dev.bpfh.history.EDivisive;
import dev.bpfh.history.History;
import dev.bpfh.history.HistoryPlots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh history plot}. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = {"Writes one chart per workload x backend, PNG and SVG (x: runs in measurement order, labelled "
                + "commit and date; y: the value with its 99.9%% interval; one line per environment; environment "
                + "changes dashed grey, detected change points red), and index.html embedding them with the change "
                + "points and every environment's fingerprint."},
        footer = {"", "Examples:", "  bpfh history plot", "  bpfh history plot --workload primes_500 --out /tmp/trend",
            "", "Exit codes: 0 ok; 2 no history database, or an unusable one."})
final class HistoryPlot implements Callable<Integer> {

    @ParentCommand
    HistoryCommand parent;

    @Mixin
    HistoryCommand.Db db;

    @Mixin
    HistoryCommand.Filter filter;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bpfh-out/history",
            description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--threshold", paramLabel = "PCT", defaultValue = "5%",
            description = "Change points beyond this, the bad way, are listed as regressions (default: ${DEFAULT-VALUE}).")
    String threshold;

    @Override
    public Integer call() {
        Main main = parent.main;
        double t = HistoryDetect.threshold(threshold);
        History h = db.load(main);
        List<History.Series> series = h.series(filter.workload, filter.backend, 0);
        if (series.isEmpty()) {
            throw UserError.usage(h.points().isEmpty() ? "the history is empty: nothing to plot" : "no series matches");
        }
        List<Detection.Finding> findings = Detection.detect(series, new EDivisive(), t, null);
        Path dir = main.workDir.resolve(out);
        try {
            List<HistoryPlots.Plot> plots = HistoryPlots.write(h, series, findings, dir);
            main.out.println("Wrote " + plots.size() + " charts (PNG and SVG) and " + dir.resolve("index.html"));
        } catch (IOException e) {
            throw UserError.usage("cannot write " + dir + ": " + Main.oneLine(e.getMessage()));
        }
        return Main.EXIT_OK;
    }
}
