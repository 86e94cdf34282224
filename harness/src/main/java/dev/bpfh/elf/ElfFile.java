package dev.bpfh.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An ELF64 little-endian file read defensively: its section headers and symbols (System V gABI
 * layouts), with every offset and size checked against the file before use. Counts are bounded by
 * the file length (a section table or symbol table that does not fit is refused), so no read
 * allocates more than the file holds.
 *
 * <p>Only what eBPF objects need: sections, {@code .symtab}, {@code Elf64_Rel} entries. Shared by
 * {@link ObjectLoader} and bpf_conformance's {@code --elf} reader ({@code dev.bpfh.plugin.ElfReader}).
 */
public final class ElfFile {

    public static final int EM_BPF = 247;
    public static final int ET_REL = 1;

    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_REL = 9;
    public static final long SHF_WRITE = 0x1;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;

    public static final int SHN_UNDEF = 0;
    public static final int SHN_LORESERVE = 0xff00;

    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;

    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;
    private static final int REL_SIZE = 16;

    /** A section header with its name resolved. {@code offset}/{@code size} are inside the file unless NOBITS. */
    public record Section(int index, String name, int type, long flags, long offset, long size, int link, int info) {
        public boolean executable() {
            return (flags & SHF_EXECINSTR) != 0;
        }

        public boolean nobits() {
            return type == SHT_NOBITS;
        }
    }

    /** A symbol; {@code shndx} is the raw st_shndx (0 undefined, ≥ 0xff00 special). */
    public record Symbol(int index, String name, int type, int bind, int shndx, long value, long size) {
        public boolean defined() {
            return shndx != SHN_UNDEF && shndx < SHN_LORESERVE;
        }
    }

    /** One {@code Elf64_Rel}: where (byte offset in the target section), which symbol, which type. */
    public record Relocation(long offset, int symbol, int type) {}

    private final byte[] bytes;
    private final int machine;
    private final int type;
    private final List<Section> sections;
    private List<Symbol> symbols;

    private ElfFile(byte[] bytes, int type, int machine, List<Section> sections) {
        this.bytes = bytes;
        this.type = type;
        this.machine = machine;
        this.sections = sections;
    }

    /** Whether {@code bytes} starts with the ELF magic number. */
    public static boolean looksLikeElf(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
    }

    /** Reads the header and section table of an ELF64 LE file for EM_BPF. */
    public static ElfFile parse(byte[] bytes) throws ElfException {
        if (!looksLikeElf(bytes)) {
            throw new ElfException("not an ELF file (no \\x7fELF magic)");
        }
        if (bytes.length < EHDR_SIZE) {
            throw new ElfException("truncated ELF header: " + bytes.length + " bytes, need " + EHDR_SIZE);
        }
        if (bytes[4] != 2) {
            throw new ElfException("not ELF64 (EI_CLASS " + bytes[4] + ")");
        }
        if (bytes[5] != 1) {
            throw new ElfException("not little-endian (EI_DATA " + bytes[5] + ")");
        }
        int type = u16(bytes, 16);
        int machine = u16(bytes, 18);
        if (machine != EM_BPF) {
            throw new ElfException("not a BPF object: e_machine " + machine + ", expected " + EM_BPF);
        }
        long shoff = i64(bytes, 40);
        int shentsize = u16(bytes, 58);
        int shnum = u16(bytes, 60);
        int shstrndx = u16(bytes, 62);
        if (shnum == 0) {
            throw new ElfException("no section headers (e_shnum 0)");
        }
        if (shentsize < SHDR_SIZE) {
            throw new ElfException("section header size " + shentsize + " is smaller than " + SHDR_SIZE);
        }
        checkRange(bytes, "section header table", shoff, (long) shentsize * shnum);
        if (shstrndx >= shnum) {
            throw new ElfException("section name table index " + shstrndx + " >= section count " + shnum);
        }
        long[][] raw = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            int at = (int) (shoff + (long) i * shentsize);
            raw[i] = new long[] {u32(bytes, at), i32(bytes, at + 4), i64(bytes, at + 8), i64(bytes, at + 24),
                i64(bytes, at + 32), u32(bytes, at + 40), u32(bytes, at + 44)};
            if (raw[i][1] != SHT_NOBITS && i != 0) {
                checkRange(bytes, "section " + i, raw[i][3], raw[i][4]);
            }
        }
        if (shstrndx == 0 || raw[shstrndx][1] == SHT_NOBITS) {
            throw new ElfException("no section name table (e_shstrndx " + shstrndx + ")");
        }
        long[] names = raw[shstrndx];
        List<Section> sections = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            long[] r = raw[i];
            String name = i == 0 ? "" : string(bytes, names[3], names[4], r[0], "name of section " + i);
            sections.add(new Section(i, name, (int) r[1], r[2], r[3], r[4], clampIndex(r[5]), clampIndex(r[6])));
        }
        return new ElfFile(bytes, type, machine, List.copyOf(sections));
    }

    public int type() {
        return type;
    }

    public int machine() {
        return machine;
    }

    public List<Section> sections() {
        return sections;
    }

    public Optional<Section> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The section {@code index}, or an error naming {@code what} refers to it. */
    public Section section(int index, String what) throws ElfException {
        if (index <= 0 || index >= sections.size()) {
            throw new ElfException(what + " refers to section " + index + ", which does not exist");
        }
        return sections.get(index);
    }

    /** The bytes of a section (a copy); NOBITS sections have none in the file. */
    public byte[] contents(Section s) throws ElfException {
        if (s.nobits()) {
            throw new ElfException("section " + s.name() + " has no bytes in the file (SHT_NOBITS)");
        }
        byte[] out = new byte[(int) s.size()];
        System.arraycopy(bytes, (int) s.offset(), out, 0, out.length);
        return out;
    }

    /** The symbols of the (single) {@code SHT_SYMTAB}, in table order; empty when there is none. */
    public List<Symbol> symbols() throws ElfException {
        if (symbols != null) {
            return symbols;
        }
        List<Symbol> out = new ArrayList<>();
        for (Section symtab : sections) {
            if (symtab.type() != SHT_SYMTAB) {
                continue;
            }
            if (symtab.nobits()) {
                throw new ElfException("symbol table " + symtab.name() + " has no bytes in the file");
            }
            if (!out.isEmpty()) {
                throw new ElfException("more than one symbol table (" + symtab.name() + ")");
            }
            if (symtab.link() <= 0 || symtab.link() >= sections.size()) {
                throw new ElfException("symbol table " + symtab.name() + " links to no string table (sh_link "
                        + symtab.link() + ")");
            }
            Section strtab = sections.get(symtab.link());
            if (strtab.nobits()) {
                throw new ElfException("string table " + strtab.name() + " of " + symtab.name() + " has no bytes");
            }
            long count = symtab.size() / SYM_SIZE;
            for (long k = 0; k < count; k++) {
                int at = (int) (symtab.offset() + k * SYM_SIZE);
                long nameOffset = u32(bytes, at);
                int info = bytes[at + 4] & 0xff;
                int shndx = u16(bytes, at + 6);
                String name = nameOffset == 0 ? ""
                        : string(bytes, strtab.offset(), strtab.size(), nameOffset, "name of symbol " + k);
                out.add(new Symbol((int) k, name, info & 0xf, info >>> 4, shndx, i64(bytes, at + 8),
                        i64(bytes, at + 16)));
            }
        }
        symbols = List.copyOf(out);
        return symbols;
    }

    /** The symbol {@code index}, or an error naming who refers to it. */
    public Symbol symbol(int index, String what) throws ElfException {
        List<Symbol> all = symbols();
        if (index <= 0 || index >= all.size()) {
            throw new ElfException(what + " refers to symbol " + index + ", which does not exist ("
                    + all.size() + " symbols)");
        }
        return all.get(index);
    }

    /** The {@code Elf64_Rel} entries of a SHT_REL section. */
    public List<Relocation> relocations(Section rel) throws ElfException {
        if (rel.type() != SHT_REL) {
            throw new ElfException("section " + rel.name() + " is not SHT_REL (type " + rel.type() + ")");
        }
        if (rel.size() % REL_SIZE != 0) {
            throw new ElfException("section " + rel.name() + " is " + rel.size() + " bytes, not a multiple of "
                    + REL_SIZE + " (Elf64_Rel)");
        }
        List<Relocation> out = new ArrayList<>();
        for (long k = 0; k < rel.size() / REL_SIZE; k++) {
            int at = (int) (rel.offset() + k * REL_SIZE);
            long info = i64(bytes, at + 8);
            long symbol = info >>> 32;
            out.add(new Relocation(i64(bytes, at), symbol > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) symbol,
                    (int) info));
        }
        return out;
    }

    /** Little-endian u64 inside a section's bytes, {@code at} relative to the section start. */
    long word(Section s, long at) {
        return i64(bytes, (int) (s.offset() + at));
    }

    private static int clampIndex(long v) {
        return (int) Math.min(v, Integer.MAX_VALUE);
    }

    /** A NUL-terminated string at {@code index} inside the table at [offset, offset + size). */
    static String string(byte[] bytes, long tableOffset, long tableSize, long index, String what) throws ElfException {
        if (index < 0 || index >= tableSize) {
            throw new ElfException(what + " at string offset " + index + " lies outside its string table ("
                    + tableSize + " bytes)");
        }
        int from = (int) (tableOffset + index);
        int end = (int) (tableOffset + tableSize);
        for (int i = from; i < end; i++) {
            if (bytes[i] == 0) {
                return new String(bytes, from, i - from, StandardCharsets.UTF_8);
            }
        }
        throw new ElfException(what + " is not NUL-terminated inside its string table");
    }

    /** [offset, offset + size) lies inside the file; both read as unsigned 64-bit values. */
    static void checkRange(byte[] bytes, String what, long offset, long size) throws ElfException {
        if (offset < 0 || size < 0 || offset > bytes.length || size > bytes.length - offset) {
            throw new ElfException(what + " (offset " + Long.toUnsignedString(offset) + ", size "
                    + Long.toUnsignedString(size) + ") lies outside the file (" + bytes.length + " bytes)");
        }
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    static int i32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    static long u32(byte[] b, int at) {
        return i32(b, at) & 0xffffffffL;
    }

    static long i64(byte[] b, int at) {
        return u32(b, at) | u32(b, at + 4) << 32;
    }
}
