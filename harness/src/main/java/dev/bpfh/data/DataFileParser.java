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
import java.util.regex.Pattern;

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
 */
public final class DataFileParser {
    private DataFileParser() {}

    private enum Section { NONE, ASM, RESULT, MEM, RAW, ERROR, IGNORED }

    private static final Pattern BYTE_PAIR = Pattern.compile("[0-9a-fA-F]{2}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
    private static final Pattern DEC = Pattern.compile("[0-9]+");
    private static final Pattern MEM_TOKEN = Pattern.compile("(0[xX])?[0-9a-fA-F]{1,8}");

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
        private final List<String> memTokens = new ArrayList<>();
        private String result;
        private int resultLine;
        private String error;
        private boolean hasC;
        private int firstCodeDirective;

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
                String line = lines[i];
                if (line.endsWith("\r")) {
                    line = line.substring(0, line.length() - 1);
                }
                int hash = line.indexOf('#');
                if (hash >= 0) {
                    line = line.substring(0, hash);
                }
                if (line.contains("--")) {
                    section = directive(line, lineNo);
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                switch (section) {
                    case ASM -> asm.add(new SourceLine(lineNo, line));
                    case RESULT -> {
                        result = line;
                        resultLine = lineNo;
                    }
                    case MEM -> memTokens.addAll(List.of(line.strip().split("\\s+")));
                    case RAW -> rawLine(line, lineNo);
                    case ERROR -> error = line;
                    case NONE, IGNORED -> {}
                }
            }
            return build();
        }

        private Section directive(String line, int lineNo) throws DataFormatException {
            Section s;
            if (line.contains("asm")) {
                s = Section.ASM;
            } else if (line.contains("result")) {
                s = Section.RESULT;
            } else if (line.contains("mem")) {
                s = Section.MEM;
            } else if (line.contains("raw")) {
                s = Section.RAW;
            } else if (line.contains("no register offset")) {
                s = Section.IGNORED;
            } else if (line.contains(" c")) {
                hasC = true;
                s = Section.IGNORED;
            } else if (line.contains("error")) {
                if (error == null) {
                    error = ""; // present but (so far) empty: any load error
                }
                s = Section.ERROR;
            } else {
                throw fail(lineNo, "unknown directive: " + line.strip());
            }
            if ((s == Section.ASM || s == Section.RAW) && firstCodeDirective == 0) {
                firstCodeDirective = lineNo;
            }
            return s;
        }

        private void rawLine(String line, int lineNo) throws DataFormatException {
            String[] tokens = line.strip().split("\\s+");
            if (tokens.length == 8 && java.util.Arrays.stream(tokens).allMatch(t -> BYTE_PAIR.matcher(t).matches())) {
                long w = 0;
                for (int b = 7; b >= 0; b--) {
                    w = (w << 8) | Integer.parseInt(tokens[b], 16);
                }
                raw.add(w);
                return;
            }
            for (String t : tokens) {
                raw.add(word(t, lineNo));
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
            if (result == null && error == null) {
                throw fail(0, "no -- result or -- error section");
            }
            OptionalLong expected = OptionalLong.empty();
            if (result != null) {
                expected = OptionalLong.of(resultValue());
            }
            long[] slots;
            if (!raw.isEmpty()) {
                slots = raw.stream().mapToLong(Long::longValue).toArray();
            } else {
                try {
                    slots = Assembler.assemble(name, asm).slots();
                } catch (AssemblyException e) {
                    throw fail(e.line(), e.getMessage());
                }
            }
            if (slots.length == 0) {
                throw fail(firstCodeDirective, "no instructions");
            }
            return new DataFile(name, path, new Program(name, slots), memory(),
                    expected, Optional.ofNullable(error), hasC);
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
