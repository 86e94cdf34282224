package dev.bpfh.conformance.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.bpfh.conformance.BackendDiff;
import dev.bpfh.conformance.BackendDiff.Observation;
import dev.bpfh.conformance.TestCase;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import dev.bpfh.conformance.ConformanceRunner;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The interpreter and the JIT agree on every program of the built-in corpus, whatever the file
 * expects: the same r0 and the same memory after the run, or the same trap kind at the same pc, or
 * both refuse the load (architecture.md: identical trap kinds and pcs in interp and jit).
 */
class InterpJitDifferentialTest {

    @TestFactory
    Stream<DynamicTest> interpreterAndJitAgree() throws Exception {
        Backend interp = Backends.find("interp").orElseThrow();
        Backend jit = Backends.find("jit").orElseThrow();
        return BuiltInCorpus.tests().stream()
                .filter(t -> t.parseError() == null)
                .map(t -> dynamicTest(t.id(), t.path().toUri(), () -> agree(interp, jit, t)));
    }

    private static void agree(Backend interp, Backend jit, TestCase test) {
        Observation a = BackendDiff.observe(interp, test.data(), ConformanceRunner.DEFAULT_LOAD);
        Observation b = BackendDiff.observe(jit, test.data(), ConformanceRunner.DEFAULT_LOAD);
        assertEquals(kind(a), kind(b), () -> "interp: " + a + "\njit: " + b);
        if (a instanceof Observation.Failed || b instanceof Observation.Failed) {
            throw new AssertionError("a backend crashed: interp: " + a + ", jit: " + b);
        }
        assertEquals(Optional.empty(), BackendDiff.compare(a, b));
    }

    private static String kind(Observation o) {
        return switch (o) {
            case Observation.Returned r -> "returned";
            case Observation.Trapped t -> "trapped";
            case Observation.NotRun n -> n.why().startsWith("unsupported") ? "unsupported" : "rejected";
            case Observation.Failed f -> "failed: " + f.message();
        };
    }
}
