package dev.bpfh.cli;

import dev.bpfh.conformance.BackendDiff;
import dev.bpfh.conformance.ConformanceException;
import dev.bpfh.conformance.DiffReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code bpfh diff}: differential testing ({@link BackendDiff}): every backend runs every program
 * and disagreements are reported, so programs without a trusted expected value still find engine bugs.
 */
@Command(
        name = "diff",
        mixinStandardHelpOptions = true,
        description = {
            "Runs every program on every backend and reports where they disagree; test expectations are ignored.",
            "Disagreements: returned vs trapped, different r0, different memory after the run, different trap "
                    + "kind, or (between interp and jit) different trap pc. A rejection by one backend (the kernel "
                    + "verifier) is shown but is not a disagreement.",
        },
        footer = {"",
            "Examples:",
            "  bpfh diff",
            "  bpfh diff --backends interp,jit --mem 'aa bb cc dd' prog.bin",
            "",
            "Exit codes: 0 all backends agree on every program; 1 a disagreement, a backend crash or a malformed "
                    + "file; 2 bad usage (unknown backend, missing path)."})
final class DiffCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = ".data or raw little-endian .bin programs, or directories (recursive). Default: the built-in corpus.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--backends", split = ",", paramLabel = "NAME",
            description = "Comma-separated: interp, jit, kernel, plugin:<command>. Default: every available built-in backend.")
    List<String> backends = new ArrayList<>();

    @Option(names = "--mem", paramLabel = "HEX", description = "Input memory of .bin programs (default: none).")
    String memoryHex;

    @Option(names = "--json", paramLabel = "FILE", description = "Write every observation and disagreement as JSON.")
    Path json;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads. Default: the number of processors.")
    Integer threads;

    @Option(names = "--budget", paramLabel = "N",
            description = "Instructions a run may execute before it traps BUDGET_EXHAUSTED. Default: 10000000.")
    Long budget;

    @Override
    public Integer call() {
        DiffReport report;
        try {
            BackendDiff.Options o = BackendDiff.Options.defaults()
                    .withPaths(paths)
                    .withBackends(RunOptions.backendNames(backends, main.requireKernel()));
            if (memoryHex != null) {
                o = o.withMemoryHex(memoryHex);
            }
            if (threads != null) {
                o = o.withThreads(RunOptions.checkThreads(threads));
            }
            if (budget != null) {
                o = o.withLoad(o.load().withInstructionBudget(RunOptions.checkBudget(budget)));
            }
            report = BackendDiff.run(o);
            if (json != null) {
                report.writeJson(json);
            }
        } catch (ConformanceException e) {
            throw UserError.usage(e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            throw UserError.usage(Main.oneLine(e.getMessage()));
        }
        if (report.backends().size() < 2) {
            throw UserError.usage("diff needs at least two backends; available here: "
                    + (report.backends().isEmpty() ? "none" : String.join(", ", report.backends())));
        }
        report.printTable(main.out);
        if (json != null) {
            main.out.println("JSON results: " + json.toAbsolutePath().normalize());
        }
        int code = report.exitCode();
        String kernelProblem = main.requireKernel() ? RunOptions.kernelProblem() : null;
        if (kernelProblem != null) {
            main.err.println("bpfh: " + Main.REQUIRE_KERNEL_ENV + "=1 but " + kernelProblem);
            code = Main.EXIT_FAILED;
        }
        return code;
    }
}
