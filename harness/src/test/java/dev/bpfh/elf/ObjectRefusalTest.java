package dev.bpfh.elf;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What the loader refuses, each made by changing a few bytes of a committed example (offsets
 * found by {@link ElfFile} here, values chosen from the ELF and BPF specifications), and checked
 * for the one-line reason naming where the problem is.
 */
class ObjectRefusalTest {

    @Test
    void anUnknownProgramSectionIsRefusedNamingIt() throws Exception {
        byte[] b = Examples.bytes("tail_calls.o");
        rename(b, "xdp", "xdq"); // the shared string also renames .relxdp, which stays attached by index
        var e = assertThrows(ElfException.class, () -> ObjectLoader.load("t", b));
        assertTrue(e.getMessage().startsWith("section xdq: program 'stage_eth' has a type bpfh does not run"),
                e.getMessage());
    }

    @Test
    void aStaticFunctionInAProgramSectionIsRefusedAsLibbpfDoes() throws Exception {
        byte[] b = Examples.bytes("tail_trunc.o");
        ElfFile elf = ElfFile.parse(b);
        ElfFile.Symbol prog = elf.symbols().stream().filter(s -> s.name().equals("truncate_tail")).findFirst()
                .orElseThrow();
        ElfFile.Section symtab = elf.section(".symtab").orElseThrow();
        b[(int) symtab.offset() + prog.index() * 24 + 4] = 0x02; // st_info: STB_LOCAL, STT_FUNC
        var e = assertThrows(ElfException.class, () -> ObjectLoader.load("t", b));
        assertEquals("section xdp: program 'truncate_tail' is static, and libbpf loads only global functions"
                + " as programs", e.getMessage());
    }

    @Test
    void btfDefinedMapsWithoutBtfAreRefused() throws Exception {
        byte[] b = Examples.bytes("proto_counter.o");
        rename(b, ".BTF", ".BTX"); // also renames .BTF.ext and .rel.BTF*, which the loader then ignores
        var e = assertThrows(ElfException.class, () -> ObjectLoader.load("p", b));
        assertEquals("section .maps needs .BTF to describe the maps (compile with -g)", e.getMessage());
    }

    @Test
    void aProgArrayInitialiserOutsideValuesIsRefused() throws Exception {
        byte[] b = Examples.bytes("tail_calls.o");
        ElfFile elf = ElfFile.parse(b);
        ElfFile.Section rel = elf.section(".rel.maps").orElseThrow();
        // llvm-readelf -r: the first entry is at .maps+0x18 (jmp_table's values[0]); 0x30 is where hops starts.
        HostileObjectTest.putLong(b, (int) rel.offset(), 0x30);
        var e = assertThrows(ElfException.class, () -> ObjectLoader.load("t", b));
        assertEquals("section .rel.maps offset 0x30: a pointer in .maps outside any map's 'values' initialiser",
                e.getMessage());
    }

    @Test
    void anInitialiserNamingSomethingOtherThanAProgramIsRefused() throws Exception {
        byte[] b = Examples.bytes("tail_calls.o");
        ElfFile elf = ElfFile.parse(b);
        ElfFile.Section rel = elf.section(".rel.maps").orElseThrow();
        int hops = elf.symbols().stream().filter(s -> s.name().equals("hops")).findFirst().orElseThrow().index();
        HostileObjectTest.putLong(b, (int) rel.offset() + 8, (long) hops << 32 | 2); // r_info: sym hops, ABS64
        var e = assertThrows(ElfException.class, () -> ObjectLoader.load("t", b));
        assertEquals("section .rel.maps offset 0x18: slot 0 of map 'jmp_table' names 'hops', which is not a program"
                + " of this object", e.getMessage());
    }

    @Test
    void aMapReferenceThatIsNotAMapStartIsRefused() throws Exception {
        byte[] b = Examples.bytes("proto_counter.o");
        ElfFile elf = ElfFile.parse(b);
        ElfFile.Section xdp = elf.section("xdp").orElseThrow();
        // llvm-objdump -dr: 12 "r1 = 0 ll  R_BPF_64_64 proto_stats"; an addend of 8 points into the definition.
        b[(int) xdp.offset() + 12 * 8 + 4] = 8;
        var e = assertThrows(ElfException.class, () -> ObjectLoader.load("p", b));
        assertEquals("section xdp offset 0x60 (program count_protocols insn 12): 'proto_stats'+8 is not the start"
                + " of a map definition", e.getMessage());
    }

    @Test
    void aKfuncCallIsRefused() throws Exception {
        byte[] b = Examples.bytes("tail_trunc.o");
        ElfFile elf = ElfFile.parse(b);
        ElfFile.Section xdp = elf.section("xdp").orElseThrow();
        b[(int) xdp.offset() + 7 * 8 + 1] = 0x20; // 7: call 65 -> src 2
        var e = assertThrows(ElfException.class, () -> ObjectLoader.load("t", b));
        assertEquals("section xdp offset 0x38 (program truncate_tail insn 7): kfunc call (call with src 2) is not"
                + " supported", e.getMessage());
    }

    @Test
    void anObjectThatIsNotRelocatableOrNotBpfIsRefused() {
        byte[] exec = Examples.bytes("tail_trunc.o");
        exec[16] = 2; // ET_EXEC
        assertEquals("not a relocatable object: e_type 2, expected 1 (ET_REL)",
                assertThrows(ElfException.class, () -> ObjectLoader.load("t", exec)).getMessage());
        byte[] x86 = Examples.bytes("tail_trunc.o");
        x86[18] = 62;
        assertEquals("not a BPF object: e_machine 62, expected 247",
                assertThrows(ElfException.class, () -> ObjectLoader.load("t", x86)).getMessage());
    }

    @Test
    void aMissingFileIsAOneLineError() {
        var e = assertThrows(ElfException.class, () -> ObjectLoader.load(Examples.path("absent.o")));
        assertTrue(e.getMessage().startsWith(Examples.path("absent.o") + ": cannot read"), e.getMessage());
    }

    /** Replaces the NUL-terminated string {@code from} in the section-name table (clang shares it with symbols). */
    private static void rename(byte[] b, String from, String to) throws ElfException {
        ElfFile elf = ElfFile.parse(b);
        int shstrndx = ElfFile.u16(b, 62);
        ElfFile.Section names = elf.sections().get(shstrndx);
        byte[] f = (from + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] t = (to + "\0").getBytes(StandardCharsets.US_ASCII);
        int start = (int) names.offset();
        outer:
        for (int i = start; i + f.length <= start + names.size(); i++) {
            for (int k = 0; k < f.length; k++) {
                if (b[i + k] != f[k]) {
                    continue outer;
                }
            }
            System.arraycopy(t, 0, b, i, t.length);
            return;
        }
        fail("no string " + from + " in " + names.name());
    }
}
