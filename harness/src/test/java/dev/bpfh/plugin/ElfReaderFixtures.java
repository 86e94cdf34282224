package dev.bpfh.plugin;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds, byte by byte, the kind of ELF file bpf_conformance's {@code --elf true} sends (isa.md
 * §6.4): ELF64 LE, ET_REL, EM_BPF, sections null, code, .symtab, .strtab, .shstrtab, and a global
 * FUNC symbol {@code main} over the code. Field offsets follow the System V gABI (Elf64_Ehdr,
 * Elf64_Shdr, Elf64_Sym).
 */
final class ElfReaderFixtures {
    private ElfReaderFixtures() {}

    /** Offsets of header fields that tests corrupt. */
    static final int E_MACHINE = 18;
    static final int E_SHOFF = 40;
    static final int E_SHNUM = 60;
    static final int E_SHSTRNDX = 62;

    static final int SHDR = 64;
    static final int CODE_SECTION = 1;
    static final int SYMTAB_SECTION = 2;

    /**
     * @param codeSection name of the code section (".text" or "xdp")
     * @param withMain whether to add the symbol main
     * @param mainValue st_value of main (offset in the code section)
     * @param mainSize st_size of main
     */
    static byte[] elf(byte[] code, String codeSection, boolean withMain, long mainValue, long mainSize) {
        byte[] strtab = "\0main\0".getBytes(StandardCharsets.US_ASCII);
        String shstr = "\0" + codeSection + "\0.symtab\0.strtab\0.shstrtab\0";
        byte[] shstrtab = shstr.getBytes(StandardCharsets.US_ASCII);
        int nameCode = 1;
        int nameSymtab = nameCode + codeSection.length() + 1;
        int nameStrtab = nameSymtab + ".symtab".length() + 1;
        int nameShstrtab = nameStrtab + ".strtab".length() + 1;

        ByteBuffer symtab = le(withMain ? 48 : 24);
        symtab.position(24); // entry 0 is the null symbol
        if (withMain) {
            symtab.putInt(1); // st_name: "main"
            symtab.put((byte) 0x12); // st_info: STB_GLOBAL << 4 | STT_FUNC
            symtab.put((byte) 0); // st_other
            symtab.putShort((short) CODE_SECTION); // st_shndx
            symtab.putLong(mainValue);
            symtab.putLong(mainSize);
        }

        int codeOff = 64;
        int symOff = align8(codeOff + code.length);
        int strOff = symOff + symtab.capacity();
        int shstrOff = strOff + strtab.length;
        int shOff = align8(shstrOff + shstrtab.length);
        int shnum = 5;

        ByteBuffer file = le(shOff + shnum * SHDR);
        file.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}); // ELFCLASS64, ELFDATA2LSB, EV_CURRENT, SYSV
        file.position(16);
        file.putShort((short) 1); // e_type ET_REL
        file.putShort((short) ElfReader.EM_BPF);
        file.putInt(1); // e_version
        file.putLong(0); // e_entry
        file.putLong(0); // e_phoff
        file.putLong(shOff);
        file.putInt(0); // e_flags
        file.putShort((short) 64); // e_ehsize
        file.putShort((short) 0); // e_phentsize
        file.putShort((short) 0); // e_phnum
        file.putShort((short) SHDR);
        file.putShort((short) shnum);
        file.putShort((short) 4); // e_shstrndx

        file.put(codeOff, code);
        file.put(symOff, symtab.array());
        file.put(strOff, strtab);
        file.put(shstrOff, shstrtab);

        // index 0: the null section header stays all zero
        section(file, shOff + SHDR, nameCode, 1 /* PROGBITS */, 0x6 /* ALLOC|EXECINSTR */, codeOff, code.length, 0, 0, 8);
        section(file, shOff + 2 * SHDR, nameSymtab, 2 /* SYMTAB */, 0, symOff, symtab.capacity(), 3, 1, 24);
        section(file, shOff + 3 * SHDR, nameStrtab, 3 /* STRTAB */, 0, strOff, strtab.length, 0, 0, 0);
        section(file, shOff + 4 * SHDR, nameShstrtab, 3 /* STRTAB */, 0, shstrOff, shstrtab.length, 0, 0, 0);
        return file.array();
    }

    static byte[] elf(byte[] code) {
        return elf(code, ".text", true, 0, code.length);
    }

    private static void section(ByteBuffer f, int at, int name, int type, long flags, long offset, long size,
            int link, int info, long entsize) {
        f.putInt(at, name);
        f.putInt(at + 4, type);
        f.putLong(at + 8, flags);
        f.putLong(at + 16, 0); // sh_addr
        f.putLong(at + 24, offset);
        f.putLong(at + 32, size);
        f.putInt(at + 40, link);
        f.putInt(at + 44, info);
        f.putLong(at + 48, 8); // sh_addralign
        f.putLong(at + 56, entsize);
    }

    /** Offset of section header {@code index} in a file built by {@link #elf}. */
    static int sectionHeader(byte[] elf, int index) {
        return (int) ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).getLong(E_SHOFF) + index * SHDR;
    }

    static void putShort(byte[] b, int at, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) v);
    }

    static void putInt(byte[] b, int at, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
    }

    static void putLong(byte[] b, int at, long v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }
}
