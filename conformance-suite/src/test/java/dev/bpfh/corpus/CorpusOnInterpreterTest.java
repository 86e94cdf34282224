package dev.bpfh.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bpfh.data.DataFile;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.interp.InterpreterBackend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every corpus file parses and the interpreter meets its expectation: {@code -- result} is r0,
 * {@code -- error rejected} is a load rejection, {@code -- error trap KIND at pc N} is that trap.
 * The expectations come from the generator's independent model of isa.md, not from this engine.
 */
final class CorpusOnInterpreterTest {

    static Path corpusRoot() throws URISyntaxException {
        return Path.of(CorpusOnInterpreterTest.class.getResource("/bpfh/corpus/kernel.expect").toURI()).getParent();
    }

    static List<Path> corpusFiles() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.walk(corpusRoot())) {
            return s.filter(p -> p.toString().endsWith(".data")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCorpusFileMeetsItsExpectationOnTheInterpreter() throws Exception {
        Path root = corpusRoot();
        return corpusFiles().stream().map(p -> DynamicTest.dynamicTest(
                root.relativize(p).toString(), () -> check(DataFileParser.parse(p))));
    }

    private static void check(DataFile f) throws Exception {
        InterpreterBackend backend = new InterpreterBackend();
        String error = f.error().orElse(null);
        if ("rejected".equals(error)) {
            assertThrows(LoadRejected.class, () -> backend.load(f.program(), LoadOptions.DEFAULTS));
            return;
        }
        try (Executable exe = backend.load(f.program(), LoadOptions.DEFAULTS)) {
            Outcome out = exe.run(f.memory());
            if (error != null) {
                String[] w = error.trim().split(" ");
                Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, out, error);
                assertEquals(w[1], t.kind().name());
                if (w.length == 5) {
                    assertEquals(Integer.parseInt(w[4]), t.pc(), "trap pc");
                }
            } else {
                Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, out);
                assertEquals(Long.toHexString(f.result().orElseThrow()), Long.toHexString(r.r0()), "r0");
            }
        } catch (LoadRejected e) {
            fail("load rejected at pc " + e.pc() + ": " + e.reason());
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
        try (Stream<Path> s = Files.list(corpusRoot().resolve("negative"))) {
            s.forEach(p -> assertTrue(listed.contains(p.getFileName().toString().replace(".data", "")), p.toString()));
        }
    }
}
