package dev.bpfh.data;

import dev.bpfh.elf.ObjectFile;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One parsed {@code .data} test (isa.md §5.1).
 *
 * @param name the file name without {@code .data}; also the program's name
 * @param path where it was read from, or null for in-memory text
 * @param program the instructions (from {@code -- raw} if present, else the assembled {@code -- asm},
 *     or the named program of the {@code -- elf} object), with its type ({@code -- program-type})
 * @param memory the input buffer ({@code -- mem}): a raw program's memory, a typed program's packet
 *     (test_run's data_in); zero-length when absent
 * @param result the expected r0 ({@code -- result}), empty when the file has none; for a typed
 *     program the 32-bit retval, zero-extended
 * @param error the expected load/run error text ({@code -- error}); {@code ""} when the section is
 *     present but empty, meaning "any load error"
 * @param hasCSource whether the file has a {@code -- c} section (documentation only)
 * @param mapInit {@code -- map-init NAME} sections: each declared map's contents before the run
 *     (the maps themselves are {@link Program#maps()}, from {@code -- map NAME})
 * @param mapExpect {@code -- map-expect NAME} sections: contents after the run
 * @param ringbufExpect {@code -- ringbuf-expect NAME} sections: the records submitted, in order
 * @param notes what the uBPF dialect adds (isa.md §5.4): description, engine skips, a pattern
 *     error, why the file cannot run; {@link Notes#NONE} for a plain bpf_conformance file
 * @param object the {@code -- elf} object the program comes from, or null for a program written in
 *     the file; its maps are then the program's maps and the map sections are keyed by real map
 *     names ({@code .rodata} already turned into {@code obj.rodata})
 * @param ctx test_run's ctx_in from {@code -- ctx} (the context struct's bytes), or null when the
 *     file has none
 * @param dataOut the expected memory or packet after the run ({@code -- data-out}), or null when
 *     the file does not say
 * @param ctxOut {@code -- ctx-out}: context field name → the value ctx_out must hold; fields not
 *     named are not compared (empty: nothing is expected of ctx_out)
 */
public record DataFile(
        String name,
        Path path,
        Program program,
        byte[] memory,
        OptionalLong result,
        Optional<String> error,
        boolean hasCSource,
        Map<String, List<MapLine>> mapInit,
        Map<String, List<MapLine>> mapExpect,
        Map<String, List<byte[]>> ringbufExpect,
        Notes notes,
        ElfReference object,
        byte[] ctx,
        byte[] dataOut,
        Map<String, Long> ctxOut) {

    public DataFile {
        mapInit = Map.copyOf(mapInit);
        mapExpect = Map.copyOf(mapExpect);
        ringbufExpect = Map.copyOf(ringbufExpect);
        ctx = ctx == null ? null : ctx.clone();
        dataOut = dataOut == null ? null : dataOut.clone();
        ctxOut = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(ctxOut));
    }

    /** A test without an object, a context or an expected memory after the run. */
    public DataFile(String name, Path path, Program program, byte[] memory, OptionalLong result,
            Optional<String> error, boolean hasCSource, Map<String, List<MapLine>> mapInit,
            Map<String, List<MapLine>> mapExpect, Map<String, List<byte[]>> ringbufExpect, Notes notes) {
        this(name, path, program, memory, result, error, hasCSource, mapInit, mapExpect, ringbufExpect, notes,
                null, null, null, Map.of());
    }

    /**
     * {@code -- elf PATH PROGRAM}: the object (loaded by {@link dev.bpfh.elf.ObjectLoader}) and the
     * name of the program the test runs; the object's other programs are loaded beside it.
     *
     * @param file the object's path, resolved against the {@code .data} file's directory
     */
    public record ElfReference(Path file, String program, ObjectFile object) {}

    /** A test of the plain bpf_conformance format: no maps, no dialect notes. */
    public DataFile(String name, Path path, Program program, byte[] memory, OptionalLong result,
            Optional<String> error, boolean hasCSource) {
        this(name, path, program, memory, result, error, hasCSource, Map.of(), Map.of(), Map.of(), Notes.NONE);
    }

    /** Whether the test expects anything of maps or ring buffers after the run. */
    public boolean expectsMaps() {
        return !mapExpect.isEmpty() || !ringbufExpect.isEmpty();
    }

    /**
     * What a test says beyond its program, memory and expectation.
     *
     * @param description the {@code -- description} text (lines joined by a space), or empty
     * @param noJit the {@code -- no jit} reason: JIT engines skip the test; empty when they run it
     * @param errorIsPattern the {@code -- error} text came from {@code -- error pattern}: a regular
     *     expression (already checked to compile) that must match part of the failure text
     * @param notRunnable why no engine can run the file as written ({@code -- reload},
     *     {@code -- unload}, {@code -- pyelf}, an encoding-only test); every engine reports it SKIPPED
     */
    public record Notes(String description, Optional<String> noJit, boolean errorIsPattern,
            Optional<String> notRunnable) {
        public static final Notes NONE = new Notes("", Optional.empty(), false, Optional.empty());
    }

    /** The name used in messages: the path when known, else {@code name.data}. */
    public String displayName() {
        return path != null ? path.toString() : name + ".data";
    }

    @Override
    public byte[] memory() {
        return memory.clone();
    }

    @Override
    public byte[] ctx() {
        return ctx == null ? null : ctx.clone();
    }

    @Override
    public byte[] dataOut() {
        return dataOut == null ? null : dataOut.clone();
    }

    /** The program's type: {@link ProgramType#RAW} unless {@code -- program-type} or the object says otherwise. */
    public ProgramType programType() {
        return program.type();
    }

    /** The {@code -- elf} object, if the program comes from one. */
    public Optional<ElfReference> elf() {
        return Optional.ofNullable(object);
    }

    /** A fresh copy of the run's input: the memory or packet, and the ctx_in (null when none). */
    public RunInput input() {
        return new RunInput(memory.clone(), ctx == null ? null : ctx.clone());
    }
}
