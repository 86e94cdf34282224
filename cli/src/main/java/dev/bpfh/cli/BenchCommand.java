package dev.bpfh.cli;

import dev.bpfh.bench.BenchOptions;
import dev.bpfh.bench.BenchRunner;
import dev.bpfh.bench.Workloads;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.RunnerException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh bench}: JMH over workloads × backends, then JSON, charts, HTML and a table. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmarks workloads on backends with JMH (in forked JVMs) and writes jmh.json (JMH's own), "
                    + "summary.json, PNG and SVG charts and a self-contained index.html.",
            "Every workload is first run once on every backend and must return its '-- result'. For the kernel, "
                    + "ns/run is the kernel's own duration; the Java round trip is listed separately.",
        },
        footer = {"",
            "Examples:",
            "  bpfh bench --quick",
            "  bpfh bench --backends interp,jit my_prog.data",
            "",
            "Exit codes: 0 every workload measured on every backend; 1 a workload failed (wrong r0, rejected, "
                    + "no result); 2 bad usage (missing path, no usable backend)."})
final class BenchCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = ".data workloads (each needs '-- result') or directories of them. Default: the built-in workloads.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--backends", split = ",", paramLabel = "NAME",
            description = "Comma-separated: interp, jit, kernel. Default: every available built-in backend.")
    List<String> backends = new ArrayList<>();

    @Option(names = "--quick", description = "One fork and short iterations: the whole default set on 3 backends in "
            + "about 4 minutes. Numbers are indicative only.")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: bpfh-out/bench/<timestamp>.")
    Path out;

    @Override
    public Integer call() {
        List<String> workloads;
        try {
            workloads = Workloads.expand(paths.stream().map(main.workDir::resolve).toList());
        } catch (IOException e) {
            throw UserError.usage(Main.oneLine(e.getMessage()));
        }
        Path dir = out != null ? main.workDir.resolve(out)
                : main.workDir.resolve(Path.of("bpfh-out", "bench",
                        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        BenchRunner.Result result;
        try {
            result = new BenchRunner(main.out).run(new BenchOptions(workloads, backends, quick, dir));
        } catch (IOException e) {
            throw UserError.usage(Main.oneLine(e.getMessage()));
        } catch (RunnerException e) {
            throw UserError.failed("JMH failed: " + Main.oneLine(e.getMessage()));
        }
        return result.summary().failures().isEmpty() ? Main.EXIT_OK : Main.EXIT_FAILED;
    }
}
