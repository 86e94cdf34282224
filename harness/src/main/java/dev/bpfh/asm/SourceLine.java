package dev.bpfh.asm;

/**
 * One line of assembly and its line number in the enclosing file (1-based), so that an error in
 * the {@code -- asm} section of a {@code .data} file names the file's line, not the section's.
 */
public record SourceLine(int line, String text) {}
