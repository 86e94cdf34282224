package dev.bpfh.data;

import dev.bpfh.asm.AssemblyException;
import dev.bpfh.asm.Assembler;
import dev.bpfh.asm.SourceLine;
import dev.bpfh.isa.Program;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads bpf_conformance {@code .data} files with the algorithm of {@code bpf_test_parser.cc}
 * (isa.md §5.1): a trailing {@code \r} is dropped; everything from the first {@code #} is cut
 * (in every section); a line containing {@code --} anywhere is a directive, classified by the
 * first of the substrings {@code asm}, {@code result}, {@code mem}, {@code raw},
 * {@code no register offset}, {@code " c"}, {@code error} it contains, the rest of the line being
 * ignored; blank lines are skipped; lines before the first directive and in ignored sections
 * ({@code -- c}, {@code -- no register offset}) are discarded; the last result and the last error
 * line win; {@code -- raw} wins over {@code -- asm}; memory tokens are hex, truncated to one byte,
 * and reading stops at the first token that is not hex.
 *
 * <p>Where bpf_conformance silently skips a file, this parser throws {@link DataFormatException},
 * because a user who wrote a broken test wants to hear about it: an unknown directive, neither
 * result nor error, no instructions, an unparsable result or raw word, and any assembler error
 * (at the line of the {@code .data} file that failed).
 *
 * <p>Two additions from isa.md §5.3 make the {@code negative/unused-*.data} files usable: a raw line
 * of exactly eight two-hex-digit tokens is one slot in memory order ({@code 07 00 01 00 01 00 00 00}),
 * and an empty {@code -- error} section means "any load error" ({@code error = ""}).
 *
 * <p>Directives are first looked up by name ({@link Directive}), which adds uBPF's dialect (isa.md
 * §5.4) to bpf_conformance's: {@code -- asm @ FILE} and {@code -- mem @ FILE} read the section from
 * a file next to the test (the mem file as uBPF reads it: hexdump offsets up to the last {@code :}
 * dropped, then every two hex digits one byte); {@code -- description} and {@code -- no jit} keep
 * their text ({@link DataFile.Notes}); {@code -- error pattern} is a regular expression;
 * {@code -- reload}, {@code -- unload} and {@code -- pyelf} make the file not runnable, with the
 * reason. A file with {@code -- asm} and {@code -- raw} but neither result nor error is uBPF's
 * encoding test: its asm must assemble to exactly its raw words (else an error at the first raw
 * line that differs), and it is not runnable (there is no result to run against).
 */
public final class DataFileParser {
    private DataFileParser() {}

    private enum Section { NONE, ASM, RESULT, MEM, RAW, ERROR, DESCRIPTION, NO_JIT, IGNORED }

    private static final Pattern BYTE_PAIR = Pattern.compile("[0-9a-fA-F]{2}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
    private static final Pattern DEC = Pattern.compile("[0-9]+");
    private static final Pattern MEM_TOKEN = Pattern.compile("(0[xX])?[0-9a-fA-F]{1,8}");
    private static final Pattern HEX_PAIR = Pattern.compile("[0-9a-fA-F]{2}");

    public static DataFile parse(Path file) throws DataFormatException {
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(".data") ? fileName.substring(0, fileName.length() - 5) : fileName;
        String text;
        try {
            // Decoding replaces malformed bytes rather than failing: C comments may hold anything.
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DataFormatException(file, file.toString(), 0, "cannot read: " + e.getMessage());
        }
        return parse(name, file, text);
    }

    /**
     * Parses text; {@code name} is the file name without {@code .data}, {@code pathOrNull} is used
     * in messages (else {@code name.data}).
     */
    public static DataFile parse(String name, Path pathOrNull, String text) throws DataFormatException {
        return new Reader(name, pathOrNull).read(text);
    }

    private static final class Reader {
        private final String name;
        private final Path path;
        private final String shown;

        private final List<SourceLine> asm = new ArrayList<>();
        private final List<Long> raw = new ArrayList<>();
        private final List<Integer> rawLines = new ArrayList<>();
        private final List<String> memTokens = new ArrayList<>();
        private String result;
        private int resultLine;
        private String error;
        private int errorLine;
        private boolean hasC;
        private int firstCodeDirective;
        // uBPF's dialect
        private Path asmFile;
        private Path memFile;
        private byte[] memFromFile;
        private Section included = Section.NONE;
        private final List<String> description = new ArrayList<>();
        private List<String> noJit;
        private boolean errorIsPattern;
        private boolean plainError;
        private String notRunnable;

        Reader(String name, Path path) {
            this.name = name;
            this.path = path;
            this.shown = path != null ? path.toString() : name + ".data";
        }

        DataFile read(String text) throws DataFormatException {
            String[] lines = text.split("\n", -1);
            Section section = Section.NONE;
            for (int i = 0; i < lines.length; i++) {
                int lineNo = i + 1;
                String line = uncommented(lines[i]);
                if (line.contains("--")) {
                    section = directive(line, lineNo);
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                if (section != Section.NONE && section == included) {
                    throw fail(lineNo, "text after an included section: the section's content is its file");
                }
                switch (section) {
                    case ASM -> asm.add(new SourceLine(lineNo, line));
                    case RESULT -> {
                        result = line;
                        resultLine = lineNo;
                    }
                    case MEM -> memTokens.addAll(List.of(line.strip().split("\\s+")));
                    case RAW -> rawLine(line, lineNo);
                    case ERROR -> {
                        error = line;
                        errorLine = lineNo;
                    }
                    case DESCRIPTION -> description.add(line.strip());
                    case NO_JIT -> noJit.add(line.strip());
                    case NONE, IGNORED -> {}
                }
            }
            return build();
        }

        /** Drops a trailing {@code \r} and everything from the first {@code #}. */
        private static String uncommented(String line) {
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            int hash = line.indexOf('#');
            return hash >= 0 ? line.substring(0, hash) : line;
        }

        private Section directive(String line, int lineNo) throws DataFormatException {
            String after = line.substring(line.indexOf("--") + 2);
            Directive.Line named = Directive.byName(after).orElse(null);
            Directive d = named != null ? named.directive() : Directive.bySubstring(line)
                    .orElseThrow(() -> fail(lineNo, "unknown directive: " + line.strip()));
            String file = named == null ? null : named.file();
            if ((d == Directive.ASM || d == Directive.RAW) && firstCodeDirective == 0) {
                firstCodeDirective = lineNo;
            }
            included = Section.NONE;
            return switch (d) {
                case ASM -> {
                    if (file != null) {
                        includeAsm(file, lineNo);
                        included = Section.ASM;
                    }
                    yield Section.ASM;
                }
                case MEM -> {
                    if (file != null) {
                        includeMem(file, lineNo);
                        included = Section.MEM;
                    }
                    yield Section.MEM;
                }
                case RAW -> Section.RAW;
                case RESULT -> Section.RESULT;
                case ERROR, ERROR_PATTERN -> {
                    boolean pattern = d == Directive.ERROR_PATTERN;
                    if (pattern ? plainError : errorIsPattern) {
                        throw fail(lineNo, "a file has either -- error or -- error pattern, not both");
                    }
                    errorIsPattern |= pattern;
                    plainError |= !pattern;
                    if (error == null) {
                        error = ""; // present but (so far) empty: any load error
                        errorLine = lineNo;
                    }
                    yield Section.ERROR;
                }
                case DESCRIPTION -> Section.DESCRIPTION;
                case NO_JIT -> {
                    noJit = new ArrayList<>();
                    yield Section.NO_JIT;
                }
                case C -> {
                    hasC = true;
                    yield Section.IGNORED;
                }
                case NO_REGISTER_OFFSET -> Section.IGNORED;
                case RELOAD -> notRunnable("-- reload: the test loads its code twice into one uBPF VM and expects the second"
                        + " load to fail; a bpfh engine loads each program into its own Executable");
                case UNLOAD -> notRunnable("-- unload: the test unloads and reloads its code in one uBPF VM;"
                        + " a bpfh engine has no VM that keeps code between loads");
                case PYELF -> notRunnable("-- pyelf: the program is an ELF file that Python code in uBPF's test framework"
                        + " builds; bpfh does not run Python");
            };
        }

        private Section notRunnable(String why) {
            if (notRunnable == null) {
                notRunnable = why;
            }
            return Section.IGNORED;
        }

        /** uBPF's {@code -- asm @ FILE}: the whole section comes from the file; its errors name it. */
        private void includeAsm(String file, int lineNo) throws DataFormatException {
            if (asmFile != null || !asm.isEmpty()) {
                throw fail(lineNo, "a second -- asm section: the program already has its text");
            }
            asmFile = resolve(file, lineNo);
            List<String> lines = readLines(asmFile, lineNo);
            for (int i = 0; i < lines.size(); i++) {
                String l = uncommented(lines.get(i));
                if (!l.isBlank()) {
                    asm.add(new SourceLine(i + 1, l));
                }
            }
        }

        /** uBPF's {@code -- mem @ FILE}: a hexdump; up to the last ':' of a line is an offset, then two hex digits a byte. */
        private void includeMem(String file, int lineNo) throws DataFormatException {
            if (memFile != null || !memTokens.isEmpty()) {
                throw fail(lineNo, "a second -- mem section: the memory is already given");
            }
            memFile = resolve(file, lineNo);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String l : readLines(memFile, lineNo)) {
                Matcher m = HEX_PAIR.matcher(l.substring(l.lastIndexOf(':') + 1));
                while (m.find()) {
                    out.write(Integer.parseInt(m.group(), 16));
                }
            }
            memFromFile = out.toByteArray();
        }

        private Path resolve(String file, int lineNo) throws DataFormatException {
            if (file.isEmpty()) {
                throw fail(lineNo, "no file name after '@'");
            }
            if (path == null) {
                throw fail(lineNo, "'@ " + file + "' names a file relative to the test, but this text was not read from a file");
            }
            Path dir = path.toAbsolutePath().getParent();
            return dir == null ? Path.of(file) : dir.resolve(file);
        }

        private List<String> readLines(Path file, int lineNo) throws DataFormatException {
            try {
                return List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1));
            } catch (IOException e) {
                throw fail(lineNo, "cannot read included file " + file + ": " + e.getMessage());
            }
        }

        private void rawLine(String line, int lineNo) throws DataFormatException {
            String[] tokens = line.strip().split("\\s+");
            if (tokens.length == 8 && java.util.Arrays.stream(tokens).allMatch(t -> BYTE_PAIR.matcher(t).matches())) {
                long w = 0;
                for (int b = 7; b >= 0; b--) {
                    w = (w << 8) | Integer.parseInt(tokens[b], 16);
                }
                raw.add(w);
                rawLines.add(lineNo);
                return;
            }
            for (String t : tokens) {
                raw.add(word(t, lineNo));
                rawLines.add(lineNo);
            }
        }

        private long word(String t, int lineNo) throws DataFormatException {
            try {
                if (t.startsWith("0x") || t.startsWith("0X")) {
                    String digits = t.substring(2);
                    if (HEX.matcher(digits).matches()) {
                        return Long.parseUnsignedLong(digits, 16);
                    }
                } else if (DEC.matcher(t).matches()) {
                    return Long.parseUnsignedLong(t);
                }
            } catch (NumberFormatException tooLarge) {
                // reported below
            }
            throw fail(lineNo, "invalid raw instruction word: " + t);
        }

        private DataFile build() throws DataFormatException {
            boolean encodingTest = result == null && error == null && notRunnable == null && !raw.isEmpty() && !asm.isEmpty();
            if (result == null && error == null && notRunnable == null && !encodingTest) {
                throw fail(0, "no -- result or -- error section");
            }
            OptionalLong expected = OptionalLong.empty();
            if (result != null) {
                expected = OptionalLong.of(resultValue());
            }
            if (errorIsPattern) {
                checkPattern();
            }
            long[] slots;
            if (!raw.isEmpty()) {
                slots = raw.stream().mapToLong(Long::longValue).toArray();
                if (encodingTest) {
                    sameEncoding(assemble(), slots);
                    notRunnable = "encoding test (-- asm and -- raw, no result): bpfh's assembler turns the asm into"
                            + " exactly the " + slots.length + " raw words; there is nothing to run";
                }
            } else {
                slots = assemble();
            }
            if (slots.length == 0 && notRunnable == null) {
                throw fail(firstCodeDirective, "no instructions");
            }
            DataFile.Notes notes = new DataFile.Notes(String.join(" ", description),
                    noJit == null ? Optional.empty() : Optional.of(String.join(" ", noJit)), errorIsPattern,
                    Optional.ofNullable(notRunnable));
            return new DataFile(name, path, new Program(name, slots), memory(),
                    expected, Optional.ofNullable(error), hasC, notes);
        }

        private long[] assemble() throws DataFormatException {
            try {
                return Assembler.assemble(name, asm).slots();
            } catch (AssemblyException e) {
                throw asmFile == null ? fail(e.line(), e.getMessage())
                        : new DataFormatException(asmFile, asmFile.toString(), e.line(), e.getMessage());
            }
        }

        /** uBPF's encoding test: the assembled asm must be the raw words, one for one. */
        private void sameEncoding(long[] assembled, long[] words) throws DataFormatException {
            for (int i = 0; i < Math.min(assembled.length, words.length); i++) {
                if (assembled[i] != words[i]) {
                    throw fail(rawLines.get(i), String.format("encoding test: the asm assembles word %d to 0x%016x,"
                            + " but -- raw says 0x%016x", i, assembled[i], words[i]));
                }
            }
            if (assembled.length != words.length) {
                throw fail(firstCodeDirective, "encoding test: the asm assembles to " + assembled.length
                        + " words, but -- raw has " + words.length);
            }
        }

        private void checkPattern() throws DataFormatException {
            try {
                Pattern.compile(error);
            } catch (PatternSyntaxException e) {
                throw fail(errorLine, "invalid regular expression in -- error pattern: " + e.getDescription());
            }
        }

        /** {@code 0x} anywhere selects unsigned hex (either case of digits), else unsigned decimal. */
        private long resultValue() throws DataFormatException {
            String t = result.strip();
            try {
                if (t.contains("0x")) {
                    if (t.startsWith("0x") && HEX.matcher(t.substring(2)).matches()) {
                        return Long.parseUnsignedLong(t.substring(2), 16);
                    }
                } else if (DEC.matcher(t).matches()) {
                    return Long.parseUnsignedLong(t);
                }
            } catch (NumberFormatException tooLarge) {
                // reported below
            }
            throw fail(resultLine, "invalid result: " + t);
        }

        private byte[] memory() {
            if (memFromFile != null) {
                return memFromFile;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String t : memTokens) {
                if (!MEM_TOKEN.matcher(t).matches()) {
                    break; // as the C++ stream read: the first non-hex token ends the memory
                }
                String digits = t.startsWith("0x") || t.startsWith("0X") ? t.substring(2) : t;
                out.write((int) (Long.parseLong(digits, 16) & 0xff));
            }
            return out.toByteArray();
        }

        private DataFormatException fail(int line, String reason) {
            return new DataFormatException(path, shown, line, reason);
        }
    }
}
