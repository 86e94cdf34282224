package dev.bpfh.jit;

import static dev.bpfh.jit.JitMapProgramsTest.concat;
import static dev.bpfh.jit.JitMapProgramsTest.le;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.bpfh.data.DataFile;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.exec.Helpers;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The inlined array lookup ({@link ArrayLookups}) against the interpreter, which calls the real
 * helper: every program runs on the interpreter and on the jit (direct and split form) from the same
 * map contents, and must give the same outcome (r0, the value pointer itself included, and memory;
 * or trap kind, pc and message) and the same map contents afterwards. Expected values are also
 * worked out by hand from the kernel's rules (programs.md §1.3: out of range is NULL; a lookup's
 * pointer reads and writes the element in place; {@code .rodata} values are read-only) and asserted
 * next to each program, and each program is checked to have taken the inline path.
 */
class JitArrayLookupTest {
    static final JitBackend SPLIT = new JitBackend(200);

    static Stream<JitBackend> forms() {
        return Stream.of(Engines.JIT, SPLIT);
    }

    /** r0 = *(u64 *)lookup(m, &key) or 0xdead for NULL; the key is the 32-bit word at r10-4. */
    static String readKey(String keyStore) {
        return keyStore + "lddw %r1, map:m\nmov %r2, %r10\nadd %r2, -4\ncall 1\n"
                + "jne %r0, 0, found\nmov %r0, 0xdead\nexit\nfound:\nldxdw %r0, [%r0]\nexit\n";
    }

    /** A map of 5 elements whose element i holds 100 + i (written by userspace before the run). */
    static final String FIVE = "-- map m\ntype=TYPE key=4 value=8 entries=5\n-- asm\n";

    static void fillFive(Executable e) {
        MapView m = e.map("m").orElseThrow();
        for (int i = 0; i < 5; i++) {
            assertEquals(0, m.update(le(i, 4), le(100 + i, 8), 0));
        }
    }

    /** Runs {@code text} on the interpreter and the jit ({@code prepare} applied to both first) and returns the jit's outcome. */
    static Outcome agree(JitBackend jit, String text, int runs, java.util.function.Consumer<Executable> prepare)
            throws Exception {
        Executable interp = load(Engines.INTERP, text);
        Executable compiled = load(jit, text);
        assertEquals(1, Math.min(1, (int) compiled.info().get("inlineLookups")),
                () -> "no lookup was inlined: " + compiled.info());
        prepare.accept(interp);
        prepare.accept(compiled);
        Outcome last = null;
        for (int run = 0; run < runs; run++) {
            Outcome expected = interp.run(new byte[8]);
            last = compiled.run(new byte[8]);
            assertEquals(expected, last, "run " + run + " of\n" + text);
            if (expected instanceof Outcome.Trapped t) {
                Outcome.Trapped a = (Outcome.Trapped) last;
                assertEquals(t.kind() + "@" + t.pc() + ": " + t.message(), a.kind() + "@" + a.pc() + ": " + a.message(), text);
            }
            for (int i = 0; i < interp.maps().size(); i++) {
                assertEquals(entries(interp.maps().get(i)), entries(compiled.maps().get(i)), "map contents after\n" + text);
            }
        }
        interp.close();
        compiled.close();
        return last;
    }

    static Outcome agree(JitBackend jit, String text) throws Exception {
        return agree(jit, text, 2, e -> {});
    }

    static List<String> entries(MapView m) {
        return m.entries().stream().map(e -> java.util.HexFormat.of().formatHex(e.key()) + "=" + java.util.HexFormat.of().formatHex(e.value())).toList();
    }

    static Executable load(Backend b, String text) throws Exception {
        DataFile d = DataFileParser.parse("t", null, text + "-- result\n0x0\n");
        return b.load(d.program(), LoadOptions.DEFAULTS);
    }

    static long r0(Outcome o) {
        return assertInstanceOf(Outcome.Returned.class, o).r0();
    }

    static Outcome.Trapped trapped(Outcome o) {
        return assertInstanceOf(Outcome.Trapped.class, o);
    }

    @ParameterizedTest
    @MethodSource("forms")
    void indexesAtAndPastTheEnds(JitBackend jit) throws Exception {
        for (String type : List.of("array", "percpu_array")) {
            String decl = FIVE.replace("TYPE", type);
            // in range: element i holds 100 + i
            assertEquals(100, r0(agree(jit, decl + readKey("stw [%r10-4], 0\n"), 2, JitArrayLookupTest::fillFive)));
            assertEquals(104, r0(agree(jit, decl + readKey("stw [%r10-4], 4\n"), 2, JitArrayLookupTest::fillFive)));
            // max_entries, 0xffffffff, a negative 32-bit key, 2^31: unsigned, all past the end → NULL
            for (String key : List.of("5", "-1", "-5", "0x80000000", "0x7fffffff")) {
                assertEquals(0xdead, r0(agree(jit, decl + readKey("stw [%r10-4], " + key + "\n"), 2,
                        JitArrayLookupTest::fillFive)), type + " key " + key);
            }
            // only the low 32 bits of an 8-byte slot are the key: 0x1_00000003 is key 3
            assertEquals(103, r0(agree(jit, decl + readKey("lddw %r1, 0x100000003\nstxdw [%r10-8], %r1\n")
                    .replace("add %r2, -4", "add %r2, -8"), 2, JitArrayLookupTest::fillFive)));
        }
    }

    /**
     * The key of a 4-byte store to the key slot earlier in the same block is taken from the store
     * (MethodGen.keySlot); anything that may write memory in between, or a block boundary, makes the
     * lookup read the slot again. Element i holds 100 + i.
     */
    @ParameterizedTest
    @MethodSource("forms")
    void aKeyStoredInTheSameBlockIsWhatTheSlotHolds(JitBackend jit) throws Exception {
        String decl = FIVE.replace("TYPE", "array");
        // only the low 32 bits are stored: 0x7_00000002 is key 2
        assertEquals(102, r0(agree(jit, decl + readKey("lddw %r3, 0x700000002\nstxw [%r10-4], %r3\n"), 2,
                JitArrayLookupTest::fillFive)));
        // the source register changes after the store: the stored value counts
        assertEquals(101, r0(agree(jit, decl + readKey("mov %r3, 1\nstxw [%r10-4], %r3\nmov %r3, 4\n"), 2,
                JitArrayLookupTest::fillFive)));
        // a byte store over the slot after the word store: key 3
        assertEquals(103, r0(agree(jit, decl + readKey("stw [%r10-4], 1\nstb [%r10-4], 3\n"), 2,
                JitArrayLookupTest::fillFive)));
        // a store to another slot in between: the slot still holds 1
        assertEquals(101, r0(agree(jit, decl + readKey("stw [%r10-4], 1\nstw [%r10-8], 4\n"), 2,
                JitArrayLookupTest::fillFive)));
        // a load of the slot in between writes nothing
        assertEquals(104, r0(agree(jit, decl + readKey("stw [%r10-4], 4\nldxw %r4, [%r10-4]\n"), 2,
                JitArrayLookupTest::fillFive)));
        // the store in the block before the lookup's (ja +0 ends a block)
        assertEquals(102, r0(agree(jit, decl + readKey("stw [%r10-4], 2\nja +0\n"), 2,
                JitArrayLookupTest::fillFive)));
        // a 64-bit atomic add over the slot in between: 1 + 2 = key 3
        assertEquals(103, r0(agree(jit, decl + readKey("stw [%r10-4], 1\nstw [%r10-8], 0\nlddw %r3, 0x200000000\n"
                + "lock add [%r10-8], %r3\n"), 2, JitArrayLookupTest::fillFive)));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void theValuePointerIsTheHelpersPointer(JitBackend jit) throws Exception {
        // r0 = the pointer itself; agree() compares it with the interpreter's (the helper's); two
        // lookups of the same index give the same pointer, different indexes different ones
        String decl = FIVE.replace("TYPE", "array");
        String lookup = "lddw %r1, map:m\nmov %r2, %r10\nadd %r2, -4\ncall 1\n";
        long p2 = r0(agree(jit, decl + "stw [%r10-4], 2\n" + lookup + "exit\n"));
        assertNotEquals(0, p2);
        Outcome same = agree(jit, decl + "stw [%r10-4], 2\n" + lookup + "mov %r6, %r0\n" + lookup
                + "sub %r0, %r6\nexit\n");
        assertEquals(0, r0(same));
        Outcome other = agree(jit, decl + "stw [%r10-4], 2\n" + lookup + "mov %r6, %r0\nstw [%r10-4], 3\n" + lookup
                + "sub %r0, %r6\nexit\n");
        assertNotEquals(0, r0(other));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void aBadKeyPointerTrapsAtTheCall(JitBackend jit) throws Exception {
        String decl = FIVE.replace("TYPE", "array");
        // The call is pc 5: mov, lddw (two slots), the two instructions setting r2, call.
        for (String r2 : List.of("mov %r2, %r10\nadd %r2, -2", // [r10-2, r10+2): past the frame top
                "mov %r2, 0\nadd %r2, 0", // NULL
                "mov %r2, %r6\nadd %r2, 6", // into the input (r6 = r1), whose 8 bytes end 2 bytes early
                "mov %r2, %r10\nadd %r2, -516")) { // below the frame
            String text = decl + "mov %r6, %r1\nlddw %r1, map:m\n" + r2 + "\ncall 1\nexit\n";
            Outcome.Trapped t = trapped(agree(jit, text));
            assertEquals(TrapKind.OUT_OF_BOUNDS, t.kind(), r2);
            assertEquals(5, t.pc(), r2);
        }
    }

    @ParameterizedTest
    @MethodSource("forms")
    void readsWritesAndAtomicsThroughThePointer(JitBackend jit) throws Exception {
        for (String type : List.of("array", "percpu_array")) {
            String decl = "-- map m\ntype=" + type + " key=4 value=16 entries=2\n-- asm\n";
            String lookup = "stw [%r10-4], 1\nlddw %r1, map:m\nmov %r2, %r10\nadd %r2, -4\ncall 1\njeq %r0, 0, out\n";
            String body = "mov %r6, %r0\n"
                    + "stdw [%r6+0], 0x1122\n" // bytes 0..7 = 0x1122
                    + "stw [%r6+8], -1\n" // bytes 8..11 = ff ff ff ff
                    + "sth [%r6+12], 0x3344\nstb [%r6+14], 0x55\n"
                    + "mov %r1, 5\nlock add [%r6+0], %r1\n" // 0x1127
                    + "mov %r1, 1\nlock fetch add [%r6+0], %r1\n" // r1 = 0x1127, value 0x1128
                    + "mov %r7, %r1\n"
                    + "mov %r0, 0x1128\nmov %r1, 9\nlock cmpxchg [%r6+0], %r1\n" // matches: value 9, r0 = 0x1128
                    + "mov %r1, 0x77\nlock xchg32 [%r6+8], %r1\n" // r1 = 0xffffffff, bytes 8..11 = 0x77
                    + "ldxb %r2, [%r6+14]\nldxh %r3, [%r6+12]\nldxw %r4, [%r6+8]\nldxdw %r5, [%r6+0]\n"
                    + "add %r0, %r7\nadd %r0, %r1\nadd %r0, %r2\nadd %r0, %r3\nadd %r0, %r4\nadd %r0, %r5\nexit\n"
                    + "out:\nmov %r0, 0xdead\nexit\n";
            // 0x1128 + 0x1127 + 0xffffffff + 0x55 + 0x3344 + 0x77 + 9
            long expected = 0x1128 + 0x1127 + 0xffffffffL + 0x55 + 0x3344 + 0x77 + 9;
            assertEquals(expected, r0(agree(jit, decl + lookup + body, 1, e -> {})), type);
            // the writes landed in element 1 in place
            Executable e = load(jit, decl + lookup + body);
            e.run(new byte[0]);
            assertArrayEquals(concat(le(9, 8), concat(le(0x77, 4), new byte[] {0x44, 0x33, 0x55, 0})),
                    e.map("m").orElseThrow().lookup(le(1, 4)), type);
            assertArrayEquals(new byte[16], e.map("m").orElseThrow().lookup(le(0, 4)), type);
        }
    }

    @ParameterizedTest
    @MethodSource("forms")
    void valueSizesThatAreNotAMultipleOfEight(JitBackend jit) throws Exception {
        String decl = "-- map m\ntype=array key=4 value=12 entries=3\n-- asm\n";
        // lookup: stw, lddw (2 slots), mov, add, call, jeq = pcs 0..6; the accesses start at pc 7
        String lookup = "stw [%r10-4], 2\nlddw %r1, map:m\nmov %r2, %r10\nadd %r2, -4\ncall 1\njeq %r0, 0, out\n";
        String out = "out:\nmov %r0, 0xdead\nexit\n";
        // [4, 12) fits: a 4-byte store at 8 and an 8-byte load at 4
        assertEquals(0x7700000000L, r0(agree(jit, decl + lookup + "stw [%r0+8], 0x77\nldxdw %r0, [%r0+4]\nexit\n" + out)));
        // [8, 16) does not: the 8-byte load at pc 8 traps, as does an 8-byte store at 5 and an atomic at 8
        for (String access : List.of("ldxdw %r1, [%r0+8]", "stxdw [%r0+5], %r0", "lock add [%r0+8], %r0",
                "ldxw %r1, [%r0+9]", "stb [%r0+12], 1")) {
            Outcome.Trapped t = trapped(agree(jit, decl + lookup + "mov %r6, 1\n" + access + "\nexit\n" + out));
            assertEquals(TrapKind.OUT_OF_BOUNDS, t.kind(), access);
            assertEquals(8, t.pc(), access);
        }
    }

    @ParameterizedTest
    @MethodSource("forms")
    void readOnlyArraysCanBeReadButNotWritten(JitBackend jit) throws Exception {
        String decl = "-- map m\ntype=array key=4 value=8 entries=2 flags=0x80\n-- asm\n";
        String lookup = "stw [%r10-4], 1\nlddw %r1, map:m\nmov %r2, %r10\nadd %r2, -4\ncall 1\njeq %r0, 0, out\n";
        String out = "out:\nmov %r0, 0xdead\nexit\n";
        java.util.function.Consumer<Executable> fill = e -> assertEquals(0,
                e.map("m").orElseThrow().update(le(1, 4), le(0x42, 8), 0));
        assertEquals(0x42, r0(agree(jit, decl + lookup + "ldxdw %r0, [%r0]\nexit\n" + out, 2, fill)));
        for (String store : List.of("stdw [%r0], 1", "stxb [%r0+7], %r0", "lock add [%r0], %r1")) {
            Outcome.Trapped t = trapped(agree(jit, decl + lookup + "mov %r1, 1\n" + store + "\nexit\n" + out, 2, fill));
            assertEquals(TrapKind.OUT_OF_BOUNDS, t.kind(), store);
            assertEquals(8, t.pc(), store);
        }
    }

    @ParameterizedTest
    @MethodSource("forms")
    void pointersKeptAcrossLookupsOfTheSameSite(JitBackend jit) throws Exception {
        // One lookup site in a loop over keys 0..3; the pointer of key 0 is kept in r8 and written
        // after the later lookups, the loop adds i * 10 to element i and re-reads it through r0.
        String text = "-- map m\ntype=array key=4 value=8 entries=4\n-- asm\n"
                + "mov %r6, 0\nmov %r7, 0\n"
                + "loop:\nstxw [%r10-4], %r6\nlddw %r1, map:m\nmov %r2, %r10\nadd %r2, -4\ncall 1\n"
                + "jeq %r0, 0, next\n"
                + "jne %r6, 0, later\nmov %r8, %r0\n"
                + "later:\nmov %r1, %r6\nmul %r1, 10\nlock add [%r0], %r1\nldxdw %r1, [%r0]\nadd %r7, %r1\n"
                + "next:\nadd %r6, 1\njlt %r6, 4, loop\n"
                + "stdw [%r8], 5\nldxdw %r0, [%r8]\nadd %r0, %r7\nexit\n";
        // run 1: elements 0..3 become 0, 10, 20, 30 (r7 = 60), then element 0 = 5: r0 = 65
        // run 2: elements 5, 20, 40, 60 (r7 = 125), element 0 = 5 again: r0 = 130
        Executable e = load(jit, text);
        assertEquals(65, r0(e.run(new byte[0])));
        assertEquals(130, r0(e.run(new byte[0])));
        agree(jit, text, 3, x -> {});
    }

    @ParameterizedTest
    @MethodSource("forms")
    void userspaceWritesBeforeAndAfterRunsAreSeen(JitBackend jit) throws Exception {
        // Element 3 is first mapped by userspace's update, element 1 by the program; later updates
        // from userspace land in the same arrays the compiled code keeps.
        String text = "-- map m\ntype=array key=4 value=8 entries=4\n-- asm\n"
                + "stw [%r10-4], 3\nlddw %r1, map:m\nmov %r2, %r10\nadd %r2, -4\ncall 1\njeq %r0, 0, out\n"
                + "ldxdw %r6, [%r0]\n"
                + "stw [%r10-4], 1\nlddw %r1, map:m\nmov %r2, %r10\nadd %r2, -4\ncall 1\njeq %r0, 0, out\n"
                + "ldxdw %r7, [%r0]\n"
                + "add %r7, 1\nstxdw [%r0], %r7\nmov %r0, %r6\nlsh %r0, 16\nor %r0, %r7\nexit\n"
                + "out:\nmov %r0, 0xdead\nexit\n";
        Executable e = load(jit, text);
        MapView m = e.map("m").orElseThrow();
        assertEquals(0, m.update(le(3, 4), le(0x33, 8), 0));
        assertEquals(0x330001, r0(e.run(new byte[0])));
        assertEquals(0, m.update(le(3, 4), le(0x44, 8), 0));
        assertEquals(0, m.update(le(1, 4), le(0x100, 8), 0));
        assertEquals(0x440101, r0(e.run(new byte[0])));
        assertArrayEquals(le(0x101, 8), m.lookup(le(1, 4)));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void theMapMayReachR1ThroughMovesAndSeveralSitesShareIt(JitBackend jit) throws Exception {
        String text = "-- map a\ntype=array key=4 value=8 entries=2\n-- map b\ntype=percpu_array key=4 value=8 entries=2\n-- asm\n"
                + "stw [%r10-4], 1\n"
                + "lddw %r9, map:b\nmov %r1, %r9\nmov %r2, %r10\nadd %r2, -4\ncall 1\njeq %r0, 0, out\nstdw [%r0], 7\n"
                + "lddw %r1, map:a\nmov %r2, %r10\nadd %r2, -4\ncall 1\njeq %r0, 0, out\nstdw [%r0], 9\n"
                + "mov %r1, %r9\nmov %r2, %r10\nadd %r2, -4\ncall 1\njeq %r0, 0, out\nldxdw %r0, [%r0]\nexit\n"
                + "out:\nmov %r0, 0xdead\nexit\n";
        assertEquals(7, r0(agree(jit, text)));
        Executable e = load(jit, text);
        assertEquals(2, (int) e.info().get("inlineLookups")); // the third call's r1 comes from a register set in another block
    }

    @Test
    void anEmbeddersOwnLookupHelperIsCalledAsItIs() throws Exception {
        Helpers helpers = Helpers.standard().register(1, "my_lookup", (c, map, key, a, b, d, pc) -> 0x1234L);
        DataFile d = DataFileParser.parse("t", null, FIVE.replace("TYPE", "array")
                + "stw [%r10-4], 0\nlddw %r1, map:m\nmov %r2, %r10\nadd %r2, -4\ncall 1\nexit\n-- result\n0x0\n");
        Executable e = Engines.JIT.compile(d.program(), LoadOptions.DEFAULTS, helpers);
        assertEquals(0, (int) e.info().get("inlineLookups"));
        assertEquals(0x1234, r0(e.run(new byte[0])));
    }
}
