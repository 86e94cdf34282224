package dev.bpfh.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.conformance.FakeBackend.Rejects;
import dev.bpfh.conformance.FakeBackend.Returns;
import dev.bpfh.conformance.FakeBackend.Traps;
import dev.bpfh.conformance.FakeBackend.Writes;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.TrapKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disagreement rules of {@link BackendDiff}'s class comment. */
class BackendDiffTest {

    @TempDir
    Path dir;

    private static final String PROGRAM = "-- asm\nmov %r0, 42\nexit\n-- mem\n00 00\n-- result\n0x2a\n";

    private DiffReport diff(String file, Backend... backends) throws Exception {
        Files.writeString(dir.resolve(file + ".data"), PROGRAM);
        return BackendDiff.run(BackendDiff.Options.defaults().withPaths(List.of(dir)).withThreads(1), List.of(backends));
    }

    private static List<String> disagreements(DiffReport report) {
        return report.rows().getFirst().disagreements();
    }

    @Test
    void sameResultsAgreeAndDifferentR0Disagrees() throws Exception {
        DiffReport same = diff("p", new FakeBackend("interp").on("p", new Returns(1)), new FakeBackend("jit").on("p", new Returns(1)));
        assertEquals(0, same.exitCode());
        DiffReport other = BackendDiff.run(BackendDiff.Options.defaults().withPaths(List.of(dir)),
                List.of(new FakeBackend("interp").on("p", new Returns(1)), new FakeBackend("jit").on("p", new Returns(2))));
        assertEquals(1, other.exitCode());
        assertTrue(disagreements(other).getFirst().startsWith("r0:"), disagreements(other).toString());
    }

    @Test
    void memoryAfterTheRunIsComparedExceptForPlugins() throws Exception {
        FakeBackend interp = new FakeBackend("interp").on("p", new Writes(1, 0, (byte) 7));
        DiffReport vsJit = diff("p", interp, new FakeBackend("jit").on("p", new Returns(1)));
        assertTrue(disagreements(vsJit).getFirst().startsWith("memory"), disagreements(vsJit).toString());
        DiffReport vsPlugin = diff("p", interp, new FakeBackend("plugin:/x").on("p", new Returns(1)));
        assertEquals(List.of(), disagreements(vsPlugin));
    }

    @Test
    void trapKindIsComparedAndPcOnlyBetweenUserspaceEngines() throws Exception {
        Traps at3 = new Traps(TrapKind.OUT_OF_BOUNDS, 3, "");
        Traps at5 = new Traps(TrapKind.OUT_OF_BOUNDS, 5, "");
        assertTrue(disagreements(diff("p", new FakeBackend("interp").on("p", at3), new FakeBackend("jit").on("p", at5)))
                .getFirst().startsWith("trap pc"));
        assertEquals(List.of(), disagreements(diff("p", new FakeBackend("interp").on("p", at3), new FakeBackend("kernel").on("p", at5))));
        assertTrue(disagreements(diff("p", new FakeBackend("interp").on("p", at3),
                new FakeBackend("kernel").on("p", new Traps(TrapKind.RUNTIME_ERROR, 3, "")))).getFirst().startsWith("trap kind"));
        assertEquals(List.of(), disagreements(diff("p", new FakeBackend("interp").on("p", at3),
                new FakeBackend("plugin:/x").on("p", new Traps(TrapKind.RUNTIME_ERROR, -1, "Failed")))));
    }

    @Test
    void returnedAgainstTrappedDisagreesButARejectionIsOnlyShown() throws Exception {
        assertEquals(1, disagreements(diff("p", new FakeBackend("interp").on("p", new Returns(0)),
                new FakeBackend("jit").on("p", new Traps(TrapKind.FELL_OFF_END, 2, "")))).size());
        DiffReport rejected = diff("p", new FakeBackend("interp"), new FakeBackend("kernel").on("p", new Rejects("loop")));
        assertEquals(0, rejected.exitCode());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        rejected.printTable(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("rejected"));
    }

    @Test
    void rawBinFilesRunWithTheGivenMemoryAndMalformedFilesAreErrors() throws Exception {
        // mov r0, 42 (b7 00 00 00 2a 00 00 00); exit (95 ...)
        Files.write(dir.resolve("raw.bin"), new byte[] {(byte) 0xb7, 0, 0, 0, 42, 0, 0, 0, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0});
        Files.writeString(dir.resolve("bad.data"), "-- asm\nnope\n-- result\n0\n");
        DiffReport report = BackendDiff.run(BackendDiff.Options.defaults().withPaths(List.of(dir)).withMemoryHex("aa bb"),
                List.<Backend>of(new FakeBackend("interp").on("raw", new Writes(42, 1, (byte) 1)), new FakeBackend("jit")));
        assertEquals(List.of("bad", "raw"), report.rows().stream().map(DiffReport.Row::program).toList());
        assertTrue(report.rows().getFirst().hasError());
        var interp = (BackendDiff.Observation.Returned) report.rows().get(1).observations().getFirst();
        assertEquals(2, interp.memory().length, "the --mem bytes are the input memory");
        assertEquals(1, report.exitCode());
        Path json = dir.resolve("diff.json");
        report.writeJson(json);
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
        assertEquals(2, tree.get("programs").size());
        assertEquals("aa01", tree.get("programs").get(1).get("outcomes").get(0).get("memory").asText());
    }
}
