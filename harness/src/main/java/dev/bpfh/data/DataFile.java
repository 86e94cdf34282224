package dev.bpfh.data;

import dev.bpfh.isa.Program;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One parsed {@code .data} test (isa.md §5.1).
 *
 * @param name the file name without {@code .data}; also the program's name
 * @param path where it was read from, or null for in-memory text
 * @param program the instructions (from {@code -- raw} if present, else the assembled {@code -- asm})
 * @param memory the input buffer ({@code -- mem}); zero-length when absent
 * @param result the expected r0 ({@code -- result}), empty when the file has none
 * @param error the expected load/run error text ({@code -- error}); {@code ""} when the section is
 *     present but empty, meaning "any load error"
 * @param hasCSource whether the file has a {@code -- c} section (documentation only)
 */
public record DataFile(
        String name,
        Path path,
        Program program,
        byte[] memory,
        OptionalLong result,
        Optional<String> error,
        boolean hasCSource) {

    /** The name used in messages: the path when known, else {@code name.data}. */
    public String displayName() {
        return path != null ? path.toString() : name + ".data";
    }

    @Override
    public byte[] memory() {
        return memory.clone();
    }
}
