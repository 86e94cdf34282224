package dev.bpfh.conformance.suite;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.bpfh.conformance.ConformanceRunner;
import dev.bpfh.conformance.ExpectationManifest;
import dev.bpfh.conformance.Status;
import dev.bpfh.conformance.TestCase;
import dev.bpfh.conformance.TestResult;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;

/**
 * Every file of the built-in corpus on every built-in backend, one dynamic test per (backend,
 * file), decided by the conformance runner's rules with the corpus's kernel manifest and the
 * runner's defaults (cpu v4, every group).
 *
 * <p>A pair passes when its status is PASS. A REJECTED or SKIPPED pair that the manifest lists is
 * reported as skipped (aborted) with the manifest's reason; anything else fails. When the kernel
 * backend is unavailable here (no CAP_BPF, ...) its tests are skipped with the probe's reason,
 * unless the environment sets {@code BPFH_REQUIRE_KERNEL=1}, in which case they fail.
 */
class CorpusOnEveryBackendTest {

    private static final List<String> BACKENDS = List.of("interp", "jit", "kernel");

    private static final boolean REQUIRE_KERNEL = "1".equals(System.getenv("BPFH_REQUIRE_KERNEL"));

    @TestFactory
    Stream<DynamicContainer> corpusOnEveryBackend() throws Exception {
        List<TestCase> tests = BuiltInCorpus.tests();
        ExpectationManifest manifest = BuiltInCorpus.manifest();
        ConformanceRunner.Options options = ConformanceRunner.Options.defaults();
        return BACKENDS.stream().map(name -> {
            Backend backend = Backends.find(name)
                    .orElseThrow(() -> new IllegalStateException("backend " + name + " is not on the test class path"));
            Availability availability = backend.probe();
            return dynamicContainer(name, tests.stream().map(test -> dynamicTest(test.id(), test.path().toUri(),
                    () -> check(backend, availability, test, manifest, options))));
        });
    }

    private static void check(Backend backend, Availability availability, TestCase test, ExpectationManifest manifest,
            ConformanceRunner.Options options) {
        if (!availability.available()) {
            String why = backend.name() + " unavailable: " + availability.reason();
            if (REQUIRE_KERNEL && backend.name().equals("kernel")) {
                fail(why + " (BPFH_REQUIRE_KERNEL=1)");
            }
            Assumptions.abort(why);
        }
        TestResult r = ConformanceRunner.runOne(test, backend, manifest, options);
        if (r.status() == Status.PASS) {
            if (r.unexpectedPass()) {
                System.err.println("note: " + test.id() + " [" + backend.name() + "]: unexpected pass; remove from manifest");
            }
            return;
        }
        if (r.asListed()) {
            Assumptions.abort(r.status() + " as listed in the manifest (" + r.listedReason() + "): " + r.message());
        }
        fail(r.status() + ": " + r.message() + " [expected " + r.expected() + ", actual " + r.actual() + "]"
                + (r.listedAs() != null ? " (manifest lists " + r.listedAs() + ")" : ""));
    }
}
