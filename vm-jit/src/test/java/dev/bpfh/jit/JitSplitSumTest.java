package dev.bpfh.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One-block loops whose sum the jit keeps as two partial sums ({@code MethodGen.splitAccumulator}):
 * every program runs on the interpreter (an independent engine, one sum) and on the jit, on inputs
 * whose loops run an odd and an even number of times (the partial sums are swapped each iteration
 * and added on leaving) and whose 64-bit sums wrap; the outcomes (r0, or trap kind, pc and
 * message) must be equal. Whether the split must apply is stated per program from its shape: the
 * sum appears in the loop only as the destination of 64-bit adds, or it does not.
 */
class JitSplitSumTest {

    /** A program whose loop bound is {@code BOUND}, replaced by {@code first + step * n} for n = 0..9. */
    record Case(String name, String text, int splits, int first, int step) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** r3 counts 8-byte words of the input up to BOUND; the loop body is {@code body}. */
    private static String wordLoop(String body, String after) {
        return "mov %r0, 0\nmov %r3, 0\nmov %r6, 7\nloop:\nmov %r4, %r1\nadd %r4, %r3\n" + body
                + "add %r3, 8\njlt %r3, BOUND, loop\n" + after + "exit\n";
    }

    private static final String BYTE_SUM = LoopPrograms.byteSum("BOUND");

    static Stream<Case> cases() {
        return Stream.of(
                new Case("byte sum", BYTE_SUM, 1, 1, 7),
                // 64-bit words whose sum wraps, plus a constant and a second register added each time
                new Case("wrapping word sum", wordLoop("ldxdw %r5, [%r4+0]\nadd %r0, %r5\nadd %r0, -3\nadd %r0, %r6\n", ""),
                        1, 8, 8),
                new Case("sum read after the loop", wordLoop("ldxdw %r5, [%r4+0]\nadd %r0, %r5\n", "mul %r0, 3\nadd %r0, 1\n"),
                        1, 8, 8),
                // big-endian 16-bit words (checksum_1500's loop): be16's source bit is no register
                new Case("big-endian word sum", BYTE_SUM.replace("ldxb %r5, [%r4+0]", "ldxh %r5, [%r4+0]\nbe16 %r5")
                        .replace("add %r3, 1", "add %r3, 2"), 1, 2, 8),
                // a byte swap of the sum itself in the loop: no split
                new Case("sum swapped in the loop", BYTE_SUM.replace("add %r0, %r5", "add %r0, %r5\nbe16 %r0"), 0, 1, 7),
                // the sum is read inside the loop: no split
                new Case("sum read in the loop",
                        wordLoop("ldxdw %r5, [%r4+0]\nadd %r0, %r5\nxor %r6, %r0\n", "add %r0, %r6\n"), 0, 8, 8),
                // the sum decides the loop's exit: no split
                new Case("sum in the condition", BYTE_SUM.replace("jlt %r3, BOUND", "jlt %r0, BOUND"), 0, 100, 300),
                // a 32-bit add into the sum: no split
                new Case("32-bit add", wordLoop("ldxdw %r5, [%r4+0]\nadd32 %r0, %r5\n", ""), 0, 8, 8),
                // the loop reads past the 80-byte input from n = 5 on and traps there
                new Case("trap in the loop", BYTE_SUM, 1, 76, 1));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void sameOutcomeAsTheInterpreter(Case c) throws Exception {
        for (int n = 0; n <= 9; n++) {
            Program p = Engines.asm(c.text().replace("BOUND", Integer.toString(c.first() + c.step() * n)));
            try (Executable interp = Engines.INTERP.load(p, LoadOptions.DEFAULTS);
                    Executable jit = Engines.JIT.load(p, LoadOptions.DEFAULTS)) {
                assertEquals(c.splits(), jit.info().get("splitSums"), c.name());
                String expected = describe(interp.run(input()));
                assertEquals(expected, describe(jit.run(input())), c.name() + ", n = " + n);
            }
        }
    }

    /** 80 bytes near the top of the unsigned range, so 64-bit sums wrap. */
    private static byte[] input() {
        byte[] in = new byte[80];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (0xf0 + i * 7);
        }
        return in;
    }

    private static String describe(Outcome o) {
        if (o instanceof Outcome.Trapped t) {
            return "trap " + t.kind() + " at " + t.pc() + ": " + t.message();
        }
        return "r0 " + assertInstanceOf(Outcome.Returned.class, o).r0();
    }
}
