package dev.bpfh.data;

import dev.bpfh.asm.AssemblyException;
import dev.bpfh.asm.Assembler;
import dev.bpfh.asm.SourceLine;
import dev.bpfh.ctx.PacketContext;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
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
 * <p>Map extensions (bpfh; README "Maps in test files"): a directive whose first word after
 * {@code --} is exactly {@code map}, {@code map-init}, {@code map-expect} or
 * {@code ringbuf-expect}, followed by a map name, is matched before the substring rules, so files
 * without them parse exactly as before. {@code -- map NAME} takes one line
 * {@code type=T key=K value=V entries=N [flags=F]}; {@code -- map-init}/{@code -- map-expect}
 * take {@code KEY_HEX : VALUE_HEX} lines (a PROG_ARRAY value may be {@code self});
 * {@code -- ringbuf-expect} takes one hex line per record. Unknown maps, wrong lengths and
 * malformed lines are {@code file:line} errors.
 *
 * <p>Typed programs and objects (bpfh; README "Program types and objects in test files"):
 * {@code -- program-type}, {@code -- elf}, {@code -- ctx}, {@code -- ctx-out} and {@code -- data-out},
 * each alone on its line and once per file, content on the following lines. What depends on the
 * program's type is checked when the whole file is read: the object ({@link ObjectSections}), the
 * context lines ({@link ContextLines}), action names in {@code -- result} ({@link Actions}) and the
 * packet and ctx_in as test_run would take them ({@code PacketContext.checkInput}).
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

    private enum Section {
        NONE, ASM, RESULT, MEM, RAW, ERROR, DESCRIPTION, NO_JIT, IGNORED, MAP, MAP_INIT, MAP_EXPECT, RINGBUF_EXPECT,
        PROGRAM_TYPE, ELF, DATA_OUT, CTX, CTX_OUT
    }

    /**
     * The typed-program directives (README "Program types and objects in test files"): the whole
     * line is {@code -- WORD}, the content on the lines after it. Matched before the substring
     * rules ({@code -- ctx} would otherwise be bpf_conformance's {@code -- c}).
     */
    private static final java.util.Map<String, Section> TYPED = java.util.Map.of(
            "program-type", Section.PROGRAM_TYPE, "elf", Section.ELF, "data-out", Section.DATA_OUT, "ctx", Section.CTX,
            "ctx-out", Section.CTX_OUT);

    /** The map directives, matched by their whole first word (they take a map name after it). */
    private static final java.util.Map<String, Section> EXTENSIONS = java.util.Map.of(
            "map", Section.MAP, "map-init", Section.MAP_INIT, "map-expect", Section.MAP_EXPECT,
            "ringbuf-expect", Section.RINGBUF_EXPECT);

    private static final Pattern BYTE_PAIR = Pattern.compile("[0-9a-fA-F]{2}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
    private static final Pattern DEC = Pattern.compile("[0-9]+");
    private static final Pattern MEM_TOKEN = Pattern.compile("(0[xX])?[0-9a-fA-F]{1,8}");
    private static final Pattern HEX_PAIR = Pattern.compile("[0-9a-fA-F]{2}");
    private static final Pattern DATA_BYTE = Pattern.compile("(0[xX])?[0-9a-fA-F]{1,2}");
    private static final Pattern SYMBOL = Pattern.compile("[A-Z][A-Z_]*");

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

        /** The map the current extension section is about, and where it was named. */
        private String sectionMap;
        private int sectionLine;
        private final java.util.Map<String, MapDecl> mapDecls = new java.util.LinkedHashMap<>();
        private final java.util.Map<String, List<MapLine>> mapInit = new java.util.LinkedHashMap<>();
        private final java.util.Map<String, List<MapLine>> mapExpect = new java.util.LinkedHashMap<>();
        private final java.util.Map<String, List<byte[]>> ringbufExpect = new java.util.LinkedHashMap<>();
        private List<MapSpec> maps = List.of();
        /** Every map section, in file order, and those naming a map no earlier {@code -- map} declares. */
        private final List<MapSection> mapSections = new ArrayList<>();
        private final List<MapSection> undeclared = new ArrayList<>();

        // typed programs and objects
        private final java.util.Set<Section> typedSeen = java.util.EnumSet.noneOf(Section.class);
        private ProgramType declaredType;
        private int typeLine;
        private String elfPath;
        private String elfProgram;
        private int elfLine;
        private final ByteArrayOutputStream dataOut = new ByteArrayOutputStream();
        private int dataOutLine;
        private final List<ContextLines.Entry> ctxEntries = new ArrayList<>();
        private int ctxLine;
        private final List<ContextLines.Entry> ctxOutEntries = new ArrayList<>();
        private int ctxOutLine;
        private int memLine;

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
                    case MAP -> mapDeclaration(line, lineNo);
                    case MAP_INIT -> mapInit.get(sectionMap).add(mapLine(line, lineNo));
                    case MAP_EXPECT -> mapExpect.get(sectionMap).add(mapLine(line, lineNo));
                    case RINGBUF_EXPECT -> ringbufExpect.get(sectionMap).add(hexBytes(line, lineNo));
                    case PROGRAM_TYPE -> programType(line, lineNo);
                    case ELF -> elf(line, lineNo);
                    case DATA_OUT -> dataOutLine(line, lineNo);
                    case CTX -> ctxEntries.addAll(ContextLines.parse(line, lineNo, this::fail));
                    case CTX_OUT -> ctxOutEntries.addAll(ContextLines.parse(line, lineNo, this::fail));
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
            String[] words = line.strip().split("\\s+");
            Section typed = words.length >= 2 && words[0].equals("--") ? TYPED.get(words[1]) : null;
            if (typed != null) {
                included = Section.NONE;
                return typedDirective(typed, words, lineNo);
            }
            Section extension = words.length >= 2 && words[0].equals("--") ? EXTENSIONS.get(words[1]) : null;
            if (extension != null) {
                included = Section.NONE;
                return extensionDirective(extension, words, lineNo);
            }
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
                    memLine = lineNo;
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

        /** {@code -- program-type}, {@code -- elf}, {@code -- data-out}, {@code -- ctx}: once each, alone on the line. */
        private Section typedDirective(Section s, String[] words, int lineNo) throws DataFormatException {
            if (words.length != 2) {
                throw fail(lineNo, "-- " + words[1] + " stands alone on its line; its content goes on the lines after it");
            }
            if (!typedSeen.add(s)) {
                throw fail(lineNo, "a second -- " + words[1] + " section");
            }
            switch (s) {
                case PROGRAM_TYPE -> typeLine = lineNo;
                case ELF -> elfLine = lineNo;
                case DATA_OUT -> dataOutLine = lineNo;
                case CTX -> ctxLine = lineNo;
                case CTX_OUT -> ctxOutLine = lineNo;
                default -> throw new IllegalStateException(s.toString());
            }
            return s;
        }

        private void programType(String line, int lineNo) throws DataFormatException {
            String word = line.strip();
            if (declaredType != null || word.contains(" ") || word.contains("\t")) {
                throw fail(lineNo, "-- program-type takes one word: raw, xdp, tc or socket_filter");
            }
            declaredType = ProgramType.fromWord(word).orElseThrow(() -> fail(lineNo, "unknown program type '" + word
                    + "' (known: raw, xdp, tc, socket_filter)"));
            typeLine = lineNo;
        }

        private void elf(String line, int lineNo) throws DataFormatException {
            String[] words = line.strip().split("\\s+");
            if (elfPath != null || words.length != 2) {
                throw fail(lineNo, "-- elf takes one line: OBJECT_PATH PROGRAM_NAME (the path relative to this file)");
            }
            elfPath = words[0];
            elfProgram = words[1];
            elfLine = lineNo;
        }

        /** Hex bytes as in {@code -- mem} (optional {@code 0x}, one or two digits each), but strictly: nothing else. */
        private void dataOutLine(String line, int lineNo) throws DataFormatException {
            for (String t : line.strip().split("\\s+")) {
                if (!DATA_BYTE.matcher(t).matches()) {
                    throw fail(lineNo, "expected hex bytes in -- data-out, got '" + t + "'");
                }
                dataOut.write(Integer.parseInt(t.startsWith("0x") || t.startsWith("0X") ? t.substring(2) : t, 16));
            }
        }

        private Section extensionDirective(Section s, String[] words, int lineNo) throws DataFormatException {
            if (words.length != 3) {
                throw fail(lineNo, "-- " + words[1] + " takes one map name");
            }
            String map = words[2];
            sectionMap = map;
            sectionLine = lineNo;
            switch (s) {
                case MAP -> {
                    if (mapDecls.containsKey(map)) {
                        throw fail(lineNo, "map '" + map + "' is declared twice (first at line "
                                + mapDecls.get(map).line() + ")");
                    }
                    mapDecls.put(map, new MapDecl(null, lineNo));
                }
                case MAP_INIT, MAP_EXPECT, RINGBUF_EXPECT -> {
                    MapDecl decl = mapDecls.get(map);
                    MapSection ref = new MapSection(s, words[1], map, lineNo);
                    mapSections.add(ref);
                    if (decl == null) {
                        // an error unless the map is the -- elf object's, which may come later in the file
                        undeclared.add(ref);
                    }
                    java.util.Map<String, ?> target = s == Section.MAP_INIT ? mapInit
                            : s == Section.MAP_EXPECT ? mapExpect : ringbufExpect;
                    if (target.containsKey(map)) {
                        throw fail(lineNo, "a second -- " + words[1] + " section for map '" + map + "'");
                    }
                    boolean ring = decl != null && decl.spec() != null && decl.spec().type() == MapType.RINGBUF;
                    if (decl != null && (s == Section.RINGBUF_EXPECT ? !ring : ring)) {
                        throw fail(lineNo, "-- " + words[1] + " does not apply to map '" + map + "' ("
                                + (decl.spec() == null ? "no type yet" : decl.spec().type().word()) + ")");
                    }
                    switch (s) {
                        case MAP_INIT -> mapInit.put(map, new ArrayList<>());
                        case MAP_EXPECT -> mapExpect.put(map, new ArrayList<>());
                        default -> ringbufExpect.put(map, new ArrayList<>());
                    }
                }
                default -> throw new IllegalStateException(s.toString());
            }
            return s;
        }

        /** {@code type=T key=K value=V entries=N [flags=F]} for the map of the section. */
        private void mapDeclaration(String line, int lineNo) throws DataFormatException {
            if (mapDecls.get(sectionMap).spec() != null) {
                throw fail(lineNo, "map '" + sectionMap + "' already has its definition (line "
                        + mapDecls.get(sectionMap).line() + ")");
            }
            java.util.Map<String, String> fields = new java.util.HashMap<>();
            for (String kv : line.strip().split("\\s+")) {
                int eq = kv.indexOf('=');
                String key = eq < 0 ? kv : kv.substring(0, eq);
                if (eq <= 0 || !List.of("type", "key", "value", "entries", "flags").contains(key)) {
                    throw fail(lineNo, "expected type=T key=K value=V entries=N [flags=F], got '" + kv + "'");
                }
                if (fields.put(key, kv.substring(eq + 1)) != null) {
                    throw fail(lineNo, "'" + key + "' given twice");
                }
            }
            for (String required : List.of("type", "key", "value", "entries")) {
                if (!fields.containsKey(required)) {
                    throw fail(lineNo, "map '" + sectionMap + "' needs " + required + "=");
                }
            }
            MapType type = MapType.fromWord(fields.get("type")).orElseThrow(() -> fail(lineNo,
                    "unknown map type '" + fields.get("type") + "' (known: "
                            + java.util.Arrays.stream(MapType.values()).map(MapType::word).toList() + ")"));
            MapSpec spec = new MapSpec(sectionMap, type, u32(fields.get("key"), "key", lineNo),
                    u32(fields.get("value"), "value", lineNo), u32(fields.get("entries"), "entries", lineNo),
                    fields.containsKey("flags") ? u32(fields.get("flags"), "flags", lineNo) : 0);
            mapDecls.put(sectionMap, new MapDecl(spec, mapDecls.get(sectionMap).line()));
        }

        /** A decimal or 0x-hex number that fits 32 unsigned bits (the kernel's u32 fields). */
        private int u32(String text, String what, int lineNo) throws DataFormatException {
            try {
                long v = text.startsWith("0x") || text.startsWith("0X")
                        ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
                if (v >= 0 && v <= 0xffffffffL) {
                    return (int) v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw fail(lineNo, "invalid " + what + " '" + text + "': expected a 32-bit unsigned number");
        }

        /** {@code KEY_HEX : VALUE_HEX}, or {@code KEY_HEX : self}. */
        private MapLine mapLine(String line, int lineNo) throws DataFormatException {
            int colon = line.indexOf(':');
            if (colon < 0 || line.indexOf(':', colon + 1) >= 0) {
                throw fail(lineNo, "expected KEY_HEX : VALUE_HEX, got '" + line.strip() + "'");
            }
            byte[] key = hexBytes(line.substring(0, colon), lineNo);
            String value = line.substring(colon + 1).strip();
            if (value.equals("self")) {
                return new MapLine(key, null, true, lineNo);
            }
            return new MapLine(key, hexBytes(value, lineNo), false, lineNo);
        }

        /** Two-hex-digit tokens separated by blanks (an empty line part is zero bytes). */
        private byte[] hexBytes(String text, int lineNo) throws DataFormatException {
            String t = text.strip();
            if (t.isEmpty()) {
                return new byte[0];
            }
            String[] tokens = t.split("\\s+");
            byte[] out = new byte[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                if (!BYTE_PAIR.matcher(tokens[i]).matches()) {
                    throw fail(lineNo, "expected two-digit hex bytes, got '" + tokens[i] + "'");
                }
                out[i] = (byte) Integer.parseInt(tokens[i], 16);
            }
            return out;
        }

        /** Checks every map section against its map's definition. */
        private List<MapSpec> checkedMaps() throws DataFormatException {
            List<MapSpec> specs = new ArrayList<>();
            for (var e : mapDecls.entrySet()) {
                if (e.getValue().spec() == null) {
                    throw fail(e.getValue().line(), "map '" + e.getKey() + "' has no type=... definition line");
                }
                specs.add(e.getValue().spec());
            }
            for (var e : mapInit.entrySet()) {
                MapSpec spec = mapDecls.get(e.getKey()).spec();
                for (MapLine l : e.getValue()) {
                    checkLine(spec, l, true);
                }
            }
            for (var e : mapExpect.entrySet()) {
                MapSpec spec = mapDecls.get(e.getKey()).spec();
                if (spec.type() == MapType.PROG_ARRAY) {
                    throw fail(e.getValue().isEmpty() ? 0 : e.getValue().get(0).line(),
                            "-- map-expect does not apply to prog_array map '" + spec.name() + "'");
                }
                for (MapLine l : e.getValue()) {
                    checkLine(spec, l, false);
                }
            }
            return specs;
        }

        private void checkLine(MapSpec spec, MapLine l, boolean init) throws DataFormatException {
            if (l.key().length != spec.keySize()) {
                throw fail(l.line(), "key of " + l.key().length + " bytes, but map '" + spec.name() + "' has key="
                        + spec.keySize());
            }
            if (l.self()) {
                if (!init || spec.type() != MapType.PROG_ARRAY) {
                    throw fail(l.line(), "'self' is a value only in the -- map-init of a prog_array");
                }
                return;
            }
            if (spec.type() == MapType.PROG_ARRAY) {
                throw fail(l.line(), "prog_array '" + spec.name() + "' takes program values: 'self'");
            }
            if (l.value().length != spec.valueSize()) {
                throw fail(l.line(), "value of " + l.value().length + " bytes, but map '" + spec.name() + "' has value="
                        + spec.valueSize());
            }
        }

        private record MapDecl(MapSpec spec, int line) {}

        /** A {@code -- map-init}, {@code -- map-expect} or {@code -- ringbuf-expect} directive: which map, where. */
        private record MapSection(Section kind, String word, String map, int line) {}

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
            DataFile.ElfReference object = object();
            ProgramType type = object != null ? objectType(object) : declaredType != null ? declaredType : ProgramType.RAW;
            boolean encodingTest = object == null && result == null && error == null && notRunnable == null && !raw.isEmpty() && !asm.isEmpty();
            if (result == null && error == null && notRunnable == null && !encodingTest) {
                throw fail(0, "no -- result or -- error section");
            }
            OptionalLong expected = OptionalLong.empty();
            if (result != null) {
                expected = OptionalLong.of(resultValue(type));
            }
            if (errorIsPattern) {
                checkPattern();
            }
            if (object != null) {
                return finish(type, ObjectSections.program(object), expected, object);
            }
            if (!undeclared.isEmpty()) {
                MapSection first = undeclared.get(0);
                throw fail(first.line(), "-- " + first.word() + " names map '" + first.map()
                        + "', which no earlier -- map declares");
            }
            maps = checkedMaps();
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
            return finish(type, new Program(name, slots, maps, type), expected, null);
        }

        /** The file's input and expectations around its program; a typed program's input checked as test_run would. */
        private DataFile finish(ProgramType type, Program program, OptionalLong expected, DataFile.ElfReference object)
                throws DataFormatException {
            byte[] mem = memory();
            byte[] ctx = ctxLine == 0 ? null : ContextLines.build(type, ctxEntries, ctxLine, mem.length, this::fail);
            java.util.Map<String, Long> ctxOut = ctxOutLine == 0 ? java.util.Map.of()
                    : ContextLines.expected(type, ctxOutEntries, ctxOutLine, ctxLine, this::fail);
            if (type != ProgramType.RAW && notRunnable == null && (result != null || memLine != 0 || ctx != null)) {
                checkInput(type, mem, ctx);
            }
            DataFile.Notes notes = new DataFile.Notes(String.join(" ", description),
                    noJit == null ? Optional.empty() : Optional.of(String.join(" ", noJit)), errorIsPattern,
                    Optional.ofNullable(notRunnable));
            return new DataFile(name, path, program, mem, expected, Optional.ofNullable(error), hasC, mapInit, mapExpect,
                    ringbufExpect, notes, object, ctx, dataOutLine == 0 ? null : dataOut.toByteArray(), ctxOut);
        }

        /** The packet, then the packet with its ctx_in, as test_run takes them (and the userspace engines model them). */
        private void checkInput(ProgramType type, byte[] mem, byte[] ctx) throws DataFormatException {
            Optional<String> packet = PacketContext.checkInput(type, new RunInput(mem, null));
            if (packet.isPresent()) {
                throw fail(memLine != 0 ? memLine : typeLine != 0 ? typeLine : elfLine, "the " + type.word()
                        + " packet (-- mem) cannot be run: " + packet.get());
            }
            Optional<String> withCtx = ctx == null ? Optional.empty() : PacketContext.checkInput(type, new RunInput(mem, ctx));
            if (withCtx.isPresent()) {
                throw fail(ctxLine, "the -- ctx cannot be run: " + withCtx.get());
            }
        }

        /** The {@code -- elf} object, loaded, or null when the file has none. */
        private DataFile.ElfReference object() throws DataFormatException {
            if (elfPath == null) {
                if (elfLine != 0) {
                    throw fail(elfLine, "-- elf takes one line: OBJECT_PATH PROGRAM_NAME (the path relative to this file)");
                }
                return null;
            }
            if (!asm.isEmpty() || !raw.isEmpty()) {
                throw fail(elfLine, "a file with -- elf takes its program from the object: it has no -- asm or -- raw");
            }
            if (path == null) {
                throw fail(elfLine, "-- elf names '" + elfPath + "' relative to the test, but this text was not read from a file");
            }
            DataFile.ElfReference ref = ObjectSections.load(resolve(elfPath, elfLine), elfProgram, elfLine, this::fail);
            for (var decl : mapDecls.entrySet()) {
                if (decl.getValue().spec() == null) {
                    throw fail(decl.getValue().line(), "map '" + decl.getKey() + "' has no type=... definition line");
                }
                ObjectSections.checkDeclaration(ref, decl.getValue().spec(), decl.getValue().line(), this::fail);
            }
            objectMapSections(ref);
            maps = ref.object().maps();
            return ref;
        }

        /** The object program's type; a {@code -- program-type} beside {@code -- elf} must agree with it. */
        private ProgramType objectType(DataFile.ElfReference ref) throws DataFormatException {
            Program p = ObjectSections.program(ref);
            if (declaredType != null && declaredType != p.type()) {
                throw fail(typeLine, "-- program-type says " + declaredType.word() + ", but program '" + ref.program()
                        + "' of " + ref.file().getFileName() + " is " + p.type().word() + " (section '"
                        + ref.object().programSections().get(ref.program()) + "')");
            }
            return p.type();
        }

        /** Checks every map section against the object's map and keys it by the map's real name. */
        private void objectMapSections(DataFile.ElfReference ref) throws DataFormatException {
            java.util.Map<String, List<MapLine>> init = new java.util.LinkedHashMap<>();
            java.util.Map<String, List<MapLine>> expect = new java.util.LinkedHashMap<>();
            java.util.Map<String, List<byte[]>> ring = new java.util.LinkedHashMap<>();
            for (MapSection sec : mapSections) {
                String real = ObjectSections.mapName(ref, sec.map(), sec.word(), sec.line(), this::fail);
                MapSpec spec = ObjectSections.spec(ref, real);
                boolean isRing = spec.type() == MapType.RINGBUF;
                if (sec.kind() == Section.RINGBUF_EXPECT ? !isRing : isRing) {
                    throw fail(sec.line(), "-- " + sec.word() + " does not apply to map '" + real + "' (" + spec.type().word() + ")");
                }
                if (sec.kind() == Section.MAP_EXPECT && spec.type() == MapType.PROG_ARRAY) {
                    throw fail(sec.line(), "-- map-expect does not apply to prog_array map '" + real + "'");
                }
                java.util.Map<String, ?> target = sec.kind() == Section.MAP_INIT ? init
                        : sec.kind() == Section.MAP_EXPECT ? expect : ring;
                if (target.containsKey(real)) {
                    throw fail(sec.line(), "a second -- " + sec.word() + " section for map '" + real + "' (here as '"
                            + sec.map() + "')");
                }
                switch (sec.kind()) {
                    case MAP_INIT -> init.put(real, checkLines(spec, mapInit.get(sec.map()), true));
                    case MAP_EXPECT -> expect.put(real, checkLines(spec, mapExpect.get(sec.map()), false));
                    default -> ring.put(real, ringbufExpect.get(sec.map()));
                }
            }
            mapInit.clear();
            mapInit.putAll(init);
            mapExpect.clear();
            mapExpect.putAll(expect);
            ringbufExpect.clear();
            ringbufExpect.putAll(ring);
        }

        private List<MapLine> checkLines(MapSpec spec, List<MapLine> lines, boolean init) throws DataFormatException {
            for (MapLine l : lines) {
                checkLine(spec, l, init);
            }
            return lines;
        }

        private long[] assemble() throws DataFormatException {
            try {
                return Assembler.assemble(name, asm, maps).slots();
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

        /**
         * {@code 0x} anywhere selects unsigned hex (either case of digits), else unsigned decimal. A
         * typed program's result is its 32-bit retval, and may be an action's name ({@link Actions}).
         */
        private long resultValue(ProgramType type) throws DataFormatException {
            String t = result.strip();
            if (type != ProgramType.RAW) {
                long v;
                if (SYMBOL.matcher(t).matches()) {
                    v = action(type, t);
                } else {
                    v = resultValue(ProgramType.RAW);
                }
                if (v >>> 32 != 0) {
                    throw fail(resultLine, "a " + type.word() + " program's result is its 32-bit retval; " + t
                            + " does not fit in 32 bits");
                }
                return v;
            }
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

        private long action(ProgramType type, String name) throws DataFormatException {
            Long v = Actions.of(type).get(name);
            if (v != null) {
                return v;
            }
            Optional<ProgramType> other = Actions.typeOf(name);
            if (other.isPresent()) {
                throw fail(resultLine, name + " is a " + other.get().word() + " action, but the program is "
                        + type.word());
            }
            var known = Actions.of(type).keySet();
            throw fail(resultLine, "unknown result '" + name + "'" + (known.isEmpty()
                    ? ": a " + type.word() + " program's result is a number"
                    : " (known: " + String.join(", ", known) + ")"));
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
