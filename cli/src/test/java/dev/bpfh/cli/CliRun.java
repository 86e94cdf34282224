package dev.bpfh.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Runs {@code bpfh} in-process with captured streams. */
record CliRun(int exit, String out, String err) {

    static CliRun withEnv(String stdin, Map<String, String> env, Path workDir, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit = new Main(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env, workDir).execute(args);
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** With {@code stdin} as standard input. */
    static CliRun piped(String stdin, String... args) {
        return withEnv(stdin, Map.of(), Path.of(""), args);
    }

    static CliRun run(String... args) {
        return piped("", args);
    }
}
