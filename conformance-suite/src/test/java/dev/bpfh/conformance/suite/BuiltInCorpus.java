package dev.bpfh.conformance.suite;

import dev.bpfh.conformance.ConformanceException;
import dev.bpfh.conformance.Corpus;
import dev.bpfh.conformance.ExpectationManifest;
import dev.bpfh.conformance.TestCase;
import java.io.IOException;
import java.util.List;

/** The built-in corpus and its kernel manifest, parsed once for every test class of this module. */
final class BuiltInCorpus {
    private BuiltInCorpus() {}

    private static List<TestCase> tests;
    private static ExpectationManifest manifest;

    static synchronized List<TestCase> tests() throws IOException, ConformanceException {
        if (tests == null) {
            var root = Corpus.builtIn().orElseThrow(() -> new IllegalStateException(Corpus.RESOURCE + " is not on the class path"));
            tests = Corpus.collect(List.of(root)).stream().map(e -> TestCase.load(e.id(), e.path())).toList();
            if (tests.isEmpty()) {
                throw new IllegalStateException("the built-in corpus " + root + " has no .data files");
            }
        }
        return tests;
    }

    static synchronized ExpectationManifest manifest() throws IOException, ConformanceException {
        if (manifest == null) {
            var file = Corpus.builtInKernelManifest();
            manifest = file.isPresent() ? ExpectationManifest.read(file.get()) : ExpectationManifest.empty();
        }
        return manifest;
    }
}
