package dev.bpfh.cli;

import dev.bpfh.reports.Reports;
import dev.bpfh.reports.Summary;
import dev.bpfh.reports.SummaryJson;
import dev.bpfh.reports.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh report}: re-renders charts and HTML from a bench run's JSON, without measuring. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = "Re-renders the charts (PNG, SVG) and index.html of a bench output directory from its "
                + "summary.json (or, without one, its jmh.json), and prints the table.",
        footer = {"",
            "Examples:",
            "  bpfh report bpfh-out/bench/20260101-120000",
            "  bpfh report --out /tmp/r results.json",
            "",
            "Exit codes: 0 rendered; 2 bad usage (missing or unreadable input)."})
final class ReportCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "DIR", description = "A bench output directory, a summary.json, or a JMH JSON file.")
    Path input;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where to write. Default: DIR itself (or the directory of the given file).")
    Path out;

    @Override
    public Integer call() {
        Path in = main.workDir.resolve(input);
        try {
            Summary s = Reports.load(in);
            Path dir = out != null ? main.workDir.resolve(out) : Files.isDirectory(in) ? in : in.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            if (!Files.exists(dir.resolve(Reports.SUMMARY_JSON))) {
                SummaryJson.write(s, dir.resolve(Reports.SUMMARY_JSON));
            }
            Path html = Reports.render(s, dir);
            main.out.print(Tables.format(Tables.runRows(s)));
            if (!s.facts().isEmpty()) {
                main.out.println();
                main.out.print(Tables.format(Tables.factsRows(s)));
            }
            main.out.println();
            main.out.print(Tables.format(Tables.ratioRows(s)));
            Tables.goalLines(s).forEach(main.out::println);
            s.leftOut().forEach(f -> main.out.println("LEFT OUT " + f));
            s.failures().forEach(f -> main.out.println("FAILED " + f));
            main.out.println("Wrote charts and " + html);
        } catch (IOException e) {
            throw UserError.usage(Main.oneLine(e.getMessage()));
        }
        return Main.EXIT_OK;
    }
}
