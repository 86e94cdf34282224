package dev.bpfh.conformance.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.conformance.ConformanceRunner;
import dev.bpfh.conformance.Corpus;
import dev.bpfh.conformance.ExpectationManifest;
import dev.bpfh.conformance.RunReport;
import dev.bpfh.conformance.Status;
import dev.bpfh.conformance.TestResult;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * uBPF's own tests directory (iovisor/ubpf {@code tests/}, never copied into bpfh) runs as it is,
 * with the committed manifest {@code manifests/ubpf-tests.manifest}, on interp, jit and (when it is
 * available) the kernel. Point {@code BPFH_UBPF_TESTS} at a checkout's {@code tests} directory;
 * without it the run is skipped with that reason.
 */
class UbpfTestsTest {

    static final Path MANIFEST = Path.of("manifests/ubpf-tests.manifest");

    @Test
    void everyManifestEntryHasAReason() throws Exception {
        ExpectationManifest m = ExpectationManifest.read(MANIFEST);
        assertFalse(m.entries().isEmpty());
        for (ExpectationManifest.Entry e : m.entries()) {
            assertFalse(e.reason().isBlank(), "no reason: " + e.source());
        }
    }

    @Test
    void uBpfsTestsDirectoryPassesWithTheManifest() throws Exception {
        String dir = System.getenv("BPFH_UBPF_TESTS");
        if (dir == null || dir.isBlank()) {
            String why = "BPFH_UBPF_TESTS is not set: point it at uBPF's tests/ directory to run them";
            System.err.println("skipped: " + why);
            Assumptions.abort(why);
        }
        Path root = Path.of(dir);
        assertTrue(Files.isDirectory(root), "BPFH_UBPF_TESTS=" + dir + " is not a directory");
        List<Backend> backends = new ArrayList<>();
        for (String name : List.of("interp", "jit", "kernel")) {
            Backend b = Backends.find(name).orElseThrow();
            if (b.probe().available()) {
                backends.add(b);
            } else {
                System.err.println("note: " + name + " not run on uBPF's tests: " + b.probe().reason());
            }
        }
        RunReport report = ConformanceRunner.run(ConformanceRunner.Options.defaults()
                .withPaths(List.of(root)).withManifests(List.of(MANIFEST)), backends);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        report.printMatrix(new PrintStream(text, true, StandardCharsets.UTF_8));

        assertEquals(0, report.exitCode(), text.toString(StandardCharsets.UTF_8));
        for (TestResult r : report.results()) {
            assertFalse(r.message().contains("unknown directive"), r.test() + ": " + r.message());
        }
        // err-call0's main function falls into its subprogram: every engine refuses it at load.
        for (TestResult r : report.results()) {
            if (r.test().equals("errors/err-call0")) {
                assertEquals(Status.PASS, r.status());
                assertTrue(r.actual().startsWith("rejected: "), r.backend() + ": " + r.actual());
            }
        }
        // No stale entry: every test the manifest names is in the directory.
        Set<String> ids = Corpus.collect(List.of(root)).stream().map(Corpus.Entry::id).collect(Collectors.toSet());
        for (ExpectationManifest.Entry e : ExpectationManifest.read(MANIFEST).entries()) {
            assertTrue(ids.contains(e.test()), "the manifest names a test uBPF's directory lacks: " + e.source());
        }
    }
}
