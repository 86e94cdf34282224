package dev.bpfh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bpfh.spi.Backends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** The corpus is what the issue asks for, and every engine returns each workload's expected r0. */
class WorkloadsTest {

    @Test
    void corpusHasAtLeastTenWorkloadsAndOneOfAtLeast2000Instructions() throws IOException {
        List<String> names = Workloads.builtInNames();
        assertTrue(names.size() >= 10, names.toString());
        int largest = 0;
        for (String n : names) {
            largest = Math.max(largest, Workloads.load(n).program().length());
        }
        assertTrue(largest >= 2000, "largest workload has " + largest + " slots");
    }

    @TestFactory
    Stream<DynamicTest> everyEngineReturnsTheExpectedResult() {
        return Stream.of("interp", "jit", "kernel").flatMap(backend -> Workloads.builtInNames().stream()
                .map(name -> DynamicTest.dynamicTest(backend + "/" + name, () -> {
                    var b = Backends.find(backend);
                    assumeTrue(b.isPresent() && b.get().probe().available(), backend + " unavailable here");
                    try (Prepared p = Prepared.of(name, backend)) {
                        assertNull(p.check()); // Prepared.of already checked once: a second run must agree
                    }
                })));
    }

    @Test
    void userPathsExpandToDataFilesAndLoad(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("tiny.data");
        Files.writeString(f, "-- asm\nmov %r0, 7\nexit\n-- result\n0x7\n");
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        List<String> expanded = Workloads.expand(List.of(dir));
        assertEquals(List.of(f.toAbsolutePath().toString()), expanded);
        Workload w = Workloads.load(expanded.getFirst());
        assertEquals("tiny", w.name());
        assertEquals(7, w.expected());
        assertEquals("tiny", Workloads.displayName(expanded.getFirst()));
    }

    @Test
    void workloadWithoutResultIsRefusedWithTheFileName(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("nores.data");
        Files.writeString(f, "-- asm\nmov %r0, 7\nexit\n-- error\nboom\n");
        IOException e = assertThrows(IOException.class, () -> Workloads.load(f.toString()));
        assertTrue(e.getMessage().contains("nores"), e.getMessage());
    }

    @Test
    void unknownBuiltInNameIsAOneLineError() {
        IOException e = assertThrows(IOException.class, () -> Workloads.load("no_such_workload"));
        assertTrue(e.getMessage().contains("no_such_workload"));
    }
}
