package dev.bpfh.cli;

import dev.bpfh.history.History;
import dev.bpfh.history.HistoryException;
import dev.bpfh.history.HistoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code bpfh history}: bench runs kept over time, charted, and searched for change points. */
@Command(
        name = "history",
        mixinStandardHelpOptions = true,
        description = {
            "Performance history: every bench run stored with its environment fingerprint, in SQLite "
                    + "(default bpfh-out/history.db) or any JDBC database (PostgreSQL tested); series per workload, "
                    + "backend and environment; change points by E-divisive means with a permutation test.",
        },
        subcommands = {HistoryAdd.class, HistoryShow.class, HistoryPlot.class, HistoryDetect.class},
        footer = {"",
            "Examples:",
            "  bpfh history add bpfh-out/bench/20260501-101500",
            "  bpfh history show --backend jit",
            "  bpfh history detect --since origin/main~1 --threshold 5%%",
            "",
            "Environment: BPFH_HISTORY_DB is the default --db (a JDBC URL or a SQLite file).",
            "Exit codes: 0 ok; 1 detect found a regression beyond the threshold; 2 bad input, unknown schema "
                    + "version or unreachable database (nothing written)."})
final class HistoryCommand implements Callable<Integer> {
    static final String DB_ENV = "BPFH_HISTORY_DB";

    @ParentCommand
    Main main;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(main.err);
        return Main.EXIT_USAGE;
    }

    /** {@code --db}, shared by every history command. */
    static final class Db {
        @Option(names = "--db", paramLabel = "URL",
                description = "A JDBC URL (jdbc:sqlite:FILE, jdbc:postgresql://HOST/DB?user=U&password=P, ...) or a "
                        + "SQLite file. Default: $" + DB_ENV + ", else bpfh-out/history.db.")
        String db;

        /** The JDBC URL; {@code forWriting} creates the default file's directory. */
        String url(Main main, boolean forWriting) {
            String given = db != null ? db : main.env.get(DB_ENV);
            if (given != null && given.startsWith("jdbc:")) {
                return given;
            }
            Path file = main.workDir.resolve(given != null ? Path.of(given) : Path.of("bpfh-out", "history.db"))
                    .toAbsolutePath();
            if (forWriting && given == null) {
                try {
                    Files.createDirectories(file.getParent());
                } catch (IOException e) {
                    throw UserError.usage("cannot create " + file.getParent() + ": " + Main.oneLine(e.getMessage()));
                }
            }
            return "jdbc:sqlite:" + file;
        }

        History load(Main main) {
            try (HistoryStore store = HistoryStore.open(url(main, false), true)) {
                return store.load();
            } catch (HistoryException e) {
                throw UserError.usage(Main.oneLine(e.getMessage()));
            }
        }
    }

    /** {@code --workload} and {@code --backend} filters. */
    static final class Filter {
        @Option(names = "--workload", paramLabel = "W", description = "Only this workload (a JMH benchmark{params} for --jmh runs).")
        String workload;

        @Option(names = "--backend", paramLabel = "B", description = "Only this backend (the JMH mode for --jmh runs).")
        String backend;
    }
}
