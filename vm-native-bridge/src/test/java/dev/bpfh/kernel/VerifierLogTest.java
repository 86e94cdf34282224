package dev.bpfh.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Reading the reason and the failing instruction out of verifier logs (shapes from Linux 6.x). */
class VerifierLogTest {

    @Test
    void reasonIsTheLastLineBeforeTheStatistics() {
        String log = """
                func#0 @0
                0: R1=ctx() R10=fp0
                0: (61) r6 = *(u32 *)(r1 +0)          ; R1=ctx() R6_w=pkt(r=0)
                1: (bf) r0 = r5
                R5 !read_ok
                processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
                """;
        VerifierLog v = VerifierLog.parse(log);
        assertEquals("R5 !read_ok", v.reason());
        assertEquals(1, v.insn());
        assertTrue(v.tail().endsWith("mark_read 0"), v.tail());
    }

    @Test
    void anInstructionNamedInTheReasonWins() {
        String log = """
                0: (b7) r0 = 0
                1: (05) goto pc-1
                infinite loop detected at insn 1
                cur state: R0_w=0 R10=fp0
                old state: R0_w=0 R10=fp0
                """;
        VerifierLog v = VerifierLog.parse(log);
        assertEquals("infinite loop detected at insn 1", v.reason());
        assertEquals(1, v.insn());
    }

    @Test
    void jumpOutOfRangeNamesTheJump() {
        VerifierLog v = VerifierLog.parse("jump out of range from insn 21 to 40\nprocessed 0 insns\n");
        assertEquals(21, v.insn());
    }

    @Test
    void anEmptyLogHasNoReasonAndNoInstruction() {
        VerifierLog v = VerifierLog.parse("");
        assertEquals("", v.reason());
        assertEquals(-1, v.insn());
    }
}
