package dev.bpfh.jit;

import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Programs far beyond one JVM method: they must compile with every generated method under
 * HotSpot's 8000-byte HugeMethodLimit (read from {@code info()}) and still compute the right value.
 */
class JitLargeProgramTest {
    static final long EXIT = Insn.encode(EXIT_OP, 0, 0, 0, 0);

    /** n instructions: adds to r0, each fourth one a store/load round trip through the frame. */
    static long[] straightLine(int n) {
        long[] s = new long[n + 1];
        for (int i = 0; i < n; i++) {
            s[i] = switch (i % 4) {
                case 1 -> Insn.encode(STX | SIZE_DW | MODE_MEM, 10, 0, -8, 0);
                case 3 -> Insn.encode(LDX | SIZE_DW | MODE_MEM, 0, 10, -8, 0);
                default -> Insn.encode(ALU64 | ADD | SRC_K, 0, 0, 0, 1);
            };
        }
        s[n] = EXIT;
        return s;
    }

    /**
     * Each group of four adds 1, stores r0, adds 1 and reloads the stored value, so it nets +1;
     * a partial group of 1 or 2 nets +1 and of 3 nets +2.
     */
    static long expectedStraightLine(int n) {
        int rest = n % 4;
        return n / 4 + (rest >= 1 ? 1 : 0) + (rest == 3 ? 1 : 0);
    }

    private static Executable load(long[] slots) throws Exception {
        return Engines.JIT.load(new Program("large", slots), LoadOptions.DEFAULTS);
    }

    private static void assertCompiledUnderTheLimit(Executable e) {
        assertFalse(e.info().containsKey("fallback"), () -> "fell back: " + e.info());
        int max = (Integer) e.info().get("maxMethodBytes");
        assertTrue(max < JitBackend.HUGE_METHOD_LIMIT, "largest method has " + max + " bytes");
    }

    @ParameterizedTest(name = "{0} instructions")
    @ValueSource(ints = {20_000, 200_000})
    void straightLineProgramsSplitIntoSmallMethods(int n) throws Exception {
        try (Executable e = load(straightLine(n))) {
            assertCompiledUnderTheLimit(e);
            assertTrue((Integer) e.info().get("methods") > n / 1000, e.info()::toString);
            long expected = expectedStraightLine(n);
            assertEquals(expected, Engines.r0(e.run(new byte[0])));
        }
    }

    @Test
    void loopWhoseBodySpansManyMethodsKeepsItsCountAndBudget() throws Exception {
        int body = 10_000;
        long[] s = new long[body + 5];
        s[0] = Insn.encode(ALU64 | MOV | SRC_K, 9, 0, 0, 7); // r9 = 7 iterations
        for (int i = 1; i <= body; i++) {
            s[i] = Insn.encode(ALU64 | ADD | SRC_K, 0, 0, 0, 1);
        }
        s[body + 1] = Insn.encode(ALU64 | ADD | SRC_K, 9, 0, 0, -1);
        s[body + 2] = Insn.encode(JMP | JNE | SRC_K, 9, 0, -(body + 2), 0); // to pc 1
        s[body + 3] = Insn.encode(ALU64 | MOV | SRC_K, 1, 0, 0, 0);
        s[body + 4] = EXIT;
        try (Executable e = load(s)) {
            assertCompiledUnderTheLimit(e);
            assertEquals(7L * body, Engines.r0(e.run(new byte[0])));
        }
        // Budget: the jne at pc body+2 is instruction 1 + k*(body+2) on its k-th execution; with a
        // budget of 3*(body+2) the third taken jump (count 1 + 3*(body+2)) traps.
        var tight = LoadOptions.DEFAULTS.withInstructionBudget(3L * (body + 2));
        try (Executable e = Engines.JIT.load(new Program("loop", s), tight)) {
            Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, e.run(new byte[0]));
            assertEquals(TrapKind.BUDGET_EXHAUSTED, t.kind());
            assertEquals(body + 2, t.pc());
        }
    }

    @Test
    void bigSubprogramsCalledFromEachOther() throws Exception {
        // main: call f; exit. f: 30,000 adds to r0, then call g, exit. g: 30,000 adds, exit.
        int n = 30_000;
        long[] s = new long[2 * n + 6];
        s[0] = Insn.encode(CALL_IMM, 0, CALL_LOCAL, 0, 1); // to pc 2
        s[1] = EXIT;
        int f = 2;
        Arrays.fill(s, f, f + n, Insn.encode(ALU64 | ADD | SRC_K, 0, 0, 0, 1));
        int g = f + n + 2;
        s[f + n] = Insn.encode(CALL_IMM, 0, CALL_LOCAL, 0, g - (f + n) - 1);
        s[f + n + 1] = EXIT;
        Arrays.fill(s, g, g + n, Insn.encode(ALU64 | ADD | SRC_K, 0, 0, 0, 2));
        s[g + n] = EXIT;
        s[g + n + 1] = EXIT;
        try (Executable e = load(Arrays.copyOf(s, g + n + 1))) {
            assertCompiledUnderTheLimit(e);
            assertEquals(3L * n, Engines.r0(e.run(new byte[0])));
        }
    }

    @Test
    void theKernelsInstructionLimitCompilesOrFallsBackWithAReason() throws Exception {
        int n = 1_000_000 - 1;
        try (Executable e = load(straightLine(n))) {
            long expected = expectedStraightLine(n);
            assertEquals(expected, Engines.r0(e.run(new byte[0])));
            if (!e.info().containsKey("fallback")) {
                assertCompiledUnderTheLimit(e);
            } else {
                assertFalse(e.info().get("fallback").toString().isBlank());
            }
            System.out.println("1M-slot program: " + e.info());
        }
    }

    @Test
    void tooManyConstantsForOneClassFallBackToTheInterpreterAndSaySo() throws Exception {
        // 40,000 distinct 64-bit constants need 80,000 constant-pool slots; a class has 65,535.
        int n = 40_000;
        long[] s = new long[2 * n + 1];
        for (int i = 0; i < n; i++) {
            long v = 0x1234_5678_0000_0000L + i;
            s[2 * i] = Insn.encode(LDDW, 0, 0, 0, (int) v);
            s[2 * i + 1] = Insn.encode(0, 0, 0, 0, (int) (v >>> 32));
        }
        s[2 * n] = EXIT;
        try (Executable e = load(s)) {
            assertTrue(e.info().containsKey("fallback"), e.info()::toString);
            assertEquals(0x1234_5678_0000_0000L + n - 1, Engines.r0(e.run(new byte[0])));
        }
    }
}
