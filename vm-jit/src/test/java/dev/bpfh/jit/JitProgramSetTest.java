package dev.bpfh.jit;

import static dev.bpfh.jit.TypedPrograms.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import dev.bpfh.spi.TrapKind;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link JitBackend#loadAll}: programs that share one memory and map set, and tail calls from one
 * into another (the kernel's rules, programs.md §3.2: the callee continues with the caller's ctx,
 * maps and tail-call count, and its exit ends the run). Expected values are worked out by hand.
 */
class JitProgramSetTest {

    static Stream<JitBackend> forms() {
        return JitMapProgramsTest.forms();
    }

    static final String MAPS = "-- map jmp\ntype=prog_array key=4 value=4 entries=4\n"
            + "-- map cnt\ntype=array key=4 value=8 entries=1\n";

    /** Adds 1 to cnt[0], then tail-calls slot SLOT; r0 = 77 when the call falls through. */
    static final String CALLER = MAPS + """
            -- asm
            mov %r6, %r1
            lddw %r7, map_value:cnt+0
            mov %r8, 1
            lock add [%r7], %r8
            mov %r1, %r6
            lddw %r2, map:jmp
            mov %r3, SLOT
            call 12
            mov %r0, 77
            exit
            """;

    /** 1000 + (data_end - data) + 100 * cnt[0]. */
    static final String PACKET_LENGTH = MAPS + """
            -- asm
            ldxw %r2, [%r1+0]
            ldxw %r3, [%r1+4]
            mov %r0, %r3
            sub %r0, %r2
            add %r0, 1000
            lddw %r7, map_value:cnt+0
            ldxdw %r4, [%r7+0]
            mul %r4, 100
            add %r0, %r4
            exit
            """;

    static List<Executable> loadAll(JitBackend jit, ProgramType type, long budget, String... texts)
            throws LoadRejected {
        List<Program> programs = Stream.of(texts).map(t -> program(type, t)).toList();
        List<Executable> set = jit.loadAll(programs, LoadOptions.DEFAULTS.withInstructionBudget(budget));
        for (Executable e : set) {
            assertFalse(e.info().containsKey("fallback"), () -> "fell back: " + e.info().get("fallback"));
        }
        return set;
    }

    @ParameterizedTest
    @MethodSource("forms")
    void aTailCallContinuesInASiblingWithTheSameContextAndMaps(JitBackend jit) throws Exception {
        List<Executable> set = loadAll(jit, ProgramType.XDP, LoadOptions.DEFAULT_INSTRUCTION_BUDGET,
                CALLER.replace("SLOT", "1"), PACKET_LENGTH);
        Executable caller = set.get(0);
        assertEquals(0, caller.map("jmp").orElseThrow().setProgram(1, set.get(1)));
        Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, caller.run(RunInput.of(frame(64, 0))));
        assertEquals(1000 + 64 + 100, r.r0());
        assertArrayEquals(le(1), set.get(1).map("cnt").orElseThrow().lookup(new byte[4])); // one map, both views
        // the sibling alone, on the same maps
        assertEquals(1000 + 20 + 100, assertInstanceOf(Outcome.Returned.class,
                set.get(1).run(RunInput.of(frame(20, 0)))).r0());
        // an empty slot falls through in the caller
        caller.map("jmp").orElseThrow().delete(le4(1));
        assertEquals(77, assertInstanceOf(Outcome.Returned.class, caller.run(RunInput.of(frame(64, 0)))).r0());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void aChainThroughSiblingsCountsThirtyThreeTailCalls(JitBackend jit) throws Exception {
        // A (slot 0) and B (slot 1) call each other: 1 + 33 programs run, then the 34th call falls
        // through in whichever program made it, which returns 77.
        List<Executable> set = loadAll(jit, ProgramType.SCHED_CLS, LoadOptions.DEFAULT_INSTRUCTION_BUDGET,
                CALLER.replace("SLOT", "1"), CALLER.replace("SLOT", "0"));
        set.get(0).map("jmp").orElseThrow().setProgram(0, set.get(0));
        set.get(0).map("jmp").orElseThrow().setProgram(1, set.get(1));
        assertEquals(77, assertInstanceOf(Outcome.Returned.class, set.get(0).run(RunInput.of(frame(64, 0)))).r0());
        assertArrayEquals(le(34), set.get(0).map("cnt").orElseThrow().lookup(new byte[4]));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void theBudgetGoesOnInTheSiblingInItsOwnScale(JitBackend jit) throws Exception {
        // Caller: lddw, mov, call 12: the check at the call sees 3. Callee (its adds of 3 give it a
        // budget scale of 3): mov, then 10 rounds of add + jlt; the taken back jump of round k sees
        // 3 + 1 + 2k, the last taken one (k = 9) 22; it returns 30.
        String caller = MAPS + "-- asm\nlddw %r2, map:jmp\nmov %r3, 1\ncall 12\nmov %r0, 77\nexit\n";
        String callee = MAPS + "-- asm\nmov %r4, 0\nloop:\nadd %r4, 3\njlt %r4, 30, loop\nmov %r0, %r4\nexit\n";
        List<Executable> enough = loadAll(jit, ProgramType.XDP, 22, caller, callee);
        enough.get(0).map("jmp").orElseThrow().setProgram(1, enough.get(1));
        assertEquals(30, assertInstanceOf(Outcome.Returned.class, enough.get(0).run(RunInput.of(frame(14, 0)))).r0());
        List<Executable> tight = loadAll(jit, ProgramType.XDP, 21, caller, callee);
        tight.get(0).map("jmp").orElseThrow().setProgram(1, tight.get(1));
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, tight.get(0).run(RunInput.of(frame(14, 0))));
        assertEquals(TrapKind.BUDGET_EXHAUSTED, t.kind());
        assertEquals(2, t.pc()); // the callee's jlt
    }

    @ParameterizedTest
    @MethodSource("forms")
    void aSiblingEnteredFromASubprogramHandsTheBudgetBackToItsCaller(JitBackend jit) throws Exception {
        // main: call local sub (check sees 1); sub: lddw, mov, call 12 (sees 4); the callee runs 23
        // instructions (27) and its exit returns to main, which runs mov (28) and 5 rounds of add +
        // jlt whose 4 taken back jumps see 30, 32, 34, 36; it returns 5.
        String caller = MAPS + """
                -- asm
                call local sub
                mov %r4, 0
                loop:
                add %r4, 1
                jlt %r4, 5, loop
                mov %r0, %r4
                exit
                sub:
                lddw %r2, map:jmp
                mov %r3, 1
                call 12
                mov %r0, 77
                exit
                """;
        String callee = MAPS + "-- asm\nmov %r4, 0\nloop:\nadd %r4, 3\njlt %r4, 30, loop\nmov %r0, %r4\nexit\n";
        List<Executable> enough = loadAll(jit, ProgramType.XDP, 36, caller, callee);
        enough.get(0).map("jmp").orElseThrow().setProgram(1, enough.get(1));
        assertEquals(5, assertInstanceOf(Outcome.Returned.class, enough.get(0).run(RunInput.of(frame(14, 0)))).r0());
        List<Executable> tight = loadAll(jit, ProgramType.XDP, 35, caller, callee);
        tight.get(0).map("jmp").orElseThrow().setProgram(1, tight.get(1));
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, tight.get(0).run(RunInput.of(frame(14, 0))));
        assertEquals(TrapKind.BUDGET_EXHAUSTED, t.kind());
        assertEquals(3, t.pc()); // main's jlt
    }

    @ParameterizedTest
    @MethodSource("forms")
    void rawProgramsShareMapsToo(JitBackend jit) throws Exception {
        List<Executable> set = loadAll(jit, ProgramType.RAW, LoadOptions.DEFAULT_INSTRUCTION_BUDGET,
                CALLER.replace("SLOT", "1"), MAPS + "-- asm\nlddw %r7, map_value:cnt+0\nldxdw %r0, [%r7+0]\nexit\n");
        set.get(0).map("jmp").orElseThrow().setProgram(1, set.get(1));
        assertEquals(1, assertInstanceOf(Outcome.Returned.class, set.get(0).run(new byte[4])).r0());
        assertEquals(2, assertInstanceOf(Outcome.Returned.class, set.get(0).run(new byte[4])).r0());
    }

    @ParameterizedTest
    @MethodSource("forms")
    void aProgramOfAnotherLoadIsStillRefused(JitBackend jit) throws Exception {
        List<Executable> set = loadAll(jit, ProgramType.XDP, LoadOptions.DEFAULT_INSTRUCTION_BUDGET,
                CALLER.replace("SLOT", "1"), PACKET_LENGTH);
        Executable stranger = jit.load(program(ProgramType.XDP, PACKET_LENGTH), LoadOptions.DEFAULTS);
        set.get(0).map("jmp").orElseThrow().setProgram(1, stranger);
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, set.get(0).run(RunInput.of(frame(64, 0))));
        assertEquals(TrapKind.HELPER_FAILED, t.kind());
        assertEquals(9, t.pc()); // the call 12 (each lddw takes two slots)
    }

    @ParameterizedTest
    @MethodSource("forms")
    void programsWithDifferentMapsAreRefused(JitBackend jit) {
        LoadRejected r = assertThrows(LoadRejected.class, () -> loadAll(jit, ProgramType.XDP, 100,
                PACKET_LENGTH, "-- asm\nmov %r0, 1\nexit\n"));
        assertTrue(r.getMessage().contains("maps"), r::getMessage);
    }

    @org.junit.jupiter.api.Test
    void aSetWithAProgramTheJitCannotCompileRunsOnTheInterpreterWithItsContext() throws Exception {
        // 40,000 distinct 64-bit constants overflow one class's constant pool: the caller falls back,
        // so the whole set does, and the sibling tail call and the typed run still behave.
        StringBuilder big = new StringBuilder(MAPS + "-- asm\n");
        for (int i = 0; i < 40_000; i++) {
            big.append("lddw %r0, 0x12345678").append(String.format("%08x", i)).append('\n');
        }
        big.append(CALLER.substring(CALLER.indexOf("-- asm\n") + 7).replace("SLOT", "1"));
        List<Executable> set = Engines.JIT.loadAll(List.of(program(ProgramType.XDP, big.toString()),
                program(ProgramType.XDP, PACKET_LENGTH)), LoadOptions.DEFAULTS);
        for (Executable e : set) {
            assertTrue(e.info().get("fallback").toString().contains("t:"), e.info()::toString);
        }
        set.get(0).map("jmp").orElseThrow().setProgram(1, set.get(1));
        byte[] ctx = put(new byte[24], 4, 4, 64);
        Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, set.get(0).run(new RunInput(frame(64, 0), ctx)));
        assertEquals(1000 + 64 + 100, r.r0());
        assertArrayEquals(put(new byte[24], 4, 4, 64), r.ctx()); // ctx_out: {data 0, data_end 64}, the rest echoed
        assertArrayEquals(frame(64, 0), r.memory());
    }

    static byte[] le(long v) {
        return put(new byte[8], 0, 8, v);
    }

    static byte[] le4(long v) {
        return put(new byte[4], 0, 4, v);
    }
}
