package dev.bpfh.isa;

import static dev.bpfh.isa.CpuVersion.*;
import static dev.bpfh.isa.Insn.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.asm.AssemblyException;
import dev.bpfh.asm.Assembler;
import dev.bpfh.isa.Classifier.Classification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Classification as bpf_conformance's runner does it (isa.md §3.4 with the §3.5 table). */
class ClassifierTest {

    static final int B32 = 0x01, B64 = 0x02, A32 = 0x04, A64 = 0x08, D32 = 0x10, D64 = 0x20, PKT = 0x40, CX = 0x80;

    static Classification of(String asm) throws AssemblyException {
        return Classifier.classify(Assembler.assemble("t", asm + "\nexit"));
    }

    static Classification raw(long... slots) {
        return Classifier.classify(Program.of("t", slots));
    }

    /** Each line plus exit (base32 v1), so the groups always include base32. */
    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            mov32 %r0, 1                    | V1 | 0x01
            mov %r0, 1                      | V1 | 0x02
            add %r0, %r1                    | V1 | 0x02
            sub %r0, 1                      | V1 | 0x02
            sub %r0, %r1                    | V1 | 0x00
            neg %r0                         | V1 | 0x00
            jsgt %r0, %r1, +0               | V1 | 0x00
            jsgt %r0, 1, +0                 | V1 | 0x02
            mul32 %r0, 3                    | V1 | 0x10
            div %r0, 3                      | V1 | 0x20
            mod32 %r0, %r1                  | V1 | 0x10
            sdiv32 %r0, 3                   | V4 | 0x10
            sdiv %r0, %r1                   | V4 | 0x20
            smod %r0, 3                     | V4 | 0x20
            movsx832 %r0, %r1               | V4 | 0x01
            movsx3264 %r0, %r1              | V4 | 0x02
            le16 %r0                        | V1 | 0x01
            be64 %r0                        | V1 | 0x02
            bswap64 %r0                     | V4 | 0x00
            swap16 %r0                      | V4 | 0x00
            lddw %r0, 1                     | V1 | 0x02
            ldxw %r0, [%r1]                 | V1 | 0x01
            ldxdw %r0, [%r1]                | V1 | 0x02
            ldxsh %r0, [%r1]                | V4 | 0x01
            stdw [%r10-8], 1                | V1 | 0x02
            stxb [%r10-8], %r1              | V1 | 0x01
            lock add32 [%r10-8], %r1        | V3 | 0x04
            lock fetch xor [%r10-8], %r1    | V3 | 0x08
            lock cmpxchg [%r10-8], %r1      | V3 | 0x08
            ja +0                           | V1 | 0x00
            ja32 +0                         | V4 | 0x00
            jeq %r0, 1, +0                  | V1 | 0x02
            jlt %r0, 1, +0                  | V2 | 0x02
            jsle %r0, %r1, +0               | V2 | 0x02
            jeq32 %r0, 1, +0                | V3 | 0x00
            jslt32 %r0, %r1, +0             | V3 | 0x00
            call 5                          | V1 | 0x00
            call local +0                   | V3 | 0x00
            call runtime 1                  | V3 | 0x00
            call %r2                        | V1 | 0x80
            """)
    void singleInstructions(String line, CpuVersion version, String extraGroups) throws AssemblyException {
        int groups = Integer.decode(extraGroups) | B32;
        assertEquals(new Classification(version, groups), of(line), line);
    }

    @Test
    void bswapIgnoresImmSoEvenBswap64IsBase32() {
        // 0xd7 imm 64 is listed base64, but the first 0xd7 row (imm 16, base32) always matches.
        assertEquals(new Classification(V4, B32), raw(encode(0xd7, 0, 0, 0, 64)));
        assertEquals(new Classification(V4, B32), raw(encode(0xd7, 0, 0, 0, 99)));
    }

    @Test
    void leAndBeCompareImmSoABogusWidthContributesNothing() {
        assertEquals(new Classification(V1, 0), raw(encode(0xd4, 0, 0, 0, 8)));
        assertEquals(new Classification(V1, B64), raw(encode(0xdc, 0, 0, 0, 64)));
    }

    @Test
    void unmatchedInstructionsContributeNothing() {
        assertEquals(new Classification(V1, 0), raw(encode(0xdb, 10, 1, -8, 0x02))); // bogus atomic op
        assertEquals(new Classification(V1, 0), raw(encode(0xbc, 0, 1, 32, 0))); // movsx32 in ALU
        assertEquals(new Classification(V1, 0), raw(encode(0x37, 0, 0, 2, 1))); // div off 2
        assertEquals(new Classification(V1, 0), raw(encode(0xff, 0, 0, 0, 0))); // unknown opcode
        assertEquals(new Classification(V1, 0), raw(encode(0x85, 0, 3, 0, 0))); // call src 3
        assertEquals(new Classification(V1, 0), raw()); // empty program
    }

    @Test
    void fieldsThatAreNotKeysAreIgnored() {
        // off is not compared for 0xb4, so the invalid K-form movsx matches mov32.
        assertEquals(new Classification(V1, B32), raw(encode(0xb4, 0, 0, 8, 1)));
        // src is not compared for 0x07.
        assertEquals(new Classification(V1, B64), raw(encode(0x07, 0, 5, 0, 1)));
    }

    @Test
    void lddwSecondSlotIsNeverLookedUp() {
        // A tail that looks like an atomic64 and a src-1 lddw: only base64 from the lddw row.
        assertEquals(new Classification(V1, B64), raw(encode(0x18, 1, 1, 0, 3), encode(0xdb, 0, 0, 0, 0)));
        // lddw with an undefined pseudo-source matches no row.
        assertEquals(new Classification(V1, 0), raw(encode(0x18, 1, 7, 0, 3), 0L));
    }

    @Test
    void packetLoadsArePacketV1() {
        assertEquals(new Classification(V1, PKT), raw(encode(0x20, 0, 0, 0, 0)));
        assertEquals(new Classification(V1, PKT), raw(encode(0x50, 0, 1, 0, 0)));
    }

    @Test
    void wholeProgramsTakeTheMaximumVersionAndTheUnionOfGroups() throws AssemblyException {
        // An atomic32 test in the style of lock_add32.data: its lddw needs base64 (isa.md §7.1).
        Classification c = of("lddw %r1, 0x1\nstxdw [%r10-8], %r1\nlock add32 [%r10-8], %r1\nldxdw %r0, [%r10-8]");
        assertEquals(new Classification(V3, B32 | B64 | A32), c);
        assertTrue(c.allowedBy(V3, Group.DEFAULT_MASK));
        assertFalse(c.allowedBy(V2, Group.DEFAULT_MASK));
        assertFalse(c.allowedBy(V4, B32 | A32 | D32));
    }

    @Test
    void sdivNeedsV4AndIsSkippedAtTheDefaultV3() throws AssemblyException {
        Classification c = of("mov %r0, 12\nsdiv %r0, -4");
        assertEquals(new Classification(V4, B32 | B64 | D64), c);
        assertFalse(c.allowedBy(CpuVersion.DEFAULT, Group.DEFAULT_MASK));
        assertTrue(c.allowedBy(V4, Group.DEFAULT_MASK));
        assertFalse(c.allowedBy(V4, B32 | B64 | D32)); // divmul32 alone does not cover divmul64
    }

    @Test
    void callxNeedsTheNonDefaultCallxGroup() throws AssemblyException {
        Classification c = of("mov %r2, 5\ncall %r2");
        assertEquals(new Classification(V1, B32 | B64 | CX), c);
        assertFalse(c.allowedBy(V4, Group.DEFAULT_MASK));
        assertTrue(c.allowedBy(V1, Group.DEFAULT_MASK | Group.CALLX.bit()));
    }

    @Test
    void a32BitOnlyProgramRunsOnA32BitOnlyRuntime() throws AssemblyException {
        Classification c = of("mov32 %r0, 5\nmul32 %r0, 3\nsub %r0, %r0\nneg %r0");
        assertEquals(new Classification(V1, B32 | D32), c);
        assertTrue(c.allowedBy(V1, Group.parseMask("base32,divmul32")));
    }

    // ---- Group and CpuVersion ----------------------------------------------------------------

    @Test
    void groupBitsAreBpfConformances() {
        int[] bits = {B32, B64, A32, A64, D32, D64, PKT, CX};
        for (int i = 0; i < bits.length; i++) {
            assertEquals(bits[i], Group.values()[i].bit());
        }
        assertEquals(B32 | B64 | A32 | A64 | D32 | D64, Group.DEFAULT_MASK);
    }

    @Test
    void parseMaskExpandsIncludedGroups() {
        assertEquals(B32 | B64, Group.parseMask("base64"));
        assertEquals(A32 | A64, Group.parseMask("atomic64"));
        assertEquals(D32 | D64, Group.parseMask("divmul64"));
        assertEquals(B32, Group.parseMask("base32"));
        assertEquals(CX | PKT, Group.parseMask("callx, packet"));
        assertEquals(0xff, Group.parseMask("all"));
        assertEquals(0, Group.parseMask("none"));
        assertEquals(0, Group.parseMask(""));
        assertEquals("Invalid group: base128",
                assertThrows(IllegalArgumentException.class, () -> Group.parseMask("base32,base128")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Group.parseMask("base32,,base64"));
    }

    @Test
    void namesListsTheBitsInOrder() {
        assertEquals("base32,base64", Group.names(B64 | B32));
        assertEquals("divmul64,callx", Group.names(CX | D64));
        assertEquals("none", Group.names(0));
        assertEquals(Group.DEFAULT_MASK, Group.parseMask(Group.names(Group.DEFAULT_MASK)));
    }

    @Test
    void cpuVersionsParseAndOrder() {
        assertEquals(V1, CpuVersion.parse("v1"));
        assertEquals(V4, CpuVersion.parse("V4"));
        assertEquals(V3, CpuVersion.DEFAULT);
        assertTrue(V4.atLeast(V3) && !V2.atLeast(V3));
        assertEquals("v2", V2.label());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuVersion.parse("v5"));
        assertEquals("Invalid CPU version: v5 (expected v1, v2, v3 or v4)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuVersion.parse(null));
    }
}
