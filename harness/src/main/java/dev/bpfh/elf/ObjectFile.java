package dev.bpfh.elf;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.MapSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A loaded ELF object: its programs, linked and ready to load, and the maps they share.
 *
 * <p>Every program's {@link Program#maps()} is {@link #maps()} (the same list, the same indices:
 * {@code lddw src=1/2 imm=i} names {@code maps().get(i)}), so one set of maps serves the whole
 * collection, as with libbpf. A loader sets the maps up in this order:
 * <ol>
 *   <li>create every map of {@link #maps()};
 *   <li>write {@link #initialData()}: key 0 (as 4 little-endian bytes) → the value, for
 *       {@code .data*} and {@code .rodata*} (a {@code .bss} is absent: it starts all zero);
 *   <li>load the programs;
 *   <li>fill each PROG_ARRAY of {@link #programArrays()}: slot → the program of that name.
 * </ol>
 *
 * @param name the object's name as libbpf derives it (the file name up to its first dot)
 * @param programs in libbpf's order (by section, then offset), each with its type from its section name
 * @param maps legacy {@code maps} definitions, then BTF-defined {@code .maps} (DATASEC order),
 *     then global data sections in section order
 * @param initialData map name → the initial value of its single element (global data only)
 * @param programArrays PROG_ARRAY map name → slot → program name, from {@code .values = {...}}
 * @param globalData ELF section name ({@code .rodata}, {@code .data}, {@code .bss},
 *     {@code .rodata.str1.1} ...) → the map's name ({@code xdp_conf.rodata}); test files may use
 *     either (see {@link #mapName(String)})
 * @param variables each named global variable (an STT_OBJECT symbol in a global-data section,
 *     statics included) → its map, offset and size: where {@code -- map-init .rodata} bytes go
 * @param programSections program name → the ELF section it came from ({@code xdp.frags} tells a
 *     loader to set {@code BPF_F_XDP_HAS_FRAGS})
 * @param license the {@code license} section's string ("" when absent)
 */
public record ObjectFile(String name, List<Program> programs, List<MapSpec> maps, Map<String, byte[]> initialData,
        Map<String, Map<Integer, String>> programArrays, Map<String, String> globalData,
        Map<String, Variable> variables, Map<String, String> programSections, String license) {

    /** A global variable: the map holding it and its place in that map's single value. */
    public record Variable(String map, long offset, long size) {}

    public ObjectFile {
        Objects.requireNonNull(name, "name");
        programs = List.copyOf(programs);
        maps = List.copyOf(maps);
        Map<String, byte[]> data = new LinkedHashMap<>();
        initialData.forEach((k, v) -> data.put(k, v.clone()));
        initialData = Collections.unmodifiableMap(data);
        Map<String, Map<Integer, String>> arrays = new LinkedHashMap<>();
        programArrays.forEach((k, v) -> arrays.put(k, Collections.unmodifiableMap(new TreeMap<>(v))));
        programArrays = Collections.unmodifiableMap(arrays);
        globalData = Collections.unmodifiableMap(new LinkedHashMap<>(globalData));
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        programSections = Collections.unmodifiableMap(new LinkedHashMap<>(programSections));
        Objects.requireNonNull(license, "license");
    }

    /** The program called {@code programName} (its function name). */
    public Optional<Program> program(String programName) {
        return programs.stream().filter(p -> p.name().equals(programName)).findFirst();
    }

    /** The program names, in order. */
    public List<String> programNames() {
        return programs.stream().map(Program::name).toList();
    }

    /**
     * The map's real name for {@code nameOrSection}: a map name as is, or a global-data section
     * name ({@code .rodata}) mapped to its map ({@code fw.rodata}); empty when neither.
     */
    public Optional<String> mapName(String nameOrSection) {
        for (MapSpec m : maps) {
            if (m.name().equals(nameOrSection)) {
                return Optional.of(nameOrSection);
            }
        }
        return Optional.ofNullable(globalData.get(nameOrSection));
    }

    /** The index in {@link #maps()} of the map {@code nameOrSection} names (see {@link #mapName}), or -1. */
    public int mapIndex(String nameOrSection) {
        String real = mapName(nameOrSection).orElse(null);
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i).name().equals(real)) {
                return i;
            }
        }
        return -1;
    }

    /** A copy of the initial value of a global-data map (by map or section name); empty for .bss and other maps. */
    public Optional<byte[]> initialValue(String nameOrSection) {
        return mapName(nameOrSection).map(initialData::get).map(byte[]::clone);
    }
}
