package dev.bpfh.plugin;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A backend that runs an external bpf_conformance plugin process (isa.md §6), one process per run,
 * so that other VMs (uBPF, rbpf, a {@code bpfh plugin}) can be measured in this harness.
 *
 * <p>The command line is split on whitespace (no quoting, as bpf_conformance splits
 * {@code --plugin_options}); its first word is the executable and the rest are plugin options.
 * Each run starts {@code [command] [memory hex if the memory is non-empty] [options...]}, writes the
 * program in {@link PluginHex} format and a newline to stdin, then closes stdin.
 *
 * <ul>
 *   <li>Exit 0: stdout is read like C {@code stoull(s, 16)} (leading whitespace, optional
 *       {@code 0x}, stop at the first non-hex character) and becomes {@link Outcome.Returned}. If no
 *       digit parses or the value overflows 64 bits, the run is a {@link TrapKind#RUNTIME_ERROR}
 *       saying so.
 *   <li>Non-zero exit: the plugin's one-line message (stdout, else stderr; one trailing newline
 *       removed, cut at the first {@code \r}, trailing whitespace stripped, exactly as §5.2 step 7).
 *       Two forms, the ones {@code bpfh plugin} prints ({@link FailureLine}), are understood:
 *       <ul>
 *         <li>{@code trap KIND at pc N: message} (KIND a {@link TrapKind} name) becomes
 *             {@code Trapped(KIND, N, message)};
 *         <li>{@code rejected: reason at pc N} (or {@code rejected: reason}) is a <em>refusal
 *             found at run time</em>, see below.
 *       </ul>
 *       Any other message is opaque and becomes {@code Trapped(RUNTIME_ERROR, -1, message)}, so a
 *       test's {@code -- error} text can be compared with it exactly (bpf_conformance semantics).
 *   <li>No answer within the timeout (default {@value #DEFAULT_TIMEOUT_SECONDS} s): the process is
 *       killed and the run is a {@code RUNTIME_ERROR} naming the timeout.
 * </ul>
 *
 * <p><b>Refusals found at run time.</b> A plugin sees the program only when it runs, so
 * {@link #load} never throws {@link dev.bpfh.spi.LoadRejected}; a {@code rejected:} line is the
 * outcome {@link Outcome.Refused} (pc and reason parsed from the line, the plugin's output as its
 * log), which runners judge exactly like an in-process engine's refusal at load: a plugin's
 * {@code rejected:} passes a {@code -- error rejected} test.
 *
 * <p>A plugin reports only r0, never the memory after the run: {@link Outcome.Returned#memory()} is
 * the input memory unchanged, and comparisons of memory skip plugin backends. {@link LoadOptions}
 * are not passed on.
 */
public final class PluginBackend implements Backend {

    /** The prefix of every plugin backend's name: {@code plugin:<command line>}. */
    public static final String PREFIX = "plugin:";

    public static final long DEFAULT_TIMEOUT_SECONDS = 10;

    private final String commandLine;
    private final List<String> command;
    private final Duration timeout;

    public PluginBackend(String commandLine) {
        this(commandLine, Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS));
    }

    public PluginBackend(String commandLine, Duration timeout) {
        this.commandLine = commandLine.strip();
        this.command = Arrays.stream(this.commandLine.split("\\s+")).filter(s -> !s.isEmpty()).toList();
        if (command.isEmpty()) {
            throw new IllegalArgumentException("plugin backend needs a command line: plugin:<command>");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("plugin timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
    }

    /** Builds a backend from its name, {@code plugin:<command line>}. */
    public static PluginBackend fromName(String name, Duration timeout) {
        if (!name.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a plugin backend name (plugin:<command>): " + name);
        }
        return new PluginBackend(name.substring(PREFIX.length()), timeout);
    }

    @Override
    public String name() {
        return PREFIX + commandLine;
    }

    @Override
    public String description() {
        return "external bpf_conformance plugin: " + commandLine;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Available when the executable exists and may be executed (given as a path or found on PATH). */
    @Override
    public Availability probe() {
        String exe = command.getFirst();
        if (exe.contains("/")) {
            Path p = Path.of(exe);
            return Files.isExecutable(p) && !Files.isDirectory(p)
                    ? Availability.yes()
                    : Availability.no("plugin command is not an executable file: " + exe);
        }
        String pathVar = System.getenv().getOrDefault("PATH", "");
        for (String dir : pathVar.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, exe);
                if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                    return Availability.yes();
                }
            }
        }
        return Availability.no("plugin command not found on PATH: " + exe);
    }

    @Override
    public PluginExecutable load(Program program, LoadOptions options) {
        return new PluginExecutable(PluginHex.format(program.toBytes()) + "\n");
    }

    /** One program, run by starting the plugin process once per {@link #run}. */
    public final class PluginExecutable implements Executable {
        private final String programHex;

        private PluginExecutable(String programHex) {
            this.programHex = programHex;
        }

        /** One plugin process; a {@code rejected: ...} line is {@link Outcome.Refused}. */
        @Override
        public Outcome run(byte[] memory) {
            try {
                return runProcess(programHex, memory);
            } catch (LoadRejected r) {
                return new Outcome.Refused(r.pc(), r.reason(), r.log());
            }
        }
    }

    private Outcome runProcess(String programHex, byte[] memory) throws LoadRejected {
        List<String> argv = new ArrayList<>(command.size() + 1);
        argv.add(command.getFirst());
        if (memory.length > 0) {
            argv.add(PluginHex.format(memory));
        }
        argv.addAll(command.subList(1, command.size()));
        Process process;
        try {
            process = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            return failure("plugin failed to execute: " + e.getMessage());
        }
        try {
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(programHex.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException ignored) {
                // A plugin may exit without reading its input (e.g. one that fails early); its exit
                // status and output still say what happened.
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return failure("plugin timed out after " + describe(timeout));
            }
            String stdout = out.join();
            String stderr = err.join();
            int exit = process.exitValue();
            if (exit != 0) {
                return failed(message(stdout, stderr), stdout + stderr);
            }
            return parseR0(stdout, memory);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return failure("plugin run interrupted");
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /** A non-zero exit: a trap or refusal in {@link FailureLine}'s words, else an opaque message. */
    static Outcome failed(String line, String output) throws LoadRejected {
        return switch (FailureLine.parse(line, output)) {
            case FailureLine.Rejection(LoadRejected rejection) -> throw rejection;
            case FailureLine.Trap(Outcome.Trapped trapped) -> trapped;
            case FailureLine.Opaque(String message) -> failure(message);
        };
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete("");
            }
        });
        return text;
    }

    /** isa.md §5.2 steps 6 and 7: the plugin's one-line failure message. */
    static String message(String stdout, String stderr) {
        String msg = stripOneNewline(stdout);
        if (msg.isEmpty()) {
            msg = stripOneNewline(stderr);
        }
        int cr = msg.indexOf('\r');
        if (cr >= 0) {
            msg = msg.substring(0, cr);
        }
        return msg.stripTrailing();
    }

    private static String stripOneNewline(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    /** C {@code stoull(s, nullptr, 16)}: skip leading whitespace, optional 0x, hex digits up to the first other character. */
    static Outcome parseR0(String stdout, byte[] memory) {
        int i = 0;
        while (i < stdout.length() && Character.isWhitespace(stdout.charAt(i))) {
            i++;
        }
        if (stdout.startsWith("0x", i) || stdout.startsWith("0X", i)) {
            if (i + 2 < stdout.length() && Character.digit(stdout.charAt(i + 2), 16) >= 0) {
                i += 2;
            }
        }
        long value = 0;
        int digits = 0;
        for (; i < stdout.length(); i++) {
            int d = Character.digit(stdout.charAt(i), 16);
            if (d < 0) {
                break;
            }
            if (Long.compareUnsigned(value, 0x0fff_ffff_ffff_ffffL) > 0) {
                return failure("plugin return value overflows 64 bits: " + firstLine(stdout));
            }
            value = (value << 4) | d;
            digits++;
        }
        if (digits == 0) {
            return failure("plugin return value could not be parsed into a valid number: '" + firstLine(stdout) + "'");
        }
        return new Outcome.Returned(value, memory);
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    private static Outcome failure(String message) {
        return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, message);
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
