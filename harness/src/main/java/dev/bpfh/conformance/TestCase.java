package dev.bpfh.conformance;

import dev.bpfh.data.DataFile;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.data.DataFormatException;
import java.nio.file.Path;

/**
 * One {@code .data} file of a run, parsed or not.
 *
 * @param id the path relative to its corpus root without {@code .data}, '/'-separated (unique in a run)
 * @param name the file name without {@code .data} (what a manifest names)
 * @param data the parsed file, or {@code null} when {@code parseError} says why not
 * @param parseError the {@code file:line: reason} of a malformed file, or {@code null}
 */
public record TestCase(String id, String name, Path path, DataFile data, String parseError) {

    /** Parses {@code file}; a malformed or unreadable file becomes a test case that is ERROR on every backend. */
    public static TestCase load(String id, Path file) {
        String name = stem(file);
        try {
            return new TestCase(id, name, file, DataFileParser.parse(file), null);
        } catch (DataFormatException e) {
            return new TestCase(id, name, file, null, e.getMessage());
        } catch (RuntimeException e) {
            // A parser bug must not lose the other results of the run.
            return new TestCase(id, name, file, null, file + ": parser failed: " + e);
        }
    }

    static String stem(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".data") ? n.substring(0, n.length() - ".data".length()) : n;
    }
}
