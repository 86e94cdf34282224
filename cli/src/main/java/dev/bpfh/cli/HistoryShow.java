package dev.bpfh.cli;

import dev.bpfh.history.History;
import dev.bpfh.history.HistoryTables;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh history show}. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Prints one table per environment, one row per series (workload x backend): runs shown, the "
                + "latest value with its 99.9%% interval, its change from the run before, a sparkline of the values "
                + "shown (lowest to highest of the series), and the latest commit and date."},
        footer = {"", "Examples:", "  bpfh history show", "  bpfh history show --backend jit --last 50",
            "", "Exit codes: 0 ok; 2 no history database, or an unusable one."})
final class HistoryShow implements Callable<Integer> {

    @ParentCommand
    HistoryCommand parent;

    @Mixin
    HistoryCommand.Db db;

    @Mixin
    HistoryCommand.Filter filter;

    @Option(names = "--last", paramLabel = "N", defaultValue = "20",
            description = "Show the newest N runs of each series (default: ${DEFAULT-VALUE}; 0: all).")
    int last;

    @Override
    public Integer call() {
        if (last < 0) {
            throw UserError.usage("--last must not be negative: " + last);
        }
        Main main = parent.main;
        History h = db.load(main);
        List<History.Series> series = h.series(filter.workload, filter.backend, last);
        if (series.isEmpty()) {
            main.out.println(h.points().isEmpty() ? "The history is empty (bpfh history add DIR stores a bench run)."
                    : "No series matches.");
            return Main.EXIT_OK;
        }
        main.out.print(HistoryTables.show(h, series));
        return Main.EXIT_OK;
    }
}
