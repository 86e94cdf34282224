package dev.bpfh.cli;

import dev.bpfh.history.HistoryException;
import dev.bpfh.history.HistoryStore;
import dev.bpfh.history.Imports;
import dev.bpfh.history.RunRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh history add}. */
@Command(name = "add", mixinStandardHelpOptions = true,
        description = {"Stores bench runs: every figure of each DIR's summary.json (and of each --jmh file) with "
                + "its commit, branch, date and environment fingerprint. All inputs are read and checked before "
                + "anything is written, then written in one transaction. A file stored before is skipped."},
        footer = {"", "Examples:", "  bpfh history add bpfh-out/bench/*",
            "  bpfh history add --jmh target/jmh-result.json --commit $(git rev-parse HEAD) --tag machine=ci-3",
            "", "Exit codes: 0 stored (or already stored); 2 bad input or database (nothing stored)."})
final class HistoryAdd implements Callable<Integer> {

    @ParentCommand
    HistoryCommand parent;

    @Mixin
    HistoryCommand.Db db;

    @Parameters(paramLabel = "DIR", arity = "0..*", description = "bpfh bench output directories (or their summary.json).")
    List<Path> dirs = new ArrayList<>();

    @Option(names = "--jmh", paramLabel = "FILE", description = "A JMH JSON result (-rf json) of any project; repeatable. "
            + "Series key: benchmark{params} and mode. Its fingerprint is this machine plus the file's JDK, JVM flags "
            + "and JMH settings, so run this on the machine that measured.")
    List<Path> jmh = new ArrayList<>();

    @Option(names = "--commit", paramLabel = "SHA", description = "The commit measured. Default: the one the bench run "
            + "recorded; for --jmh, git HEAD of the current directory.")
    String commit;

    @Option(names = "--branch", paramLabel = "B", description = "The branch. Default: the one the bench run recorded.")
    String branch;

    @Option(names = "--tag", paramLabel = "K=V", description = "A label kept with the run; repeatable.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Override
    public Integer call() {
        Main main = parent.main;
        if (dirs.isEmpty() && jmh.isEmpty()) {
            throw UserError.usage("history add: nothing to add (give bench output directories or --jmh FILE)");
        }
        Imports.Provenance p = new Imports.Provenance(commit, branch, tags);
        List<RunRecord> runs = new ArrayList<>();
        try {
            for (Path d : dirs) {
                runs.add(Imports.benchDir(main.workDir.resolve(d), p));
            }
            String head = jmh.isEmpty() || commit != null ? "" : gitHead(main.workDir);
            for (Path f : jmh) {
                runs.add(Imports.jmh(main.workDir.resolve(f), p, head));
            }
        } catch (HistoryException e) {
            throw UserError.usage(Main.oneLine(e.getMessage()) + " (nothing stored)");
        }
        String url = db.url(main, true);
        try (HistoryStore store = HistoryStore.open(url, false)) {
            for (HistoryStore.Added a : store.add(runs)) {
                RunRecord r = a.run();
                main.out.println(a.stored()
                        ? "stored " + r.source() + ": " + r.measurements().size() + " figures, commit "
                                + (r.commit().isEmpty() ? "unknown" : r.commit()) + ", environment " + r.fingerprint().id()
                                + ", measured " + r.date()
                        : "already stored " + r.source() + " (same file as run " + a.id() + ")");
            }
            main.out.println("history: " + HistoryStore.redact(url));
        } catch (HistoryException e) {
            throw UserError.usage(Main.oneLine(e.getMessage()));
        }
        return Main.EXIT_OK;
    }

    /** git HEAD of {@code dir}, or "" outside a repository. */
    static String gitHead(Path dir) {
        try {
            Process proc = new ProcessBuilder("git", "rev-parse", "HEAD").directory(dir.toAbsolutePath().toFile())
                    .redirectErrorStream(true).start();
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return proc.waitFor(5, TimeUnit.SECONDS) && proc.exitValue() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
