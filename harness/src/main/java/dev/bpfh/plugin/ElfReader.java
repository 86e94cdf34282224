package dev.bpfh.plugin;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Extracts the program from the ELF file that bpf_conformance's {@code --elf true} mode sends
 * (isa.md §6.4): an ELF64 little-endian relocatable for EM_BPF (247) whose code is the section
 * {@code .text} (or {@code xdp} with the xdp prologue) and whose global FUNC symbol {@code main}
 * covers it.
 *
 * <p>Which code is taken, in order: the bytes of symbol {@code main} (its whole section when its
 * size is 0); else a non-empty {@code .text}; else {@code xdp}. Code that has relocations is
 * refused: it needs maps or calls the harness cannot resolve, and running it unrelocated would give
 * a wrong answer rather than an error.
 *
 * <p>The input is untrusted: every offset and size is checked before use, and every failure is a
 * {@link Malformed} with a one-line message; no other exception escapes {@link #code(byte[])}.
 */
public final class ElfReader {
    private ElfReader() {}

    public static final int EM_BPF = 247;

    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;
    private static final int SHT_SYMTAB = 2;
    private static final int SHT_RELA = 4;
    private static final int SHT_NOBITS = 8;
    private static final int SHT_REL = 9;
    private static final int SHN_UNDEF = 0;
    private static final int SHN_LORESERVE = 0xff00;
    private static final int STT_FUNC = 2;

    /** The ELF cannot be read or holds no usable code; the message is one line. */
    public static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        public Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** One section header, with its name resolved. */
    private record Section(int index, String name, int type, long offset, long size, int link, int info) {}

    /** The program bytes (a multiple of 8, at least one slot) found in {@code elf}. */
    public static byte[] code(byte[] elf) throws Malformed {
        try {
            return new Parse(elf).code();
        } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            // Every read is range-checked first; this is a last line of defence for a missed check.
            throw new Malformed("truncated ELF: a read ran past the end of the file");
        }
    }

    /** Whether {@code bytes} starts with the ELF magic number. */
    public static boolean looksLikeElf(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
    }

    private static final class Parse {
        private final byte[] bytes;
        private final ByteBuffer buf;
        private final List<Section> sections = new ArrayList<>();

        Parse(byte[] bytes) {
            this.bytes = bytes;
            this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        byte[] code() throws Malformed {
            readHeaderAndSections();
            Section text = null;
            long start = 0;
            long length = 0;
            Symbol main = findMain();
            if (main != null) {
                text = main.section;
                start = main.value;
                length = main.size == 0 ? text.size - main.value : main.size;
                if (main.value < 0 || main.value > text.size || length < 0 || length > text.size - main.value) {
                    throw new Malformed("symbol main (offset " + main.value + ", size " + main.size
                            + ") lies outside its section " + text.name + " (" + text.size + " bytes)");
                }
            } else {
                for (String name : List.of(".text", "xdp")) {
                    Section s = section(name);
                    if (s != null && s.size > 0) {
                        text = s;
                        length = s.size;
                        break;
                    }
                }
                if (text == null) {
                    throw new Malformed("no code: no symbol main and no non-empty section .text or xdp");
                }
            }
            if (text.type == SHT_NOBITS) {
                throw new Malformed("code section " + text.name + " has no bytes in the file (SHT_NOBITS)");
            }
            for (Section s : sections) {
                if ((s.type == SHT_REL || s.type == SHT_RELA) && s.info == text.index && s.size > 0) {
                    throw new Malformed("code section " + text.name + " has relocations (" + s.name
                            + "); maps and external calls are not supported");
                }
            }
            if (length == 0) {
                throw new Malformed("code in " + text.name + " is empty");
            }
            if (length % 8 != 0) {
                throw new Malformed("code in " + text.name + " is " + length + " bytes, not a multiple of 8");
            }
            byte[] out = new byte[Math.toIntExact(length)];
            System.arraycopy(bytes, Math.toIntExact(text.offset + start), out, 0, out.length);
            return out;
        }

        private void readHeaderAndSections() throws Malformed {
            if (!looksLikeElf(bytes)) {
                throw new Malformed("not an ELF file (no \\x7fELF magic)");
            }
            if (bytes.length < EHDR_SIZE) {
                throw new Malformed("truncated ELF header: " + bytes.length + " bytes, need " + EHDR_SIZE);
            }
            if (bytes[4] != 2) {
                throw new Malformed("not ELF64 (EI_CLASS " + bytes[4] + ")");
            }
            if (bytes[5] != 1) {
                throw new Malformed("not little-endian (EI_DATA " + bytes[5] + ")");
            }
            int machine = Short.toUnsignedInt(buf.getShort(18));
            if (machine != EM_BPF) {
                throw new Malformed("not a BPF object: e_machine " + machine + ", expected " + EM_BPF);
            }
            long shoff = buf.getLong(40);
            int shentsize = Short.toUnsignedInt(buf.getShort(58));
            int shnum = Short.toUnsignedInt(buf.getShort(60));
            int shstrndx = Short.toUnsignedInt(buf.getShort(62));
            if (shnum == 0) {
                throw new Malformed("no section headers (e_shnum 0)");
            }
            if (shentsize < SHDR_SIZE) {
                throw new Malformed("section header size " + shentsize + " is smaller than " + SHDR_SIZE);
            }
            checkRange("section header table", shoff, (long) shentsize * shnum);
            if (shstrndx >= shnum) {
                throw new Malformed("section name table index " + shstrndx + " >= section count " + shnum);
            }
            long[][] raw = new long[shnum][];
            for (int i = 0; i < shnum; i++) {
                int at = Math.toIntExact(shoff + (long) i * shentsize);
                raw[i] = new long[] {
                    Integer.toUnsignedLong(buf.getInt(at)), // sh_name
                    buf.getInt(at + 4), // sh_type
                    buf.getLong(at + 24), // sh_offset
                    buf.getLong(at + 32), // sh_size
                    Integer.toUnsignedLong(buf.getInt(at + 40)), // sh_link
                    Integer.toUnsignedLong(buf.getInt(at + 44)), // sh_info
                };
                if (raw[i][1] != SHT_NOBITS && i != 0) {
                    checkRange("section " + i, raw[i][2], raw[i][3]);
                }
            }
            if (shstrndx == 0 || raw[shstrndx][1] == SHT_NOBITS) {
                throw new Malformed("no section name table (e_shstrndx " + shstrndx + ")");
            }
            long[] names = raw[shstrndx];
            for (int i = 0; i < shnum; i++) {
                long[] r = raw[i];
                String name = i == 0 ? "" : string(names[2], names[3], r[0], "section " + i + " name");
                sections.add(new Section(i, name, (int) r[1], r[2], r[3], (int) Math.min(r[4], Integer.MAX_VALUE),
                        (int) Math.min(r[5], Integer.MAX_VALUE)));
            }
        }

        private record Symbol(Section section, long value, long size) {}

        private Symbol findMain() throws Malformed {
            for (Section symtab : sections) {
                if (symtab.type != SHT_SYMTAB) {
                    continue;
                }
                if (symtab.link <= 0 || symtab.link >= sections.size()) {
                    throw new Malformed("symbol table " + symtab.name + " links to no string table (sh_link "
                            + symtab.link + ")");
                }
                Section strtab = sections.get(symtab.link);
                if (strtab.type == SHT_NOBITS) {
                    throw new Malformed("string table " + strtab.name + " of " + symtab.name + " has no bytes");
                }
                long count = symtab.size / SYM_SIZE;
                for (long k = 0; k < count; k++) {
                    int at = Math.toIntExact(symtab.offset + k * SYM_SIZE);
                    long nameOffset = Integer.toUnsignedLong(buf.getInt(at));
                    int type = bytes[at + 4] & 0xf;
                    int shndx = Short.toUnsignedInt(buf.getShort(at + 6));
                    long value = buf.getLong(at + 8);
                    long size = buf.getLong(at + 16);
                    if (type != STT_FUNC || nameOffset == 0) {
                        continue;
                    }
                    String name = string(strtab.offset, strtab.size, nameOffset, "symbol " + k + " name");
                    if (!name.equals("main")) {
                        continue;
                    }
                    if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE || shndx >= sections.size()) {
                        throw new Malformed("symbol main is not defined in a section (st_shndx " + shndx + ")");
                    }
                    return new Symbol(sections.get(shndx), value, size);
                }
            }
            return null;
        }

        private Section section(String name) {
            for (Section s : sections) {
                if (s.name.equals(name)) {
                    return s;
                }
            }
            return null;
        }

        /** A NUL-terminated string at {@code index} inside the table at [offset, offset + size). */
        private String string(long tableOffset, long tableSize, long index, String what) throws Malformed {
            if (index >= tableSize) {
                throw new Malformed(what + " at offset " + index + " lies outside its string table (" + tableSize
                        + " bytes)");
            }
            int from = Math.toIntExact(tableOffset + index);
            int end = Math.toIntExact(tableOffset + tableSize);
            for (int i = from; i < end; i++) {
                if (bytes[i] == 0) {
                    return new String(bytes, from, i - from, StandardCharsets.UTF_8);
                }
            }
            throw new Malformed(what + " is not NUL-terminated inside its string table");
        }

        /** [offset, offset + size) lies inside the file; both read as unsigned 64-bit values. */
        private void checkRange(String what, long offset, long size) throws Malformed {
            if (offset < 0 || size < 0 || offset > bytes.length || size > bytes.length - offset) {
                throw new Malformed(what + " (offset " + Long.toUnsignedString(offset) + ", size "
                        + Long.toUnsignedString(size) + ") lies outside the file (" + bytes.length + " bytes)");
            }
        }
    }
}
