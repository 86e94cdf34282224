package dev.bpfh.elf;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed example objects are what their sources compile to: {@code examples/build.sh}
 * rebuilds them into a temporary directory and every object must be byte-identical to the
 * committed one. Needs the clang named in {@code examples/CLANG_VERSION} (another version emits
 * other bytes); without it the comparison is skipped with the reason printed.
 */
class ExamplesBuildTest {

    @Test
    void everySourceHasItsCommittedObjectAndEveryObjectItsSource() throws IOException {
        List<Path> sources = files(".c");
        assertTrue(sources.size() >= 10, "at least 10 examples: " + sources);
        for (Path c : sources) {
            assertTrue(Files.isRegularFile(object(c)), "no committed object for " + c);
        }
        for (Path o : files(".o")) {
            Path c = o.resolveSibling(o.getFileName().toString().replaceFirst("\\.o$", ".c"));
            assertTrue(Files.isRegularFile(c), "object without a source: " + o);
        }
    }

    @Test
    void rebuildingWithClangGivesTheCommittedObjects(@TempDir Path out) throws Exception {
        String wanted = Files.readString(Examples.dir().resolve("CLANG_VERSION"), StandardCharsets.UTF_8).strip();
        String installed = clangVersion();
        String skip = installed == null ? "clang is not installed (apt-get install clang)"
                : !installed.equals(wanted) ? "clang is '" + installed + "', the objects were built by '" + wanted + "'"
                : null;
        if (skip != null) {
            System.out.println("ExamplesBuildTest: skipped: " + skip);
        }
        Assumptions.assumeTrue(skip == null, skip);
        Process p = new ProcessBuilder("sh", Examples.dir().resolve("build.sh").toString(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "build.sh did not finish");
        assertEquals(0, p.exitValue(), "build.sh failed: " + log);
        List<String> differing = new ArrayList<>();
        for (Path c : files(".c")) {
            Path committed = object(c);
            Path rebuilt = out.resolve(Examples.dir().relativize(committed));
            if (!Files.isRegularFile(rebuilt) || Files.mismatch(committed, rebuilt) != -1) {
                differing.add(Examples.dir().relativize(committed).toString());
            }
        }
        assertEquals(List.of(), differing, "objects that differ from their sources' build: run examples/build.sh");
    }

    private static String clangVersion() {
        String clang = System.getenv().getOrDefault("CLANG", "clang");
        try {
            Process p = new ProcessBuilder(clang, "--version").redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst()
                    .orElse("");
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 ? first.strip() : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    private static List<Path> files(String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(Examples.dir())) {
            return s.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static Path object(Path source) {
        return source.resolveSibling(source.getFileName().toString().replaceFirst("\\.c$", ".o"));
    }
}
