package dev.bpfh.asm;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.MapSpec;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The bpf_conformance assembly syntax (isa.md §4), one statement per line.
 *
 * <p>What it follows exactly: whitespace tokenising with one trailing {@code ,} removed per operand;
 * every mnemonic of §4.4 and its operand count; registers {@code %r0}..{@code %r15} (r11..r15 so
 * negative tests can be written); IMM32/IMM64/NUM16 rules including hex as a raw bit pattern and
 * {@code 0x} detection by substring; labels on their own line (the rest of a label line is
 * ignored); the implicit {@code exit} label at the first {@code exit}; fix-ups
 * {@code disp = label - pc - 1} into imm for {@code call local} and {@code ja32}, into off
 * otherwise; and the error texts of §4.7.
 *
 * <p>Deliberate differences from the C++ assembler, all stricter or additive:
 * <ul>
 *   <li>Numbers with trailing junk are rejected ({@code Invalid immediate: 12ab},
 *       {@code Invalid offset: +1x}) instead of being read up to the junk; so is {@code 0X10}.</li>
 *   <li>A memory operand must be exactly {@code [REG]} or {@code [REG+N]}/{@code [REG-N]}.</li>
 *   <li>A label whose displacement does not fit the 16-bit offset is an error
 *       ({@code Offset out of 16-bit range: LABEL}) instead of being truncated.</li>
 *   <li>An {@code lddw} immediate beyond 64 bits gives {@code Immediate out of 64-bit range: X}.</li>
 *   <li>{@code gotol} is accepted as an alias of {@code ja32}.</li>
 *   <li>A hex IMM32 may also be written as the 64-bit sign extension of an int32
 *       ({@code 0xffffffffffffff80} is -128), as the reference suite's own files do; anything else
 *       above {@code 0xffffffff} is still out of range.</li>
 *   <li>Registers may also be written without the {@code %} ({@code r1}), as older bpf_conformance
 *       files and uBPF's tests do; {@code r50} is then {@code Invalid register: r50}.</li>
 *   <li>{@code .slot 0x<up to 16 hex digits>} emits one raw slot (the little-endian word), so the
 *       {@link Disassembler} can print any bytes, even those no mnemonic encodes, and still
 *       round-trip.</li>
 * </ul>
 */
public final class Assembler {

    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
    private static final Pattern DEC = Pattern.compile("[0-9]+");
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    /** Binary ALU operations by base mnemonic; sdiv/smod share div/mod's code with off = 1. */
    private static final Map<String, Integer> ALU_OPS = Map.ofEntries(
            Map.entry("add", ADD), Map.entry("sub", SUB), Map.entry("mul", MUL), Map.entry("div", DIV),
            Map.entry("sdiv", DIV), Map.entry("or", OR), Map.entry("and", AND), Map.entry("lsh", LSH),
            Map.entry("rsh", RSH), Map.entry("mod", MOD), Map.entry("smod", MOD), Map.entry("xor", XOR),
            Map.entry("mov", MOV), Map.entry("arsh", ARSH));

    private static final Map<String, Integer> JMP_OPS = Map.ofEntries(
            Map.entry("jeq", JEQ), Map.entry("jgt", JGT), Map.entry("jge", JGE), Map.entry("jset", JSET),
            Map.entry("jne", JNE), Map.entry("jsgt", JSGT), Map.entry("jsge", JSGE), Map.entry("jlt", JLT),
            Map.entry("jle", JLE), Map.entry("jslt", JSLT), Map.entry("jsle", JSLE));

    private static final Map<String, Integer> LDX_OPS = Map.of(
            "ldxw", LDX | MODE_MEM | SIZE_W, "ldxh", LDX | MODE_MEM | SIZE_H,
            "ldxb", LDX | MODE_MEM | SIZE_B, "ldxdw", LDX | MODE_MEM | SIZE_DW,
            "ldxsw", LDX | MODE_MEMSX | SIZE_W, "ldxsh", LDX | MODE_MEMSX | SIZE_H,
            "ldxsb", LDX | MODE_MEMSX | SIZE_B);

    private static final Map<String, Integer> ST_OPS = Map.of(
            "stw", ST | MODE_MEM | SIZE_W, "sth", ST | MODE_MEM | SIZE_H,
            "stb", ST | MODE_MEM | SIZE_B, "stdw", ST | MODE_MEM | SIZE_DW);

    private static final Map<String, Integer> STX_OPS = Map.of(
            "stxw", STX | MODE_MEM | SIZE_W, "stxh", STX | MODE_MEM | SIZE_H,
            "stxb", STX | MODE_MEM | SIZE_B, "stxdw", STX | MODE_MEM | SIZE_DW);

    /** Atomic op words (without the 32 suffix) and their imm without the fetch bit. */
    private static final Map<String, Integer> ATOMIC_OPS = Map.of(
            "add", ATOMIC_ADD, "or", ATOMIC_OR, "and", ATOMIC_AND, "xor", ATOMIC_XOR,
            "xchg", ATOMIC_XCHG, "cmpxchg", ATOMIC_CMPXCHG);

    private static final Map<String, Integer> REGISTERS = registers();

    private record Fixup(int slot, String label, int line) {}

    private final List<Long> slots = new ArrayList<>();
    private final List<Fixup> fixups = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();
    private boolean sawExit;
    private int line;
    private List<MapSpec> maps = List.of();

    private Assembler() {}

    /** Assembles text whose lines are numbered from 1; a trailing {@code \r} on a line is ignored. */
    public static Program assemble(String name, String text) throws AssemblyException {
        String[] raw = text.split("\n", -1);
        List<SourceLine> lines = new ArrayList<>(raw.length);
        for (int i = 0; i < raw.length; i++) {
            String l = raw[i].endsWith("\r") ? raw[i].substring(0, raw[i].length() - 1) : raw[i];
            lines.add(new SourceLine(i + 1, l));
        }
        return assemble(name, lines);
    }

    /** Assembles lines that carry their own line numbers (e.g. the asm section of a .data file). */
    public static Program assemble(String name, List<SourceLine> lines) throws AssemblyException {
        return assemble(name, lines, List.of());
    }

    /**
     * Assembles a program that uses {@code maps}: {@code map:NAME} and {@code map_value:NAME+OFF}
     * operands of {@code lddw} name them (by index: {@code map:@N} works without declarations).
     */
    public static Program assemble(String name, List<SourceLine> lines, List<MapSpec> maps) throws AssemblyException {
        Assembler a = new Assembler();
        a.maps = maps;
        for (SourceLine l : lines) {
            a.line = l.line();
            a.statement(l.text());
        }
        a.fixUp();
        long[] out = new long[a.slots.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.slots.get(i);
        }
        return new Program(name, out, maps);
    }

    private void statement(String text) throws AssemblyException {
        String stripped = text.strip();
        if (stripped.isEmpty()) {
            return;
        }
        String[] tokens = stripped.split("\\s+");
        String mn = tokens[0];
        if (mn.endsWith(":")) { // a label; anything after it on the line is ignored, as in C++
            String label = mn.substring(0, mn.length() - 1);
            Integer previous = labels.get(label);
            if (previous != null) {
                throw error("Duplicate label (" + label + ") detected at line " + slots.size()
                        + " (previous declaration at line " + previous + ")");
            }
            labels.put(label, slots.size());
            return;
        }
        List<String> ops = new ArrayList<>(tokens.length - 1);
        for (int i = 1; i < tokens.length; i++) {
            String t = tokens[i];
            ops.add(t.endsWith(",") ? t.substring(0, t.length() - 1) : t);
        }
        if (mn.equals("exit") && !sawExit) { // the first exit is the implicit label "exit"
            labels.put("exit", slots.size());
            sawExit = true;
        }
        instruction(mn, ops);
    }

    private void instruction(String mn, List<String> ops) throws AssemblyException {
        switch (mn) {
            case "lddw" -> {
                count(mn, ops, 2);
                int dst = reg(ops.get(0));
                String operand = ops.get(1);
                if (operand.startsWith("map:")) {
                    emit(LDDW, dst, PSEUDO_MAP_FD, 0, mapIndex(operand.substring(4), operand));
                    emit(0, 0, 0, 0, 0);
                } else if (operand.startsWith("map_value:")) {
                    String ref = operand.substring(10);
                    int plus = ref.lastIndexOf('+');
                    int index = mapIndex(plus < 0 ? ref : ref.substring(0, plus), operand);
                    int offset = plus < 0 ? 0 : imm32(ref.substring(plus + 1));
                    emit(LDDW, dst, PSEUDO_MAP_VALUE, 0, index);
                    emit(0, 0, 0, 0, offset);
                } else if (operand.startsWith("func:")) {
                    String t = operand.substring(5);
                    int disp = t.startsWith("+") || t.startsWith("-") ? imm32(t) : target(t);
                    emit(LDDW, dst, PSEUDO_FUNC, 0, disp);
                    emit(0, 0, 0, 0, 0);
                } else {
                    long v = imm64(operand);
                    emit(LDDW, dst, 0, 0, (int) v);
                    emit(0, 0, 0, 0, (int) (v >>> 32));
                }
            }
            case "exit" -> {
                count(mn, ops, 0);
                emit(EXIT_OP, 0, 0, 0, 0);
            }
            case "ja" -> {
                count(mn, ops, 1);
                emit(JA_OP, 0, 0, target(ops.get(0)), 0);
            }
            case "ja32", "gotol" -> {
                count(mn, ops, 1);
                emit(JA32_OP, 0, 0, 0, target(ops.get(0)));
            }
            case "call" -> call(ops);
            case "lock" -> lock(ops);
            case ".slot" -> {
                count(mn, ops, 1);
                String t = ops.get(0);
                if (!t.startsWith("0x") || t.length() > 18 || !HEX.matcher(t.substring(2)).matches()) {
                    throw error("Invalid slot: " + t);
                }
                slots.add(Long.parseUnsignedLong(t.substring(2), 16));
            }
            default -> other(mn, ops);
        }
    }

    private void other(String mn, List<String> ops) throws AssemblyException {
        Integer op;
        if ((op = LDX_OPS.get(mn)) != null) {
            count(mn, ops, 2);
            int dst = reg(ops.get(0));
            int[] m = mem(ops.get(1));
            emit(op, dst, m[0], m[1], 0);
        } else if ((op = ST_OPS.get(mn)) != null) {
            count(mn, ops, 2);
            int[] m = mem(ops.get(0));
            emit(op, m[0], 0, m[1], imm32(ops.get(1)));
        } else if ((op = STX_OPS.get(mn)) != null) {
            count(mn, ops, 2);
            int[] m = mem(ops.get(0));
            emit(op, m[0], reg(ops.get(1)), m[1], 0);
        } else if (!unary(mn, ops) && !alu(mn, ops) && !jump(mn, ops)) {
            throw error("Invalid mnemonic: " + mn);
        }
    }

    /** neg, neg32, leNN, beNN, swapNN, bswapNN; false when mn is none of them. */
    private boolean unary(String mn, List<String> ops) throws AssemblyException {
        int op;
        int imm = 0;
        switch (mn) {
            case "neg" -> op = ALU64 | NEG;
            case "neg32" -> op = ALU | NEG;
            case "le16", "le32", "le64" -> { op = ALU | END | SRC_K; imm = width(mn); }
            case "be16", "be32", "be64" -> { op = ALU | END | SRC_X; imm = width(mn); }
            case "swap16", "swap32", "swap64", "bswap16", "bswap32", "bswap64" -> {
                op = ALU64 | END | SRC_K;
                imm = width(mn);
            }
            default -> {
                return false;
            }
        }
        count(mn, ops, 1);
        emit(op, reg(ops.get(0)), 0, 0, imm);
        return true;
    }

    private static int width(String mn) {
        return Integer.parseInt(mn.substring(mn.length() - 2));
    }

    /** Binary ALU ops, their 32 forms and the movsx spellings; false when mn is none of them. */
    private boolean alu(String mn, List<String> ops) throws AssemblyException {
        int cls;
        int code;
        int off = 0;
        switch (mn) {
            case "movsx832" -> { cls = ALU; code = MOV; off = 8; }
            case "movsx1632" -> { cls = ALU; code = MOV; off = 16; }
            case "movsx864" -> { cls = ALU64; code = MOV; off = 8; }
            case "movsx1664" -> { cls = ALU64; code = MOV; off = 16; }
            case "movsx3264" -> { cls = ALU64; code = MOV; off = 32; }
            default -> {
                boolean is32 = mn.endsWith("32");
                String base = is32 ? mn.substring(0, mn.length() - 2) : mn;
                Integer c = ALU_OPS.get(base);
                if (c == null) {
                    return false;
                }
                cls = is32 ? ALU : ALU64;
                code = c;
                off = base.equals("sdiv") || base.equals("smod") ? 1 : 0;
            }
        }
        count(mn, ops, 2);
        int dst = reg(ops.get(0));
        String b = ops.get(1);
        if (isRegister(b)) {
            emit(cls | code | SRC_X, dst, reg(b), off, 0);
        } else {
            emit(cls | code | SRC_K, dst, 0, off, imm32(b));
        }
        return true;
    }

    /** Conditional jumps and their 32 forms; false when mn is none of them. */
    private boolean jump(String mn, List<String> ops) throws AssemblyException {
        boolean is32 = mn.endsWith("32");
        Integer code = JMP_OPS.get(is32 ? mn.substring(0, mn.length() - 2) : mn);
        if (code == null) {
            return false;
        }
        count(mn, ops, 3);
        int cls = is32 ? JMP32 : JMP;
        int dst = reg(ops.get(0));
        String b = ops.get(1);
        if (isRegister(b)) {
            int src = reg(b);
            emit(cls | code | SRC_X, dst, src, target(ops.get(2)), 0);
        } else {
            int imm = imm32(b);
            emit(cls | code | SRC_K, dst, 0, target(ops.get(2)), imm);
        }
        return true;
    }

    private void call(List<String> ops) throws AssemblyException {
        List<String> o = ops.size() == 1 ? List.of("helper", ops.get(0)) : ops;
        count("call", o, 2);
        String t = o.get(1);
        switch (o.get(0)) {
            case "helper" -> {
                if (isRegister(t)) { // callx: the helper id is the value of the register, kept in dst
                    emit(CALLX, reg(t), 0, 0, 0);
                } else {
                    emit(CALL_IMM, 0, CALL_HELPER, 0, imm32(t));
                }
            }
            case "local" -> emit(CALL_IMM, 0, CALL_LOCAL, 0, target(t));
            case "runtime" -> emit(CALL_IMM, 0, CALL_RUNTIME, 0, imm32(t));
            default -> throw error("Invalid call mode");
        }
    }

    /** {@code lock [fetch] op[32] MEM, REG}. */
    private void lock(List<String> ops) throws AssemblyException {
        if (ops.isEmpty()) {
            throw error("Invalid number of operands for lock");
        }
        boolean fetch = ops.get(0).equals("fetch");
        List<String> rest = fetch ? ops.subList(1, ops.size()) : ops;
        if (rest.isEmpty()) {
            throw error("Invalid number of operands for lock");
        }
        String word = rest.get(0);
        boolean is32 = word.endsWith("32");
        Integer aop = ATOMIC_OPS.get(is32 ? word.substring(0, word.length() - 2) : word);
        if (aop == null) {
            throw error("Invalid mnemonic: lock");
        }
        List<String> args = rest.subList(1, rest.size());
        count(word, args, 2);
        int[] m = mem(args.get(0));
        int src = reg(args.get(1));
        // xchg and cmpxchg always carry the fetch bit; a "fetch" word before them changes nothing.
        int imm = fetch ? aop | FETCH : aop;
        emit(is32 ? ATOMIC_W : ATOMIC_DW, m[0], src, m[1], imm);
    }

    private void fixUp() throws AssemblyException {
        for (Fixup f : fixups) {
            Integer target = labels.get(f.label);
            if (target == null) {
                line = f.line;
                throw error("Invalid label: " + f.label);
            }
            long disp = (long) target - f.slot - 1;
            long w = slots.get(f.slot);
            int op = Insn.opcode(w);
            if (op == CALL_IMM || op == JA32_OP || op == LDDW) {
                w = (w & 0xffffffffL) | (disp << 32);
            } else {
                if (disp < Short.MIN_VALUE || disp > Short.MAX_VALUE) {
                    line = f.line;
                    throw error("Offset out of 16-bit range: " + f.label);
                }
                w = (w & ~0xffff0000L) | ((disp & 0xffff) << 16);
            }
            slots.set(f.slot, w);
        }
    }

    // ---- operands -------------------------------------------------------------------------

    private void count(String mn, List<String> ops, int n) throws AssemblyException {
        if (ops.size() != n) {
            throw error("Invalid number of operands for mnemonic: " + mn);
        }
    }

    private int reg(String t) throws AssemblyException {
        Integer r = REGISTERS.get(t);
        if (r == null) {
            throw error("Invalid register: " + t);
        }
        return r;
    }

    /** {@code [REG]}, {@code [REG+N]} or {@code [REG-N]}: returns {register, offset}. */
    private int[] mem(String t) throws AssemblyException {
        int end = t.indexOf('+');
        if (end < 0) {
            end = t.indexOf('-');
        }
        if (end < 0) {
            end = t.indexOf(']');
        }
        if (!t.startsWith("[") || end < 1 || !t.endsWith("]")) {
            throw error("Failed to decode register and offset: " + t);
        }
        int r = reg(t.substring(1, end));
        if (t.charAt(end) == ']') {
            if (end != t.length() - 1) {
                throw error("Failed to decode register and offset: " + t);
            }
            return new int[] {r, 0};
        }
        // The offset text keeps its ']' in messages, as bpf_conformance prints it.
        return new int[] {r, num16(t.substring(end), t.substring(end, t.length() - 1))};
    }

    /** A map named by {@code NAME} (a declared map) or {@code @N} (an index), as an lddw imm. */
    private int mapIndex(String ref, String operand) throws AssemblyException {
        if (ref.startsWith("@")) {
            try {
                int i = Integer.parseInt(ref.substring(1));
                if (i >= 0) {
                    return i;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw error("Invalid map index: " + operand);
        }
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i).name().equals(ref)) {
                return i;
            }
        }
        throw error("Unknown map: " + ref + (maps.isEmpty() ? " (no -- map is declared)"
                : " (declared: " + maps.stream().map(MapSpec::name).toList() + ")"));
    }

    /** A jump or local-call target: {@code +N}/{@code -N} (16-bit) or a label fixed up later. */
    private int target(String t) throws AssemblyException {
        if (t.startsWith("+") || t.startsWith("-")) {
            return num16(t, t);
        }
        fixups.add(new Fixup(slots.size(), t, line));
        return 0;
    }

    /** NUM16: hex (when it contains {@code 0x}) ≤ 0xffff reinterpreted as s16, else s16 decimal. */
    private int num16(String shown, String t) throws AssemblyException {
        BigInteger v = number(t, "Invalid offset: " + shown, false);
        boolean hex = t.contains("0x");
        long max = hex ? 0xffff : Short.MAX_VALUE;
        long min = hex ? 0 : Short.MIN_VALUE;
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw error("Offset out of 16-bit range: " + shown);
        }
        return (short) v.intValue();
    }

    /** IMM32: hex ≤ 0xffffffff as a raw pattern, else decimal in the int range. */
    private int imm32(String t) throws AssemblyException {
        BigInteger v = number(t, "Invalid immediate: " + t, false);
        boolean hex = t.contains("0x");
        if (hex && !t.startsWith("-") && v.compareTo(SIGN_EXTENDED_INT32_MIN) >= 0 && v.compareTo(TWO_64) < 0) {
            // A 64-bit hex pattern that is the sign extension of an int32, as the reference suite
            // writes the operand of 64-bit compares (rfc9669_movsx: jne %r6, 0xffffffffffffff80):
            // it is that int32, which the CPU sign-extends back to exactly this value.
            return (int) v.longValue();
        }
        long max = hex ? 0xffffffffL : Integer.MAX_VALUE;
        long min = hex ? 0 : Integer.MIN_VALUE;
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw error("Immediate out of 32-bit range: " + t);
        }
        return (int) v.longValue();
    }

    private static final BigInteger SIGN_EXTENDED_INT32_MIN = new BigInteger("ffffffff80000000", 16);

    /**
     * IMM64: hex of up to 64 bits (a leading {@code -} negates modulo 2^64, as C's stoull does),
     * signed decimal when it starts with {@code -}, else unsigned decimal up to 2^64-1.
     */
    private long imm64(String t) throws AssemblyException {
        boolean hex = t.contains("0x");
        BigInteger v = number(t, "Invalid immediate: " + t, hex);
        BigInteger min = hex ? TWO_64.negate() : BigInteger.valueOf(Long.MIN_VALUE);
        if (v.compareTo(min) < 0 || v.compareTo(TWO_64) >= 0) {
            throw error("Immediate out of 64-bit range: " + t);
        }
        return v.longValue(); // low 64 bits: two's complement for negatives
    }

    /**
     * An optionally signed number: {@code [+-]0x<hex>} when the text contains {@code 0x}, else
     * {@code [+-]<decimal>}. Negative hex is an out-of-range value unless allowed (it is zero only
     * for {@code -0x0}), so callers' range checks reject it.
     */
    private BigInteger number(String t, String junk, boolean negativeHexAllowed) throws AssemblyException {
        boolean negative = t.startsWith("-");
        String body = t.startsWith("+") || negative ? t.substring(1) : t;
        BigInteger v;
        if (t.contains("0x")) {
            if (!body.startsWith("0x") || !HEX.matcher(body.substring(2)).matches()) {
                throw error(junk);
            }
            v = new BigInteger(body.substring(2), 16);
            if (negative && !negativeHexAllowed && v.signum() != 0) {
                return TWO_64.subtract(v); // what stoull yields: always beyond any range checked here
            }
        } else {
            if (!DEC.matcher(body).matches()) {
                throw error(junk);
            }
            v = new BigInteger(body);
        }
        return negative ? v.negate() : v;
    }

    /** A register operand in either spelling: {@code %r1} or the older {@code r1}. */
    private static boolean isRegister(String token) {
        return token.startsWith("%") || REGISTERS.containsKey(token)
                || (token.length() > 1 && token.charAt(0) == 'r' && Character.isDigit(token.charAt(1)));
    }

    private void emit(int opcode, int dst, int src, int off, int imm) {
        slots.add(Insn.encode(opcode, dst, src, off, imm));
    }

    private AssemblyException error(String message) {
        return new AssemblyException(line, message);
    }

    private static Map<String, Integer> registers() {
        Map<String, Integer> m = new HashMap<>();
        for (int r = 0; r <= 15; r++) {
            m.put("%r" + r, r);
            m.put("r" + r, r); // the older bpf_conformance and uBPF spelling
        }
        return Map.copyOf(m);
    }
}
