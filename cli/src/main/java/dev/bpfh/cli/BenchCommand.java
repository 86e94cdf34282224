package dev.bpfh.cli;

import dev.bpfh.bench.BenchOptions;
import dev.bpfh.bench.BenchRunner;
import dev.bpfh.bench.PacketWorkload;
import dev.bpfh.elf.ElfException;
import dev.bpfh.elf.ObjectLoader;
import java.nio.file.Files;
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
            "  bpfh bench examples/xdp_firewall.o --prog xdp_firewall --pcap examples/traces/mixed.pcap",
            "  bpfh bench xdp_firewall@mixed vlan_strip@vlan   (built-in packet workloads)",
            "",
            "Exit codes: 0 every workload measured on every backend that supports it (a pair the backend declares "
                    + "unsupported, e.g. uBPF and a program with maps, is left out with its reason); 1 a workload failed "
                    + "(wrong r0, rejected, no result); 2 bad usage (missing path, no usable backend)."})
final class BenchCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = ".data workloads (each needs '-- result') or directories of them, built-in workload names "
                    + "(checksum_1500, xdp_firewall@mixed ...), or one clang object with --pcap. Default: the built-in workloads.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--pcap", paramLabel = "TRACE",
            description = "With an object: the trace whose packets the program runs, one per benchmark call (ns/packet, Mpps).")
    Path pcap;

    @Option(names = "--prog", paramLabel = "NAME", description = "With an object: the program to run. Default: its only program.")
    String prog;

    @Option(names = "--backends", split = ",", paramLabel = "NAME",
            description = "Comma-separated: interp, jit, kernel, ubpf, ubpf-jit (with BPFH_UBPF_LIB). Default: every "
                    + "available built-in backend (the uBPF ones only when named).")
    List<String> backends = new ArrayList<>();

    @Option(names = "--quick", description = "One fork, each iteration once the JIT compilers are idle, the median of "
            + "7 x 100 ms: the whole default set on 3 backends in about 2 minutes.")
    boolean quick;

    @Option(names = "--ns-only", description = "Time ns per run only (AverageTime, the kernel's in-kernel time): no "
            + "latency percentiles, no load times and no kernel round trip. With the full forks and iterations: the goals' "
            + "figures in about half the time of a full run.")
    boolean nsOnly;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: bpfh-out/bench/<timestamp>.")
    Path out;

    @Override
    public Integer call() {
        List<String> workloads = new ArrayList<>();
        try {
            List<Path> files = new ArrayList<>();
            for (Path p : paths) {
                Path resolved = main.workDir.resolve(p);
                if (PacketWorkload.isPacketWorkload(p.toString())) {
                    workloads.add(p.toString());
                } else if (isObject(resolved)) {
                    workloads.add(objectWorkload(resolved));
                } else if (!Files.exists(resolved) && Workloads.builtInNames().contains(p.toString())) {
                    workloads.add(p.toString()); // a built-in workload by name, e.g. checksum_1500
                } else {
                    files.add(resolved);
                }
            }
            if ((pcap != null || prog != null) && workloads.stream().noneMatch(w -> w.contains("#"))) {
                throw UserError.usage("--pcap and --prog go with a clang object (FILE.o)");
            }
            workloads.addAll(Workloads.expand(files));
        } catch (IOException e) {
            throw UserError.usage(Main.oneLine(e.getMessage()));
        }
        Path dir = out != null ? main.workDir.resolve(out)
                : main.workDir.resolve(Path.of("bpfh-out", "bench",
                        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        BenchRunner.Result result;
        try {
            result = new BenchRunner(main.out).run(new BenchOptions(workloads, backends, quick, dir, nsOnly));
        } catch (IOException e) {
            throw UserError.usage(Main.oneLine(e.getMessage()));
        } catch (RunnerException e) {
            throw UserError.failed("JMH failed: " + Main.oneLine(e.getMessage()));
        }
        return result.summary().failures().isEmpty() ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    private static boolean isObject(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            return false;
        }
        try (var in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        }
    }

    /** The packet workload spec of an object's program over --pcap; the program defaults to the object's only one. */
    private String objectWorkload(Path object) {
        if (pcap == null) {
            throw UserError.usage(object + " is an object: give --pcap TRACE (and --prog NAME) to benchmark it per packet");
        }
        String program = prog;
        if (program == null) {
            List<String> names;
            try {
                names = ObjectLoader.load(object).programNames();
            } catch (ElfException e) {
                throw UserError.usage(object + ": " + Main.oneLine(e.getMessage()));
            }
            if (names.size() != 1) {
                throw UserError.usage(object + " has " + names.size() + " programs; pick one with --prog: " + String.join(", ", names));
            }
            program = names.get(0);
        }
        Path trace = main.workDir.resolve(pcap);
        if (!Files.isRegularFile(trace)) {
            throw UserError.usage(pcap + ": no such file");
        }
        return PacketWorkload.spec(object, program, trace);
    }
}
