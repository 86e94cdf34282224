package dev.bpfh.cli;

import dev.bpfh.conformance.ConformanceException;
import dev.bpfh.conformance.ConformanceRunner;
import dev.bpfh.conformance.RunReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh conformance}: the corpus on every backend, judged against each test's expectation. */
@Command(
        name = "conformance",
        mixinStandardHelpOptions = true,
        description = {
            "Runs .data tests on backends and judges each (test, backend) pair against the test's expected "
                    + "result or error: PASS, FAIL, ERROR, REJECTED, SKIPPED or UNAVAILABLE. Prints the matrix "
                    + "and per-backend summaries.",
            "Without --json and --junit-xml, writes " + ConformanceCommand.DEFAULT_JSON + " and JUnit XML into "
                    + ConformanceCommand.DEFAULT_DIR + "/.",
        },
        footer = {"",
            "Examples:",
            "  bpfh conformance",
            "  bpfh conformance --backends interp,jit --cpu v3 my-tests/",
            "  bpfh conformance --backends 'plugin:./bpfh plugin --backend jit' --json out.json",
            "",
            "Exit codes: 0 every pair passed or is listed in a manifest; 1 otherwise (or, with "
                    + "BPFH_REQUIRE_KERNEL=1, the kernel is unavailable); 2 bad usage (unknown backend, missing path)."})
final class ConformanceCommand implements Callable<Integer> {

    static final String DEFAULT_DIR = "bpfh-out/conformance";
    static final String DEFAULT_JSON = DEFAULT_DIR + "/conformance.json";

    @ParentCommand
    Main main;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() {
        boolean defaultReports = run.json == null && run.junitXml == null;
        if (defaultReports) {
            run.json = main.workDir.resolve(DEFAULT_JSON);
            run.junitXml = main.workDir.resolve(DEFAULT_DIR);
        }
        RunReport report = execute(main, run.toRunnerOptions(main.requireKernel()));
        report.printMatrix(main.out);
        if (run.json != null) {
            main.out.println("JSON results: " + run.json.toAbsolutePath().normalize());
        }
        if (run.junitXml != null) {
            main.out.println("JUnit XML: " + run.junitXml.toAbsolutePath().normalize() + "/TEST-bpfh-*.xml");
        }
        int code = report.exitCode();
        String kernelProblem = main.requireKernel() ? RunOptions.kernelProblem() : null;
        if (kernelProblem != null) {
            main.err.println("bpfh: " + Main.REQUIRE_KERNEL_ENV + "=1 but " + kernelProblem);
            code = Main.EXIT_FAILED;
        }
        return code;
    }

    /** Runs with progress lines on stderr; bad input becomes a one-line usage error. */
    static RunReport execute(Main main, ConformanceRunner.Options options) {
        try {
            return ConformanceRunner.run(options.withProgress(main.err));
        } catch (ConformanceException e) {
            throw UserError.usage(e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            throw UserError.usage(Main.oneLine(e.getMessage()));
        }
    }
}
