package dev.bpfh.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.conformance.BackendDiff.Observation;
import dev.bpfh.conformance.FakeBackend.Returns;
import dev.bpfh.conformance.FakeBackend.Runs;
import dev.bpfh.isa.Program;
import dev.bpfh.maps.ProgramArray;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.RunInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Judging typed programs and {@code -- elf} objects with scripted backends: what the engine is
 * given (packet, ctx_in), what is compared (32-bit retval, data-out, maps of the object), how an
 * object's maps are set up before {@code -- map-init}, and which engines skip typed programs.
 */
class TypedJudgeTest {

    @TempDir
    Path dir;

    static final String PACKET_HEX = "00 00 00 00 00 00 00 00 00 00 00 00 08 06"; // ARP: test_run takes a 14-byte one
    static final byte[] PACKET = HexFormat.ofDelimiter(" ").parseHex(PACKET_HEX);

    private TestCase test(String name, String text) throws IOException {
        Path f = dir.resolve(name + ".data");
        Files.writeString(f, text);
        TestCase t = TestCase.load(name, f);
        assertNull(t.parseError());
        return t;
    }

    private TestCase asm(String name, String type, String rest) throws IOException {
        return test(name, "-- program-type\n" + type + "\n-- asm\nmov %r0, 2\nexit\n-- mem\n" + PACKET_HEX + "\n" + rest);
    }

    private static TestResult judge(TestCase test, Backend backend) {
        return ConformanceRunner.runOne(test, backend, ExpectationManifest.empty(), ConformanceRunner.Options.defaults());
    }

    private void copy(String object) throws IOException {
        Path examples = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null && examples == null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("examples/build.sh"))) {
                examples = p.resolve("examples");
            }
        }
        Files.copy(examples.resolve(object), dir.resolve(object));
    }

    private static MapView map(List<MapView> maps, String name) {
        return maps.stream().filter(m -> m.spec().name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theEngineGetsThePacketAndTheCtxIn() throws Exception {
        TestCase t = asm("marked", "tc", "-- ctx\nmark=5 cb0=0x07\n-- result\nTC_ACT_OK\n");
        FakeBackend fake = new FakeBackend("interp").on("marked", new Runs((in, m) -> new Outcome.Returned(0, in.data(), in.ctx())));
        assertEquals(Status.PASS, judge(t, fake).status());
        RunInput seen = fake.inputs().getFirst();
        assertArrayEquals(PACKET, seen.data());
        assertEquals(192, seen.ctx().length);
        assertEquals(5, seen.ctx()[8]);
        assertEquals(7, seen.ctx()[48]);
    }

    @Test
    void ctxOutFieldsAreCompared() throws Exception {
        TestCase t = asm("marks", "tc", "-- ctx\nmark=5\n-- ctx-out\nmark=0xef\n-- result\n0\n");
        Runs marks = new Runs((in, m) -> {
            byte[] ctx = in.ctx();
            ctx[8] = (byte) 0xef;
            ctx[32] = 6; // priority: not named in -- ctx-out, so not compared
            return new Outcome.Returned(0, in.data(), ctx);
        });
        assertEquals(Status.PASS, judge(t, new FakeBackend("interp").on("marks", marks)).status());
        TestResult echoes = judge(t, new FakeBackend("interp").on("marks",
                new Runs((in, m) -> new Outcome.Returned(0, in.data(), in.ctx()))));
        assertEquals(Status.FAIL, echoes.status());
        assertEquals("ctx-out field mark: expected 0xef, got 0x5", echoes.message());
        TestResult none = judge(t, new FakeBackend("interp").on("marks", new Returns(0)));
        assertEquals("the backend reported no ctx_out, but -- ctx-out expects {mark=239}", none.message());
    }

    @Test
    void theRetvalIsCompared() throws Exception {
        TestCase t = asm("pass", "xdp", "-- result\nXDP_PASS\n");
        assertEquals(Status.PASS, judge(t, new FakeBackend("interp").on("pass", new Returns(2))).status());
        TestResult wrong = judge(t, new FakeBackend("interp").on("pass", new Returns(1)));
        assertEquals(Status.FAIL, wrong.status());
        assertEquals("expected r0 0x2 (2), got 0x1 (1)", wrong.message());
    }

    @Test
    void dataOutIsComparedByteForByte() throws Exception {
        TestCase t = asm("out", "xdp", "-- data-out\n" + PACKET_HEX.replace("08 06", "86 dd") + "\n-- result\n2\n");
        Runs rewrites = new Runs((in, m) -> {
            in.data()[12] = (byte) 0x86;
            in.data()[13] = (byte) 0xdd;
            return new Outcome.Returned(2, in.data());
        });
        assertEquals(Status.PASS, judge(t, new FakeBackend("jit").on("out", rewrites)).status());
        TestResult untouched = judge(t, new FakeBackend("jit").on("out", new Returns(2)));
        assertEquals(Status.FAIL, untouched.status());
        assertTrue(untouched.message().startsWith("data-out differs at byte 12: expected 86, got 08 (14 bytes expected,"
                + " 14 got: "), untouched.message());
        TestResult shorter = judge(t, new FakeBackend("jit").on("out", new Runs((in, m) ->
                new Outcome.Returned(2, java.util.Arrays.copyOf(in.data(), 12)))));
        assertTrue(shorter.message().startsWith("data-out differs at byte 12: expected 86, got (end) (14 bytes expected,"
                + " 12 got"), shorter.message());
    }

    @Test
    void pluginsAndUbpfSkipTypedProgramsButRunRawOnes() throws Exception {
        TestCase typed = asm("typed", "xdp", "-- result\n2\n");
        TestResult plugin = judge(typed, new FakeBackend("plugin:/bin/vm").on("typed", new Returns(2)));
        assertEquals(Status.SKIPPED, plugin.status());
        assertEquals("plugin protocol has no program types (the program is not raw)", plugin.message());
        TestResult ubpf = judge(typed, new FakeBackend("ubpf-jit").on("typed", new Returns(2)));
        assertEquals(Status.SKIPPED, ubpf.status());
        assertTrue(ubpf.message().startsWith("ubpf-jit has no program types"), ubpf.message());
        TestCase raw = test("raw", "-- asm\nmov %r0, 2\nexit\n-- result\n2\n");
        assertEquals(Status.PASS, judge(raw, new FakeBackend("ubpf").on("raw", new Returns(2))).status());
    }

    /** rodata_config.c: {@code blocked_proto = IPPROTO_UDP} (17) is byte 4 of {@code .rodata}. */
    private static final Runs RETURNS_BLOCKED_PROTO = new Runs((in, maps) ->
            new Outcome.Returned(map(maps, "rodata_c.rodata").lookup(new byte[4])[4] & 0xff, in.data()));

    @Test
    void anObjectsInitialDataIsWrittenBeforeMapInit() throws Exception {
        copy("rodata_config.o");
        String head = "-- elf\nrodata_config.o xdp_config\n-- mem\n" + PACKET_HEX + "\n";
        TestCase initial = test("initial", head + "-- result\n17\n");
        assertEquals(Status.PASS, judge(initial, new FakeBackend("interp").on("xdp_config", RETURNS_BLOCKED_PROTO)).status());
        TestCase overridden = test("overridden", head + "-- map-init .rodata\n00 00 00 00 : ea 05 00 00 06 01\n-- result\n6\n");
        assertEquals(Status.PASS, judge(overridden, new FakeBackend("interp").on("xdp_config", RETURNS_BLOCKED_PROTO)).status());
    }

    @Test
    void anObjectsMapsAreExpectedByName() throws Exception {
        copy("rodata_config.o");
        String bss = "00 00 00 00 : 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
        TestCase t = test("counted", "-- elf\nrodata_config.o xdp_config\n-- mem\n" + PACKET_HEX + "\n-- result\n2\n"
                + "-- map-expect .bss\n" + bss + "\n");
        Runs counts = new Runs((in, maps) -> {
            byte[] v = new byte[24];
            v[0] = 1;
            map(maps, "rodata_c.bss").update(new byte[4], v, 0);
            return new Outcome.Returned(2, in.data());
        });
        assertEquals(Status.PASS, judge(t, new FakeBackend("interp").on("xdp_config", counts)).status());
        TestResult uncounted = judge(t, new FakeBackend("interp").on("xdp_config", new Returns(2)));
        assertEquals(Status.FAIL, uncounted.status());
        assertTrue(uncounted.message().startsWith("map 'rodata_c.bss' differs at entry 0"), uncounted.message());
    }

    /** Runs the program in {@code slot} of jmp_table, as a tail call would. */
    private static Runs tailCall(int slot) {
        return new Runs((in, maps) -> {
            Executable next = ((ProgramArray) map(maps, "jmp_table")).slot(slot);
            return next == null ? new Outcome.Returned(2, in.data()) : next.run(in);
        });
    }

    @Test
    void theObjectsProgramArrayInitialiserFillsSlotsWithSiblings() throws Exception {
        copy("tail_calls.o");
        TestCase t = test("chain", "-- elf\ntail_calls.o xdp_entry\n-- mem\n" + PACKET_HEX + "\n-- result\nXDP_DROP\n");
        FakeBackend fake = new FakeBackend("interp").on("xdp_entry", tailCall(0)).on("stage_eth", tailCall(1))
                .on("stage_ip", tailCall(2)).on("stage_verdict", new Returns(1));
        assertEquals(Status.PASS, judge(t, fake).status());
        assertEquals(4, fake.inputs().size()); // entry, then the three stages the initialiser put in slots 0..2
    }

    @Test
    void anObjectWhoseMapsTheBackendDoesNotShowIsAnError() throws Exception {
        copy("rodata_config.o");
        TestCase t = test("nomaps", "-- elf\nrodata_config.o xdp_config\n-- mem\n" + PACKET_HEX + "\n-- result\n2\n");
        Backend noMaps = new Backend() {
            public String name() {
                return "interp";
            }

            public Availability probe() {
                return Availability.yes();
            }

            public Executable load(Program program, LoadOptions options) {
                return memory -> new Outcome.Returned(2, memory);
            }

            public List<Executable> loadAll(List<Program> programs, LoadOptions options) {
                return programs.stream().map(p -> load(p, options)).toList();
            }
        };
        TestResult r = judge(t, noMaps);
        assertEquals(Status.ERROR, r.status());
        assertEquals(dir.resolve("nomaps.data") + ": the backend shows no map 'rodata_c.rodata' after loading the object",
                r.message());
    }

    @Test
    void backendsThatDifferOnlyInCtxOutDisagree() throws Exception {
        TestCase t = asm("ctx", "tc", "-- ctx\nmark=1\n-- result\n0\n");
        FakeBackend a = new FakeBackend("interp").on("ctx", new Runs((in, m) -> new Outcome.Returned(0, in.data(), in.ctx())));
        FakeBackend b = new FakeBackend("kernel").on("ctx", new Runs((in, m) -> {
            byte[] ctx = in.ctx();
            ctx[8] = 9;
            return new Outcome.Returned(0, in.data(), ctx);
        }));
        Observation oa = BackendDiff.observe(a, t.data(), ConformanceRunner.DEFAULT_LOAD);
        Observation ob = BackendDiff.observe(b, t.data(), ConformanceRunner.DEFAULT_LOAD);
        Optional<String> d = BackendDiff.compare(oa, ob);
        assertTrue(d.orElseThrow().startsWith("ctx_out: interp 0000000000000000010000"), d.orElseThrow());
        assertEquals(Optional.empty(), BackendDiff.compare(oa, BackendDiff.observe(a, t.data(), ConformanceRunner.DEFAULT_LOAD)));
        Observation plugin = BackendDiff.observe(new FakeBackend("plugin:/x"), t.data(), ConformanceRunner.DEFAULT_LOAD);
        assertEquals(new Observation.NotRun("plugin:/x", "unsupported: plugin protocol has no program types (the program is not raw)"),
                plugin);
    }
}
