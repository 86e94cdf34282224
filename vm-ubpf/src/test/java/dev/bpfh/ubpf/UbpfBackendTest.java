package dev.bpfh.ubpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bpfh.asm.Assembler;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.TrapKind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The uBPF backends on small programs whose results follow from isa.md by hand. Needs
 * {@code BPFH_UBPF_LIB} pointing at a libubpf.so; without it, these tests say so and skip, and only
 * the "unavailable" behaviour is checked.
 */
class UbpfBackendTest {

    static void requireLibrary() {
        var a = UbpfLibrary.availability();
        // A library that is named but cannot be bound is a failure, not a reason to skip.
        assertTrue(a.available() || System.getenv(UbpfLibrary.ENV) == null, a.reason());
        if (!a.available()) {
            System.out.println("[vm-ubpf] skipping uBPF runs: " + a.reason());
        }
        assumeTrue(a.available(), a.reason());
    }

    private static Backend backend(String name) {
        return Backends.find(name).orElseThrow();
    }

    private static Program asm(String text) throws Exception {
        return Assembler.assemble("t", text);
    }

    private static Outcome run(String backend, String text, byte[] memory) throws Exception {
        try (Executable e = backend(backend).load(asm(text), LoadOptions.DEFAULTS)) {
            return e.run(memory);
        }
    }

    @Test
    void bothBackendsAreRegistered() {
        assertInstanceOf(UbpfInterpreterBackend.class, backend("ubpf"));
        assertInstanceOf(UbpfJitBackend.class, backend("ubpf-jit"));
        // Only runs that name them use them: a run with no --backends must not reach unchecked native code.
        assertTrue(Backends.defaults().stream().noneMatch(b -> b.name().startsWith("ubpf")));
    }

    @Test
    void withoutTheLibraryBothAreUnavailableNamingTheVariable() {
        assumeTrue(System.getenv(UbpfLibrary.ENV) == null, UbpfLibrary.ENV + " is set: covered by the run tests");
        for (String name : List.of("ubpf", "ubpf-jit")) {
            var a = backend(name).probe();
            assertFalse(a.available());
            assertTrue(a.reason().contains(UbpfLibrary.ENV), a.reason());
            assertThrows(IllegalStateException.class, () -> backend(name).load(asm("mov %r0, 1\nexit"), LoadOptions.DEFAULTS));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ubpf", "ubpf-jit"})
    void returnsAll64BitsOfR0(String backend) throws Exception {
        requireLibrary();
        var r = assertInstanceOf(Outcome.Returned.class, run(backend, "lddw %r0, 0x8877665544332211\nexit", new byte[0]));
        assertEquals(0x8877665544332211L, r.r0());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ubpf", "ubpf-jit"})
    void seesTheInputAndItsLengthAndWritesComeBack(String backend) throws Exception {
        requireLibrary();
        byte[] memory = {1, 2, 3, 4, 5};
        // mem[0] = mem[4] + r2 (5 + 5); r0 = r2
        var r = assertInstanceOf(Outcome.Returned.class, run(backend, """
                ldxb %r3, [%r1+4]
                add %r3, %r2
                stxb [%r1+0], %r3
                mov %r0, %r2
                exit
                """, memory));
        assertEquals(5, r.r0());
        assertArrayEquals(new byte[] {10, 2, 3, 4, 5}, r.memory());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ubpf", "ubpf-jit"})
    void localCallsGetTheirOwnFrame(String backend) throws Exception {
        requireLibrary();
        // The caller stores 7 at r10-8; the callee stores 9 at its own r10-8; the caller's value survives.
        var r = assertInstanceOf(Outcome.Returned.class, run(backend, """
                mov %r1, 7
                stxdw [%r10-8], %r1
                call local f1
                ldxdw %r0, [%r10-8]
                exit
                f1:
                mov %r1, 9
                stxdw [%r10-8], %r1
                exit
                """, new byte[0]));
        assertEquals(7, r.r0());
    }

    @Test
    void interpreterReportsUbpfsOwnOutOfBoundsCheckWithItsPc() throws Exception {
        requireLibrary();
        var t = assertInstanceOf(Outcome.Trapped.class, run("ubpf", "mov %r0, 0\nldxb %r0, [%r1+4]\nexit", new byte[4]));
        assertEquals(TrapKind.OUT_OF_BOUNDS, t.kind());
        assertEquals(1, t.pc());
        assertTrue(t.message().startsWith("uBPF: uBPF error: out of bounds memory load at PC 1"), t.message());
    }

    @Test
    void interpreterStopsAtTheInstructionLimit() throws Exception {
        requireLibrary();
        try (Executable e = backend("ubpf").load(asm("mov %r0, 0\nadd %r0, 1\njne %r0, 0, -2\nexit"), LoadOptions.DEFAULTS.withInstructionBudget(1000))) {
            var t = assertInstanceOf(Outcome.Trapped.class, e.run(new byte[0]));
            assertEquals(TrapKind.BUDGET_EXHAUSTED, t.kind());
            assertTrue(t.message().contains("Instruction limit exceeded"), t.message());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ubpf", "ubpf-jit"})
    void aCallToAnUnregisteredHelperIsRejectedWithUbpfsMessage(String backend) throws Exception {
        requireLibrary();
        var x = assertThrows(LoadRejected.class, () -> backend(backend).load(asm("call 6\nexit"), LoadOptions.DEFAULTS));
        assertEquals(0, x.pc());
        assertTrue(x.getMessage().startsWith("uBPF: "), x.getMessage());
        assertTrue(x.log().contains("6"), x.log());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ubpf", "ubpf-jit"})
    void helpersThatTakeBpfhPointersAreNotOfferedToUbpf(String backend) throws Exception {
        requireLibrary();
        // bpf_csum_diff (28) reads its buffers through bpfh's tagged memory; uBPF's pointers are
        // native, so it stays unregistered and uBPF's loader refuses the call.
        var x = assertThrows(LoadRejected.class, () -> backend(backend).load(asm("""
                mov %r1, 0
                mov %r2, 0
                mov %r3, 0
                mov %r4, 0
                mov %r5, 0
                call 28
                exit
                """), LoadOptions.DEFAULTS));
        assertFalse(x.unsupported());
        assertEquals(5, x.pc());
        assertTrue(x.getMessage().startsWith("uBPF: "), x.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ubpf", "ubpf-jit"})
    void aCallbackAddressIsRefusedByUbpfsLoader(String backend) throws Exception {
        requireLibrary();
        // lddw src 4 (bpf_loop's callback) at pc 1: uBPF's loader refuses every lddw pseudo-source.
        var x = assertThrows(LoadRejected.class, () -> backend(backend).load(asm("""
                mov %r1, 1
                lddw %r2, func:cb
                exit
                cb:
                mov %r0, 0
                exit
                """), LoadOptions.DEFAULTS));
        assertFalse(x.unsupported());
        assertEquals(1, x.pc());
        assertTrue(x.getMessage().contains("invalid source register for LDDW"), x.getMessage());
    }

    /** Needs no library: the check comes before uBPF is bound. */
    @ParameterizedTest
    @ValueSource(strings = {"ubpf", "ubpf-jit"})
    void typedProgramsAndProgramsWithMapsAreUnsupported(String backend) throws Exception {
        Program xdp = asm("mov %r0, 2\nexit").withType(ProgramType.XDP);
        var typed = assertThrows(LoadRejected.class, () -> backend(backend).load(xdp, LoadOptions.DEFAULTS));
        assertTrue(typed.unsupported());
        assertTrue(typed.getMessage().contains("raw programs only, not xdp"), typed.getMessage());

        Program withMap = asm("mov %r0, 0\nexit").withMaps(List.of(new MapSpec("m", MapType.ARRAY, 4, 8, 1, 0)));
        var maps = assertThrows(LoadRejected.class, () -> backend(backend).load(withMap, LoadOptions.DEFAULTS));
        assertTrue(maps.unsupported());
        assertTrue(maps.getMessage().contains("without maps (1 declared)"), maps.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ubpf", "ubpf-jit"})
    void standardHelpersRunAsJavaUpcalls(String backend) throws Exception {
        requireLibrary();
        // bpf_get_smp_processor_id is 0; bpf_get_prandom_u32 is a u32 (upper half 0) and restarts each run.
        String text = """
                call 8
                mov %r6, %r0
                call 7
                mov %r7, %r0
                rsh %r7, 32
                add %r6, %r7
                stxw [%r1+0], %r0
                mov %r0, %r6
                exit
                """;
        try (Executable e = backend(backend).load(asm(text), LoadOptions.DEFAULTS)) {
            var first = assertInstanceOf(Outcome.Returned.class, e.run(new byte[4]));
            var second = assertInstanceOf(Outcome.Returned.class, e.run(new byte[4]));
            assertEquals(0, first.r0());
            assertArrayEquals(first.memory(), second.memory());
        }
    }

    @Test
    void aClosedExecutableRefusesToRun() throws Exception {
        requireLibrary();
        Executable e = backend("ubpf").load(asm("mov %r0, 1\nexit"), LoadOptions.DEFAULTS);
        e.close();
        e.close();
        assertThrows(IllegalStateException.class, () -> e.run(new byte[0]));
    }
}
