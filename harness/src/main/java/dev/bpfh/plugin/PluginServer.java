package dev.bpfh.plugin;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The plugin side of bpf_conformance's plugin protocol (isa.md §6.1): one program run per
 * process, on one of our backends.
 *
 * <p>Input: the program as protocol hex on stdin (or {@code --program HEX}); the input memory as
 * hex in the first argument that is not an option; {@code --elf} when the program is a whole ELF
 * object (§6.4; hex, or raw bytes starting with the ELF magic). {@code --backend NAME} picks the
 * engine (default {@value #DEFAULT_BACKEND}); {@code --debug} writes diagnostics to stderr. Any
 * other {@code --option} is ignored, because the runner passes through options meant for other
 * plugins.
 *
 * <p>Output: r0 in lowercase hex without prefix and a newline on stdout, exit {@value #OK}. When
 * the program is refused or faults: one line on stdout, exit {@value #FAILED}, starting with
 * {@code rejected: } or {@code trap KIND at pc N: } (the words of our corpus's {@code -- error}
 * texts; {@link FailureLine} writes them and {@link PluginBackend} reads them back). Anything else
 * (bad arguments, bad hex or ELF, an unavailable backend, a backend bug):
 * one line on stdout starting with {@code error: } or {@code unavailable: }, exit {@value #BAD_INPUT}.
 * Messages go to stdout because the runner reads stdout first.
 */
public final class PluginServer {

    public static final int OK = 0;
    /** The program was rejected at load or trapped at run time. */
    public static final int FAILED = 1;
    /** The request could not be served: usage, input format, backend unavailable, internal error. */
    public static final int BAD_INPUT = 2;

    public static final String DEFAULT_BACKEND = "interp";

    private final Supplier<List<Backend>> backends;
    private final LoadOptions loadOptions;

    /** A server over the given backends (tests pass their own). */
    public PluginServer(Supplier<List<Backend>> backends, LoadOptions loadOptions) {
        this.backends = Objects.requireNonNull(backends);
        this.loadOptions = Objects.requireNonNull(loadOptions);
    }

    /** A server over the backends registered on the class path, with default load options. */
    public static PluginServer withDiscoveredBackends() {
        return new PluginServer(Backends::discover, LoadOptions.DEFAULTS);
    }

    /** The parsed command line. {@code memoryHex} and {@code programHex} are null when absent. */
    record Request(String backend, String programHex, String memoryHex, boolean elf, boolean debug) {}

    /** A request that cannot be served; the message is the line printed after {@code error: }. */
    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /** Serves one request and returns the process exit code. Never throws. */
    public int run(List<String> argv, InputStream stdin, PrintStream stdout, PrintStream stderr) {
        boolean debug = argv.contains("--debug");
        try {
            Request request = parse(argv);
            return serve(request, stdin, stdout, stderr);
        } catch (BadRequest e) {
            stdout.println("error: " + oneLine(e.getMessage()));
            return BAD_INPUT;
        } catch (RuntimeException | LinkageError e) {
            stdout.println("error: internal: " + oneLine(String.valueOf(e)));
            if (debug) {
                stderr.print(stackTrace(e));
            }
            return BAD_INPUT;
        } finally {
            stdout.flush();
            stderr.flush();
        }
    }

    static Request parse(List<String> argv) throws BadRequest {
        String backend = DEFAULT_BACKEND;
        String program = null;
        String memory = null;
        boolean elf = false;
        boolean debug = false;
        boolean afterUnknownOption = false;
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            boolean followsUnknown = afterUnknownOption;
            afterUnknownOption = false;
            if (arg.startsWith("-") && arg.length() > 1) {
                String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                String inline = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : null;
                switch (name) {
                    case "--backend" -> backend = value(argv, i, inline, name);
                    case "--program" -> program = value(argv, i, inline, name);
                    case "--elf" -> elf = inline == null || !inline.equals("false");
                    case "--debug" -> debug = true;
                    default -> afterUnknownOption = inline == null;
                }
                if (inline == null && (name.equals("--backend") || name.equals("--program"))) {
                    i++;
                }
                // bpf_conformance spells its own switch "--elf true"; accept that spelling too.
                if (name.equals("--elf") && inline == null && i + 1 < argv.size()
                        && (argv.get(i + 1).equals("true") || argv.get(i + 1).equals("false"))) {
                    elf = argv.get(++i).equals("true");
                }
            } else if (memory == null) {
                // "--profile safe": a word right after an unknown option may be that option's value.
                if (followsUnknown && !isHex(arg)) {
                    continue;
                }
                memory = arg;
            }
        }
        return new Request(backend, program, memory, elf, debug);
    }

    private static String value(List<String> argv, int i, String inline, String name) throws BadRequest {
        if (inline != null) {
            return inline;
        }
        if (i + 1 >= argv.size()) {
            throw new BadRequest(name + " needs a value");
        }
        return argv.get(i + 1);
    }

    private static boolean isHex(String text) {
        try {
            PluginHex.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private int serve(Request request, InputStream stdin, PrintStream stdout, PrintStream stderr)
            throws BadRequest {
        byte[] programBytes = programBytes(request, stdin);
        byte[] memory = request.memoryHex() == null ? new byte[0] : hex(request.memoryHex(), "memory argument");
        if (programBytes.length == 0) {
            throw new BadRequest("no program (expected hex on stdin or --program HEX)");
        }
        if (programBytes.length % Program.SLOT_BYTES != 0) {
            throw new BadRequest("program is " + programBytes.length + " bytes, not a multiple of 8");
        }
        Program program = Program.fromBytes("plugin", programBytes);
        List<Backend> all = backends.get();
        Backend backend = null;
        List<String> names = new ArrayList<>();
        for (Backend b : all) {
            names.add(b.name());
            if (b.name().equals(request.backend())) {
                backend = b;
            }
        }
        if (backend == null) {
            throw new BadRequest("unknown backend '" + request.backend() + "' (known: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        }
        if (request.debug()) {
            stderr.println("bpfh plugin: backend " + backend.name() + ", " + program.length() + " slots, "
                    + memory.length + " bytes of memory" + (request.elf() ? ", from ELF" : ""));
        }
        try (Backend b = backend) {
            Availability availability = b.probe();
            if (!availability.available()) {
                stdout.println("unavailable: " + b.name() + ": " + oneLine(availability.reason()));
                return BAD_INPUT;
            }
            Outcome outcome;
            try (Executable executable = b.load(program, loadOptions)) {
                outcome = executable.run(memory);
            } catch (LoadRejected e) {
                stdout.println(FailureLine.of(e));
                if (request.debug() && !e.log().isEmpty()) {
                    stderr.println(e.log());
                }
                return FAILED;
            }
            return switch (outcome) {
                case Outcome.Returned r -> {
                    stdout.print(Long.toHexString(r.r0()) + "\n");
                    if (request.debug()) {
                        stderr.println("bpfh plugin: memory after run: " + PluginHex.format(r.memory()).trim());
                    }
                    yield OK;
                }
                case Outcome.Trapped t -> {
                    stdout.println(FailureLine.of(t));
                    yield FAILED;
                }
                case Outcome.Refused r -> {
                    stdout.println(FailureLine.of(r.toLoadRejected()));
                    yield FAILED;
                }
            };
        }
    }

    private static byte[] programBytes(Request request, InputStream stdin) throws BadRequest {
        byte[] input;
        String what;
        if (request.programHex() != null) {
            input = request.programHex().getBytes(StandardCharsets.US_ASCII);
            what = "--program";
        } else {
            try {
                input = stdin.readAllBytes();
            } catch (IOException e) {
                throw new BadRequest("cannot read stdin: " + e.getMessage());
            }
            what = "stdin";
        }
        if (!request.elf()) {
            return hex(new String(input, StandardCharsets.US_ASCII), "program on " + what);
        }
        byte[] elf = ElfReader.looksLikeElf(input)
                ? input
                : hex(new String(input, StandardCharsets.US_ASCII), "ELF on " + what);
        try {
            return ElfReader.code(elf);
        } catch (ElfReader.Malformed e) {
            throw new BadRequest("bad ELF: " + e.getMessage());
        }
    }

    private static byte[] hex(String text, String what) throws BadRequest {
        try {
            return PluginHex.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(what + ": " + e.getMessage());
        }
    }

    /** Protocol messages are one line: the runner compares only up to the first line break. */
    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " | ");
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
