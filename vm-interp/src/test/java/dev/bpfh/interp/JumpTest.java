package dev.bpfh.interp;

import static dev.bpfh.interp.Prog.prog;
import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** isa.md §2.3: every condition in JMP and JMP32, K and X, taken and not taken; ja and ja32. */
class JumpTest {

    static final int[] CONDS = {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE};
    static final String[] NAMES = {"jeq", "jgt", "jge", "jset", "jne", "jsgt", "jsge", "jlt", "jle", "jslt", "jsle"};

    /**
     * Operand pairs and, per condition in {@link #CONDS} order, whether the jump is taken; worked
     * out by hand from the "taken if" column. {@code b} fits in an imm so the K form can use it.
     */
    record Vector(long a, int b, String taken64, String taken32) {}

    static final List<Vector> VECTORS = List.of(
            //          a                       b     eq gt ge set ne sgt sge lt le slt sle
            new Vector(-1L, 1, /*             */ "FTTTTFFFFTT", "FTTTTFFFFTT"),
            new Vector(1, -1, /*              */ "FFFTTTTTTFF", "FFFTTTTTTFF"),
            new Vector(7, 7, /*               */ "TFTTFFTFTFT", "TFTTFFTFTFT"),
            // Differs in 64 bits, equal in the low 32: JMP32 ignores the upper half.
            new Vector(0x1_0000_0007L, 7, /*  */ "FTTTTTTFFFF", "TFTTFFTFTFT"),
            // Positive as a long, INT_MIN as an int.
            new Vector(0x8000_0000L, 1, /*    */ "FTTFTTTFFFF", "FTTFTFFFFTT"),
            new Vector(4, 3, /*               */ "FTTFTTTFFFF", "FTTFTTTFFFF"));

    record Case(String name, int opcode, long a, int b, boolean taken) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (Vector v : VECTORS) {
            for (int i = 0; i < CONDS.length; i++) {
                for (boolean wide : new boolean[] {true, false}) {
                    boolean taken = (wide ? v.taken64() : v.taken32()).charAt(i) == 'T';
                    for (int src : new int[] {SRC_K, SRC_X}) {
                        int opcode = (wide ? JMP : JMP32) | CONDS[i] | src;
                        String name = String.format("%s%s %s 0x%x, %d -> %s", NAMES[i], wide ? "" : "32",
                                src == SRC_K ? "K" : "X", v.a(), v.b(), taken ? "taken" : "not taken");
                        out.add(new Case(name, opcode, v.a(), v.b(), taken));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conditionalJump(Case c) {
        boolean x = (c.opcode() & SRC_X) != 0;
        // r1 = a; r2 = (long) b; r0 = 1; if (cond) skip "r0 = 0"; exit
        long r0 = prog().lddw(1, c.a()).mov(2, c.b()).mov(0, 1)
                .insn(c.opcode(), 1, x ? 2 : 0, 1, x ? 0 : c.b())
                .mov(0, 0).exit().r0();
        assertEquals(c.taken() ? 1 : 0, r0, c.name());
    }

    @Test
    void immediateIsSignExtendedForUnsigned64BitCompares() {
        // jeq r1, 0x80000000 with r1 = 0xFFFFFFFF80000000 is taken (j-signed-imm.data).
        long r0 = prog().lddw(1, 0xFFFF_FFFF_8000_0000L).mov(0, 1)
                .jmp(JEQ, 1, 0x8000_0000, 1).mov(0, 0).exit().r0();
        assertEquals(1, r0);
    }

    @Test
    void jmp32ComparesLowHalvesOnly() {
        long r0 = prog().lddw(1, 0x1_0000_000BL).mov(0, 1)
                .insn(JMP32 | JEQ | SRC_K, 1, 0, 1, 11).mov(0, 0).exit().r0();
        assertEquals(1, r0);
    }

    @Test
    void jaSkipsForwardAndBackward() {
        // 0: mov r0,1; 1: ja +2 -> 4; 2: mov r0,2; 3: exit; 4: add r0,10; 5: ja -4 -> 2
        long r0 = prog().mov(0, 1).ja(2).alu64(ADD, 0, 100).exit().alu64(ADD, 0, 10).ja(-4).r0();
        assertEquals(111, r0);
    }

    @Test
    void ja32UsesTheImmediateAsDisplacement() {
        long r0 = prog().mov(0, 1).insn(JA32_OP, 0, 0, 0, 1).mov(0, 2).exit().r0();
        assertEquals(1, r0);
    }

    @Test
    void jumpOverLddwCountsItsTwoSlots() {
        // jne32 with a displacement that must count lddw as 2 (isa.md §7.2).
        long r0 = prog().mov(0, 1).ja(2).lddw(0, 99).exit().r0();
        assertEquals(1, r0);
    }

    @Test
    void aLoopComputesTheSumOneToTen() {
        // r0 = 0; r1 = 10; loop: r0 += r1; r1 -= 1; jne r1, 0, loop; exit
        long r0 = prog().mov(0, 0).mov(1, 10).alu64x(ADD, 0, 1).alu64(SUB, 1, 1).jmp(JNE, 1, 0, -3).exit().r0();
        assertEquals(55, r0);
    }
}
