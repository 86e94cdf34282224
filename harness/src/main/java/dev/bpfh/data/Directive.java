package dev.bpfh.data;

import java.util.Optional;

/**
 * The directives of the {@code .data} dialects bpfh reads, by name: bpf_conformance's (isa.md §5.1)
 * and uBPF's extensions (isa.md §5.4). {@link DataFileParser} gives each its meaning.
 *
 * <p>A directive is named when the text after the first {@code --} is exactly a name (white space
 * around it aside), or, for {@code asm} and {@code mem}, the name followed by {@code @ PATH} (the
 * section's content comes from a file relative to the test, as in uBPF). Any other directive line
 * falls back to bpf_conformance's substring rule ({@link #bySubstring}), so every line
 * bpf_conformance reads keeps its meaning there (e.g. {@code -- raw asm} is asm) except
 * {@code -- asm @ PATH}, whose file bpf_conformance does not read.
 */
enum Directive {
    /** Program text ({@code @ file.asm} allowed). */
    ASM("asm", true),
    /** 64-bit instruction words; wins over {@code asm}. */
    RAW("raw", false),
    /** Input bytes ({@code @ file.hex} allowed: a hexdump read the uBPF way). */
    MEM("mem", true),
    /** Expected r0. */
    RESULT("result", false),
    /** Expected failure text. */
    ERROR("error", false),
    /** uBPF: the next line is a regular expression the failure text must contain a match of. */
    ERROR_PATTERN("error pattern", false),
    /** uBPF: what the test is about; shown in reports. */
    DESCRIPTION("description", false),
    /** uBPF: do not run on JIT engines; the section's text is the reason. */
    NO_JIT("no jit", false),
    /** C source, documentation only. */
    C("c", false),
    /** A historical marker whose section is ignored. */
    NO_REGISTER_OFFSET("no register offset", false),
    /** uBPF: load the code twice into one VM (the harness cannot: SKIPPED). */
    RELOAD("reload", false),
    /** uBPF: unload and reload the code in one VM (the harness cannot: SKIPPED). */
    UNLOAD("unload", false),
    /** uBPF: Python code that builds an ELF file (the harness cannot: SKIPPED). */
    PYELF("pyelf", false);

    final String word;
    final boolean takesFile;

    Directive(String word, boolean takesFile) {
        this.word = word;
        this.takesFile = takesFile;
    }

    /** A directive line, read: which directive, and the file after {@code @} if any (else null). */
    record Line(Directive directive, String file) {}

    /** The directive {@code text} (everything after the first {@code --}) names, if any. */
    static Optional<Line> byName(String text) {
        String t = text.strip();
        for (Directive d : values()) {
            if (t.equals(d.word)) {
                return Optional.of(new Line(d, null));
            }
            if (d.takesFile && t.startsWith(d.word)) {
                String rest = t.substring(d.word.length()).strip();
                if (rest.startsWith("@")) {
                    return Optional.of(new Line(d, rest.substring(1).strip()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * bpf_conformance's rule for any line containing {@code --} (isa.md §5.1): the first of these
     * substrings found anywhere on the line decides.
     */
    static Optional<Directive> bySubstring(String line) {
        if (line.contains("asm")) {
            return Optional.of(ASM);
        } else if (line.contains("result")) {
            return Optional.of(RESULT);
        } else if (line.contains("mem")) {
            return Optional.of(MEM);
        } else if (line.contains("raw")) {
            return Optional.of(RAW);
        } else if (line.contains("no register offset")) {
            return Optional.of(NO_REGISTER_OFFSET);
        } else if (line.contains(" c")) {
            return Optional.of(C);
        } else if (line.contains("error")) {
            return Optional.of(ERROR);
        }
        return Optional.empty();
    }
}
