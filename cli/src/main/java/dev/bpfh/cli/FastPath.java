package dev.bpfh.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Command lines served without picocli. Building picocli's model of every subcommand (annotations,
 * converters, and classes the JDK's AOT cache cannot hold because picocli is compiled for Java 5)
 * is most of a short command's start-up. bpf_conformance starts {@code bpfh plugin} once per test,
 * and the plugin passes every argument to the protocol as is, so picocli adds nothing there except
 * {@code --help} and {@code --version}, which take the normal path. {@code bpfh --version} alone
 * prints the same line picocli would.
 */
final class FastPath {
    private FastPath() {}

    /** Whether the line is exactly {@code --version} or {@code -V}. */
    static boolean versionOnly(String[] args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    /** Prints what picocli's {@code --version} prints; the exit code. */
    static int printVersion(PrintStream out, PrintStream err) {
        try {
            out.println(new Main.Version().getVersion()[0]);
            return Main.EXIT_OK;
        } catch (IOException e) {
            err.println("bpfh: cannot read the version: " + Main.oneLine(e.getMessage()));
            return Main.EXIT_BUG;
        }
    }

    /** The protocol arguments when {@code args} (after {@link Main#pluginMemoryFirst}) is a plain plugin call, else null. */
    static List<String> protocolArguments(String[] args) {
        if (args.length == 0 || !args[0].equals("plugin")) {
            return null;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        for (String a : rest) {
            if (a.equals("--help") || a.equals("--version") || isShortCluster(a, 'h') || isShortCluster(a, 'V')) {
                return null;
            }
        }
        return rest;
    }

    /** "-h", "-hV", ...: a cluster of single-letter options that picocli would read as including {@code letter}. */
    private static boolean isShortCluster(String a, char letter) {
        return a.length() >= 2 && a.charAt(0) == '-' && a.charAt(1) != '-' && a.indexOf(letter) > 0;
    }
}
