package dev.bpfh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.conformance.ConformanceRunner;
import dev.bpfh.conformance.Corpus;
import dev.bpfh.conformance.RunReport;
import dev.bpfh.conformance.Status;
import dev.bpfh.conformance.TestResult;
import dev.bpfh.plugin.PluginBackend;
import dev.bpfh.plugin.PluginHex;
import dev.bpfh.spi.Backends;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bpfh plugin} as a real process, in both directions of isa.md §6: our {@link PluginBackend}
 * driving it over part of the built-in corpus, and bpf_conformance runner-shaped invocations whose
 * stdout and exit code are checked as §6.1 and §5.2 steps 7 and 8 read them. The plugin is this
 * JVM's class path run as {@code java ... dev.bpfh.cli.Main plugin} from a two-line launcher script.
 */
@DisabledOnOs(OS.WINDOWS)
class PluginProcessTest {

    @TempDir
    static Path scratch;

    /** {@code java [flags] @argfile dev.bpfh.cli.Main}: the argfile holds the class path, which may be long. */
    static List<String> java;

    /**
     * An executable that {@code exec}s {@link #java} with its arguments: a plugin is one executable
     * to which the runner gives the memory as the first argument, so the memory must reach Main
     * (which accepts it before the command, as from {@code ./bpfh}), not the java launcher.
     */
    static Path plugin;

    @BeforeAll
    static void writeThePluginLauncher() throws IOException {
        Path argFile = scratch.resolve("classpath.args");
        String cp = System.getProperty("java.class.path").replace("\\", "\\\\").replace("\"", "\\\"");
        Files.writeString(argFile, "-cp \"" + cp + "\"\n");
        // A quick-starting JVM: each run is one short process (C1 only, serial GC, CDS).
        java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "@" + argFile, Main.class.getName());
        plugin = scratch.resolve("bpfh-plugin");
        Files.writeString(plugin, "#!/bin/sh\nexec " + java.stream().map(a -> "'" + a.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" ")) + " \"$@\"\n");
        Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static Path corpusFile(String id) {
        Path file = Corpus.builtIn().orElseThrow().resolve(id + ".data");
        assertTrue(Files.isRegularFile(file), "no corpus file " + id);
        return file;
    }

    /** Runs the files on {@code plugin:<java> plugin --backend NAME} and returns every result. */
    static List<TestResult> runThroughThePlugin(String backend, List<String> ids) throws Exception {
        String name = PluginBackend.PREFIX + plugin + " plugin --backend " + backend;
        RunReport report = ConformanceRunner.run(ConformanceRunner.Options.defaults()
                .withPaths(ids.stream().map(PluginProcessTest::corpusFile).toList())
                .withBackends(List.of(name))
                .withThreads(2)
                .withPluginTimeout(Duration.ofSeconds(60)));
        assertEquals(ids.size(), report.results().size());
        return report.results();
    }

    static void assertAllPass(List<TestResult> results) {
        String failures = results.stream().filter(r -> r.status() != Status.PASS)
                .map(r -> r.test() + " " + r.status() + ": " + r.message() + " (actual " + r.actual() + ")")
                .collect(Collectors.joining("\n"));
        assertEquals("", failures);
    }

    @Nested
    class OurBackendDrivesOurPlugin {

        /**
         * One or more files of every corpus directory: results, memory reads and writes, atomics,
         * local calls and callx, helpers, whole programs, load refusals and every userspace trap kind.
         */
        static final List<String> SUBSET = List.of(
                "alu64/add64-k-basic", "alu32/neg32-intmin", "divmul64/sdiv64-k-intmin-by-negone",
                "divmul32/mod32-k-by-zero-imm", "endian/be64-pattern", "shift/arsh64-x-reg-amount-68",
                "lddw/lddw-0xdeadbeefcafebabe", "jmp/jsle-k-boundary-7", "jmp32/jeq32-k-upper-ignored",
                "movsx/movsx832-negative", "atomic/lock-cmpxchg-hit-memory", "atomic/lock-fetch-add-old",
                "mem/ldxdw-input-high-off5", "mem/stxb-input-unaligned", "mem/mem-len", "mem/mem-len-empty",
                "mem/stack-little-endian", "call/call-local-recursive-factorial", "call/callx-cpu-id",
                "helper/helper-prandom-masked", "prog/crc32-bitwise", "prog/tcp-port-80-match",
                "negative/reject-opcode-zero", "negative/reject-register-r11-dst",
                "negative/reject-jump-out-of-range", "negative/reject-call-unknown-helper",
                "negative/reject-lddw-incomplete", "negative/trap-oob-null", "negative/trap-oob-input-write",
                "negative/trap-oob-no-input", "negative/trap-call-depth-8", "negative/trap-fell-off-end",
                "negative/trap-unknown-helper-callx", "negative/trap-budget-ja32");

        @Test
        void everyTestOfTheSubsetPassesOnInterpThroughThePluginProcess() throws Exception {
            List<TestResult> results = runThroughThePlugin("interp", SUBSET);
            assertAllPass(results);
            // The subset really exercises refusals and traps found only when the plugin runs.
            assertTrue(results.stream().filter(r -> r.expected().equals("rejected")).count() >= 5);
            assertTrue(results.stream().filter(r -> r.expected().startsWith("trap ")).count() >= 7);
        }

        @Test
        void aFewTestsPassOnJitThroughThePluginProcess() throws Exception {
            assertAllPass(runThroughThePlugin("jit", List.of("alu64/add64-k-basic", "mem/stxb-input-unaligned",
                    "call/call-local-recursive-factorial", "negative/reject-register-r11-dst",
                    "negative/trap-oob-input-write", "negative/trap-call-depth-8")));
        }

        @Test
        void aFewTestsPassOnTheKernelThroughThePluginProcess() throws Exception {
            var probe = Backends.find("kernel").orElseThrow().probe();
            if (!probe.available()) {
                assertTrue(!"1".equals(System.getenv(Main.REQUIRE_KERNEL_ENV)),
                        "BPFH_REQUIRE_KERNEL=1 but the kernel backend is unavailable: " + probe.reason());
                Assumptions.abort("kernel backend unavailable: " + probe.reason());
            }
            // Tests the verifier accepts as written (kernel.expect lists none of them), and one it refuses.
            assertAllPass(runThroughThePlugin("kernel", List.of("alu64/add64-k-basic",
                    "lddw/lddw-0xdeadbeefcafebabe", "mem/ldxdw-input-high-off5", "mem/stxb-input-unaligned",
                    "negative/reject-opcode-zero")));
        }
    }

    /** A finished process: exit code and both streams. */
    record Ran(int exit, String stdout, String stderr) {}

    /** Starts the plugin the way bpf_conformance does: {@code <plugin> [memory] [options...] [--elf]}, program line on stdin. */
    static Ran runner(String stdin, String... argv) throws Exception {
        List<String> command = new ArrayList<>(List.of(plugin.toString()));
        command.addAll(List.of(argv));
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.US_ASCII));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the plugin did not finish within 60 s");
        }
        return new Ran(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8), new String(err.get(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The program line of §6.1: each byte as two lowercase hex digits and two spaces, then a newline. */
    static String programLine(String bytes) {
        return PluginHex.format(HexFormat.of().parseHex(bytes.replace(" ", ""))) + "\n";
    }

    /** §5.2 step 8: C stoull(stdout, 16) — whitespace, optional 0x, hex digits up to the first other character. */
    static long stoull16(String stdout) {
        String s = stdout.stripLeading();
        if (s.startsWith("0x") || s.startsWith("0X")) {
            s = s.substring(2);
        }
        int end = 0;
        while (end < s.length() && Character.digit(s.charAt(end), 16) >= 0) {
            end++;
        }
        assertTrue(end > 0 && end <= 16, "not a 64-bit hex number: '" + stdout + "'");
        return Long.parseUnsignedLong(s.substring(0, end), 16);
    }

    /** §5.2 step 7: one trailing newline stripped, cut at \r, trailing whitespace stripped. */
    static String failureMessage(Ran r) {
        String msg = r.stdout().isEmpty() ? r.stderr() : r.stdout();
        msg = msg.endsWith("\n") ? msg.substring(0, msg.length() - 1) : msg;
        int cr = msg.indexOf('\r');
        return (cr >= 0 ? msg.substring(0, cr) : msg).stripTrailing();
    }

    // Programs, slot by slot (isa.md §1.1: opcode, dst|src<<4, off LE, imm LE).
    /** lddw r0, 0x8877665544332211; exit. */
    static final String LDDW_HIGH = "18 00 00 00 11 22 33 44  00 00 00 00 55 66 77 88  95 00 00 00 00 00 00 00";
    /** mov r0, -10 (mov64 sign-extends imm); exit. */
    static final String MINUS_TEN = "b7 00 00 00 f6 ff ff ff  95 00 00 00 00 00 00 00";
    /** ldxb r0, [r1+1]; exit. */
    static final String LDXB_1 = "71 10 01 00 00 00 00 00  95 00 00 00 00 00 00 00";
    /** mov r0, r2; exit: r0 = the memory length. */
    static final String LENGTH = "bf 20 00 00 00 00 00 00  95 00 00 00 00 00 00 00";
    /** mov r3, 0; ldxw r0, [r3]; exit: a load through null at pc 1. */
    static final String NULL_LOAD = "b7 03 00 00 00 00 00 00  61 30 00 00 00 00 00 00  95 00 00 00 00 00 00 00";
    /** mov r0, 1; mov r0, r11; exit: r11 does not exist (pc 1). */
    static final String R11 = "b7 00 00 00 01 00 00 00  bf b0 00 00 00 00 00 00  95 00 00 00 00 00 00 00";

    @Nested
    class ARunnerDrivesOurPlugin {

        @Test
        void r0IsPrintedAsHexThatStoullReadsBackWithAll64Bits() throws Exception {
            Ran r = runner(programLine(LDDW_HIGH), "plugin", "--backend", "interp");
            assertEquals(new Ran(0, "8877665544332211\n", ""), r);
            assertEquals(0x8877665544332211L, stoull16(r.stdout()));
            assertEquals(-10L, stoull16(runner(programLine(MINUS_TEN), "plugin", "--backend", "jit").stdout()));
        }

        @Test
        void theMemoryIsTheFirstArgumentInTheTwoSpaceFormatAndOptionsFollow() throws Exception {
            // bpf_conformance --plugin_path bpfh --plugin_options "plugin --backend interp": <bpfh> <mem> plugin ...
            String memory = PluginHex.format(new byte[] {(byte) 0xaa, (byte) 0xbb, (byte) 0xcc});
            assertEquals("aa  bb  cc  ", memory);
            assertEquals(new Ran(0, "bb\n", ""), runner(programLine(LDXB_1), memory, "plugin", "--backend", "interp"));
            assertEquals(new Ran(0, "3\n", ""), runner(programLine(LENGTH), memory, "plugin", "--backend", "interp"));
        }

        @Test
        void withoutMemoryThereIsNoMemoryArgumentAndTheLengthIsZero() throws Exception {
            assertEquals(new Ran(0, "0\n", ""), runner(programLine(LENGTH), "plugin", "--backend", "interp"));
        }

        @Test
        void aTrapExitsNonZeroWithOneLineThatStep7ComparesWithTheErrorText() throws Exception {
            Ran r = runner(programLine(NULL_LOAD), "plugin", "--backend", "interp");
            assertEquals(1, r.exit());
            assertEquals("", r.stderr());
            assertEquals(1, r.stdout().lines().count(), r.stdout());
            assertTrue(failureMessage(r).startsWith("trap OUT_OF_BOUNDS at pc 1: "), failureMessage(r));
        }

        @Test
        void aRefusalExitsNonZeroWithOneRejectedLineNamingThePc() throws Exception {
            Ran r = runner(programLine(R11), "aa  ", "plugin", "--backend", "jit");
            assertEquals(1, r.exit());
            assertEquals("", r.stderr());
            assertEquals(1, r.stdout().lines().count(), r.stdout());
            assertTrue(failureMessage(r).startsWith("rejected: ") && failureMessage(r).endsWith(" at pc 1"), failureMessage(r));
        }

        @Test
        void badInputExitsTwoWithOneErrorLine() throws Exception {
            Ran r = runner("b7  00  zz\n", "plugin", "--backend", "interp");
            assertEquals(2, r.exit());
            assertTrue(failureMessage(r).startsWith("error: "), r.stdout());
            assertEquals(1, r.stdout().lines().count());
        }

        @Test
        void anElfOnStdinWithElfLastRunsItsTextSection() throws Exception {
            byte[] code = HexFormat.of().parseHex(LDXB_1.replace(" ", ""));
            String elfLine = PluginHex.format(elf(code)) + "\n";
            assertEquals(new Ran(0, "bb\n", ""), runner(elfLine, "aa  bb  ", "plugin", "--backend", "interp", "--elf"));
            assertEquals(new Ran(0, "bb\n", ""), runner(elfLine, "aa  bb  ", "plugin", "--backend", "jit", "--elf"));
        }
    }

    /**
     * The relocatable object bpf_conformance builds for {@code --elf true} (isa.md §6.4), from the
     * System V gABI's layouts: ELF64 LE, ET_REL, EM_BPF; sections null, .text (ALLOC|EXECINSTR),
     * .symtab (null symbol and a global FUNC main over .text), .strtab, .shstrtab.
     */
    static byte[] elf(byte[] code) {
        byte[] strtab = "\0main\0".getBytes(StandardCharsets.US_ASCII);
        byte[] shstrtab = "\0.text\0.symtab\0.strtab\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
        int text = 64, symtab = align8(text + code.length), str = symtab + 48, shstr = str + strtab.length;
        int shoff = align8(shstr + shstrtab.length);
        ByteBuffer b = ByteBuffer.allocate(shoff + 5 * 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2 /* ELFCLASS64 */, 1 /* LE */, 1 /* EV_CURRENT */});
        b.position(16);
        b.putShort((short) 1).putShort((short) 247).putInt(1); // ET_REL, EM_BPF, version
        b.putLong(0).putLong(0).putLong(shoff).putInt(0); // entry, phoff, shoff, flags
        b.putShort((short) 64).putShort((short) 0).putShort((short) 0); // ehsize, phentsize, phnum
        b.putShort((short) 64).putShort((short) 5).putShort((short) 4); // shentsize, shnum, shstrndx
        b.position(text).put(code);
        b.position(symtab + 24); // symbol 0 is null
        b.putInt(1).put((byte) 0x12).put((byte) 0).putShort((short) 1).putLong(0).putLong(code.length);
        b.position(str).put(strtab);
        b.position(shstr).put(shstrtab);
        b.position(shoff + 64); // section 0 is null
        section(b, 1, 1 /* PROGBITS */, 6 /* ALLOC|EXECINSTR */, text, code.length, 0, 0, 8, 0);
        section(b, 7, 2 /* SYMTAB */, 0, symtab, 48, 3 /* .strtab */, 1 /* first global */, 8, 24);
        section(b, 15, 3 /* STRTAB */, 0, str, strtab.length, 0, 0, 1, 0);
        section(b, 23, 3, 0, shstr, shstrtab.length, 0, 0, 1, 0);
        return b.array();
    }

    private static void section(ByteBuffer b, int name, int type, long flags, long offset, long size, int link,
            int info, long align, long entsize) {
        b.putInt(name).putInt(type).putLong(flags).putLong(0).putLong(offset).putLong(size)
                .putInt(link).putInt(info).putLong(align).putLong(entsize);
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }
}
