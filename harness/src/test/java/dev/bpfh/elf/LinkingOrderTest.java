package dev.bpfh.elf;

import static dev.bpfh.elf.ExampleObjectsTest.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.ProgramType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * libbpf's linking (programs.md §5.2) on {@code examples/subprograms.o}, whose layout mirrors the
 * spec's measured example: two programs in {@code xdp} (tail_a @0, xdp_main @0x10), one in
 * {@code tc}, and .text = gsub @0 (3 insns), cb @0x18 (5), add1 @0x40 (3), twice @0x58 (4, two
 * unrelocated calls to add1). All positions and encodings below are from {@code llvm-objdump -dr}
 * of the committed object; the expected final layout is worked out by hand from the rule "append
 * each referenced .text function once, in order of first reference, depth first". libbpf itself
 * agrees: {@code bpftool -d prog loadall subprograms.o} logged "prog 'xdp_main': insn #5
 * relocated, imm 26 points to subprog 'cb' (now at 32 offset)", gsub at 37 (imm 26), add1 at 40
 * (imm 27); for tc_main twice at 13 (imm 10), add1 at 17 (twice's insns #0 and #2: imm 3 and 1),
 * gsub at 20 (imm 15).
 */
class LinkingOrderTest {

    // .text raw slots (llvm-objdump): gsub 0-2, cb 3-7, add1 8-10
    static final List<String> GSUB = List.of("bc 10 00 00 00 00 00 00", "24 00 00 00 03 00 00 00",
            "95 00 00 00 00 00 00 00");
    static final List<String> CB = List.of("79 23 00 00 00 00 00 00", "0f 13 00 00 00 00 00 00",
            "7b 32 00 00 00 00 00 00", "b4 00 00 00 00 00 00 00", "95 00 00 00 00 00 00 00");
    static final List<String> ADD1 = List.of("bc 10 00 00 00 00 00 00", "04 00 00 00 01 00 00 00",
            "95 00 00 00 00 00 00 00");

    @Test
    void severalProgramsPerSectionInOffsetOrderWithTheirSectionTypes() throws Exception {
        ObjectFile o = Examples.load("subprograms.o");
        assertEquals(List.of("tail_a", "xdp_main", "tc_main"), o.programNames());
        Program tailA = only(o, "tail_a", ProgramType.XDP, 2);
        assertRaw(tailA, 0, "b4 00 00 00 02 00 00 00"); // w0 = 2: nothing appended, nothing patched
        assertRaw(tailA, 1, "95 00 00 00 00 00 00 00");
    }

    @Test
    void xdpMainGainsCbThenGsubThenAdd1() throws Exception {
        ObjectFile o = Examples.load("subprograms.o");
        // xdp_main: section insns 2..33 (32). References in order: 7 lddw .text+24 (cb), 12 call gsub,
        // 14 call .text+7+1 = insn 8 (add1). So cb @32, gsub @37, add1 @40; 43 slots. pc = section insn - 2.
        Program p = only(o, "xdp_main", ProgramType.XDP, 32 + 5 + 3 + 3);
        assertFunctionRef(p, 5, 2, 32);
        assertRaw(p, 8, "85 00 00 00 b5 00 00 00"); // call 181 (bpf_loop) untouched
        assertCall(p, 10, 37);
        assertCall(p, 12, 40);
        assertMapRef(p, 24, 1, o.mapIndex("results"));
        assertSlots(p, 32, CB);
        assertSlots(p, 37, GSUB);
        assertSlots(p, 40, ADD1);
    }

    @Test
    void tcMainLinksDepthFirstThroughAnUnrelocatedCallInText() throws Exception {
        ObjectFile o = Examples.load("subprograms.o");
        // tc_main: 13 insns. 2 "call 10  .text" -> insn 11 (twice), 4 "call -1  gsub". twice (11-14) calls
        // add1 at 11 "call -4" and 13 "call -6" (no relocation: pc-relative inside .text, both -> insn 8).
        // Depth first: twice @13, its add1 @17, then gsub @20 (breadth first would put gsub before add1).
        Program p = only(o, "tc_main", ProgramType.SCHED_CLS, 13 + 4 + 3 + 3);
        assertCall(p, 2, 13);
        assertCall(p, 4, 20);
        assertCall(p, 13, 17); // twice's first call
        assertRaw(p, 14, "bc 01 00 00 00 00 00 00");
        assertCall(p, 15, 17); // twice's second call
        assertRaw(p, 16, "95 00 00 00 00 00 00 00");
        assertSlots(p, 17, ADD1);
        assertSlots(p, 20, GSUB);
    }

    private static void assertSlots(Program p, int at, List<String> raw) {
        for (int i = 0; i < raw.size(); i++) {
            assertRaw(p, at + i, raw.get(i));
        }
    }
}
