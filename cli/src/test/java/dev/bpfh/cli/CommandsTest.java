package dev.bpfh.cli;

import static dev.bpfh.cli.CliRun.piped;
import static dev.bpfh.cli.CliRun.run;
import static dev.bpfh.cli.CliRun.withEnv;
import static org.junit.jupiter.api.Assertions.*;

import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-level command, {@code backends}, {@code plugin}, {@code conformance} and {@code diff}. */
class CommandsTest {

    /** ldxb %r0, [%r1+1] ; exit: 71 (LDX|MEM|B), regs byte src 1 dst 0 = 0x10, off 1. */
    static final String LDXB1 = "71 10 01 00 00 00 00 00 95 00 00 00 00 00 00 00";

    @Test
    void versionNamesTheProjectVersion() {
        CliRun r = run("--version");
        assertEquals(0, r.exit());
        assertTrue(r.out().matches("bpfh \\d+\\.\\d+\\.\\d+\\S* \\(Java .*\\)\n"), r.out());
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"asm", "disasm", "backends", "plugin", "conformance", "diff", "fuzz", "bench", "report", "compare", "history"}) {
            CliRun r = run(command, "--help");
            assertEquals(0, r.exit(), command);
            assertTrue(r.out().startsWith("Usage: bpfh " + command), r.out());
        }
    }

    @Test
    void noCommandPrintsUsageAndExitsTwo() {
        CliRun r = run();
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("Usage: bpfh"), r.err());
    }

    @Test
    void aBadOptionIsOneLineOnStderr() {
        CliRun r = run("conformance", "--frobnicate");
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("bpfh: Unknown option: '--frobnicate'"), r.err());
    }

    @Test
    void backendsListsTheBuiltInEnginesOnTheClassPath() {
        CliRun r = run("backends");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("interp\\s+available\\b.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("jit\\s+available\\b.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("kernel\\s+(available|unavailable)\\b.*")), r.out());
    }

    @Test
    void requiringTheKernelFailsExactlyWhenItIsUnavailable() {
        Backend kernel = Backends.find("kernel").orElseThrow();
        boolean available = kernel.probe().available();
        CliRun r = withEnv("", Map.of(Main.REQUIRE_KERNEL_ENV, "1"), Path.of(""), "backends");
        assertEquals(available ? 0 : 1, r.exit(), r.err());
        if (!available) {
            assertTrue(r.err().startsWith("bpfh: BPFH_REQUIRE_KERNEL=1 but the kernel backend is unavailable: "));
        }
    }

    @Test
    void pluginRunsOnTheNamedBackend() {
        assertEquals(new CliRun(0, "bb\n", ""), piped(LDXB1, "plugin", "aa  bb  ", "--backend", "jit"));
        assertEquals(new CliRun(0, "bb\n", ""), piped(LDXB1, "plugin", "--backend", "interp", "aa bb"));
    }

    @Test
    void pluginWorksWithTheMemoryBeforeTheCommandAsAPluginRunnerPassesIt() {
        // bpf_conformance --plugin_path bpfh --plugin_options "plugin --backend jit" runs: bpfh MEM plugin --backend jit
        assertEquals(new CliRun(0, "bb\n", ""), piped(LDXB1, "aa  bb  ", "plugin", "--backend", "jit"));
    }

    @Test
    void pluginReportsTrapsAndRejectionsOnOneStdoutLine() {
        CliRun trap = piped(LDXB1, "plugin", "--backend", "interp");
        assertEquals(1, trap.exit());
        assertTrue(trap.out().startsWith("trap OUT_OF_BOUNDS at pc 0: "), trap.out());
        assertEquals(1, trap.out().lines().count());
        // mov %r0, %r11: bf with src 11 (regs byte 0xb0); r11 does not exist.
        CliRun rejected = piped("bf b0 00 00 00 00 00 00 95 00 00 00 00 00 00 00", "plugin", "--backend", "jit");
        assertEquals(1, rejected.exit());
        assertTrue(rejected.out().startsWith("rejected: "), rejected.out());
        assertEquals(1, rejected.out().lines().count());
    }

    static Path corpus(Path dir, boolean withFailure) throws Exception {
        Files.writeString(dir.resolve("add.data"), "-- asm\nmov %r0, 5\nadd %r0, 2\nexit\n-- result\n0x7\n");
        Files.writeString(dir.resolve("rej.data"), "-- asm\nmov %r0, %r11\nexit\n-- error\nrejected\n");
        if (withFailure) {
            Files.writeString(dir.resolve("wrong.data"), "-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n");
        }
        return dir;
    }

    @Test
    void conformancePrintsTheMatrixSummariesAndWritesReports(@TempDir Path dir) throws Exception {
        Path tests = corpus(Files.createDirectory(dir.resolve("tests")), false);
        Path json = dir.resolve("r.json");
        Path xml = dir.resolve("xml");
        CliRun r = run("conformance", "--backends", "interp,jit", "--json", json.toString(), "--junit-xml",
                xml.toString(), tests.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("interp: 2 passed, 0 failed, 0 skipped"), r.out());
        assertTrue(r.out().contains("jit: 2 passed, 0 failed, 0 skipped"), r.out());
        assertTrue(Files.size(json) > 0);
        assertTrue(Files.exists(xml.resolve("TEST-bpfh-interp.xml")));
        assertTrue(Files.exists(xml.resolve("TEST-bpfh-jit.xml")));
    }

    @Test
    void conformanceWritesDefaultReportsBelowBpfhOut(@TempDir Path dir) throws Exception {
        Path tests = corpus(Files.createDirectory(dir.resolve("tests")), true);
        CliRun r = withEnv("", Map.of(), dir, "conformance", "--backends", "interp", tests.toString());
        assertEquals(1, r.exit(), "wrong.data must fail the run: " + r.out());
        assertTrue(r.out().contains("interp: 2 passed, 1 failed, 0 skipped"), r.out());
        Path out = dir.resolve("bpfh-out/conformance");
        assertTrue(Files.exists(out.resolve("conformance.json")));
        assertTrue(Files.exists(out.resolve("TEST-bpfh-interp.xml")));
        assertTrue(r.out().contains("JSON results: " + out.resolve("conformance.json").toAbsolutePath()), r.out());
    }

    @Test
    void malformedDataFilesAreOneLineErrorsNamingFileAndLineAndTheOtherTestsStillRun(@TempDir Path dir) throws Exception {
        Path tests = Files.createDirectory(dir.resolve("tests"));
        Files.writeString(tests.resolve("good.data"), "-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n");
        Files.writeString(tests.resolve("unknown.data"), "-- asm\nmov %r0, 1\nexit\n-- frobnicate\n-- result\n0x1\n");
        Files.writeString(tests.resolve("badasm.data"), "-- asm\nmov %r0, 1\nbogus %r1\nexit\n-- result\n0x1\n");
        Files.writeString(tests.resolve("badresult.data"), "-- asm\nmov %r0, 1\nexit\n-- result\nzz\n");
        Files.writeString(tests.resolve("noresult.data"), "-- asm\nmov %r0, 1\nexit\n");
        CliRun r = withEnv("", Map.of(), dir, "conformance", "--backends", "interp", tests.toString());
        assertEquals(1, r.exit(), r.out());
        String at = tests + java.io.File.separator;
        // One line each, naming the file and, where the problem is on a line, that line (isa.md §5.1:
        // bpf_conformance would silently skip the first and last of these).
        List<String> lines = r.out().lines().toList();
        for (String expected : List.of(
                "unknown [interp] ERROR: " + at + "unknown.data:4: ",
                "badasm [interp] ERROR: " + at + "badasm.data:3: ",
                "badresult [interp] ERROR: " + at + "badresult.data:5: ",
                "noresult [interp] ERROR: " + at + "noresult.data: ")) {
            assertEquals(1, lines.stream().filter(l -> l.startsWith(expected)).count(), expected + " in\n" + r.out());
        }
        assertTrue(lines.stream().anyMatch(l -> l.matches("good\\s+pass")), r.out());
        assertTrue(r.out().contains("interp: 1 passed, 4 failed, 0 skipped"), r.out());
        assertTrue(!r.out().contains("Exception") && !r.err().contains("Exception") && !r.err().contains("\tat "), r.err());
    }

    @Test
    void theBudgetOptionBoundsEveryRun(@TempDir Path dir) throws Exception {
        // 50 iterations of a 2-instruction loop: about 100 instructions, far below the default budget.
        Path tests = Files.createDirectory(dir.resolve("tests"));
        Files.writeString(tests.resolve("loop.data"),
                "-- asm\nmov %r0, 0\nadd %r0, 1\njne %r0, 50, -2\nexit\n-- result\n50\n");
        // Run in the temporary directory: without --json the reports go to ./bpfh-out.
        CliRun roomy = withEnv("", Map.of(), dir, "conformance", "--backends", "interp,jit", tests.toString());
        assertEquals(0, roomy.exit(), roomy.out() + roomy.err());
        CliRun tight = withEnv("", Map.of(), dir, "conformance", "--backends", "interp,jit", "--budget", "20",
                tests.toString());
        assertEquals(1, tight.exit(), tight.out());
        assertTrue(tight.out().contains("BUDGET_EXHAUSTED at pc 2"), tight.out());
        CliRun bad = run("conformance", "--budget", "0", tests.toString());
        assertEquals(2, bad.exit());
        assertTrue(bad.err().startsWith("bpfh: --budget must be at least 1"), bad.err());
    }

    @Test
    void anotherVmsErrorTextMeansMustFailUnlessExactMessagesIsGiven(@TempDir Path dir) throws Exception {
        // The main function falls into its subprogram: refused by the shared validator, in bpfh's words.
        Path tests = Files.createDirectory(dir.resolve("tests"));
        Files.writeString(tests.resolve("fall.data"), "-- asm\nmov %r0, 1\ncall local f\nf:\nexit\n"
                + "-- error\nFailed to load code: sub-program does not end with EXIT or unconditional jump at PC 1\n");
        CliRun portable = withEnv("", Map.of(), dir, "conformance", "--backends", "interp,jit", tests.toString());
        assertEquals(0, portable.exit(), portable.out());
        assertTrue(portable.out().contains("fall [jit] expected error \"Failed to load code: sub-program does not end"
                + " with EXIT or unconditional jump at PC 1\" | got rejected: last insn of the function [0, 2) is not an"
                + " exit or jmp: it would fall into the next function at pc 1"), portable.out());
        CliRun exact = withEnv("", Map.of(), dir, "conformance", "--backends", "interp,jit", "--exact-messages",
                tests.toString());
        assertEquals(1, exact.exit(), exact.out());
        assertTrue(exact.out().contains("interp: 0 passed, 1 failed"), exact.out());
    }

    @Test
    void conformanceWithAnUnknownBackendIsAOneLineUsageError(@TempDir Path dir) throws Exception {
        CliRun r = run("conformance", "--backends", "nosuch", corpus(dir, false).toString());
        assertEquals(2, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("bpfh: unknown backend 'nosuch'"), r.err());
    }

    @Test
    void diffReportsAgreementBetweenInterpAndJit(@TempDir Path dir) throws Exception {
        CliRun r = run("diff", "--backends", "interp,jit", corpus(dir, true).toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("3 programs on 2 backends: 0 with disagreements, 0 with errors"), r.out());
    }

    @Test
    void diffNeedsTwoBackends(@TempDir Path dir) throws Exception {
        CliRun r = run("diff", "--backends", "interp", corpus(dir, false).toString());
        assertEquals(new CliRun(2, "", "bpfh: diff needs at least two backends; available here: interp\n"), r);
    }
}
