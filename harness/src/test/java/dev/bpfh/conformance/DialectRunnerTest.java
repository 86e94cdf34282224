package dev.bpfh.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.conformance.FakeBackend.Crashes;
import dev.bpfh.conformance.FakeBackend.Rejects;
import dev.bpfh.conformance.FakeBackend.Returns;
import dev.bpfh.conformance.FakeBackend.Traps;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.TrapKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the runner judges other corpora's expectations: another VM's error text is portable (must
 * fail) for in-process engines and exact for plugins or with {@code --exact-messages}; uBPF's
 * skips, patterns and descriptions.
 */
class DialectRunnerTest {

    @TempDir
    Path dir;

    private void test(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name + ".data"), text);
    }

    private Map<String, TestResult> run(ConformanceRunner.Options options, Backend backend) throws Exception {
        return report(options, backend).results().stream()
                .collect(Collectors.toMap(TestResult::test, Function.identity()));
    }

    private RunReport report(ConformanceRunner.Options options, Backend... backends) throws Exception {
        return ConformanceRunner.run(options.withPaths(List.of(dir)).withThreads(2), List.of(backends));
    }

    private static final ConformanceRunner.Options PORTABLE = ConformanceRunner.Options.defaults();
    private static final ConformanceRunner.Options EXACT = PORTABLE.withExactMessages(true);

    /** Four programs that all expect uBPF's words; the fake refuses, traps, returns, or says the same words. */
    private FakeBackend uBpfErrors(String name) throws IOException {
        String expect = "-- asm\nmov %r0, 1\nexit\n-- error\nFailed to load code: jump out of bounds at PC 4\n";
        test("refused", expect);
        test("trapped", expect);
        test("returned", expect);
        test("same_words", expect);
        return new FakeBackend(name)
                .on("refused", new Rejects("jump out of range from insn 4 to 0"))
                .on("trapped", new Traps(TrapKind.OUT_OF_BOUNDS, 1, "load of 1 byte at 0x0"))
                .on("returned", new Returns(1))
                .on("same_words", new Rejects("Failed to load code: jump out of bounds at PC 4"));
    }

    @Test
    void anotherVmsTextMeansMustFailOnAnInProcessEngineAndTheReportShowsBothTexts() throws Exception {
        Map<String, TestResult> r = run(PORTABLE, uBpfErrors("interp"));
        TestResult refused = r.get("refused");
        assertEquals(Status.PASS, refused.status());
        assertTrue(refused.passedWithoutComparingMessages());
        assertEquals("error \"Failed to load code: jump out of bounds at PC 4\"", refused.expected());
        assertEquals("rejected: jump out of range from insn 4 to 0 at pc 0", refused.actual());
        assertEquals(Status.PASS, r.get("trapped").status(), "a trap is a failure too");
        assertTrue(r.get("trapped").passedWithoutComparingMessages());
        assertEquals(Status.FAIL, r.get("returned").status(), "running to the end is not failing");
        assertEquals(Status.PASS, r.get("same_words").status());
        assertFalse(r.get("same_words").passedWithoutComparingMessages(), "equal texts are a plain pass");
    }

    @Test
    void exactMessagesComparesTheTextsOnEveryEngine() throws Exception {
        Map<String, TestResult> r = run(EXACT, uBpfErrors("interp"));
        assertEquals(Status.FAIL, r.get("refused").status());
        assertEquals("rejected with \"jump out of range from insn 4 to 0 at pc 0\" but expected "
                + "error \"Failed to load code: jump out of bounds at PC 4\"", r.get("refused").message());
        assertEquals(Status.FAIL, r.get("trapped").status());
        assertEquals(Status.FAIL, r.get("returned").status());
        assertEquals(Status.PASS, r.get("same_words").status());
    }

    @Test
    void aPluginIsTheVmThatWroteTheTextSoItIsComparedExactlyByDefault() throws Exception {
        Map<String, TestResult> r = run(PORTABLE, uBpfErrors("plugin:/opt/ubpf_plugin --jit"));
        assertEquals(Status.FAIL, r.get("refused").status());
        assertEquals(Status.FAIL, r.get("trapped").status());
        assertEquals(Status.PASS, r.get("same_words").status());
    }

    @Test
    void anErrorPatternIsFoundInTheFailureTextWhenTextsAreCompared() throws Exception {
        String program = "-- asm\nmov %r0, 1\nexit\n-- error pattern\nout of bounds .* at PC [0-9]+\n-- result\n0xffffffffffffffff\n";
        test("matches", program);
        test("differs", program);
        test("returns", program);
        FakeBackend fake = new FakeBackend("fake")
                .on("matches", new Traps(TrapKind.RUNTIME_ERROR, -1, "uBPF error: out of bounds memory store at PC 0, addr 0x10"))
                .on("differs", new Traps(TrapKind.RUNTIME_ERROR, -1, "uBPF error: out of bounds at pc 0"))
                .on("returns", new Returns(-1));
        Map<String, TestResult> exact = run(EXACT, fake);
        assertEquals(Status.PASS, exact.get("matches").status(), exact.get("matches").message());
        assertEquals(Status.FAIL, exact.get("differs").status());
        assertEquals("error pattern \"out of bounds .* at PC [0-9]+\"", exact.get("differs").expected());
        assertEquals(Status.FAIL, exact.get("returns").status(), "the error wins over the result");
        Map<String, TestResult> portable = run(PORTABLE, fake);
        assertEquals(Status.PASS, portable.get("differs").status());
        assertEquals(Status.FAIL, portable.get("returns").status());
    }

    @Test
    void noJitSkipsJitEnginesWithTheFilesReasonAndRunsTheOthers() throws Exception {
        test("nojit", "-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n-- no jit\nthe JIT has no such check\n");
        for (String jit : List.of("jit", "plugin:/opt/ubpf_plugin --jit")) {
            TestResult r = run(PORTABLE, new FakeBackend(jit).on("nojit", new Crashes("must not be loaded"))).get("nojit");
            assertEquals(Status.SKIPPED, r.status(), jit);
            assertEquals("-- no jit: the test is not for JIT engines (the JIT has no such check)", r.message());
        }
        for (String other : List.of("interp", "kernel", "plugin:/opt/ubpf_plugin --interpret")) {
            assertEquals(Status.PASS, run(PORTABLE, new FakeBackend(other).on("nojit", new Returns(1))).get("nojit").status(), other);
        }
    }

    @Test
    void whatNoEngineCanRunIsSkippedWithTheReasonAndNeverLoaded() throws Exception {
        test("elf", "-- pyelf\nsection.size = 3\n-- error\nFailed to load code: bad section size\n");
        test("reload", "-- asm\nexit\n-- reload\n-- error\nalready loaded\n");
        test("encoding", "-- asm\nexit\n-- raw\n0x95\n");
        FakeBackend fake = new FakeBackend("interp");
        for (String t : List.of("elf", "reload", "encoding")) {
            fake.on(t, new Crashes("must not be loaded"));
        }
        Map<String, TestResult> r = run(PORTABLE, fake);
        assertEquals(Status.SKIPPED, r.get("elf").status());
        assertTrue(r.get("elf").message().startsWith("-- pyelf: "), r.get("elf").message());
        assertTrue(r.get("reload").message().startsWith("-- reload: "), r.get("reload").message());
        assertTrue(r.get("encoding").message().startsWith("encoding test"), r.get("encoding").message());
    }

    @Test
    void descriptionsAndUncomparedTextsAppearInEveryReport() throws Exception {
        test("described", "-- description\nThe answer, from a packet\n-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n");
        test("refused", "-- asm\nmov %r0, 1\nexit\n-- error\nFailed to load code: nope\n");
        FakeBackend fake = new FakeBackend("interp").on("described", new Returns(1)).on("refused", new Rejects("no"));
        RunReport report = report(PORTABLE, fake);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.printMatrix(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("refused [interp] expected error \"Failed to load code: nope\" | got rejected: no at pc 0\n"), text);

        Path json = dir.resolve("out/r.json");
        report.writeJson(json);
        var rows = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile()).get("results");
        assertEquals("The answer, from a packet", rows.get(0).get("description").asText());
        assertEquals("", rows.get(1).get("description").asText());

        Path junit = dir.resolve("junit");
        report.writeJunitXml(junit);
        var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(junit.resolve("TEST-bpfh-interp.xml").toFile());
        var outs = doc.getElementsByTagName("system-out");
        assertEquals(2, outs.getLength());
        assertEquals("description: The answer, from a packet\n", outs.item(0).getTextContent());
        assertTrue(outs.item(1).getTextContent().contains("actual: rejected: no"), outs.item(1).getTextContent());
    }
}
