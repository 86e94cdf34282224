package dev.bpfh.isa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** {@link Program#instructionPcs}: every slot starts an instruction but the second of an {@code lddw}. */
class ProgramTest {

    private static final long MOV_K = Insn.encode(0xb7, 0, 0, 0, 1); // mov64 r0, 1
    private static final long EXIT = Insn.encode(0x95, 0, 0, 0, 0);
    private static final long LDDW = Insn.encode(Opcodes.LDDW, 1, 0, 0, 0x18);
    /** An lddw's second slot: opcode 0, the constant's upper half in imm. */
    private static final long UPPER_HALF = Insn.encode(0, 0, 0, 0, 0x18);

    @Test
    void theSecondSlotOfEachLddwStartsNoInstruction() {
        Program p = Program.of("p", MOV_K, LDDW, UPPER_HALF, LDDW, UPPER_HALF, MOV_K, EXIT);
        assertArrayEquals(new int[] {0, 1, 3, 5, 6}, p.instructionPcs());
    }

    @Test
    void anUpperHalfThatLooksLikeAnLddwIsStillSkipped() {
        // a second slot whose opcode byte reads 0x18 (the Validator refuses it): a walker that looked
        // at every slot would take it for an lddw and skip the exit after it
        long upperLooksLikeLddw = Insn.encode(Opcodes.LDDW, 0, 0, 0, 0);
        Program p = Program.of("p", LDDW, upperLooksLikeLddw, EXIT);
        assertArrayEquals(new int[] {0, 2}, p.instructionPcs());
    }

    @Test
    void aTrailingLddwWithoutItsSecondSlotStillStartsAtItsPc() {
        Program p = Program.of("p", MOV_K, LDDW);
        assertArrayEquals(new int[] {0, 1}, p.instructionPcs());
    }
}
