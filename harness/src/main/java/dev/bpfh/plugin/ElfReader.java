package dev.bpfh.plugin;

import dev.bpfh.elf.ElfException;
import dev.bpfh.elf.ElfFile;
import dev.bpfh.elf.ElfFile.Section;
import dev.bpfh.elf.ElfFile.Symbol;
import java.util.List;
import java.util.Optional;

/**
 * Extracts the program from the ELF file that bpf_conformance's {@code --elf true} mode sends
 * (isa.md §6.4): an ELF64 little-endian relocatable for EM_BPF (247) whose code is the section
 * {@code .text} (or {@code xdp} with the xdp prologue) and whose global FUNC symbol {@code main}
 * covers it.
 *
 * <p>Which code is taken, in order: the bytes of symbol {@code main} (its whole section when its
 * size is 0); else a non-empty {@code .text}; else {@code xdp}. Code that has relocations is
 * refused: it needs maps or calls, and running it unrelocated would give a wrong answer rather
 * than an error. (Objects compiled with maps and several programs are read by
 * {@link dev.bpfh.elf.ObjectLoader}, which links them.)
 *
 * <p>The input is untrusted: the headers are read by {@link ElfFile}, which checks every offset
 * and size; every failure is a {@link Malformed} with a one-line message.
 */
public final class ElfReader {
    private ElfReader() {}

    public static final int EM_BPF = ElfFile.EM_BPF;

    /** The ELF cannot be read or holds no usable code; the message is one line. */
    public static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        public Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** The program bytes (a multiple of 8, at least one slot) found in {@code elf}. */
    public static byte[] code(byte[] bytes) throws Malformed {
        try {
            return find(ElfFile.parse(bytes));
        } catch (ElfException e) {
            throw new Malformed(e.getMessage());
        }
    }

    /** Whether {@code bytes} starts with the ELF magic number. */
    public static boolean looksLikeElf(byte[] bytes) {
        return ElfFile.looksLikeElf(bytes);
    }

    private static byte[] find(ElfFile elf) throws ElfException {
        Section text = null;
        long start = 0;
        long length = 0;
        Optional<Symbol> main = findMain(elf);
        if (main.isPresent()) {
            Symbol m = main.get();
            if (!m.defined() || m.shndx() >= elf.sections().size()) {
                throw new ElfException("symbol main is not defined in a section (st_shndx " + m.shndx() + ")");
            }
            text = elf.sections().get(m.shndx());
            start = m.value();
            length = m.size() == 0 ? text.size() - m.value() : m.size();
            if (m.value() < 0 || m.value() > text.size() || length < 0 || length > text.size() - m.value()) {
                throw new ElfException("symbol main (offset " + m.value() + ", size " + m.size()
                        + ") lies outside its section " + text.name() + " (" + text.size() + " bytes)");
            }
        } else {
            for (String name : List.of(".text", "xdp")) {
                Optional<Section> s = elf.section(name);
                if (s.isPresent() && s.get().size() > 0) {
                    text = s.get();
                    length = text.size();
                    break;
                }
            }
            if (text == null) {
                throw new ElfException("no code: no symbol main and no non-empty section .text or xdp");
            }
        }
        if (text.nobits()) {
            throw new ElfException("code section " + text.name() + " has no bytes in the file (SHT_NOBITS)");
        }
        for (Section s : elf.sections()) {
            if ((s.type() == ElfFile.SHT_REL || s.type() == ElfFile.SHT_RELA) && s.info() == text.index() && s.size() > 0) {
                throw new ElfException("code section " + text.name() + " has relocations (" + s.name()
                        + "); maps and external calls are not supported");
            }
        }
        if (length == 0) {
            throw new ElfException("code in " + text.name() + " is empty");
        }
        if (length % 8 != 0) {
            throw new ElfException("code in " + text.name() + " is " + length + " bytes, not a multiple of 8");
        }
        byte[] all = elf.contents(text);
        byte[] out = new byte[(int) length];
        System.arraycopy(all, (int) start, out, 0, out.length);
        return out;
    }

    /** The first STT_FUNC symbol called main. */
    private static Optional<Symbol> findMain(ElfFile elf) throws ElfException {
        for (Symbol s : elf.symbols()) {
            if (s.type() == ElfFile.STT_FUNC && s.name().equals("main")) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
