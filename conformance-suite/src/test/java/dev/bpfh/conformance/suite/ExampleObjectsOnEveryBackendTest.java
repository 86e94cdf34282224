package dev.bpfh.conformance.suite;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.bpfh.conformance.ConformanceRunner;
import dev.bpfh.conformance.Corpus;
import dev.bpfh.conformance.ExpectationManifest;
import dev.bpfh.conformance.Status;
import dev.bpfh.conformance.TestCase;
import dev.bpfh.conformance.TestResult;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;

/**
 * The tests of the example objects ({@code examples/tests/*.data}: typed programs from clang
 * objects, {@code -- elf}) on interp, jit and kernel, one dynamic test per (backend, file). They
 * live beside the objects rather than in the built-in corpus, whose files are class-path resources
 * without the objects. Every pair must PASS; there is no manifest. The kernel is skipped with the
 * probe's reason when unavailable, unless {@code BPFH_REQUIRE_KERNEL=1}.
 */
class ExampleObjectsOnEveryBackendTest {

    private static final List<String> BACKENDS = List.of("interp", "jit", "kernel");

    private static final boolean REQUIRE_KERNEL = "1".equals(System.getenv("BPFH_REQUIRE_KERNEL"));

    /** {@code examples/tests} of the repository (tests run in the module directory). */
    static Path testsDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("examples/tests");
            if (Files.isDirectory(candidate) && Files.isRegularFile(p.resolve("examples/build.sh"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no examples/tests above " + Path.of("").toAbsolutePath());
    }

    @TestFactory
    Stream<DynamicContainer> exampleObjectsOnEveryBackend() throws Exception {
        List<TestCase> tests = Corpus.collect(List.of(testsDir())).stream().map(e -> TestCase.load(e.id(), e.path())).toList();
        if (tests.isEmpty()) {
            throw new IllegalStateException(testsDir() + " has no .data files");
        }
        ConformanceRunner.Options options = ConformanceRunner.Options.defaults();
        return BACKENDS.stream().map(name -> {
            Backend backend = Backends.find(name)
                    .orElseThrow(() -> new IllegalStateException("backend " + name + " is not on the test class path"));
            Availability availability = backend.probe();
            return dynamicContainer(name, tests.stream().map(test -> dynamicTest(test.id(), test.path().toUri(),
                    () -> check(backend, availability, test, options))));
        });
    }

    private static void check(Backend backend, Availability availability, TestCase test, ConformanceRunner.Options options) {
        if (!availability.available()) {
            String why = backend.name() + " unavailable: " + availability.reason();
            if (REQUIRE_KERNEL && backend.name().equals("kernel")) {
                fail(why + " (BPFH_REQUIRE_KERNEL=1)");
            }
            Assumptions.abort(why);
        }
        TestResult r = ConformanceRunner.runOne(test, backend, ExpectationManifest.empty(), options);
        if (r.status() != Status.PASS) {
            fail(r.status() + ": " + r.message() + " [expected " + r.expected() + ", actual " + r.actual() + "]");
        }
    }
}
