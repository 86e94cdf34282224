package dev.bpfh.cli;

import dev.bpfh.plugin.PluginHex;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code bpfh} command. Exit codes: {@value #EXIT_OK} success; {@value #EXIT_FAILED} the work
 * was done and found something wrong (a test failed, a source line is bad, a program was rejected);
 * {@value #EXIT_USAGE} the request could not be served (bad option, missing file); {@value #EXIT_BUG}
 * an internal error (rerun with {@code --debug} for the stack trace).
 *
 * <p>Commands read and write the streams of their {@link Main}, not {@code System.*}, so tests run
 * them in-process with captured streams.
 */
@Command(
        name = "bpfh",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runs eBPF programs on several engines (interpreter, JVM-bytecode JIT, Linux kernel), "
                + "checks they agree, and measures them.",
        footer = {"", "Exit codes: 0 ok, 1 something failed, 2 bad usage or environment, 3 internal error.",
                "Environment: BPFH_REQUIRE_KERNEL=1 makes an unavailable kernel backend a failure;",
                "BPFH_UBPF_LIB=path/libubpf.so enables backends ubpf and ubpf-jit;",
                "BPFH_HISTORY_DB is history's default database."},
        // The one list of subcommands, in the order --help shows them.
        subcommands = {
            ConformanceCommand.class,
            DiffCommand.class,
            FuzzCommand.class,
            BenchCommand.class,
            RunCommand.class,
            ReportCommand.class,
            CompareCommand.class,
            HistoryCommand.class,
            BackendsCommand.class,
            AsmCommand.class,
            DisasmCommand.class,
            PluginCommand.class,
            DaemonCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Callable<Integer> {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_BUG = 3;

    /** Environment switch: the kernel backend must be available, or the run fails. */
    public static final String REQUIRE_KERNEL_ENV = "BPFH_REQUIRE_KERNEL";

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print stack traces and diagnostics to stderr.")
    boolean debug;

    @Spec
    CommandSpec spec;

    final InputStream in;
    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;

    /** Where default output directories go (the current directory, except in tests). */
    final Path workDir;

    /** Reads and writes the given streams and environment; default outputs go below the current directory. */
    public Main(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        this(in, out, err, env, Path.of(""));
    }

    Main(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Path workDir) {
        this.in = Objects.requireNonNull(in);
        this.out = Objects.requireNonNull(out);
        this.err = Objects.requireNonNull(err);
        this.env = Map.copyOf(env);
        this.workDir = Objects.requireNonNull(workDir);
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        int code = new Main(System.in, out, System.err, System.getenv()).execute(args);
        out.flush();
        System.exit(code);
    }

    /** Runs one command line and returns its exit code; never throws. */
    public int execute(String... args) {
        String[] line = pluginMemoryFirst(args);
        List<String> plugin = FastPath.protocolArguments(line);
        int code;
        if (plugin != null) {
            code = dev.bpfh.plugin.PluginServer.withDiscoveredBackends().run(plugin, in, out, err);
        } else if (FastPath.versionOnly(line)) {
            code = FastPath.printVersion(out, err);
        } else {
            code = commandLine().execute(line);
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * bpf_conformance (and {@code plugin:} backends) start a plugin as {@code PATH [MEMORY] OPTIONS...},
     * so {@code bpfh} used as the plugin path with options {@code plugin --backend jit} is called as
     * {@code bpfh "aa  bb  " plugin --backend jit}. Moving a leading hex argument behind {@code plugin}
     * makes that work; no subcommand name is hex, so nothing else is affected.
     */
    static String[] pluginMemoryFirst(String[] args) {
        if (args.length >= 2 && args[1].equals("plugin") && !args[0].startsWith("-") && isHex(args[0])) {
            String[] moved = args.clone();
            moved[0] = "plugin";
            moved[1] = args[0];
            return moved;
        }
        return args;
    }

    private static boolean isHex(String s) {
        try {
            PluginHex.parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    CommandLine commandLine() {
        CommandLine cl = new CommandLine(this);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExpandAtFiles(false); // "@..." is never a file list here
        cl.setParameterExceptionHandler((ex, args) -> {
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            err.println("bpfh: " + oneLine(ex.getMessage()) + " (see '" + command + " --help')");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (debug && !(ex instanceof UserError)) {
                ex.printStackTrace(err);
            }
            if (ex instanceof UserError u) {
                err.println("bpfh: " + oneLine(u.getMessage()));
                return u.exitCode();
            }
            err.println("bpfh: internal error: " + oneLine(String.valueOf(ex))
                    + (debug ? "" : " (rerun with --debug for the stack trace)"));
            return EXIT_BUG;
        });
        // The plugin command passes every argument through to the protocol (isa.md §6.1), including
        // options meant for other plugins.
        cl.getSubcommands().get("plugin").setUnmatchedOptionsArePositionalParams(true);
        return cl;
    }

    /** Without a subcommand: the usage, and a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(err);
        return EXIT_USAGE;
    }

    boolean requireKernel() {
        return "1".equals(env.get(REQUIRE_KERNEL_ENV));
    }

    /** The whole input of FILE, or of stdin for {@code -}. */
    byte[] readInput(String file) {
        try {
            return file.equals("-") ? in.readAllBytes() : Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw UserError.usage(file + ": no such file");
        } catch (IOException e) {
            throw UserError.usage(file + ": cannot read: " + oneLine(e.getMessage()));
        }
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    /** The version from the filtered {@code version.properties}, plus the running JDK. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream s = Main.class.getResourceAsStream("version.properties")) {
                if (s != null) {
                    p.load(s);
                }
            }
            return new String[] {"bpfh " + p.getProperty("version", "unknown") + " (Java "
                    + Runtime.version() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")"};
        }
    }
}
