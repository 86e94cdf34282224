package dev.bpfh.cli;

import dev.bpfh.conformance.ConformanceException;
import dev.bpfh.conformance.ConformanceRunner;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options {@code conformance} and {@code diff} share: what to run, where, and how to report it. */
final class RunOptions {

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = ".data files or directories (recursive). Default: the built-in corpus and its kernel manifest.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--backends", split = ",", paramLabel = "NAME",
            description = "Comma-separated: interp, jit, kernel, plugin:<command>. Default: every available built-in backend.")
    List<String> backends = new ArrayList<>();

    @Option(names = "--cpu", paramLabel = "v1..v4", defaultValue = "v4",
            description = "Tests needing a newer cpu version are SKIPPED. Default: ${DEFAULT-VALUE}.")
    String cpu;

    @Option(names = "--groups", paramLabel = "NAMES",
            description = "Comma-separated groups (base32, base64, atomic32, atomic64, divmul32, divmul64, packet, "
                    + "callx) or all; tests needing another group are SKIPPED. Default: all.")
    String groups;

    @Option(names = "--expect", paramLabel = "MANIFEST",
            description = "Expectation manifest of known REJECTED/SKIPPED results (repeatable).")
    List<Path> manifests = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON.")
    Path json;

    @Option(names = "--junit-xml", paramLabel = "DIR", description = "Write TEST-bpfh-<backend>.xml files into DIR.")
    Path junitXml;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads. Default: the number of processors.")
    Integer threads;

    @Option(names = "--budget", paramLabel = "N",
            description = "Instructions a run may execute before it traps BUDGET_EXHAUSTED (checked at backward "
                    + "jumps and calls). Default: 10000000 (a budget trap's pc does not depend on it).")
    Long budget;

    @Option(names = "--exact-messages",
            description = "Compare every -- error text outside bpfh's vocabulary (rejected, trap KIND [at pc N]) "
                    + "exactly, or as a regular expression for -- error pattern. Default: only for plugin: backends; "
                    + "for interp, jit and kernel such a text is another VM's words and means the program must "
                    + "fail: a load refusal or a trap passes, and the report shows both texts.")
    boolean exactMessages;

    /** Runner options from these flags; every named backend must be available when {@code requireKernel}. */
    ConformanceRunner.Options toRunnerOptions(boolean requireKernel) {
        try {
            ConformanceRunner.Options o = ConformanceRunner.Options.defaults()
                    .withPaths(paths)
                    .withCpu(ConformanceRunner.parseCpu(cpu))
                    .withManifests(manifests)
                    .withJson(json)
                    .withJunitXml(junitXml)
                    .withBackends(backendNames(backends, requireKernel))
                    .withRequireAvailable(requireKernel)
                    .withExactMessages(exactMessages);
            if (groups != null) {
                o = o.withGroups(ConformanceRunner.parseGroups(groups));
            }
            if (threads != null) {
                o = o.withThreads(checkThreads(threads));
            }
            if (budget != null) {
                o = o.withLoad(o.load().withInstructionBudget(checkBudget(budget)));
            }
            return o;
        } catch (ConformanceException e) {
            throw UserError.usage(e.getMessage());
        }
    }

    static long checkBudget(long budget) {
        if (budget < 1) {
            throw UserError.usage("--budget must be at least 1: " + budget);
        }
        return budget;
    }

    static int checkThreads(int threads) {
        if (threads < 1) {
            throw UserError.usage("--threads must be at least 1: " + threads);
        }
        return threads;
    }

    /**
     * The backends to run. With none named, the runners take the available built-ins and leave an
     * unavailable kernel out of the results; when the kernel is required it must appear (as
     * UNAVAILABLE, which then fails the run), so every built-in is named explicitly.
     */
    static List<String> backendNames(List<String> named, boolean requireKernel) {
        List<String> names = named.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (!names.isEmpty() || !requireKernel) {
            return names;
        }
        List<String> all = new ArrayList<>();
        for (Backend b : Backends.defaults()) {
            all.add(b.name());
            b.close();
        }
        return all;
    }

    /**
     * The backends a command runs on: every one named (each must be available; {@code plugin:}
     * commands too), or every available built-in, noting on stderr each one left out and why
     * ({@code leftOut}: "not fuzzed", ...). With {@code BPFH_REQUIRE_KERNEL=1} an unavailable kernel
     * is a failure, never a note. The caller closes what it gets.
     */
    static List<Backend> availableBackends(Main main, List<String> requested, String leftOut) {
        List<String> names = backendNames(requested, main.requireKernel());
        List<Backend> resolved;
        try {
            resolved = ConformanceRunner.resolveBackends(names, java.time.Duration.ofSeconds(
                    dev.bpfh.plugin.PluginBackend.DEFAULT_TIMEOUT_SECONDS));
        } catch (ConformanceException e) {
            throw UserError.usage(e.getMessage());
        }
        List<Backend> available = new ArrayList<>();
        for (Backend b : resolved) {
            Availability a = BackendsCommand.probe(b);
            if (a.available()) {
                available.add(b);
            } else if (names.isEmpty()) {
                main.err.println("bpfh: " + b.name() + " " + leftOut + ": unavailable: " + a.reason());
                b.close();
            } else {
                resolved.forEach(Backend::close);
                throw b.name().equals("kernel") && main.requireKernel()
                        ? UserError.failed(Main.REQUIRE_KERNEL_ENV + "=1 but the kernel backend is unavailable: " + a.reason())
                        : UserError.usage(b.name() + " is unavailable: " + a.reason());
            }
        }
        return available;
    }

    /** Null when the kernel backend is on the class path and available here, else what is wrong. */
    static String kernelProblem() {
        Backend kernel = Backends.find("kernel").orElse(null);
        if (kernel == null) {
            return "there is no kernel backend on the class path";
        }
        try (kernel) {
            Availability a = BackendsCommand.probe(kernel);
            return a.available() ? null : "the kernel backend is unavailable: " + a.reason();
        }
    }
}
