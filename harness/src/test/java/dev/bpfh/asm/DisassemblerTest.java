package dev.bpfh.asm;

import static dev.bpfh.isa.Insn.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Program;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Canonical output (isa.md §4.6) and the round trip assemble(disassemble(p)) == p. */
class DisassemblerTest {

    static String one(int op, int dst, int src, int off, int imm) {
        return Disassembler.instruction(encode(op, dst, src, off, imm), 0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            0x07 | 1 | 0 | 0 | 10          | add %r1, 10
            0x07 | 1 | 0 | 0 | -10         | add %r1, -10
            0x07 | 1 | 0 | 0 | 11          | add %r1, 0xb
            0x07 | 1 | 0 | 0 | -11         | add %r1, -11
            0x07 | 1 | 0 | 0 | -2147483648 | add %r1, 0x80000000
            0x07 | 1 | 0 | 0 | 2147483647  | add %r1, 0x7fffffff
            0x04 | 1 | 0 | 0 | 255         | add32 %r1, 0xff
            0x0c | 1 | 2 | 0 | 0           | add32 %r1, %r2
            0x3c | 1 | 2 | 1 | 0           | sdiv32 %r1, %r2
            0x97 | 1 | 0 | 1 | 3           | smod %r1, 3
            0x84 | 7 | 0 | 0 | 0           | neg32 %r7
            0x87 | 7 | 0 | 0 | 0           | neg %r7
            0xbc | 1 | 2 | 8 | 0           | movsx832 %r1, %r2
            0xbf | 1 | 2 | 32 | 0          | movsx3264 %r1, %r2
            0xd4 | 3 | 0 | 0 | 16          | le16 %r3
            0xdc | 3 | 0 | 0 | 64          | be64 %r3
            0xd7 | 3 | 0 | 0 | 32          | swap32 %r3
            0x61 | 0 | 1 | 0 | 0           | ldxw %r0, [%r1]
            0x79 | 0 | 1 | 2 | 0           | ldxdw %r0, [%r1+2]
            0x91 | 0 | 10 | -512 | 0       | ldxsb %r0, [%r10-512]
            0x7a | 10 | 0 | -8 | 300       | stdw [%r10-8], 0x12c
            0x73 | 1 | 2 | -32768 | 0      | stxb [%r1-32768], %r2
            0xdb | 10 | 1 | -8 | 0x01      | lock fetch add [%r10-8], %r1
            0xc3 | 10 | 1 | -4 | 0x50      | lock and32 [%r10-4], %r1
            0xdb | 10 | 1 | -8 | 0xe1      | lock xchg [%r10-8], %r1
            0xc3 | 10 | 1 | -8 | 0xf1      | lock cmpxchg32 [%r10-8], %r1
            0x15 | 1 | 0 | 3 | 5           | jeq %r1, 5, +3
            0x5e | 1 | 2 | -4 | 0          | jne32 %r1, %r2, -4
            0x05 | 0 | 0 | 0 | 0           | ja +0
            0x06 | 0 | 0 | 0 | -7          | ja32 -7
            0x85 | 0 | 0 | 0 | 5           | call helper 5
            0x85 | 0 | 1 | 0 | 12          | call local +12
            0x85 | 0 | 2 | 0 | 99          | call runtime 99
            0x8d | 2 | 0 | 0 | 0           | call helper %r2
            0x95 | 0 | 0 | 0 | 0           | exit
            """)
    void canonicalForms(int op, int dst, int src, int off, int imm, String expected) {
        assertEquals(expected, one(op, dst, src, off, imm));
    }

    @Test
    void lddwUsesBothSlots() {
        assertEquals("lddw %r0, 0x1122334455667788",
                Disassembler.instruction(0x5566778800000018L, 0x1122334400000000L));
        String text = Disassembler.disassemble(Program.of("p", 0x5566778800000018L, 0x1122334400000000L, 0x95L));
        assertEquals("lddw %r0, 0x1122334455667788\nexit\n", text);
    }

    @Test
    void inexpressibleSlotsAreMarkedRaw() {
        assertEquals(".slot 0x0000000100010004", one(0x04, 0, 0, 1, 1)); // add32 with off 1 (unused-add_imm-offset)
        assertEquals(".slot 0x00000000000000ff", one(0xff, 0, 0, 0, 0)); // unknown opcode
        assertEquals(".slot 0x0000000000001095", one(0x95, 0, 1, 0, 0)); // exit with src 1
        assertEquals(".slot 0x0000000800000084", one(0x84, 0, 0, 0, 8)); // neg32 with imm
        assertEquals(".slot 0x00000008000000d4", one(0xd4, 0, 0, 0, 8)); // le8 does not exist
        assertEquals(".slot 0x00000002000000db", one(0xdb, 0, 0, 0, 2)); // bad atomic op
        assertEquals(".slot 0x0000000000003085", one(0x85, 0, 3, 0, 0)); // call unknown 0
        assertEquals(".slot 0x0001000000000006", one(0x06, 0, 0, 0, 65536)); // ja32 beyond 16 bits
        assertEquals(".slot 0x0000000000000000", one(0x00, 0, 0, 0, 0)); // lone lddw tail
        assertEquals(".slot 0x0000000100003018", Disassembler.instruction(encode(0x18, 0, 3, 0, 1), 0)); // BTF id
        assertEquals(".slot 0x0000000100001018", Disassembler.instruction(encode(0x18, 0, 1, 0, 1), 5)); // fd + next imm
        assertEquals(".slot 0x0000000000000018", Disassembler.instruction(0x18L, 0x100L)); // tail with dst
    }

    @Test
    void pseudoSourcesPrintAsMapAndFunctionReferences() {
        assertEquals("lddw %r1, map:@2", Disassembler.instruction(encode(0x18, 1, 1, 0, 2), 0));
        assertEquals("lddw %r6, map_value:@0+8", Disassembler.instruction(encode(0x18, 6, 2, 0, 0), encode(0, 0, 0, 0, 8)));
        assertEquals("lddw %r2, func:+3", Disassembler.instruction(encode(0x18, 2, 4, 0, 3), 0));
        assertEquals("lddw %r2, func:-7", Disassembler.instruction(encode(0x18, 2, 4, 0, -7), 0));
    }

    @Test
    void brokenLddwPairLeavesItsSecondSlotToItself() {
        Program p = Program.of("p", 0x18L, encode(0x07, 1, 0, 0, 1), 0x95L);
        assertEquals(".slot 0x0000000000000018\nadd %r1, 1\nexit\n", Disassembler.disassemble(p));
        Program lone = Program.of("p", 0x95L, 0x18L);
        assertEquals("exit\n.slot 0x0000000000000018\n", Disassembler.disassemble(lone));
    }

    /** Everything the assembler encodes prints as a mnemonic (never .slot) and comes back identical. */
    @Test
    void everyAssembledStatementDisassemblesToAMnemonic() {
        AssemblerEncodingTest.single().forEach(args -> {
            long slot = (long) args.get()[1];
            String text = Disassembler.instruction(slot, 0);
            assertTrue(!text.startsWith(".slot"), args.get()[0] + " printed as " + text);
            try {
                assertArrayEquals(new long[] {slot}, Assembler.assemble("p", text).slots(), text);
            } catch (AssemblyException e) {
                throw new AssertionError(text, e);
            }
        });
    }

    /** Every opcode byte with representative field values, assembled back to the same slots. */
    @Test
    void roundTripOverAllOpcodesAndRepresentativeFields() throws AssemblyException {
        int[] regs = {0, 10, 15};
        int[] offs = {0, 1, 8, 32, -1, -32768};
        int[] imms = {0, 1, -1, 11, -11, 16, 64, 0x41, 0xe1, 0xf1, Integer.MIN_VALUE, 65536};
        List<Long> slots = new ArrayList<>();
        for (int op = 0; op < 256; op++) {
            for (int dst : regs) {
                for (int src : new int[] {0, 1, 11}) {
                    for (int off : offs) {
                        for (int imm : imms) {
                            slots.add(encode(op, dst, src, off, imm));
                        }
                    }
                }
            }
        }
        int raw = roundTrip(slots);
        // Sanity: most of these are not encodable, but the encodable ones must not all be raw.
        assertTrue(raw < slots.size(), "some slots disassemble to mnemonics");
    }

    @Test
    void roundTripOverRandomSlots() throws AssemblyException {
        SplittableRandom r = new SplittableRandom(42);
        List<Long> slots = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            long w = r.nextLong();
            if (i % 3 == 0) { // keep the opcode's fields plausible so mnemonics are exercised too
                w &= 0xffff_ffff_0000_ffffL | ((long) (short) r.nextInt(-40, 40) << 16 & 0xffff0000L);
                w &= ~0xff00L | ((long) r.nextInt(0, 11) << 8) | ((long) r.nextInt(0, 11) << 12);
            }
            slots.add(w);
        }
        roundTrip(slots);
    }

    @Test
    void roundTripOfLddwPairs() throws AssemblyException {
        long[] s = {encode(0x18, 3, 0, 0, 0xdeadbeef), encode(0, 0, 0, 0, 0x12345678),
            encode(0x18, 0, 0, 0, 0), 0L, 0x95L};
        Program p = Program.of("p", s);
        String text = Disassembler.disassemble(p);
        assertEquals("lddw %r3, 0x12345678deadbeef\nlddw %r0, 0x0\nexit\n", text);
        assertArrayEquals(s, Assembler.assemble("p", text).slots());
    }

    /** Disassembles the slots as one program and checks they assemble back; returns how many were raw. */
    private static int roundTrip(List<Long> list) throws AssemblyException {
        long[] s = list.stream().mapToLong(Long::longValue).toArray();
        Program p = Program.of("p", s);
        String text = Disassembler.disassemble(p);
        assertArrayEquals(s, Assembler.assemble("p", text).slots());
        return (int) text.lines().filter(l -> l.startsWith(".slot")).count();
    }
}
