package dev.bpfh.load;

import dev.bpfh.elf.ObjectFile;
import dev.bpfh.isa.Program;
import dev.bpfh.maps.Errno;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.RunInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Programs loaded on one backend and ready to run: a lone program, or every program of an ELF
 * object sharing the object's maps, set up in libbpf's order (after {@link Backend#loadAll}):
 * <ol>
 *   <li>{@link ObjectFile#initialData()}: key 0 of each {@code .data}/{@code .rodata} map gets the
 *       section's bytes ({@code .bss} starts zero);
 *   <li>{@link ObjectFile#programArrays()}: each PROG_ARRAY slot of a {@code .values = {...}}
 *       initialiser gets the sibling executable of that name ({@link MapView#setProgram}).
 * </ol>
 * The object's rodata is not frozen: a runner may still write it (a test's {@code -- map-init
 * .rodata}) before the first run, as a libbpf user writes {@code skel->rodata} before load. One
 * program, the <em>entry</em>, is the one {@link #run} runs; the others are there to be tail-called.
 *
 * <p>Not thread-safe, like {@link Executable}. {@link #close()} closes every executable.
 */
public final class LoadedObject implements AutoCloseable {
    private static final byte[] KEY_ZERO = new byte[4];

    private final ObjectFile object;
    private final List<Program> programs;
    private final List<Executable> executables;
    private final int entry;

    private LoadedObject(ObjectFile object, List<Program> programs, List<Executable> executables, int entry) {
        this.object = object;
        this.programs = List.copyOf(programs);
        this.executables = List.copyOf(executables);
        this.entry = entry;
    }

    /** Loads one program on its own ({@link Backend#load}); it is the entry. */
    public static LoadedObject load(Backend backend, Program program, LoadOptions options) throws LoadRejected {
        return new LoadedObject(null, List.of(program), List.of(backend.load(program, options)), 0);
    }

    /**
     * Loads every program of {@code object} with shared maps and sets the maps up; {@code entry}
     * names the program {@link #run} runs. A refusal of any program is the {@link LoadRejected}; a
     * map the backend will not set up is an {@link ObjectSetupException}; nothing stays loaded
     * after either.
     *
     * @throws IllegalArgumentException when the object has no program {@code entry}
     */
    public static LoadedObject load(Backend backend, ObjectFile object, String entry, LoadOptions options)
            throws LoadRejected, ObjectSetupException {
        int index = object.programNames().indexOf(entry);
        if (index < 0) {
            throw new IllegalArgumentException("object " + object.name() + " has no program '" + entry + "'");
        }
        List<Executable> loaded = backend.loadAll(object.programs(), options);
        LoadedObject o = new LoadedObject(object, object.programs(), loaded, index);
        if (loaded.size() != object.programs().size()) {
            o.close();
            throw new IllegalStateException(backend.name() + ".loadAll returned " + loaded.size() + " executables for "
                    + object.programs().size() + " programs");
        }
        try {
            o.writeInitialData();
            o.fillProgramArrays();
        } catch (ObjectSetupException | RuntimeException e) {
            o.close();
            throw e;
        }
        return o;
    }

    private void writeInitialData() throws ObjectSetupException {
        for (Map.Entry<String, byte[]> e : object.initialData().entrySet()) {
            MapView view = requiredMap(e.getKey());
            int rc = view.update(KEY_ZERO, e.getValue(), 0);
            if (rc != 0) {
                throw new ObjectSetupException("the initial value of map '" + e.getKey() + "' (" + e.getValue().length
                        + " bytes) could not be written: " + Errno.name(rc));
            }
        }
    }

    private void fillProgramArrays() throws ObjectSetupException {
        for (Map.Entry<String, Map<Integer, String>> array : object.programArrays().entrySet()) {
            MapView view = requiredMap(array.getKey());
            for (Map.Entry<Integer, String> slot : array.getValue().entrySet()) {
                Executable target = program(slot.getValue()).orElseThrow(() -> new ObjectSetupException("PROG_ARRAY '"
                        + array.getKey() + "' slot " + slot.getKey() + " names program '" + slot.getValue()
                        + "', which the object does not have"));
                int rc = view.setProgram(slot.getKey(), target);
                if (rc != 0) {
                    throw new ObjectSetupException("PROG_ARRAY '" + array.getKey() + "' slot " + slot.getKey()
                            + " could not take program '" + slot.getValue() + "': " + Errno.name(rc));
                }
            }
        }
    }

    private MapView requiredMap(String name) throws ObjectSetupException {
        return map(name).orElseThrow(() -> new ObjectSetupException("the backend shows no map '" + name
                + "' after loading the object"));
    }

    /** The object, or empty for a lone program. */
    public Optional<ObjectFile> object() {
        return Optional.ofNullable(object);
    }

    /** The program {@link #run} runs. */
    public Program entryProgram() {
        return programs.get(entry);
    }

    /** The entry's executable (a PROG_ARRAY slot filled with it tail-calls the entry). */
    public Executable entry() {
        return executables.get(entry);
    }

    /** The executable of the program called {@code name}. */
    public Optional<Executable> program(String name) {
        for (int i = 0; i < programs.size(); i++) {
            if (programs.get(i).name().equals(name)) {
                return Optional.of(executables.get(i));
            }
        }
        return Optional.empty();
    }

    /** Every executable, in the object's program order. */
    public List<Executable> executables() {
        return executables;
    }

    /** The shared maps, in {@link Program#maps()} order. */
    public List<MapView> maps() {
        return entry().maps();
    }

    /** A map by its name, or for an object also by its global-data section ({@code .rodata}: {@link ObjectFile#mapName}). */
    public Optional<MapView> map(String nameOrSection) {
        String name = object == null ? nameOrSection : object.mapName(nameOrSection).orElse(nameOrSection);
        return entry().map(name);
    }

    /** Runs the entry once on {@code input}, in place ({@link Executable#run(RunInput)}). */
    public Outcome run(RunInput input) {
        return entry().run(input);
    }

    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (int i = executables.size() - 1; i >= 0; i--) {
            try {
                executables.get(i).close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }
}
