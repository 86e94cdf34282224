package dev.bpfh.bench;

import dev.bpfh.data.DataFile;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.data.DataFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The workload corpus. A workload is named either by a built-in name (a resource under
 * {@code bpfh/workloads/}, listed in its {@code INDEX}) or by the path of a {@code .data} file; the
 * same string is the JMH {@code program} parameter, so forked JVMs resolve it the same way.
 */
public final class Workloads {
    static final String RESOURCE_DIR = "bpfh/workloads/";

    private Workloads() {}

    /** Names of the built-in workloads, in INDEX order. */
    public static List<String> builtInNames() {
        try (InputStream in = resource("INDEX")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The JMH parameter values for user paths: every {@code .data} file named, and every one
     * directly inside a named directory, as absolute paths in sorted order.
     */
    public static List<String> expand(List<Path> paths) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.list(p)) {
                    files.filter(f -> f.toString().endsWith(".data")).sorted()
                            .forEach(f -> out.add(f.toAbsolutePath().toString()));
                }
            } else if (Files.isRegularFile(p)) {
                out.add(p.toAbsolutePath().toString());
            } else {
                throw new IOException(p + ": no such file or directory");
            }
        }
        return out;
    }

    /** Loads a workload by built-in name or path; one-line errors name the file and line. */
    public static Workload load(String nameOrPath) throws IOException {
        DataFile f;
        try {
            if (nameOrPath.endsWith(".data") || nameOrPath.contains("/")) {
                f = DataFileParser.parse(Path.of(nameOrPath));
            } else {
                try (InputStream in = resource(nameOrPath + ".data")) {
                    f = DataFileParser.parse(nameOrPath, null, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (DataFormatException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (f.result().isEmpty()) {
            throw new IOException(f.displayName() + ": a workload needs a '-- result' section");
        }
        return new Workload(f.name(), f.program(), f.memory(), f.result().getAsLong());
    }

    /** The short name of a workload parameter: a built-in name, or a file name without ".data". */
    public static String displayName(String nameOrPath) {
        String n = nameOrPath.substring(nameOrPath.lastIndexOf('/') + 1);
        return n.endsWith(".data") ? n.substring(0, n.length() - 5) : n;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = Workloads.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name);
        if (in == null) {
            throw new IOException("no built-in workload '" + name.replace(".data", "") + "' (see "
                    + RESOURCE_DIR + "INDEX)");
        }
        return in;
    }
}
