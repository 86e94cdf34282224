package dev.bpfh.elf;

import dev.bpfh.elf.ElfFile.Section;
import dev.bpfh.elf.ElfFile.Symbol;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Global data as libbpf makes it (programs.md §2.2): each non-empty {@code .rodata*},
 * {@code .data*} and {@code .bss} section is one ARRAY map (key 4, value = the section, one
 * entry), {@code .rodata*} read-only to programs, named {@code <object prefix>.rodata}.
 */
final class GlobalData {
    private GlobalData() {}

    /** One section's map: its spec, initial value (null for NOBITS) and section. */
    record DataMap(Section section, MapSpec spec, byte[] initial) {}

    static boolean isGlobalData(Section s) {
        String n = s.name();
        return n.equals(".data") || n.startsWith(".data.") || n.equals(".rodata") || n.startsWith(".rodata.")
                || n.equals(".bss");
    }

    /** The maps of the object's global-data sections, in section order. */
    static List<DataMap> maps(ElfFile elf, String object) throws ElfException {
        List<DataMap> out = new java.util.ArrayList<>();
        for (Section s : elf.sections()) {
            if (!isGlobalData(s) || s.size() == 0) {
                continue;
            }
            if (s.size() > Integer.MAX_VALUE) {
                throw new ElfException("section " + s.name() + ": " + s.size() + " bytes of global data is too large");
            }
            // libbpf also sets BPF_F_MMAPABLE, which only matters to a userspace mmap (see README).
            int flags = s.name().startsWith(".rodata") ? MapSpec.F_RDONLY_PROG : 0;
            MapSpec spec = new MapSpec(mapName(object, s.name()), MapType.ARRAY, 4, (int) s.size(), 1, flags);
            out.add(new DataMap(s, spec, s.nobits() ? null : elf.contents(s)));
        }
        return out;
    }

    /** The named variables (STT_OBJECT symbols) of those sections: where each lives in which map. */
    static Map<String, ObjectFile.Variable> variables(ElfFile elf, List<DataMap> maps) throws ElfException {
        Map<String, ObjectFile.Variable> out = new LinkedHashMap<>();
        for (Symbol sym : elf.symbols()) {
            if (sym.type() != ElfFile.STT_OBJECT || sym.name().isEmpty()) {
                continue;
            }
            for (DataMap m : maps) {
                if (m.section().index() == sym.shndx()) {
                    if (sym.value() < 0 || sym.size() < 0 || sym.value() > m.section().size()
                            || sym.size() > m.section().size() - sym.value()) {
                        throw new ElfException("section " + m.section().name() + ": variable '" + sym.name()
                                + "' (offset " + sym.value() + ", size " + sym.size() + ") lies outside the section");
                    }
                    out.putIfAbsent(sym.name(), new ObjectFile.Variable(m.spec().name(), sym.value(), sym.size()));
                }
            }
        }
        return out;
    }

    /**
     * libbpf's internal map name: up to 8 characters of the object name, then the section name
     * ({@code fw.rodata}); a section name with a second dot or of 15 characters or more is used
     * alone, cut to 15. Characters the kernel does not allow become '_'.
     */
    static String mapName(String object, String section) {
        String raw;
        if (section.length() >= 15 || section.indexOf('.', 1) >= 0) {
            raw = section.substring(0, Math.min(15, section.length()));
        } else {
            // BPF_OBJ_NAME_LEN 16, less the NUL, less at least 7 for the section: 8 for .rodata/.data/.bss.
            int prefix = Math.min(16 - Math.max(7, section.length()) - 1, object.length());
            raw = object.substring(0, prefix) + section;
        }
        StringBuilder sb = new StringBuilder(raw.length());
        for (char c : raw.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
        }
        return sb.toString();
    }
}
