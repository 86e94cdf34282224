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
import java.util.List;
import java.util.Locale;
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
        ExpectationManifest manifest = ExpectationManifest.empty();
        for (Path m : Corpus.builtInManifests()) {
            manifest = manifest.plus(ExpectationManifest.read(m));
        }
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

    @Test
    void theInterpretersManifestDoesNotCoverTheJitOrOtherBackends() throws Exception {
        ExpectationManifest manifest = ExpectationManifest.empty();
        for (Path m : Corpus.builtInManifests()) {
            manifest = manifest.plus(ExpectationManifest.read(m));
        }
        assertTrue(manifest.lookup("ubpf", "negative/trap-oob-stack-below", "trap-oob-stack-below").isPresent());
        assertFalse(manifest.lookup("interp", "negative/trap-oob-stack-below", "trap-oob-stack-below").isPresent());
        assertFalse(manifest.lookup("jit", "call/callx-ktime", "callx-ktime").isPresent());
    }
}
