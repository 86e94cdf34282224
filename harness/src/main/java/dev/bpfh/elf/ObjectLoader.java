package dev.bpfh.elf;

import dev.bpfh.elf.ElfFile.Relocation;
import dev.bpfh.elf.ElfFile.Section;
import dev.bpfh.elf.ElfFile.Symbol;
import dev.bpfh.elf.Linker.Function;
import dev.bpfh.elf.MapDefinitions.Declared;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.ProgramType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Loads a clang-compiled eBPF object ({@code clang -target bpf -O2 -g}: ELF64 LE, ET_REL, EM_BPF)
 * the way libbpf does (programs.md §5): programs from the global functions of executable
 * sections, maps from BTF ({@code .maps}) and legacy {@code maps} definitions, global data
 * sections as single-element arrays, relocations resolved, PROG_ARRAY initialisers read.
 *
 * <p>Refused with a one-line {@link ElfException}: anything malformed, truncated or hostile (every
 * offset and size is checked against the file before use; nothing is allocated beyond the file's
 * size), CO-RE relocations, undefined symbols (externs, kconfig, ksym), kfunc calls, program types
 * other than XDP, SCHED_CLS and SOCKET_FILTER, map types bpfh does not run.
 */
public final class ObjectLoader {
    private ObjectLoader() {}

    /** Larger files are refused before they are read. */
    public static final long MAX_FILE_BYTES = 64L << 20;
    /** At most this many linked instruction slots over all programs (64 MiB of code). */
    public static final long MAX_LINKED_SLOTS = 8L << 20;

    /** Reads and loads {@code path}; the object's name is the file name up to its first dot, as in libbpf. */
    public static ObjectFile load(Path path) throws ElfException {
        byte[] bytes;
        try {
            long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                throw new ElfException(path + ": " + size + " bytes is larger than the " + MAX_FILE_BYTES
                        + "-byte limit for an object file");
            }
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ElfException(path + ": cannot read: " + e.getMessage());
        }
        try {
            return load(objectName(path.getFileName().toString()), bytes);
        } catch (ElfException e) {
            throw new ElfException(path + ": " + e.getMessage());
        }
    }

    /**
     * Loads an object from its bytes. {@code name} prefixes the global-data maps ({@code
     * <first 8 characters>.rodata}). A bug in bpfh that a hostile object provokes is reported as an
     * ElfException too, never as an unchecked exception.
     */
    public static ObjectFile load(String name, byte[] bytes) throws ElfException {
        try {
            return parse(name, bytes);
        } catch (RuntimeException e) {
            throw new ElfException("internal error while reading the object (a bug in bpfh): " + e);
        }
    }

    /** The name libbpf gives an object: its file name up to the first dot. */
    static String objectName(String fileName) {
        int dot = fileName.indexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /** {@link #load(String, byte[])} without the last line of defence (the hostile-input tests call this). */
    static ObjectFile parse(String name, byte[] bytes) throws ElfException {
        ElfFile elf = ElfFile.parse(bytes);
        if (elf.type() != ElfFile.ET_REL) {
            throw new ElfException("not a relocatable object: e_type " + elf.type() + ", expected 1 (ET_REL)");
        }
        List<Symbol> symbols = elf.symbols();
        if (symbols.isEmpty()) {
            throw new ElfException("no symbol table (.symtab)");
        }
        Btf btf = null;
        Optional<Section> btfSection = elf.section(".BTF");
        if (btfSection.isPresent()) {
            btf = Btf.parse(elf.contents(btfSection.get()), ".BTF");
        }
        Optional<Section> ext = elf.section(".BTF.ext");
        if (ext.isPresent()) {
            Optional<BtfExt.CoreSite> core = BtfExt.firstCoreRelocation(elf.contents(ext.get()), btf, ".BTF.ext");
            if (core.isPresent()) {
                BtfExt.CoreSite c = core.get();
                throw new ElfException("section .BTF.ext holds CO-RE relocations (the first for section " + c.section()
                        + " offset 0x" + Long.toHexString(c.byteOffset()) + ", instruction " + c.byteOffset() / 8
                        + "): bpfh does not do CO-RE and never runs unpatched code");
            }
        }

        // Maps: legacy, then BTF-defined, then global data (libbpf's order).
        List<Declared> declared = new ArrayList<>();
        Optional<Section> legacy = elf.section("maps");
        if (legacy.isPresent() && legacy.get().size() > 0) {
            declared.addAll(MapDefinitions.legacyMaps(elf, legacy.get()));
        }
        Optional<Section> btfMaps = elf.section(".maps");
        if (btfMaps.isPresent() && btfMaps.get().size() > 0) {
            if (btf == null) {
                throw new ElfException("section .maps needs .BTF to describe the maps (compile with -g)");
            }
            declared.addAll(MapDefinitions.btfMaps(elf, btfMaps.get(), btf));
        }
        List<MapSpec> maps = new ArrayList<>();
        declared.forEach(d -> maps.add(d.spec()));
        Map<Integer, Integer> dataMaps = new HashMap<>();
        Map<Integer, Long> dataSizes = new HashMap<>();
        Map<String, byte[]> initialData = new LinkedHashMap<>();
        Map<String, String> globalData = new LinkedHashMap<>();
        List<GlobalData.DataMap> data = GlobalData.maps(elf, name);
        for (GlobalData.DataMap d : data) {
            dataMaps.put(d.section().index(), maps.size());
            dataSizes.put(d.section().index(), d.section().size());
            maps.add(d.spec());
            globalData.put(d.section().name(), d.spec().name());
            if (d.initial() != null) {
                initialData.put(d.spec().name(), d.initial());
            }
        }
        Set<String> names = new HashSet<>();
        for (MapSpec m : maps) {
            if (!names.add(m.name())) {
                throw new ElfException("two maps are called '" + m.name() + "' (names are cut to 15 characters)");
            }
        }

        // Code: functions of .text, programs of the other executable sections.
        Section text = elf.section(".text").filter(Section::executable).orElse(null);
        Map<Integer, long[]> code = new HashMap<>();
        List<Function> textFunctions = new ArrayList<>();
        List<Function> programFunctions = new ArrayList<>();
        Map<String, ProgramType> types = new HashMap<>();
        for (Symbol sym : symbols) {
            if (sym.type() != ElfFile.STT_FUNC || !sym.defined() || sym.shndx() >= elf.sections().size()) {
                continue;
            }
            Section s = elf.sections().get(sym.shndx());
            if (!s.executable()) {
                continue;
            }
            boolean isText = text != null && s.index() == text.index();
            if (!isText) {
                if (sym.bind() == ElfFile.STB_LOCAL) {
                    throw new ElfException("section " + s.name() + ": program '" + sym.name()
                            + "' is static, and libbpf loads only global functions as programs");
                }
                ProgramType type = programType(s.name()).orElseThrow(() -> new ElfException("section " + s.name()
                        + ": program '" + sym.name() + "' has a type bpfh does not run (sections: xdp, xdp.frags,"
                        + " tc, classifier, tc/ingress, tc/egress, tcx/ingress, tcx/egress, socket)"));
                types.put(sym.name(), type);
            }
            long[] slots = code.get(s.index());
            if (slots == null) {
                slots = slots(elf, s);
                code.put(s.index(), slots);
            }
            Function fn = function(sym, s);
            (isText ? textFunctions : programFunctions).add(fn);
        }
        if (programFunctions.isEmpty()) {
            throw new ElfException("no programs: no global function in an executable section other than .text");
        }
        textFunctions.sort(Comparator.comparingInt(Function::start));
        // libbpf's order: by section, then by offset in it.
        programFunctions.sort(Comparator.comparingInt((Function f) -> f.section().index()).thenComparingInt(Function::start));
        Set<String> programNames = new HashSet<>();
        for (Function f : programFunctions) {
            if (!programNames.add(f.name())) {
                throw new ElfException("two programs are called '" + f.name() + "'");
            }
        }

        Map<Integer, Map<Long, Relocation>> codeRelocations = new HashMap<>();
        for (Section rel : elf.sections()) {
            if (rel.type() == ElfFile.SHT_RELA) {
                throw new ElfException("section " + rel.name() + ": RELA relocations are not used by BPF objects");
            }
            if (rel.type() != ElfFile.SHT_REL) {
                continue;
            }
            Section target = elf.section(rel.info(), "relocation section " + rel.name());
            if (code.containsKey(target.index())) {
                Map<Long, Relocation> byOffset = new HashMap<>();
                for (Relocation r : elf.relocations(rel)) {
                    if (r.offset() < 0 || r.offset() % 8 != 0 || r.offset() >= target.size()) {
                        throw new ElfException("section " + rel.name() + ": relocation at offset 0x"
                                + Long.toHexString(r.offset()) + " is not an instruction of " + target.name()
                                + " (" + target.size() + " bytes)");
                    }
                    if (byOffset.put(r.offset(), r) != null) {
                        throw new ElfException("section " + rel.name() + ": two relocations at offset 0x"
                                + Long.toHexString(r.offset()));
                    }
                }
                codeRelocations.put(target.index(), byOffset);
            } else if (dataMaps.containsKey(target.index()) && elf.relocations(rel).size() > 0) {
                Relocation r = elf.relocations(rel).get(0);
                throw new ElfException("section " + target.name() + " offset 0x" + Long.toHexString(r.offset())
                        + ": a pointer in global data (" + rel.name() + ") cannot be resolved: global data"
                        + " holds no addresses at run time");
            }
        }

        Set<Integer> mapSections = new HashSet<>();
        legacy.ifPresent(s -> mapSections.add(s.index()));
        btfMaps.ifPresent(s -> mapSections.add(s.index()));
        Linker.Targets targets = new Linker.Targets() {
            @Override
            public int mapAt(int section, long offset) {
                for (int i = 0; i < declared.size(); i++) {
                    if (declared.get(i).section() == section && declared.get(i).offset() == offset) {
                        return i;
                    }
                }
                return -1;
            }

            @Override
            public int dataMap(int section) {
                return dataMaps.getOrDefault(section, -1);
            }

            @Override
            public long dataSize(int section) {
                return dataSizes.getOrDefault(section, 0L);
            }

            @Override
            public boolean isMapSection(int section) {
                return mapSections.contains(section);
            }
        };
        Linker linker = new Linker(elf, code, codeRelocations, textFunctions, text, targets);
        List<MapSpec> shared = List.copyOf(maps); // one immutable list: every Program and the ObjectFile keep it as is
        List<Program> programs = new ArrayList<>();
        Map<String, String> programSections = new LinkedHashMap<>();
        long total = 0;
        for (Function f : programFunctions) {
            long[] slots = linker.link(f);
            total += slots.length;
            if (total > MAX_LINKED_SLOTS) {
                // each program has its own copy of the .text it reaches: bound the sum, not only each
                throw new ElfException("the programs link to more than " + MAX_LINKED_SLOTS + " instructions in all");
            }
            programs.add(new Program(f.name(), slots, shared, types.get(f.name())));
            programSections.put(f.name(), f.section().name());
        }

        Map<String, Map<Integer, String>> programArrays = MapDefinitions.programArrays(elf, btfMaps.orElse(null), declared,
                programSections);
        return new ObjectFile(name, programs, shared, initialData, programArrays, globalData,
                GlobalData.variables(elf, data), programSections, license(elf));
    }

    /** The program type of a section name, as libbpf's section definitions give it. */
    static Optional<ProgramType> programType(String section) {
        return switch (section) {
            case "xdp", "xdp.frags" -> Optional.of(ProgramType.XDP);
            case "tc", "classifier", "tc/ingress", "tc/egress", "tcx/ingress", "tcx/egress" ->
                Optional.of(ProgramType.SCHED_CLS);
            case "socket" -> Optional.of(ProgramType.SOCKET_FILTER);
            default -> Optional.empty();
        };
    }

    private static long[] slots(ElfFile elf, Section s) throws ElfException {
        if (s.nobits()) {
            throw new ElfException("section " + s.name() + ": code section has no bytes in the file (SHT_NOBITS)");
        }
        if (s.size() % 8 != 0) {
            throw new ElfException("section " + s.name() + ": " + s.size() + " bytes of code, not a multiple of 8");
        }
        byte[] b = elf.contents(s);
        long[] slots = new long[b.length / 8];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = ElfFile.i64(b, i * 8);
        }
        return slots;
    }

    private static Function function(Symbol sym, Section s) throws ElfException {
        String what = "section " + s.name() + ": function '" + sym.name() + "' (offset " + sym.value() + ", size "
                + sym.size() + ")";
        if (sym.value() < 0 || sym.size() <= 0 || sym.value() % 8 != 0 || sym.size() % 8 != 0
                || sym.value() > s.size() || sym.size() > s.size() - sym.value()) {
            throw new ElfException(what + " is not whole instructions inside the section (" + s.size() + " bytes)");
        }
        return new Function(sym.name(), s, (int) (sym.value() / 8), (int) (sym.size() / 8));
    }

    private static String license(ElfFile elf) throws ElfException {
        Optional<Section> s = elf.section("license");
        if (s.isEmpty() || s.get().nobits()) {
            return "";
        }
        byte[] b = elf.contents(s.get());
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }
}
