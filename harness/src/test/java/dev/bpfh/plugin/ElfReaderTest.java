package dev.bpfh.plugin;

import static dev.bpfh.plugin.ElfReaderFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link ElfReader}: finding the program in the ELF object of bpf_conformance's --elf mode (isa.md §6.4). */
class ElfReaderTest {

    // mov %r0, 7 ; mov %r0, 8 ; exit  (b7 = ALU64|K|MOV, 95 = EXIT), one 8-byte slot each
    static final byte[] MOV7 = {(byte) 0xb7, 0, 0, 0, 7, 0, 0, 0};
    static final byte[] MOV8 = {(byte) 0xb7, 0, 0, 0, 8, 0, 0, 0};
    static final byte[] EXIT = {(byte) 0x95, 0, 0, 0, 0, 0, 0, 0};
    static final byte[] CODE = concat(MOV7, EXIT);

    @Test
    void readsTheTextSectionOfAConformanceRunnerElf() throws Exception {
        assertArrayEquals(CODE, ElfReader.code(elf(CODE)));
    }

    @Test
    void readsAnXdpSectionWhenThereIsNoMainSymbol() throws Exception {
        assertArrayEquals(CODE, ElfReader.code(elf(CODE, "xdp", false, 0, 0)));
    }

    @Test
    void symbolMainSelectsItsBytesWithinTheSection() throws Exception {
        byte[] code = concat(MOV7, MOV8, EXIT);
        assertArrayEquals(concat(MOV8, EXIT), ElfReader.code(elf(code, ".text", true, 8, 16)));
    }

    @Test
    void mainOfSizeZeroRunsToTheEndOfItsSection() throws Exception {
        byte[] code = concat(MOV7, MOV8, EXIT);
        assertArrayEquals(concat(MOV8, EXIT), ElfReader.code(elf(code, ".text", true, 8, 0)));
    }

    @Test
    void mainOutsideItsSectionIsMalformed() {
        var e = assertThrows(ElfReader.Malformed.class, () -> ElfReader.code(elf(CODE, ".text", true, 8, 16)));
        assertTrue(e.getMessage().contains("symbol main"), e.getMessage());
    }

    @Test
    void anObjectWithoutTextXdpOrMainHasNoCode() {
        var e = assertThrows(ElfReader.Malformed.class, () -> ElfReader.code(elf(CODE, "maps", false, 0, 0)));
        assertTrue(e.getMessage().startsWith("no code"), e.getMessage());
    }

    @Test
    void bytesThatAreNotElfAreRejected() {
        var e = assertThrows(ElfReader.Malformed.class, () -> ElfReader.code(CODE));
        assertTrue(e.getMessage().startsWith("not an ELF file"), e.getMessage());
    }

    @Test
    void anotherMachineIsRejectedNamingIt() {
        byte[] elf = elf(CODE);
        putShort(elf, E_MACHINE, 62); // EM_X86_64
        var e = assertThrows(ElfReader.Malformed.class, () -> ElfReader.code(elf));
        assertEquals("not a BPF object: e_machine 62, expected 247", e.getMessage());
    }

    @Test
    void elf32AndBigEndianAreRejected() {
        byte[] elf32 = elf(CODE);
        elf32[4] = 1;
        assertTrue(assertThrows(ElfReader.Malformed.class, () -> ElfReader.code(elf32))
                .getMessage().startsWith("not ELF64"));
        byte[] big = elf(CODE);
        big[5] = 2;
        assertTrue(assertThrows(ElfReader.Malformed.class, () -> ElfReader.code(big))
                .getMessage().startsWith("not little-endian"));
    }

    @Test
    void aSectionTableBeyondTheFileIsRejected() {
        byte[] elf = elf(CODE);
        putLong(elf, E_SHOFF, 0xffff_ffff_ffff_ff00L);
        var e = assertThrows(ElfReader.Malformed.class, () -> ElfReader.code(elf));
        assertTrue(e.getMessage().startsWith("section header table"), e.getMessage());
    }

    @Test
    void aCodeSectionBeyondTheFileIsRejected() {
        byte[] elf = elf(CODE);
        putLong(elf, sectionHeader(elf, CODE_SECTION) + 32, 1L << 40); // sh_size
        var e = assertThrows(ElfReader.Malformed.class, () -> ElfReader.code(elf));
        assertTrue(e.getMessage().startsWith("section 1 "), e.getMessage());
    }

    @Test
    void codeThatIsNotWholeSlotsIsRejected() {
        byte[] elf = elf(Arrays.copyOf(CODE, 12), ".text", false, 0, 0);
        var e = assertThrows(ElfReader.Malformed.class, () -> ElfReader.code(elf));
        assertEquals("code in .text is 12 bytes, not a multiple of 8", e.getMessage());
    }

    @Test
    void codeWithRelocationsIsRefused() {
        byte[] elf = elf(CODE);
        int strtabHeader = sectionHeader(elf, 3);
        putInt(elf, strtabHeader + 4, 9); // sh_type SHT_REL
        putInt(elf, strtabHeader + 44, CODE_SECTION); // sh_info: applies to the code section
        var e = assertThrows(ElfReader.Malformed.class, () -> ElfReader.code(elf));
        assertTrue(e.getMessage().contains("has relocations"), e.getMessage());
    }

    @Test
    void everyTruncationIsAOneLineMalformedError() {
        byte[] elf = elf(CODE);
        for (int n = 0; n < elf.length; n++) {
            byte[] cut = Arrays.copyOf(elf, n);
            var e = assertThrows(ElfReader.Malformed.class, () -> ElfReader.code(cut), "length " + n);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void corruptingAnySingleByteGivesCodeOrAOneLineError() {
        byte[] good = elf(CODE);
        for (int i = 0; i < good.length; i++) {
            for (byte value : new byte[] {(byte) 0xff, (byte) 0x80, 0x01}) {
                byte[] bad = good.clone();
                bad[i] = value;
                try {
                    byte[] code = ElfReader.code(bad);
                    assertEquals(0, code.length % 8, "byte " + i);
                    assertTrue(code.length > 0, "byte " + i);
                } catch (ElfReader.Malformed e) {
                    assertFalse(e.getMessage().isBlank() || e.getMessage().contains("\n"), "byte " + i);
                }
            }
        }
    }
}
