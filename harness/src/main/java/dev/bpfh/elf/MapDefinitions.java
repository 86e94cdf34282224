package dev.bpfh.elf;

import dev.bpfh.elf.ElfFile.Relocation;
import dev.bpfh.elf.ElfFile.Section;
import dev.bpfh.elf.ElfFile.Symbol;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The maps an object declares: BTF-defined maps in {@code .maps} (programs.md §5.4) and legacy
 * 20-byte {@code struct bpf_map_def}s in {@code maps}.
 *
 * <p>Legacy definitions are accepted although libbpf 1.x refuses them ("legacy map definitions
 * in 'maps' section are not supported"): the kernel never sees how a map was declared, older
 * samples and iproute2 objects use them, and reading them costs twenty lines.
 */
final class MapDefinitions {
    private MapDefinitions() {}

    /** A declared map: where its variable lives (to match relocations) and, for PROG_ARRAY, its initialiser slots. */
    record Declared(MapSpec spec, int section, long offset, long size, long valuesOffset) {}

    static final int LEGACY_DEF_SIZE = 20;
    static final int R_BPF_64_ABS64 = 2;

    /** BTF-defined maps: one per VAR of {@code DATASEC .maps}, in DATASEC order. */
    static List<Declared> btfMaps(ElfFile elf, Section maps, Btf btf) throws ElfException {
        Btf.Type datasec = btf.datasec(maps.name()).orElseThrow(
                () -> new ElfException("section .BTF has no DATASEC " + maps.name() + " describing the maps"));
        List<Declared> out = new ArrayList<>();
        for (Btf.Member entry : datasec.members()) {
            Btf.Type var = btf.type(entry.type(), "DATASEC " + maps.name() + " entry");
            if (var.kind() != Btf.VAR) {
                throw new ElfException("section .BTF: DATASEC " + maps.name() + " entry [" + var.id() + "] is "
                        + Btf.kindName(var.kind()) + ", not VAR");
            }
            String name = var.name();
            // clang writes offset 0 for every global VAR: the symbol has the real offset (programs.md §5.3).
            Symbol sym = symbolIn(elf, maps.index(), name);
            out.add(btfMap(btf, name, maps.index(), sym.value(), sym.size(), var.sizeOrType()));
        }
        return out;
    }

    static Declared btfMap(Btf btf, String name, int section, long offset, long size, long typeId)
            throws ElfException {
        String what = "map '" + name + "'";
        Btf.Type def = btf.skipModifiers(typeId, what);
        if (def.kind() != Btf.STRUCT) {
            throw new ElfException("map '" + name + "' in .maps: its type is " + Btf.kindName(def.kind())
                    + ", not a struct");
        }
        Integer type = null;
        Integer keySize = null;
        Integer valueSize = null;
        long maxEntries = 0;
        long flags = 0;
        long valuesOffset = -1;
        for (Btf.Member m : def.members()) {
            String field = what + " field '" + m.name() + "'";
            switch (m.name()) {
                case "type" -> type = (int) uintField(btf, m, field);
                case "max_entries" -> maxEntries = uintField(btf, m, field);
                case "map_flags" -> flags = uintField(btf, m, field);
                case "numa_node", "pinning" -> uintField(btf, m, field); // placement and pinning are host concerns
                case "map_extra" -> {
                    if (uintField(btf, m, field) != 0) {
                        throw new ElfException(field + ": map_extra is only for bloom filters, which bpfh lacks");
                    }
                }
                case "key_size" -> keySize = agree(keySize, uintField(btf, m, field), field);
                case "value_size" -> valueSize = agree(valueSize, uintField(btf, m, field), field);
                case "key" -> keySize = agree(keySize, pointee(btf, m, field), field);
                case "value" -> valueSize = agree(valueSize, pointee(btf, m, field), field);
                case "values" -> {
                    Btf.Type arr = btf.skipModifiers(m.type(), field);
                    if (arr.kind() != Btf.ARRAY || arr.count() != 0) {
                        throw new ElfException(field + " must be a flexible array of pointers (__array)");
                    }
                    Btf.Type ptr = btf.skipModifiers(arr.elementType(), field);
                    Btf.Type target = ptr.kind() == Btf.PTR ? btf.skipModifiers(ptr.sizeOrType(), field) : ptr;
                    if (ptr.kind() != Btf.PTR || target.kind() != Btf.FUNC_PROTO) {
                        throw new ElfException(field + ": only PROG_ARRAY initialisers (pointers to functions)"
                                + " are supported, not map-in-map");
                    }
                    valueSize = agree(valueSize, 4, field); // a program fd
                    valuesOffset = m.offset() / 8;
                }
                default -> throw new ElfException(what + ": unknown field '" + m.name() + "'");
            }
        }
        if (type == null) {
            throw new ElfException(what + " has no 'type' field");
        }
        MapType mapType = mapType(type, what);
        if (valuesOffset >= 0 && mapType != MapType.PROG_ARRAY) {
            throw new ElfException(what + ": 'values' initialisers are only supported for PROG_ARRAY, not "
                    + mapType.word());
        }
        if (mapType == MapType.PROG_ARRAY && valueSize == null) {
            valueSize = 4;
        }
        return new Declared(new MapSpec(kernelName(name), mapType, orZero(keySize), orZero(valueSize),
                (int) maxEntries, (int) flags), section, offset, size, valuesOffset);
    }

    /** Legacy definitions: one per symbol in {@code maps}, in offset order, each def size = section size / count. */
    static List<Declared> legacyMaps(ElfFile elf, Section maps) throws ElfException {
        List<Symbol> syms = new ArrayList<>();
        for (Symbol s : elf.symbols()) {
            if (s.shndx() == maps.index() && s.type() != ElfFile.STT_SECTION && !s.name().isEmpty()) {
                syms.add(s);
            }
        }
        if (syms.isEmpty()) {
            throw new ElfException("section maps: " + maps.size() + " bytes but no map symbols");
        }
        syms.sort(Comparator.comparingLong(Symbol::value));
        if (maps.size() % syms.size() != 0) {
            throw new ElfException("section maps: " + maps.size() + " bytes do not divide into " + syms.size()
                    + " map definitions");
        }
        long defSize = maps.size() / syms.size();
        if (defSize < LEGACY_DEF_SIZE) {
            throw new ElfException("section maps: definitions of " + defSize + " bytes are shorter than the "
                    + LEGACY_DEF_SIZE + " of struct bpf_map_def");
        }
        byte[] bytes = elf.contents(maps);
        List<Declared> out = new ArrayList<>();
        for (Symbol s : syms) {
            String what = "map '" + s.name() + "' in section maps at offset " + s.value();
            if (s.value() < 0 || s.value() % defSize != 0 || s.value() > maps.size() - defSize) {
                throw new ElfException(what + ": not at a multiple of the definition size " + defSize);
            }
            int at = (int) s.value();
            for (long i = LEGACY_DEF_SIZE; i < defSize; i++) {
                if (bytes[(int) (at + i)] != 0) {
                    throw new ElfException(what + ": byte " + i + " of the definition is not zero (unknown field)");
                }
            }
            out.add(new Declared(new MapSpec(kernelName(s.name()), mapType(ElfFile.i32(bytes, at), what),
                    ElfFile.i32(bytes, at + 4), ElfFile.i32(bytes, at + 8), ElfFile.i32(bytes, at + 12),
                    ElfFile.i32(bytes, at + 16)), maps.index(), s.value(), defSize, -1));
        }
        return out;
    }

    /** {@code __uint(f, N)}: a pointer to an array whose element count is N. */
    private static long uintField(Btf btf, Btf.Member m, String field) throws ElfException {
        Btf.Type ptr = btf.skipModifiers(m.type(), field);
        if (ptr.kind() != Btf.PTR) {
            throw new ElfException(field + " is " + Btf.kindName(ptr.kind()) + ", not a pointer (__uint)");
        }
        Btf.Type arr = btf.skipModifiers(ptr.sizeOrType(), field);
        if (arr.kind() != Btf.ARRAY) {
            throw new ElfException(field + " points to " + Btf.kindName(arr.kind()) + ", not an array (__uint)");
        }
        return arr.count();
    }

    /** {@code __type(f, T)}: a pointer to T; the size of T. */
    private static long pointee(Btf btf, Btf.Member m, String field) throws ElfException {
        Btf.Type ptr = btf.skipModifiers(m.type(), field);
        if (ptr.kind() != Btf.PTR) {
            throw new ElfException(field + " is " + Btf.kindName(ptr.kind()) + ", not a pointer (__type)");
        }
        return btf.resolveSize(ptr.sizeOrType(), field);
    }

    private static Integer agree(Integer earlier, long size, String field) throws ElfException {
        if (size > Integer.MAX_VALUE) {
            throw new ElfException(field + ": size " + size + " is too large");
        }
        if (earlier != null && earlier != size) {
            throw new ElfException(field + ": size " + size + " conflicts with the size " + earlier + " given before");
        }
        return (int) size;
    }

    private static int orZero(Integer v) {
        return v == null ? 0 : v;
    }

    static MapType mapType(long linuxId, String what) throws ElfException {
        for (MapType t : MapType.values()) {
            if (t.linuxId() == linuxId) {
                return t;
            }
        }
        throw new ElfException(what + ": map type " + linuxId + " is not supported by bpfh (supported: hash 1,"
                + " array 2, prog_array 3, percpu_hash 5, percpu_array 6, lru_hash 9, ringbuf 27)");
    }

    /** The name the kernel keeps: at most 15 characters (BPF_OBJ_NAME_LEN - 1), as libbpf passes it. */
    static String kernelName(String name) {
        return name.length() > 15 ? name.substring(0, 15) : name;
    }

    private static Symbol symbolIn(ElfFile elf, int section, String name) throws ElfException {
        for (Symbol s : elf.symbols()) {
            if (s.shndx() == section && s.name().equals(name) && s.type() != ElfFile.STT_SECTION) {
                return s;
            }
        }
        throw new ElfException("section .maps: no symbol for the map '" + name + "' that .BTF declares");
    }

    /** PROG_ARRAY initialisers: R_BPF_64_ABS64 entries of the relocation section of .maps. */
    static Map<String, Map<Integer, String>> programArrays(ElfFile elf, Section maps, List<Declared> declared,
            Map<String, String> programSections) throws ElfException {
        Map<String, Map<Integer, String>> out = new LinkedHashMap<>();
        if (maps == null) {
            return out;
        }
        for (Section rel : elf.sections()) {
            if (rel.type() != ElfFile.SHT_REL || rel.info() != maps.index()) {
                continue;
            }
            for (Relocation r : elf.relocations(rel)) {
                String where = "section " + rel.name() + " offset 0x" + Long.toHexString(r.offset());
                if (r.type() != R_BPF_64_ABS64) {
                    throw new ElfException(where + ": relocation type " + r.type() + " in .maps (expected R_BPF_64_ABS64)");
                }
                Declared map = null;
                for (Declared d : declared) {
                    if (d.section() == maps.index() && r.offset() >= d.offset() && r.offset() - d.offset() < d.size()) {
                        map = d;
                    }
                }
                if (map == null || map.valuesOffset() < 0 || r.offset() - map.offset() < map.valuesOffset()) {
                    throw new ElfException(where + ": a pointer in .maps outside any map's 'values' initialiser");
                }
                long delta = r.offset() - map.offset() - map.valuesOffset();
                if (delta % 8 != 0) {
                    throw new ElfException(where + ": initialiser of map '" + map.spec().name() + "' is not 8-byte aligned");
                }
                long slot = delta / 8;
                if (slot >= (map.spec().maxEntries() & 0xffffffffL)) {
                    throw new ElfException(where + ": slot " + slot + " of map '" + map.spec().name()
                            + "' is beyond its max_entries " + Integer.toUnsignedString(map.spec().maxEntries()));
                }
                Symbol sym = elf.symbol(r.symbol(), where);
                if (sym.type() != ElfFile.STT_FUNC || !programSections.containsKey(sym.name())) {
                    throw new ElfException(where + ": slot " + slot + " of map '" + map.spec().name()
                            + "' names '" + sym.name() + "', which is not a program of this object");
                }
                out.computeIfAbsent(map.spec().name(), k -> new LinkedHashMap<>()).put((int) slot, sym.name());
            }
        }
        return out;
    }
}
