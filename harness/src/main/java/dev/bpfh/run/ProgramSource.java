package dev.bpfh.run;

import dev.bpfh.conformance.MapContents;
import dev.bpfh.data.DataFile;
import dev.bpfh.elf.ObjectFile;
import dev.bpfh.isa.Program;
import dev.bpfh.load.LoadedObject;
import dev.bpfh.load.ObjectSetupException;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.ProgramType;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code bpfh run} runs: a lone program, or one program of an ELF object loaded with its
 * siblings and maps; for a {@code .data} file also the file, whose {@code -- map-init} sections are
 * written after load.
 *
 * @param label how reports name it ("xdp_firewall (xdp) from examples/xdp_firewall.o")
 * @param program the program that runs (an object's entry)
 * @param object the object, or null for a lone program
 * @param test the {@code .data} file it came from, or null
 */
public record ProgramSource(String label, Program program, ObjectFile object, DataFile test) {

    public ProgramSource {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(program, "program");
    }

    public static ProgramSource of(String label, Program program) {
        return new ProgramSource(label, program, null, null);
    }

    public static ProgramSource of(String label, ObjectFile object, Program entry) {
        return new ProgramSource(label, entry, object, null);
    }

    /** The program of a {@code .data} file, with its object if it names one. */
    public static ProgramSource of(String label, DataFile test) {
        ObjectFile object = test.elf().map(DataFile.ElfReference::object).orElse(null);
        return new ProgramSource(label, test.program(), object, test);
    }

    public ProgramType type() {
        return program.type();
    }

    /**
     * Loads it on {@code backend} and writes the initial map contents (an object's global data and
     * PROG_ARRAY initialisers, then a {@code .data} file's {@code -- map-init}).
     */
    public LoadedObject load(Backend backend, LoadOptions options) throws LoadRejected, ObjectSetupException {
        LoadedObject loaded = object == null ? LoadedObject.load(backend, program, options)
                : LoadedObject.load(backend, object, program.name(), options);
        if (test != null) {
            Optional<String> failed = MapContents.initialise(test, loaded);
            if (failed.isPresent()) {
                loaded.close();
                throw new ObjectSetupException(failed.get());
            }
        }
        return loaded;
    }
}
