package dev.bpfh.ubpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.conformance.Corpus;
import dev.bpfh.conformance.ExpectationManifest;
import dev.bpfh.conformance.Status;
import dev.bpfh.conformance.TestCase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The built-in {@code ubpf-jit.expect} keeps uBPF's unchecked JIT away from every corpus test that
 * expects a trap (an out-of-bounds access would hit JVM memory, a budget test would never return).
 * Runs without the library: it reads only the corpus and the manifest.
 */
class UbpfManifestTest {

    @Test
    void everyTrapTestOfTheCorpusIsKeptFromUbpfsJit() throws Exception {
        Path root = Corpus.builtIn().orElseThrow();
        ExpectationManifest manifest = builtInManifests();
        List<String> unguarded = new ArrayList<>();
        int traps = 0;
        for (Corpus.Entry e : Corpus.collect(List.of(root))) {
            TestCase t = TestCase.load(e.id(), e.path());
            assertEquals(null, t.parseError(), e.id());
            String error = t.data().error().orElse("").strip().toLowerCase(Locale.ROOT);
            if (!error.startsWith("trap") || UbpfBackend.unsupported(t.data().program()).isPresent()) {
                continue; // programs with maps or pseudo-sources never reach uBPF: the backend skips them
            }
            traps++;
            var listed = manifest.lookup("ubpf-jit", t.id(), t.name());
            boolean guarded = listed.isPresent()
                    && (listed.get().status() == Status.SKIPPED || listed.get().status() == Status.REJECTED);
            if (!guarded) {
                unguarded.add(t.id());
            }
        }
        assertTrue(traps > 0, "the corpus has trap tests");
        assertTrue(unguarded.isEmpty(), "add to ubpf-jit.expect (SKIPPED, with the reason): " + unguarded);
    }

    /**
     * A skip counts against a conformance run unless the manifest lists it, so every corpus program
     * the uBPF backends refuse as unsupported (maps, program types) must be listed SKIPPED for both;
     * a listed test that uBPF would run must not be listed for that reason.
     */
    @Test
    void everyProgramTheUbpfBackendsDoNotSupportIsListedAsSkipped() throws Exception {
        ExpectationManifest manifest = builtInManifests();
        List<String> missing = new ArrayList<>();
        int unsupported = 0;
        for (Corpus.Entry e : Corpus.collect(List.of(Corpus.builtIn().orElseThrow()))) {
            TestCase t = TestCase.load(e.id(), e.path());
            boolean skipped = UbpfBackend.unsupported(t.data().program()).isPresent();
            unsupported += skipped ? 1 : 0;
            for (String backend : List.of("ubpf", "ubpf-jit")) {
                var listed = manifest.lookup(backend, t.id(), t.name());
                boolean listedForMaps = listed.isPresent() && listed.get().reason().startsWith("declares maps");
                if (skipped && (listed.isEmpty() || listed.get().status() != Status.SKIPPED)) {
                    missing.add(backend + "/" + t.name());
                }
                assertTrue(skipped || !listedForMaps, backend + "/" + t.name() + " is listed for maps but has none");
            }
        }
        assertTrue(unsupported > 0, "the corpus has programs with maps");
        assertTrue(missing.isEmpty(), "add to ubpf.expect and ubpf-jit.expect (SKIPPED, with the reason): " + missing);
    }

    @Test
    void theUbpfManifestsNameOnlyCorpusTests() throws Exception {
        Set<String> names = new HashSet<>();
        for (Corpus.Entry e : Corpus.collect(List.of(Corpus.builtIn().orElseThrow()))) {
            names.add(e.path().getFileName().toString().replace(".data", ""));
        }
        for (Path m : Corpus.builtInManifests()) {
            String file = m.getFileName().toString();
            if (!file.startsWith("ubpf")) {
                continue;
            }
            for (ExpectationManifest.Entry entry : ExpectationManifest.read(m).entries()) {
                assertTrue(names.contains(entry.test()), "no such corpus test: " + entry.source() + " " + entry.test());
                assertFalse(entry.reason().isBlank(), "no reason: " + entry.source());
            }
        }
    }

    private static ExpectationManifest builtInManifests() throws Exception {
        ExpectationManifest manifest = ExpectationManifest.empty();
        for (Path m : Corpus.builtInManifests()) {
            manifest = manifest.plus(ExpectationManifest.read(m));
        }
        return manifest;
    }

    @Test
    void theInterpretersManifestDoesNotCoverTheJitOrOtherBackends() throws Exception {
        ExpectationManifest manifest = builtInManifests();
        assertTrue(manifest.lookup("ubpf", "negative/trap-oob-stack-below", "trap-oob-stack-below").isPresent());
        assertFalse(manifest.lookup("interp", "negative/trap-oob-stack-below", "trap-oob-stack-below").isPresent());
        assertFalse(manifest.lookup("jit", "call/callx-ktime", "callx-ktime").isPresent());
    }
}
