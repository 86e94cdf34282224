package dev.bpfh.plugin;

import static org.junit.jupiter.api.Assertions.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PluginServer} speaks bpf_conformance's plugin protocol (isa.md §6.1): program hex on
 * stdin or --program, memory hex as the first non-option argument, r0 as bare lowercase hex on
 * stdout with exit 0, one-line messages and non-zero exits otherwise.
 *
 * <p>The backend here is a tiny stand-in ({@link TinyBackend}) so the protocol is tested without
 * the real engines, which live in other modules.
 */
class PluginServerTest {

    // Programs in the protocol's hex format: byte, two spaces (isa.md §6.1).
    /** lddw %r0, 0x1122334455667788 ; exit */
    static final String LDDW = "18  00  00  00  88  77  66  55  00  00  00  00  44  33  22  11  95  00  00  00  00  00  00  00  ";
    /** ldxb %r0, [%r1+1] ; exit */
    static final String LDXB1 = "71  10  01  00  00  00  00  00  95  00  00  00  00  00  00  00  ";
    /** mov %r0, -1 ; exit */
    static final String MOV_MINUS_1 = "b7  00  00  00  ff  ff  ff  ff  95  00  00  00  00  00  00  00  ";

    record Result(int exit, String stdout, String stderr) {}

    static Result run(String stdin, String... argv) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var server = new PluginServer(() -> List.of(new TinyBackend("interp"), new TinyBackend("jit"),
                new Unavailable()), LoadOptions.DEFAULTS);
        int exit = server.run(List.of(argv), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsR0AsBareLowercaseHexAndExitsZero() {
        Result r = run(LDDW + "\n", "--backend", "interp");
        assertEquals(new Result(0, "1122334455667788\n", ""), r);
    }

    @Test
    void negativeR0IsPrintedAsItsUnsigned64BitPattern() {
        assertEquals("ffffffffffffffff\n", run(MOV_MINUS_1).stdout());
    }

    @Test
    void theProgramMayComeFromTheProgramOptionInsteadOfStdin() {
        Result r = run("this stdin is not read", "--program", LDDW, "--backend=jit");
        assertEquals(new Result(0, "1122334455667788\n", ""), r);
    }

    @Test
    void theFirstNonOptionArgumentIsTheMemory() {
        // ldxb reads byte 1 of the memory: 0xbb.
        assertEquals("bb\n", run(LDXB1, "aa  bb  cc  ", "--backend", "interp").stdout());
    }

    @Test
    void optionsMeantForOtherPluginsAreIgnored() {
        // uBPF's options as bpf_conformance would pass them: memory first, then the plugin options.
        assertEquals("bb\n", run(LDXB1, "aa bb", "--jit", "--profile", "safe", "--backend", "jit").stdout());
        // With no memory, "safe" is the value of --profile, not a memory argument.
        Result r = run(MOV_MINUS_1, "--profile", "safe");
        assertEquals(0, r.exit(), r.stdout());
    }

    @Test
    void theDefaultBackendIsInterp() {
        assertEquals("interp", PluginServer.DEFAULT_BACKEND);
        assertEquals("1122334455667788\n", run(LDDW).stdout());
    }

    @Test
    void aRejectedProgramExitsOneWithOneRejectedLine() {
        // 0x00 is no opcode: the stand-in rejects it at pc 1, like the validator would.
        Result r = run("b7 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00");
        assertEquals(new Result(1, "rejected: unknown opcode 0x00 at pc 1\n", ""), r);
    }

    @Test
    void aTrapExitsOneWithKindAndPcOnOneLine() {
        // ldxb [%r1+1] with no memory reads outside every region.
        Result r = run(LDXB1);
        assertEquals(1, r.exit());
        assertEquals("trap OUT_OF_BOUNDS at pc 0: read of 1 byte at offset 1 of 0\n", r.stdout());
    }

    @Test
    void multiLineReasonsAreJoinedOntoOneLine() {
        assertEquals("a | b", PluginServer.oneLine("a\nb\n"));
        assertEquals("a | b", PluginServer.oneLine(" a \r\n  b"));
    }

    @Test
    void anElfOnStdinRunsItsTextSection() {
        byte[] code = PluginHex.parse(LDDW);
        Result r = run(PluginHex.format(ElfReaderFixtures.elf(code)) + "\n", "--elf");
        assertEquals(new Result(0, "1122334455667788\n", ""), r);
    }

    @Test
    void theElfMayComeWithMemoryAndAsConformanceSpellsTheSwitch() {
        byte[] code = PluginHex.parse(LDXB1);
        Result r = run(PluginHex.format(ElfReaderFixtures.elf(code)), "01 02", "--elf", "true");
        assertEquals(new Result(0, "2\n", ""), r);
    }

    @Test
    void aMalformedElfIsAOneLineErrorWithExitTwo() {
        byte[] elf = ElfReaderFixtures.elf(PluginHex.parse(LDDW));
        ElfReaderFixtures.putShort(elf, ElfReaderFixtures.E_MACHINE, 62);
        Result r = run(PluginHex.format(elf), "--elf");
        assertEquals(new Result(2, "error: bad ELF: not a BPF object: e_machine 62, expected 247\n", ""), r);
    }

    @Test
    void badHexIsAOneLineErrorNamingTheInput() {
        Result r = run("b7 zz");
        assertEquals(new Result(2, "error: program on stdin: hex byte 1 is not hex: 'zz'\n", ""), r);
        Result m = run(LDDW, "aa q1");
        assertEquals(new Result(2, "error: memory argument: hex byte 1 is not hex: 'q1'\n", ""), m);
    }

    @Test
    void partialSlotsAndEmptyInputAreErrors() {
        assertEquals(new Result(2, "error: program is 4 bytes, not a multiple of 8\n", ""), run("95 00 00 00"));
        assertEquals(new Result(2, "error: no program (expected hex on stdin or --program HEX)\n", ""), run("\n"));
    }

    @Test
    void anUnknownBackendIsNamedWithTheKnownOnes() {
        Result r = run(LDDW, "--backend", "ubpf");
        assertEquals(new Result(2, "error: unknown backend 'ubpf' (known: interp, jit, kernel)\n", ""), r);
    }

    @Test
    void anUnavailableBackendSaysWhy() {
        Result r = run(LDDW, "--backend", "kernel");
        assertEquals(new Result(2, "unavailable: kernel: bpf() failed: EPERM\n", ""), r);
    }

    @Test
    void debugWritesDiagnosticsToStderrOnly() {
        Result r = run(LDDW, "--debug");
        assertEquals("1122334455667788\n", r.stdout());
        assertTrue(r.stderr().startsWith("bpfh plugin: backend interp, 3 slots, 0 bytes of memory"), r.stderr());
    }

    @Test
    void aBackendBugIsReportedNotThrown() {
        var out = new ByteArrayOutputStream();
        var server = new PluginServer(() -> { throw new IllegalStateException("boom"); }, LoadOptions.DEFAULTS);
        int exit = server.run(List.of(), new ByteArrayInputStream(LDDW.getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        assertEquals(2, exit);
        assertEquals("error: internal: java.lang.IllegalStateException: boom\n", out.toString(StandardCharsets.UTF_8));
    }

    /**
     * A stand-in engine knowing four instructions: lddw (0x18), ldxb (0x71, bounds-checked against
     * the input only), mov64 imm (0xb7) and exit (0x95). Anything else is rejected at load.
     */
    static final class TinyBackend implements Backend {
        private final String name;

        TinyBackend(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Availability probe() {
            return Availability.yes();
        }

        @Override
        public Executable load(Program program, LoadOptions options) throws LoadRejected {
            for (int pc = 0; pc < program.length(); pc++) {
                int op = Insn.opcode(program.slot(pc));
                switch (op) {
                    case 0x18 -> pc++;
                    case 0x71, 0xb7, 0x95 -> {}
                    default -> throw new LoadRejected(pc, String.format("unknown opcode 0x%02x", op), "");
                }
            }
            return memory -> {
                long r0 = 0;
                for (int pc = 0; pc < program.length(); pc++) {
                    long w = program.slot(pc);
                    switch (Insn.opcode(w)) {
                        case 0x18 -> r0 = (Insn.imm(w) & 0xffffffffL) | ((long) Insn.imm(program.slot(++pc)) << 32);
                        case 0xb7 -> r0 = Insn.imm(w);
                        case 0x71 -> {
                            int at = Insn.off(w);
                            if (at < 0 || at >= memory.length) {
                                return new Outcome.Trapped(TrapKind.OUT_OF_BOUNDS, pc,
                                        "read of 1 byte at offset " + at + " of " + memory.length);
                            }
                            r0 = memory[at] & 0xff;
                        }
                        case 0x95 -> {
                            return new Outcome.Returned(r0, memory);
                        }
                        default -> throw new AssertionError();
                    }
                }
                return new Outcome.Trapped(TrapKind.FELL_OFF_END, program.length(), "fell off the end");
            };
        }
    }

    static final class Unavailable implements Backend {
        @Override
        public String name() {
            return "kernel";
        }

        @Override
        public Availability probe() {
            return Availability.no("bpf() failed: EPERM");
        }

        @Override
        public Executable load(Program program, LoadOptions options) {
            throw new AssertionError("never loaded when unavailable");
        }
    }
}
