package dev.bpfh.jit;

import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Jumps;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The jit emits the comparison bytecode inline instead of calling {@link Jumps}; this checks that
 * it decides every condition exactly as the shared definition does, on the values where signed,
 * unsigned and 32-bit views disagree.
 */
class JitConditionTest {
    static final long[] EDGES = {0, 1, -1, 2, 0x7fffffffL, 0x80000000L, 0xffffffffL, 0x1_0000_0000L,
        0xffffffff_80000000L, Long.MAX_VALUE, Long.MIN_VALUE, 0x1_0000_000bL, 11, -11, 0xff00ff00_00ff00ffL};

    @ParameterizedTest(name = "condition 0x{0}")
    @ValueSource(ints = {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE})
    void everyConditionMatchesTheSharedDefinition(int code) throws Exception {
        for (int cls : new int[] {JMP, JMP32}) {
            // r0 = taken ? 1 : 0 with a = [r1], b = [r1 + 8]
            Program p = Program.of("cond",
                    Insn.encode(LDX | SIZE_DW | MODE_MEM, 3, 1, 0, 0),
                    Insn.encode(LDX | SIZE_DW | MODE_MEM, 4, 1, 8, 0),
                    Insn.encode(ALU64 | MOV, 0, 0, 0, 1),
                    Insn.encode(cls | code | SRC_X, 3, 4, 1, 0),
                    Insn.encode(ALU64 | MOV, 0, 0, 0, 0),
                    Insn.encode(EXIT_OP, 0, 0, 0, 0));
            try (Executable e = Engines.JIT.load(p, LoadOptions.DEFAULTS)) {
                for (long a : EDGES) {
                    for (long b : EDGES) {
                        byte[] mem = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(a).putLong(b).array();
                        boolean expected = cls == JMP ? Jumps.taken64(code, a, b) : Jumps.taken32(code, a, b);
                        assertEquals(expected ? 1 : 0, Engines.r0(e.run(mem)),
                                () -> String.format("class %d cond 0x%x a=%x b=%x", cls, code, a, b));
                    }
                }
            }
            // K form: b is the sign-extended immediate
            for (int imm : new int[] {0, 1, -1, 0x7fffffff, 0x80000000, 11}) {
                Program k = Program.of("condk",
                        Insn.encode(LDX | SIZE_DW | MODE_MEM, 3, 1, 0, 0),
                        Insn.encode(ALU64 | MOV, 0, 0, 0, 1),
                        Insn.encode(cls | code | SRC_K, 3, 0, 1, imm),
                        Insn.encode(ALU64 | MOV, 0, 0, 0, 0),
                        Insn.encode(EXIT_OP, 0, 0, 0, 0));
                try (Executable e = Engines.JIT.load(k, LoadOptions.DEFAULTS)) {
                    for (long a : EDGES) {
                        byte[] mem = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(a).array();
                        boolean expected = cls == JMP ? Jumps.taken64(code, a, imm) : Jumps.taken32(code, a, imm);
                        assertEquals(expected ? 1 : 0, Engines.r0(e.run(mem)),
                                () -> String.format("K class %d cond 0x%x a=%x imm=%x", cls, code, a, imm));
                    }
                }
            }
        }
    }
}
