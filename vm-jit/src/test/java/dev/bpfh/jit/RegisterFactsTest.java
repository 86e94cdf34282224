package dev.bpfh.jit;

import static dev.bpfh.jit.Engines.asm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.jit.RegisterFacts.Fact;
import org.junit.jupiter.api.Test;

/**
 * The register facts the code generator relies on, on small programs whose facts follow from
 * reading them (the entry state of docs/architecture.md and the instruction semantics of isa.md).
 */
class RegisterFactsTest {

    private static Cfg cfg(String text) {
        return new Cfg(asm(text).slots());
    }

    private static RegisterFacts facts(Cfg cfg, int function) {
        Cfg.Function fn = cfg.functions.get(function);
        return new RegisterFacts(cfg, fn, fn.entry() == 0 && RegisterFacts.entryNeverCalled(cfg));
    }

    /** Facts at the entry of the block starting at {@code pc}, in function 0. */
    private static Fact[] at(String text, int pc) {
        Cfg cfg = cfg(text);
        RegisterFacts f = facts(cfg, 0);
        int local = java.util.Arrays.binarySearch(cfg.functions.get(0).blocks(), cfg.blockAt[pc]);
        return f.atEntry(local);
    }

    static final String BYTE_SUM = LoopPrograms.byteSum("1024");

    @Test
    void theEntryStateIsKnownAtPcZero() {
        Fact[] r = at(BYTE_SUM, 0);
        assertEquals(new Fact(RegisterFacts.INPUT, 0, 0), r[1], "r1 is the input address");
        assertEquals(Fact.scalar(0, Integer.MAX_VALUE), r[2], "r2 is the input length");
        assertEquals(Fact.constant(0), r[3]);
        assertEquals(new Fact(RegisterFacts.FRAME, 0, 0), r[10], "r10 is the frame top");
    }

    @Test
    void aLoopCounterIsBoundedByItsExitTest() {
        Fact[] r = at(BYTE_SUM, 2); // the loop header
        assertEquals(Fact.scalar(0, 1023), r[3], "jlt %r3, 1024 is taken back only for r3 < 1024, from 0 by 1");
        assertEquals(Fact.scalar(0, 255), r[5], "a byte load");
        assertEquals(new Fact(RegisterFacts.INPUT, 0, 0), r[1], "r1 is never written");
    }

    @Test
    void onlyRegistersThatStayIntsAreIntTyped() {
        Cfg cfg = cfg(BYTE_SUM);
        boolean[] ints = facts(cfg, 0).intRegisters();
        assertTrue(ints[3], "the counter is in [0, 1024]");
        assertTrue(ints[5], "a byte");
        assertFalse(ints[0], "the sum has no bound the analysis can see");
        assertFalse(ints[1], "a pointer");
        assertFalse(ints[4], "a pointer");
        assertFalse(ints[10], "the frame pointer");
    }

    @Test
    void aCounterThatLeavesTheIntRangeIsNotIntTyped() {
        String text = """
                mov %r3, 0
                loop:
                add %r3, 0x40000000
                jlt %r3, 0x7fffffff, loop
                mov %r0, %r3
                exit
                """;
        Cfg cfg = cfg(text);
        assertFalse(facts(cfg, 0).intRegisters()[3], "r3 reaches 0x80000000");
        assertFalse(facts(cfg, 0).intRegisters()[0]);
    }

    @Test
    void frameOffsetsFlowAcrossBlocks() {
        String text = """
                mov %r4, %r10
                add %r4, -16
                ja next
                next:
                stdw [%r4+0], 1
                exit
                """;
        Fact[] r = at(text, 3);
        assertEquals(new Fact(RegisterFacts.FRAME, -16, -16), r[4]);
    }

    @Test
    void joiningAFramePointerWithAnInputPointerKnowsNothing() {
        String text = """
                mov %r4, %r10
                jeq %r2, 0, join
                mov %r4, %r1
                join:
                ldxb %r0, [%r4-1]
                exit
                """;
        assertEquals(Fact.TOP, at(text, 3)[4]);
    }

    @Test
    void aHelperCallForgetsR0ToR5ButKeepsR6ToR9() {
        String text = """
                mov %r1, 1
                mov %r6, 2
                call 8
                exit
                """;
        Fact[] r = at(text, 3);
        assertEquals(Fact.TOP, r[0]);
        assertEquals(Fact.TOP, r[1]);
        assertEquals(Fact.constant(2), r[6]);
    }

    @Test
    void aSubprogramKnowsOnlyItsOwnFramePointer() {
        String text = """
                mov %r1, %r10
                call local f
                exit
                f:
                mov %r0, 0
                exit
                """;
        Cfg cfg = cfg(text);
        int f = cfg.functionAt.get(3);
        RegisterFacts facts = facts(cfg, f);
        int local = java.util.Arrays.binarySearch(cfg.functions.get(f).blocks(), cfg.blockAt[3]);
        Fact[] r = facts.atEntry(local);
        assertEquals(Fact.TOP, r[1], "the caller's frame pointer is not this frame");
        assertEquals(new Fact(RegisterFacts.FRAME, 0, 0), r[10]);
    }

    @Test
    void pcZeroCalledAsASubprogramHasNoKnownEntryState() {
        String text = """
                start:
                jeq %r1, 0, done
                mov %r1, 0
                call local start
                done:
                exit
                """;
        assertFalse(RegisterFacts.entryNeverCalled(cfg(text)));
        assertEquals(Fact.TOP, at(text, 0)[1], "a recursive call enters pc 0 with r1 = 0, not the input");
    }

    @Test
    void unsignedBranchesRefineOnlyWhatTheyImply() {
        String text = """
                ldxdw %r3, [%r1+0]
                jgt %r3, 100, big
                mov %r0, %r3
                exit
                big:
                mov %r0, %r3
                exit
                """;
        assertEquals(Fact.scalar(0, 100), at(text, 2)[3], "not taken: r3 <= 100 unsigned, so 0..100");
        assertEquals(Fact.TOP, at(text, 4)[3], "taken: r3 > 100 unsigned includes negative values");
    }

    @Test
    void mapHandlesValuePointersAndFunctionAddressesAreUnknownScalars() {
        // lddw src 1 (map:@0), src 2 (map_value:@0+4), src 4 (func:f): their values are decided at
        // load (MapSet), not by the instruction's immediates, and they point nowhere the facts know.
        Cfg cfg = new Cfg(asm("lddw %r3, map:@0\nlddw %r4, map_value:@0+4\nlddw %r5, func:f\nlddw %r6, 7\nja +0\n"
                + "mov %r0, 0\nexit\nf:\nmov %r0, 0\nexit\n").slots());
        Fact[] r = facts(cfg, 0).atEntry(1);
        assertEquals(Fact.TOP, r[3]);
        assertEquals(Fact.TOP, r[4]);
        assertEquals(Fact.TOP, r[5]);
        assertEquals(Fact.constant(7), r[6], "a plain lddw is still a constant");
        assertEquals(2, cfg.functions.size(), "a function address starts a subprogram");
        assertTrue(cfg.hasCallbacks && cfg.hasLocalCalls);
    }

    @Test
    void aProgramThatMayTailCallHasNoKnownEntryState() {
        // A tail call re-enters pc 0 with whatever r1..r9 the program had at the call.
        for (String call : new String[] {"call 12", "mov %r5, 12\ncall %r5"}) {
            Cfg cfg = cfg("mov %r0, 0\n" + call + "\nexit\n");
            assertTrue(cfg.mayTailCall, call);
            assertFalse(RegisterFacts.entryNeverCalled(cfg), call);
        }
        assertFalse(cfg("call 7\nexit\n").mayTailCall);
        assertFalse(RegisterFacts.entryNeverCalled(cfg("lddw %r2, func:-1\nexit\n")), "a callback at pc 0");
    }

    /** Facts at the entry of the block starting at {@code pc}, with the program's array lookups inlined. */
    private static Fact[] withLookups(String dataText, int pc) throws Exception {
        var program = dev.bpfh.data.DataFileParser.parse("t", null, dataText + "-- result\n0x0\n").program();
        var maps = dev.bpfh.maps.MapSet.create(program, new dev.bpfh.exec.Memory());
        Cfg cfg = new Cfg(program.slots());
        ArrayLookups lookups = ArrayLookups.find(cfg, maps.views(), dev.bpfh.exec.Helpers.standard());
        Cfg.Function fn = cfg.functions.get(0);
        RegisterFacts f = new RegisterFacts(cfg, fn, RegisterFacts.entryNeverCalled(cfg), lookups);
        return f.atEntry(java.util.Arrays.binarySearch(fn.blocks(), cfg.blockAt[pc]));
    }

    static final String LOOKUP = """
            -- map m
            type=array key=4 value=16 entries=4
            -- asm
            stw [%r10-4], 1
            lddw %r1, map:m
            mov %r2, %r10
            add %r2, -4
            call 1
            mov %r6, %r0
            jeq %r0, 0, out
            add %r0, 8
            mov %r0, 0
            out:
            exit
            """;

    @Test
    void aLookupSiteReturnsItsValuePointerOrNullUntilCompared() throws Exception {
        // pc 6: mov r6, r0; jeq at 7; the fall-through block starts at 8, the target at 10
        Fact[] afterCall = withLookups(LOOKUP, 6);
        assertEquals(new Fact(RegisterFacts.mapValueKind(0, true), 0, 0), afterCall[0], "NULL or element");
        assertTrue(afterCall[0].orNull());
        Fact[] nonNull = withLookups(LOOKUP, 8);
        assertEquals(new Fact(RegisterFacts.mapValueKind(0, false), 0, 0), nonNull[0], "jeq 0 not taken: the element");
        assertEquals(0, RegisterFacts.mapValueSite(nonNull[0].kind()));
        assertEquals(new Fact(RegisterFacts.mapValueKind(0, true), 0, 0), nonNull[6], "a copy is not refined");
        Fact[] taken = withLookups(LOOKUP, 10);
        assertEquals(Fact.constant(0), taken[0], "jeq 0 taken: NULL; the fall-through path set r0 = 0 too");
    }

    @Test
    void arithmeticOnAnUncheckedResultForgetsItAndOnACheckedOneMovesTheOffset() {
        Fact[] r = new Fact[11];
        java.util.Arrays.fill(r, Fact.TOP);
        r[0] = new Fact(RegisterFacts.mapValueKind(3, true), 0, 0);
        r[1] = new Fact(RegisterFacts.mapValueKind(3, false), 0, 0);
        long[] slots = asm("add %r0, 8\nadd %r1, 8\nexit\n").slots();
        RegisterFacts.step(r, slots, 0);
        RegisterFacts.step(r, slots, 1);
        assertEquals(Fact.TOP, r[0]);
        assertEquals(new Fact(RegisterFacts.mapValueKind(3, false), 8, 8), r[1]);
    }
}
