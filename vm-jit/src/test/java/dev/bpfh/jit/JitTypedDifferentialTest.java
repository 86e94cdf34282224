package dev.bpfh.jit;

import static dev.bpfh.jit.TypedPrograms.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.ctx.ContextField;
import dev.bpfh.ctx.ContextLayout;
import dev.bpfh.ctx.PacketContext;
import dev.bpfh.interp.InterpreterBackend;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The jit against the interpreter on typed programs: every context field at every offset and size
 * the verifier accepts (loads and stores), LD_ABS/LD_IND around every edge, the packet helpers over
 * ranges of arguments, the budget around an LD_ABS exit in a subprogram, and tail calls between the
 * programs of a set. Both engines must give the same retval, data_out and ctx_out, or the same trap
 * at the same pc, on every input; the jit runs in the direct and the split form.
 */
class JitTypedDifferentialTest {
    static final InterpreterBackend INTERP = new InterpreterBackend();
    static final List<JitBackend> JITS = List.of(JitMapProgramsTest.DIRECT, JitMapProgramsTest.SPLIT);
    static final ProgramType[] TYPES = {ProgramType.XDP, ProgramType.SCHED_CLS, ProgramType.SOCKET_FILTER};

    /** Packets and contexts test_run accepts for {@code type}: with no ctx_in, and with ones that set every field it takes. */
    static List<RunInput> inputs(ProgramType type) {
        List<RunInput> out = new ArrayList<>();
        ContextLayout layout = ContextLayout.of(type).orElseThrow();
        for (byte[] f : List.of(frame(64, 0), frame(14, 0xff), frame(60, 0x02), frame(1500, 0))) {
            out.add(RunInput.of(f));
            if (type == ProgramType.XDP) {
                out.add(new RunInput(f, put(put(new byte[24], 4, 4, f.length), 12, 4, 1)));
                out.add(new RunInput(f, put(put(new byte[24], 0, 4, 8), 4, 4, f.length)));
                continue;
            }
            byte[] ctx = new byte[layout.size()];
            long v = 0x0102030405060708L;
            for (ContextField field : layout.fields()) {
                if (field.inInput()) {
                    put(ctx, field.offset(), field.size(), v);
                    v = v * 31 + 0x1111;
                }
            }
            put(ctx, layout.field("ifindex").orElseThrow().offset(), 4, 1);
            put(ctx, layout.field("wire_len").orElseThrow().offset(), 4, 3000);
            put(ctx, layout.field("gso_segs").orElseThrow().offset(), 4, 3);
            out.add(new RunInput(f, ctx));
            out.add(new RunInput(f, new byte[layout.size()]));
        }
        out.removeIf(in -> PacketContext.checkInput(type, in).isPresent());
        return out;
    }

    /** Loads {@code programs} as a set on every engine and compares runs of the first on every input. */
    static int compare(ProgramType type, long budget, List<String> texts, List<RunInput> inputs, boolean fillSlots)
            throws LoadRejected {
        List<Program> programs = texts.stream().map(t -> program(type, t)).toList();
        LoadOptions options = LoadOptions.DEFAULTS.withInstructionBudget(budget);
        int returned = 0;
        for (JitBackend jit : JITS) {
            List<Executable> reference = load(INTERP, programs, options, fillSlots); // fresh maps for each
            List<Executable> set = load(jit, programs, options, fillSlots);
            for (Executable e : set) {
                assertFalse(e.info().containsKey("fallback"), () -> "fell back: " + e.info().get("fallback"));
            }
            for (RunInput in : inputs) {
                Outcome want = reference.get(0).run(in.copy());
                Outcome got = set.get(0).run(in.copy());
                same(want, got, () -> type.word() + " " + in + "\n" + texts.get(0));
                returned += want instanceof Outcome.Returned ? 1 : 0;
            }
        }
        return returned;
    }

    static List<Executable> load(Backend b, List<Program> programs, LoadOptions o, boolean fillSlots)
            throws LoadRejected {
        List<Executable> set = programs.size() == 1 ? List.of(b.load(programs.get(0), o)) : b.loadAll(programs, o);
        if (fillSlots) {
            for (int i = 0; i < set.size(); i++) {
                set.get(0).map("jmp").orElseThrow().setProgram(i, set.get(i));
            }
        }
        return set;
    }

    static void same(Outcome want, Outcome got, java.util.function.Supplier<String> what) {
        if (want instanceof Outcome.Returned w) {
            Outcome.Returned g = assertInstanceOf(Outcome.Returned.class, got, what);
            assertEquals(w.r0(), g.r0(), what);
            assertArrayEquals(w.memory(), g.memory(), what);
            assertArrayEquals(w.ctx(), g.ctx(), what);
        } else {
            Outcome.Trapped w = assertInstanceOf(Outcome.Trapped.class, want);
            Outcome.Trapped g = assertInstanceOf(Outcome.Trapped.class, got, what);
            assertEquals(w.kind(), g.kind(), what);
            assertEquals(w.pc(), g.pc(), what);
        }
    }

    static int compare(ProgramType type, String text) throws LoadRejected {
        return compare(type, LoadOptions.DEFAULT_INSTRUCTION_BUDGET, List.of(text), inputs(type), false);
    }

    static Stream<ProgramType> types() {
        return Stream.of(TYPES);
    }

    static Stream<ProgramType> skbTypes() {
        return Stream.of(ProgramType.SCHED_CLS, ProgramType.SOCKET_FILTER);
    }

    static char sizeLetter(int bytes) {
        return switch (bytes) {
            case 1 -> 'b';
            case 2 -> 'h';
            case 4 -> 'w';
            default -> 'd';
        };
    }

    // ---- contexts -----------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("types")
    void everyContextLoadTheVerifierTakes(ProgramType type) throws Exception {
        ContextLayout layout = ContextLayout.of(type).orElseThrow();
        int programs = 0;
        for (int off = 0; off < layout.size(); off++) {
            for (int bytes : new int[] {1, 2, 4, 8}) {
                try {
                    layout.check(off, bytes, false);
                } catch (IllegalArgumentException refused) {
                    continue;
                }
                String ldx = "ldx" + (bytes == 8 ? "dw" : String.valueOf(sizeLetter(bytes)));
                // the value, and (for packet pointers) what it points at, so pointers compare by meaning
                compare(type, "-- asm\n" + ldx + " %r0, [%r1+" + off + "]\nmov %r2, %r0\nrsh %r2, 32\n"
                        + "jne %r2, 1, +1\nldxb %r0, [%r0+0]\nexit\n");
                programs++;
            }
        }
        assertTrue(programs >= (type == ProgramType.XDP ? 5 : 60), "only " + programs + " loads");
    }

    @ParameterizedTest
    @MethodSource("types")
    void everyContextStoreTheVerifierTakes(ProgramType type) throws Exception {
        ContextLayout layout = ContextLayout.of(type).orElseThrow();
        int programs = 0;
        for (int off = 0; off < layout.size(); off++) {
            for (int bytes : new int[] {1, 2, 4, 8}) {
                try {
                    layout.check(off, bytes, true);
                } catch (IllegalArgumentException refused) {
                    continue;
                }
                String size = bytes == 8 ? "dw" : String.valueOf(sizeLetter(bytes));
                ContextField f = layout.fieldAt(off).orElseThrow();
                String readBack = f.loadable(4) ? "ldxw %r0, [%r1+" + f.offset() + "]\n" : "mov %r0, 0\n";
                compare(type, "-- asm\nst" + size + " [%r1+" + off + "], 0x1234fffe\n" + readBack + "exit\n");
                compare(type, "-- asm\nlddw %r2, 0x8877665544332211\nstx" + size + " [%r1+" + off + "], %r2\n"
                        + readBack + "exit\n");
                programs++;
            }
        }
        assertTrue(type == ProgramType.XDP || programs > 10, "only " + programs + " stores");
    }

    @Test
    void anUntrackedCopyOfTheContextPointerTrapsAtTheSamePc() throws Exception {
        // through a map value the analysis does not follow: the address of an unmapped region
        String text = "-- map v\ntype=array key=4 value=8 entries=1\n-- asm\n"
                + "lddw %r2, map_value:v+0\nstxdw [%r2+0], %r1\nldxdw %r3, [%r2+0]\nldxw %r0, [%r3+0]\nexit\n";
        for (ProgramType type : TYPES) {
            assertEquals(0, compare(type, text));
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void packetLoopsAndBoundsTraps(ProgramType type) throws Exception {
        String data = type == ProgramType.XDP ? "0" : "76";
        String end = type == ProgramType.XDP ? "4" : "80";
        if (type == ProgramType.SOCKET_FILTER) {
            return; // no packet pointers in socket filters
        }
        assertTrue(compare(type, "-- asm\n" + JitTypedProgramsTest.BYTE_SUM.replace("+0]\nldxw", "+" + data
                + "]\nldxw").replace("[%r1+4]", "[%r1+" + end + "]")) > 0);
        // off the end by 0..3 bytes: a trap for the short packets only
        for (int over = 0; over < 4; over++) {
            compare(type, "-- asm\nldxw %r2, [%r1+" + data + "]\nldxw %r3, [%r1+" + end + "]\nmov %r4, %r3\nsub %r4, %r2\n"
                    + "sub %r3, " + (4 - over) + "\nldxw %r0, [%r3+0]\nexit\n");
        }
    }

    // ---- LD_ABS / LD_IND ----------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("skbTypes")
    void ldAbsAndLdIndAroundEveryEdge(ProgramType type) throws Exception {
        int[] offsets = {0, 1, 13, 14, 40, 45, 46, 47, 48, 49, 50, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 1486, 1496,
                1497, 1499, 1500, 0x7fffffff, -1, -2, PacketContext.SKF_NET_OFF - 1, PacketContext.SKF_NET_OFF,
                PacketContext.SKF_NET_OFF + 1, PacketContext.SKF_NET_OFF + 46, PacketContext.SKF_NET_OFF + 50,
                PacketContext.SKF_LL_OFF - 1, PacketContext.SKF_LL_OFF, PacketContext.SKF_LL_OFF + 13,
                PacketContext.SKF_LL_OFF + 60, PacketContext.SKF_LL_OFF + 63, Integer.MIN_VALUE};
        for (char size : new char[] {'b', 'h', 'w'}) {
            for (int off : offsets) {
                compare(type, "-- asm\nmov %r6, %r1\n" + ldabs(size, off) + "add %r0, 7\nexit\n");
            }
            for (long src : new long[] {0, 3, -3, 0x100000005L, 0xffffffffL, Long.MIN_VALUE}) {
                compare(type, "-- asm\nmov %r6, %r1\nlddw %r7, 0x" + Long.toHexString(src) + "\n" + ldind(size, 7, 45) + "add %r0, 7\nexit\n");
                compare(type, "-- asm\nmov %r6, %r1\nlddw %r7, 0x" + Long.toHexString(src) + "\n"
                        + ldind(size, 7, PacketContext.SKF_LL_OFF + 10) + "add %r0, 7\nexit\n");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("skbTypes")
    void anLdAbsExitInASubprogramReturnsToItsCallerWithTheSameCount(ProgramType type) throws Exception {
        // the caller goes on after the subprogram's early return; budgets around every check
        String text = "-- asm\nmov %r6, %r1\nmov %r7, 0\ncall local f\nloop:\nadd %r7, 1\njlt %r7, 4, loop\n"
                + "add %r0, %r7\nexit\nf:\nmov %r6, %r1\nmov %r1, 1\n" + ldabs('b', 0) + "mov %r0, 9\nmov %r1, 2\n"
                + "mov %r1, 3\nexit\n";
        List<RunInput> one = List.of(RunInput.of(frame(64, 0)));
        for (int at : new int[] {5, 63, 64, 5000}) {
            String t = text.replace(ldabs('b', 0), ldabs('b', at));
            for (long budget = 1; budget <= 30; budget++) {
                compare(type, budget, List.of(t), one, false);
            }
        }
    }

    // ---- packet helpers -----------------------------------------------------------------------

    /** After the helper: r0 = its result, plus 1000 × (a byte sum of data..data_end, capped) for XDP/tc. */
    static String thenSum(ProgramType type) {
        if (type == ProgramType.SOCKET_FILTER) {
            return "exit\n";
        }
        String data = type == ProgramType.XDP ? "0" : "76";
        String end = type == ProgramType.XDP ? "4" : "80";
        return "mov %r9, %r0\nldxw %r2, [%r6+" + data + "]\nldxw %r3, [%r6+" + end + "]\nmov %r0, 0\nmov %r4, 0\n"
                + "sl:\nmov %r5, %r2\nadd %r5, %r4\nmov %r8, %r5\nadd %r8, 1\njgt %r8, %r3, sd\nldxb %r8, [%r5+0]\n"
                + "add %r0, %r8\nadd %r4, 1\njlt %r4, 4000, sl\nsd:\nmul %r0, 1000\nadd %r0, %r9\nexit\n";
    }

    @Test
    void xdpAdjustHeadMetaTail() throws Exception {
        ProgramType xdp = ProgramType.XDP;
        for (int delta : new int[] {-256, -220, -216, -44, -36, -9, -8, -4, 0, 4, 8, 46, 50, 51, 100, 1486, 1487}) {
            for (int helper : new int[] {44, 54, 65}) {
                compare(xdp, "-- asm\nmov %r6, %r1\nlddw %r2, " + delta + "\ncall " + helper + "\n" + thenSum(xdp));
            }
        }
        for (int delta : new int[] {-1500, -51, -50, -20, -1, 1, 16, 2276, 3456, 3457, 3712}) {
            compare(xdp, "-- asm\nmov %r6, %r1\nlddw %r2, " + delta + "\ncall 65\n" + thenSum(xdp));
        }
        // head, then meta, then tail, reading the metadata length through data_meta
        compare(xdp, "-- asm\nmov %r6, %r1\nmov %r2, -16\ncall 44\nmov %r1, %r6\nmov %r2, -8\ncall 54\n"
                + "mov %r1, %r6\nmov %r2, 24\ncall 65\nldxw %r2, [%r6+0]\nldxw %r3, [%r6+8]\nsub %r2, %r3\n"
                + "ldxb %r4, [%r3+0]\nstb [%r3+1], 0x42\nmov %r0, %r2\nlsh %r0, 8\nor %r0, %r4\nexit\n");
    }

    @ParameterizedTest
    @MethodSource("skbTypes")
    void skbLoadAndStoreBytes(ProgramType type) throws Exception {
        for (int off : new int[] {-1, 0, 10, 46, 50, 56, 60, 63, 64, 1490}) {
            for (int len : new int[] {0, 1, 4, 8, 14, 15, 64}) {
                // load into r10-64.., then sum those 64 stack bytes
                compare(type, "-- asm\nmov %r6, %r1\nmov %r2, " + off + "\nmov %r3, %r10\nadd %r3, -64\nmov %r4, " + len
                        + "\ncall 26\nmov %r9, %r0\nmov %r0, 0\nmov %r4, -64\nl:\nmov %r5, %r10\nadd %r5, %r4\n"
                        + "ldxb %r8, [%r5+0]\nadd %r0, %r8\nadd %r4, 1\njslt %r4, 0, l\nlsh %r0, 8\nadd %r0, %r9\nexit\n");
                if (type == ProgramType.SCHED_CLS && len <= 8) {
                    for (int flags : new int[] {0, 1, 2, 3, 4}) {
                        compare(type, "-- asm\nmov %r6, %r1\nlddw %r2, 0x1122334455667788\nstxdw [%r10-8], %r2\n"
                                + "mov %r2, " + off + "\nmov %r3, %r10\nadd %r3, -8\nmov %r4, " + len + "\nmov %r5, "
                                + flags + "\ncall 9\n" + thenSum(type));
                    }
                }
            }
        }
    }

    @Test
    void checksumHelpers() throws Exception {
        ProgramType tc = ProgramType.SCHED_CLS;
        for (int from : new int[] {0, 4, 8, 3}) {
            for (int to : new int[] {0, 4, 8, 6}) {
                for (long seed : new long[] {0, 0xffff, 0xffffffffL, 0x123456789L}) {
                    String text = "-- asm\nlddw %r2, 0x0102030405060708\nstxdw [%r10-8], %r2\nstxdw [%r10-16], %r2\n"
                            + "lddw %r2, 0xf0e0d0c0b0a09080\nstxdw [%r10-24], %r2\nmov %r1, %r10\nadd %r1, -16\n"
                            + "mov %r2, " + from + "\nmov %r3, %r10\nadd %r3, -24\nmov %r4, " + to + "\nlddw %r5, " + seed
                            + "\ncall 28\nexit\n";
                    compare(tc, text);
                    compare(ProgramType.XDP, text);
                }
            }
        }
        for (int helper : new int[] {10, 11}) {
            for (int off : new int[] {-1, 0, 24, 50, 62, 63, 64}) {
                for (long flags : new long[] {0, 2, 4, 8, 0x10, 0x12, 0x14, 0x22, 0x100}) {
                    compare(tc, "-- asm\nmov %r6, %r1\nmov %r2, " + off + "\nlddw %r3, 0x12345678\nlddw %r4, 0x9abcdef0\n"
                            + "lddw %r5, " + flags + "\ncall " + helper + "\n" + thenSum(tc));
                }
            }
        }
    }

    // ---- program sets -------------------------------------------------------------------------

    static final String MAPS = "-- map jmp\ntype=prog_array key=4 value=4 entries=4\n"
            + "-- map cnt\ntype=array key=4 value=8 entries=1\n";

    @ParameterizedTest
    @MethodSource("types")
    void tailCallsAcrossSiblingsKeepTheContextAndPacket(ProgramType type) throws Exception {
        String dataOff = type == ProgramType.XDP ? "0" : "76";
        String read = type == ProgramType.SOCKET_FILTER ? "ldxw %r0, [%r1+0]\n"
                : "ldxw %r2, [%r1+" + dataOff + "]\nldxb %r0, [%r2+0]\n";
        String first = type == ProgramType.XDP ? "mov %r2, -8\ncall 44\nmov %r1, %r6\n" : "";
        String a = MAPS + "-- asm\nmov %r6, %r1\n" + first + "lddw %r7, map_value:cnt+0\nmov %r8, 1\n"
                + "lock add [%r7], %r8\nmov %r1, %r6\nlddw %r2, map:jmp\nmov %r3, 1\ncall 12\nmov %r0, 77\nexit\n";
        String b = MAPS + "-- asm\nmov %r6, %r1\n" + (type == ProgramType.SCHED_CLS ? "stw [%r1+8], 0x55\n" : "")
                + "call local sub\nmov %r1, %r6\nlddw %r2, map:jmp\nmov %r3, 2\ncall 12\nmov %r0, 88\nexit\n"
                + "sub:\nlddw %r2, map:jmp\nmov %r3, 3\ncall 12\nmov %r0, 5\nexit\n";
        String c = MAPS + "-- asm\n" + read + "lddw %r7, map_value:cnt+0\nldxdw %r4, [%r7+0]\nlsh %r4, 16\n"
                + "or %r0, %r4\nexit\n";
        String d = MAPS + "-- asm\nmov %r4, 0\nl:\nadd %r4, 3\njlt %r4, 30, l\nmov %r0, %r4\nexit\n";
        List<String> set = List.of(a, b, c, d);
        assertTrue(compare(type, LoadOptions.DEFAULT_INSTRUCTION_BUDGET, set, inputs(type), true) > 0);
        for (long budget = 1; budget <= 60; budget += 1) {
            compare(type, budget, set, List.of(RunInput.of(frame(64, 0))), true);
        }
    }

    @Test
    void aSiblingsCallbacksAreItsOwnAndSeeThePacketItChanges() throws Exception {
        // A tail-calls B; B's bpf_loop callback (B's own subprogram) shrinks the packet by one byte
        // per round through the ctx it is given; B then reads the last byte through fresh pointers.
        // (A pointer loaded before the loop is stale: the verifier refuses to let a program use it,
        // and the engines' frame moves under it at the first adjust, PacketContext.materializeFrame.)
        String a = MAPS + "-- asm\nmov %r6, %r1\nlddw %r2, map:jmp\nmov %r3, 1\ncall 12\nmov %r0, 77\nexit\n";
        String b = MAPS + """
                -- asm
                mov %r6, %r1
                ldxw %r7, [%r1+4]
                mov %r1, ROUNDS
                lddw %r2, func:cb
                mov %r3, %r6
                mov %r4, 0
                call 181
                mov %r9, %r0
                ldxw %r2, [%r6+0]
                ldxw %r3, [%r6+4]
                READ
                lsh %r0, 8
                or %r0, %r9
                exit
                cb:
                mov %r1, %r2
                mov %r2, -1
                call 65
                mov %r0, 0
                exit
                """;
        for (String rounds : new String[] {"0", "1", "5"}) {
            for (String read : new String[] {"ldxb %r0, [%r3-1]", "mov %r0, %r3\nsub %r0, %r2"}) {
                int returned = compare(ProgramType.XDP, LoadOptions.DEFAULT_INSTRUCTION_BUDGET,
                        List.of(a, b.replace("ROUNDS", rounds).replace("READ", read)), inputs(ProgramType.XDP), true);
                assertEquals(2 * inputs(ProgramType.XDP).size(), returned, rounds + " " + read);
            }
        }
    }

    @Test
    void aTailCallIntoAProgramOfAnotherTypeTrapsAlike() throws Exception {
        String caller = MAPS + "-- asm\nlddw %r2, map:jmp\nmov %r3, 1\ncall 12\nmov %r0, 77\nexit\n";
        String callee = MAPS + "-- asm\nmov %r0, 1\nexit\n";
        for (Backend b : List.of(INTERP, JITS.get(0), JITS.get(1))) {
            List<Executable> set = b.loadAll(List.of(program(ProgramType.XDP, caller),
                    program(ProgramType.SCHED_CLS, callee)), LoadOptions.DEFAULTS);
            set.get(0).map("jmp").orElseThrow().setProgram(1, set.get(1));
            Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, set.get(0).run(RunInput.of(frame(64, 0))),
                    b.name());
            assertEquals(dev.bpfh.spi.TrapKind.HELPER_FAILED, t.kind());
            assertEquals(3, t.pc());
        }
    }
}
