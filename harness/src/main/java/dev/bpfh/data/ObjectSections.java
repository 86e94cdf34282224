package dev.bpfh.data;

import dev.bpfh.elf.ElfException;
import dev.bpfh.elf.ObjectFile;
import dev.bpfh.elf.ObjectLoader;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.MapSpec;
import java.nio.file.Path;

/**
 * {@code -- elf OBJECT PROGRAM}: the object, read by {@link ObjectLoader}, and the checks that tie
 * the file's map sections to the object's maps. Map sections name a map as the object does, or by
 * its global-data section ({@code .rodata}, {@code .data}, {@code .bss}: {@link ObjectFile#mapName}).
 * A {@code -- map} declaration is not needed (the object defines its maps); when present it is a
 * consistency check and must state exactly the object's definition.
 */
final class ObjectSections {
    private ObjectSections() {}

    /** Loads the object and finds the program; any failure is an error at {@code line}. */
    static DataFile.ElfReference load(Path file, String program, int line, LineFailure fail) throws DataFormatException {
        ObjectFile object;
        try {
            object = ObjectLoader.load(file);
        } catch (ElfException e) {
            throw fail.at(line, e.getMessage());
        }
        if (object.program(program).isEmpty()) {
            throw fail.at(line, "object " + file.getFileName() + " has no program '" + program + "' (programs: "
                    + String.join(", ", object.programNames()) + ")");
        }
        return new DataFile.ElfReference(file, program, object);
    }

    static Program program(DataFile.ElfReference ref) {
        return ref.object().program(ref.program()).orElseThrow();
    }

    /** The object's name for the map a section names, or an error naming the object's maps. */
    static String mapName(DataFile.ElfReference ref, String written, String directive, int line, LineFailure fail)
            throws DataFormatException {
        return ref.object().mapName(written).orElseThrow(() -> fail.at(line, "-- " + directive + " names map '" + written
                + "', which object " + ref.file().getFileName() + " does not have (maps: " + maps(ref.object()) + ")"));
    }

    static MapSpec spec(DataFile.ElfReference ref, String realName) {
        return ref.object().maps().get(ref.object().mapIndex(realName));
    }

    /** A {@code -- map} declaration must repeat the object's definition exactly. */
    static void checkDeclaration(DataFile.ElfReference ref, MapSpec declared, int line, LineFailure fail)
            throws DataFormatException {
        String real = mapName(ref, declared.name(), "map", line, fail);
        MapSpec actual = spec(ref, real);
        if (!definition(declared).equals(definition(actual))) {
            throw fail.at(line, "-- map " + declared.name() + " says " + definition(declared) + ", but object "
                    + ref.file().getFileName() + " defines " + real + " as " + definition(actual)
                    + " (with -- elf a -- map declaration is only a check; leave it out or make it match)");
        }
    }

    private static String definition(MapSpec s) {
        return "type=" + s.type().word() + " key=" + s.keySize() + " value=" + s.valueSize() + " entries="
                + s.maxEntries() + " flags=0x" + Integer.toHexString(s.flags());
    }

    private static String maps(ObjectFile o) {
        return o.maps().isEmpty() ? "none" : String.join(", ", o.maps().stream().map(MapSpec::name).toList());
    }
}
