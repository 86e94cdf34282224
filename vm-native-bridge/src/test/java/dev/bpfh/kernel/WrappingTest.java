package dev.bpfh.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfh.isa.Insn;
import org.junit.jupiter.api.Test;

/** The wrappers' shape, without a kernel: where the user program starts and how it is called. */
class WrappingTest {
    private static final long[] USER = {Insn.encode(0xb7, 0, 0, 0, 7), Insn.encode(0x95, 0, 0, 0, 0)};

    @Test
    void everyWrapperCallsTheUserProgramAsALocalSubprogram() {
        for (Wrapping w : java.util.List.of(Wrapping.XDP, Wrapping.MAP_VALUE)) {
            long[] p = w.wrap(USER, 5, 42, 43);
            assertEquals(w.userStart() + USER.length, p.length, w.label());
            assertEquals(USER[0], p[w.userStart()], w.label());
            int calls = 0;
            for (int pc = 0; pc < w.userStart(); pc++) {
                if (Insn.opcode(p[pc]) == 0x85) {
                    calls++;
                    assertEquals(1, Insn.src(p[pc]), "BPF_PSEUDO_CALL");
                    assertEquals(w.userStart(), pc + 1 + Insn.imm(p[pc]), "call target");
                }
            }
            assertEquals(1, calls, w.label());
        }
    }

    @Test
    void directIsTheUserProgramItself() {
        assertEquals(0, Wrapping.DIRECT.userStart());
        org.junit.jupiter.api.Assertions.assertArrayEquals(USER, Wrapping.DIRECT.wrap(USER, 5, 42, 43));
    }

    @Test
    void mapValueWrapperPointsR1AtTheMemoryAndStoresR0InASecondMap() {
        long[] p = Wrapping.MAP_VALUE.wrap(USER, 5, 42, 43);
        assertEquals(0x18, Insn.opcode(p[0]));
        assertEquals(2, Insn.src(p[0]), "BPF_PSEUDO_MAP_VALUE");
        assertEquals(42, Insn.imm(p[0]), "r1 = memory map's value");
        assertEquals(0, Insn.imm(p[1]), "at offset 0");
        assertEquals(2, Insn.src(p[7]));
        assertEquals(43, Insn.imm(p[7]), "r0 goes to the result map, out of the user's reach");
    }

    @Test
    void xdpPacketIsAtLeastAnEthernetHeader() {
        assertEquals(14, Wrapping.packetSize(0));
        assertEquals(14, Wrapping.packetSize(6));
        assertEquals(108, Wrapping.packetSize(100));
    }
}
