package dev.bpfh.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Inserting and deleting instructions keeps every jump and call on its instruction. */
class SlotsTest {

    static final long NOP = Insn.encode(Opcodes.JA_OP, 0, 0, 0, 0); // ja +0

    @Test
    void aNoOpInsertedAnywhereChangesNoResultAndDeletingItRestoresTheProgram() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        try (Backend interp = Backends.find("interp").orElseThrow()) {
            for (long i = 0; i < 300; i++) {
                FuzzCase c = SafeGenerator.generate(11, i, 1);
                long[] slots = c.program().slots();
                int[] starts = Slots.starts(slots);
                int at = starts[rnd.nextInt(starts.length)];
                if (at > 0 && isFunctionStart(slots, at)) {
                    continue; // a ja +0 there would end the previous function by jumping into this one: refused
                }
                long[] bigger = Slots.insert(slots, at, NOP);
                assertArrayEquals(slots, Slots.delete(bigger, at, 1));
                try (Executable a = interp.load(c.program(), LoadOptions.DEFAULTS);
                        Executable b = interp.load(Program.of("bigger", bigger), LoadOptions.DEFAULTS)) {
                    assertEquals(a.run(c.memories().getFirst().clone()), b.run(c.memories().getFirst().clone()), c::describe);
                }
            }
        }
    }

    /** Whether a local call or a function address (lddw src=4) targets {@code pc}. */
    static boolean isFunctionStart(long[] slots, int pc) {
        for (int i = 0; i < slots.length; i++) {
            int op = Insn.opcode(slots[i]);
            boolean call = op == Opcodes.CALL_IMM && Insn.src(slots[i]) == Opcodes.CALL_LOCAL;
            boolean function = op == Opcodes.LDDW && Insn.src(slots[i]) == Opcodes.PSEUDO_FUNC;
            if ((call || function) && i + 1 + Insn.imm(slots[i]) == pc) {
                return true;
            }
            if (op == Opcodes.LDDW) {
                i++;
            }
        }
        return false;
    }

    @Test
    void aJumpIntoADeletedRangeLandsAfterIt() {
        long[] slots = {
            Insn.encode(Opcodes.JMP | Opcodes.JEQ, 1, 0, 2, 0), // 0: if r1 == 0 goto 3
            Insn.encode(Opcodes.ALU64 | Opcodes.MOV, 0, 0, 0, 1), // 1
            Insn.encode(Opcodes.ALU64 | Opcodes.MOV, 0, 0, 0, 2), // 2
            Insn.encode(Opcodes.EXIT_OP, 0, 0, 0, 0), // 3
        };
        long[] out = Slots.delete(slots, 2, 2); // removes 2 and the exit: the jump lands on the end
        assertEquals(2, out.length);
        assertEquals(1, Insn.off(out[0]));
    }
}
