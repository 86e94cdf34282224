package dev.bpfh.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The corpus is well formed as a whole: test names are unique across families (the manifest and
 * reports name tests by file name alone), and the kernel manifest names only real tests, with a
 * status and a reason, and lists every negative trap test (the verifier refuses at load what
 * the userspace engines trap on at run time) but no rejection test. Per-file expectations are
 * checked on every backend by {@code CorpusOnEveryBackendTest}.
 */
final class CorpusManifestTest {

    static Path corpusRoot() throws URISyntaxException {
        return Path.of(CorpusManifestTest.class.getResource("/bpfh/corpus/kernel.expect").toURI()).getParent();
    }

    static List<Path> corpusFiles() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.walk(corpusRoot())) {
            return s.filter(p -> p.toString().endsWith(".data")).sorted().toList();
        }
    }

    @Test
    void kernelManifestNamesOnlyCorpusTestsAndListsEveryNegativeOne() throws Exception {
        Set<String> names = corpusFiles().stream()
                .map(p -> p.getFileName().toString().replace(".data", "")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(corpusFiles().size(), names.size(), "test names are unique across families");
        Set<String> listed = new TreeSet<>();
        for (String line : Files.readAllLines(corpusRoot().resolve("kernel.expect"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] w = line.split(" ", 3);
            assertTrue(names.contains(w[0]), "unknown test " + w[0]);
            assertTrue(Set.of("REJECTED", "SKIPPED").contains(w[1]), line);
            assertTrue(w.length == 3 && !w[2].isBlank(), "reason missing: " + line);
            listed.add(w[0]);
        }
        // The verifier refuses at load what the userspace engines trap on at run time, so every trap
        // test is listed; a rejection test is not, because the kernel refusing it is a pass.
        try (Stream<Path> s = Files.list(corpusRoot().resolve("negative"))) {
            s.map(p -> p.getFileName().toString().replace(".data", "")).forEach(name -> {
                if (name.startsWith("trap-")) {
                    assertTrue(listed.contains(name), name + " must be listed");
                } else {
                    assertTrue(name.startsWith("reject-") && !listed.contains(name), name + " must not be listed");
                }
            });
        }
    }
}
