package dev.bpfh.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** Finds test files: the built-in corpus on the class path, or the files and directories a user names. */
public final class Corpus {
    private Corpus() {}

    /** Class-path location of the built-in corpus (module conformance-suite). */
    public static final String RESOURCE = "bpfh/corpus";

    /** The built-in kernel expectation manifest, inside the corpus. */
    public static final String KERNEL_MANIFEST = RESOURCE + "/kernel.expect";

    /** A test file found for a run: its unique id (relative path without {@code .data}) and where it is. */
    public record Entry(String id, Path path) {}

    /**
     * The built-in corpus directory, or empty when conformance-suite is not on the class path. Works
     * from a directory ({@code target/classes}) and from inside a jar (through a zip file system that
     * stays open for the life of the JVM).
     */
    public static Optional<Path> builtIn() {
        Optional<Path> dir = resource(RESOURCE);
        // A jar built without directory entries has no resource for the directory itself; the
        // manifest next to the tests still finds it.
        return dir.isPresent() ? dir : resource(KERNEL_MANIFEST).map(Path::getParent);
    }

    /** The built-in {@code kernel.expect}, if the corpus has one. */
    public static Optional<Path> builtInKernelManifest() {
        return resource(KERNEL_MANIFEST).filter(Files::isRegularFile);
    }

    /**
     * Every expectation manifest at the root of the built-in corpus ({@code kernel.expect},
     * {@code ubpf.expect}, ...), sorted by name; each file's name says which backend it covers.
     */
    public static List<Path> builtInManifests() throws IOException {
        Optional<Path> root = builtIn();
        if (root.isEmpty()) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(root.get())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".expect") && Files.isRegularFile(p))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
        }
    }

    static Optional<Path> resource(String name) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        URL url = loader == null ? null : loader.getResource(name);
        if (url == null) {
            url = Corpus.class.getClassLoader().getResource(name);
        }
        if (url == null) {
            return Optional.empty();
        }
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                try {
                    FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException alreadyOpen) {
                    // Opened by an earlier call: Path.of below finds it.
                }
            }
            return Optional.of(Path.of(uri));
        } catch (URISyntaxException | IOException | FileSystemNotFoundException e) {
            throw new UncheckedIOException(new IOException("cannot open the built-in corpus at " + url + ": " + e.getMessage()));
        }
    }

    /**
     * Every {@code *.data} file under {@code paths}: a file is taken as is (id = its name), a
     * directory recursively (id = path relative to it), each directory's files sorted by path. An id
     * seen before gets its root's name in front, so ids stay unique.
     */
    public static List<Entry> collect(List<Path> paths) throws IOException, ConformanceException {
        return collect(paths, List.of(".data"));
    }

    /** Like {@link #collect(List)}, for files whose names end with one of {@code suffixes}. */
    static List<Entry> collect(List<Path> paths, List<String> suffixes) throws IOException, ConformanceException {
        List<Entry> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Path root : paths) {
            if (Files.isDirectory(root)) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(root)) {
                    files = walk.filter(p -> p.getFileName() != null && suffix(p.getFileName().toString(), suffixes) != null)
                            .filter(Files::isRegularFile)
                            .sorted((a, b) -> relative(root, a).compareTo(relative(root, b)))
                            .toList();
                }
                for (Path f : files) {
                    add(out, ids, strip(relative(root, f), suffixes), f, root);
                }
            } else if (Files.isRegularFile(root)) {
                add(out, ids, strip(root.getFileName().toString(), suffixes), root, root.toAbsolutePath().getParent());
            } else {
                throw new ConformanceException(root + ": no such file or directory");
            }
        }
        return out;
    }

    private static void add(List<Entry> out, Set<String> ids, String id, Path file, Path root) {
        String unique = id;
        if (!ids.add(unique)) {
            String rootName = root == null || root.getFileName() == null ? "" : root.getFileName().toString();
            unique = rootName + "/" + id;
            for (int n = 2; !ids.add(unique); n++) {
                unique = rootName + "#" + n + "/" + id;
            }
        }
        out.add(new Entry(unique, file));
    }

    private static String relative(Path root, Path file) {
        // Joined with '/' whatever the file system's separator, so ids are the same on every OS and in jars.
        List<String> parts = new ArrayList<>();
        root.relativize(file).forEach(p -> parts.add(p.toString().replace("/", "")));
        return String.join("/", parts);
    }

    private static String suffix(String name, List<String> suffixes) {
        return suffixes.stream().filter(name::endsWith).findFirst().orElse(null);
    }

    private static String strip(String id, List<String> suffixes) {
        String suffix = suffix(id, suffixes);
        return suffix == null ? id : id.substring(0, id.length() - suffix.length());
    }
}
