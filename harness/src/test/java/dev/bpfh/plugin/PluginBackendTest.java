package dev.bpfh.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin protocol of isa.md §6.1 and §5.2 steps 6–8, against tiny shell-script plugins. */
class PluginBackendTest {

    @TempDir
    Path dir;

    /** mov r0, 1; exit: bytes b7 00 00 00 01 00 00 00 95 00 00 00 00 00 00 00. */
    private static final Program PROGRAM = Program.of("p", 0x0000000100000000L | 0xb7, 0x95);

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static Outcome run(PluginBackend backend, byte[] memory) throws Exception {
        try (var exe = backend.load(PROGRAM, LoadOptions.DEFAULTS)) {
            return exe.run(memory);
        }
    }

    @Test
    void hexOnStdoutIsTheReturnValue() throws Exception {
        Path p = script("fixed", "echo 1122334455667788");
        Outcome o = run(new PluginBackend(p.toString()), new byte[0]);
        assertEquals(0x1122334455667788L, assertInstanceOf(Outcome.Returned.class, o).r0());
    }

    @Test
    void stdoutIsReadLikeStoullBase16() throws Exception {
        Path p = script("prefixed", "printf '  0xFFFFFFFFFFFFFFF6 extra words\\nmore lines\\n'");
        Outcome o = run(new PluginBackend(p.toString()), new byte[0]);
        assertEquals(-10L, assertInstanceOf(Outcome.Returned.class, o).r0());
    }

    @Test
    void unparsableOrOverflowingOutputIsARuntimeError() throws Exception {
        Path text = script("text", "echo This is a negative test");
        Outcome o = run(new PluginBackend(text.toString()), new byte[0]);
        assertEquals(TrapKind.RUNTIME_ERROR, assertInstanceOf(Outcome.Trapped.class, o).kind());
        Path big = script("big", "echo 10000000000000000");
        Outcome b = run(new PluginBackend(big.toString()), new byte[0]);
        assertTrue(assertInstanceOf(Outcome.Trapped.class, b).message().contains("overflows"));
    }

    @Test
    void programGoesToStdinAndMemoryIsTheFirstArgumentBeforeTheOptions() throws Exception {
        Path p = script("check", """
                IFS= read -r line
                if [ "$line" = "b7  00  00  00  01  00  00  00  95  00  00  00  00  00  00  00  " ] \\
                   && [ "$1" = "aa  0b  " ] && [ "$2" = "--jit" ] && [ $# -eq 2 ]; then echo 1; else echo 0; fi""");
        Outcome o = run(new PluginBackend(p + " --jit"), new byte[] {(byte) 0xaa, 0x0b});
        assertEquals(1L, assertInstanceOf(Outcome.Returned.class, o).r0());
    }

    @Test
    void emptyMemoryPassesNoMemoryArgument() throws Exception {
        Path p = script("count", "cat >/dev/null; echo $#");
        assertEquals(1L, ((Outcome.Returned) run(new PluginBackend(p + " --interpret"), new byte[0])).r0());
    }

    @Test
    void memoryIsReturnedUnchangedBecauseAPluginCannotReportIt() throws Exception {
        Path p = script("zero", "echo 0");
        byte[] memory = {1, 2, 3};
        Outcome.Returned r = (Outcome.Returned) run(new PluginBackend(p.toString()), memory);
        assertEquals(3, r.memory().length);
        assertEquals(2, r.memory()[1]);
    }

    @Test
    void nonZeroExitWithAnotherMessageIsARuntimeErrorWithTheOneLineMessageFromStdout() throws Exception {
        Path p = script("fails", "echo 'Failed to load code: bad jump'; echo 'ignored' >&2; exit 1");
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, run(new PluginBackend(p.toString()), new byte[0]));
        assertEquals(TrapKind.RUNTIME_ERROR, t.kind());
        assertEquals("Failed to load code: bad jump", t.message());
    }

    @Test
    void withEmptyStdoutTheMessageComesFromStderrCutAtCarriageReturn() throws Exception {
        Path p = script("stderr", "printf 'Failed to execute program\\r\\nrest\\n' >&2; exit 3");
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, run(new PluginBackend(p.toString()), new byte[0]));
        assertEquals("Failed to execute program", t.message());
    }

    @Test
    void aPluginThatSleepsPastTheTimeoutIsKilledAndReported() throws Exception {
        Path p = script("sleeps", "exec sleep 30");
        long start = System.nanoTime();
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class,
                run(new PluginBackend(p.toString(), Duration.ofMillis(300)), new byte[0]));
        assertTrue(t.message().contains("timed out after 300 ms"), t.message());
        assertTrue(System.nanoTime() - start < 20_000_000_000L, "the run must not wait for the plugin to finish");
    }

    @Test
    void probeChecksThatTheCommandIsAnExecutableFile() throws Exception {
        Path p = script("ok", "echo 0");
        assertTrue(new PluginBackend(p + " --jit").probe().available());
        assertFalse(new PluginBackend(dir.resolve("missing").toString()).probe().available());
        assertFalse(new PluginBackend("no-such-plugin-command-bpfh").probe().available());
        assertTrue(new PluginBackend("sh").probe().available(), "found on PATH");
    }

    @Test
    void theNameIsPluginColonCommandLine() {
        assertEquals("plugin:./ubpf_plugin --jit", PluginBackend.fromName("plugin:./ubpf_plugin --jit", Duration.ofSeconds(1)).name());
    }

    @Test
    void aCommandThatCannotStartIsARuntimeErrorNotAnException() throws Exception {
        Outcome o = run(new PluginBackend(dir.resolve("missing").toString()), new byte[0]);
        assertTrue(assertInstanceOf(Outcome.Trapped.class, o).message().startsWith("plugin failed to execute"));
    }

    @Test
    void aTrapLineOfBpfhPluginIsThatTrapWithItsPc() throws Exception {
        Path p = script("traps", "cat >/dev/null; echo 'trap OUT_OF_BOUNDS at pc 1: load of 4 bytes at 0x0'; exit 1");
        assertEquals(new Outcome.Trapped(TrapKind.OUT_OF_BOUNDS, 1, "load of 4 bytes at 0x0"),
                run(new PluginBackend(p.toString()), new byte[0]));
    }

    @Test
    void aRejectedLineIsTheRefusedOutcome() throws Exception {
        Path p = script("rejects", "cat >/dev/null; echo 'rejected: unknown opcode 0x00 at pc 1'; exit 1");
        PluginBackend backend = new PluginBackend(p.toString());
        try (var exe = backend.load(PROGRAM, LoadOptions.DEFAULTS)) {
            Outcome.Refused r = assertInstanceOf(Outcome.Refused.class, exe.run(new byte[0]));
            assertEquals(1, r.pc());
            assertEquals("unknown opcode 0x00", r.reason());
            assertEquals("rejected: unknown opcode 0x00 at pc 1\n", r.log());
            assertEquals("unknown opcode 0x00 at pc 1", r.toLoadRejected().getMessage());
        }
    }

    @Test
    void theRecognisedFormsCountOnlyOnANonZeroExit() throws Exception {
        Path p = script("lies", "cat >/dev/null; echo 'rejected: at pc 0'");
        // Exit 0: stdout is r0 read like stoull; 'r' is not a hex digit.
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, run(new PluginBackend(p.toString()), new byte[0]));
        assertTrue(t.message().startsWith("plugin return value could not be parsed"), t.message());
    }
}
