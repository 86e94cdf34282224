package dev.bpfh.asm;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import java.util.List;

/**
 * Prints slots in the canonical form of isa.md §4.6, one instruction per line, such that
 * {@code Assembler.assemble(disassemble(p))} yields exactly p's slots.
 *
 * <p>Canonical forms: immediates in decimal when in [-10, 10] or negative (except INT_MIN),
 * otherwise {@code 0x} and the lower-case hex of the u32; memory operands {@code [%rN]},
 * {@code [%rN+off]}, {@code [%rN-off]} in decimal; jump targets {@code +N}/{@code -N};
 * {@code call helper N}, {@code call helper %rX} (callx), {@code call local +N},
 * {@code call runtime N}; {@code lddw %rD, 0x<hex64>} for both slots; {@code swapNN};
 * {@code movsx<off><32|64>}; {@code lock [fetch ]op[32] [mem], %rS} (never {@code fetch} before
 * xchg/cmpxchg).
 *
 * <p><b>Extension.</b> A slot that no statement of the assembler reproduces exactly (an unknown
 * opcode, a non-zero unused field, an invalid END width or atomic op, a call/ja32 displacement
 * beyond 16 bits, a call with src &gt; 2, a broken lddw pair, ...) is printed as the
 * {@link Assembler} directive {@code .slot 0x<16 hex digits>}, the slot as a little-endian word.
 * Every printed line is checked by assembling it, so the round trip holds for any bytes.
 */
public final class Disassembler {
    private Disassembler() {}

    /** The whole program, one line per instruction ({@code lddw} consumes two slots), each ending in a newline. */
    public static String disassemble(Program p) {
        long[] s = p.slots();
        StringBuilder out = new StringBuilder();
        for (int pc = 0; pc < s.length; pc++) {
            if (Insn.opcode(s[pc]) == LDDW && pc + 1 < s.length) {
                String text = instruction(s[pc], s[pc + 1]);
                out.append(text).append('\n');
                if (!text.startsWith(".slot")) {
                    pc++;
                }
            } else if (Insn.opcode(s[pc]) == LDDW) {
                out.append(raw(s[pc])).append('\n'); // lddw without its second slot
            } else {
                out.append(instruction(s[pc], 0)).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * One instruction. {@code nextSlot} is used only when {@code slot} is an {@code lddw}, whose
     * text then stands for both slots; if the pair is not a plain {@code lddw} the result is the
     * {@code .slot} line of the first slot alone.
     */
    public static String instruction(long slot, long nextSlot) {
        String text = render(slot, nextSlot);
        if (text != null) {
            long[] expected = Insn.opcode(slot) == LDDW ? new long[] {slot, nextSlot} : new long[] {slot};
            if (reassembles(text, expected)) {
                return text;
            }
        }
        return raw(slot);
    }

    /** The escape for slots no mnemonic reproduces. */
    static String raw(long slot) {
        return String.format(".slot 0x%016x", slot);
    }

    private static boolean reassembles(String text, long[] expected) {
        try {
            long[] got = Assembler.assemble("check", List.of(new SourceLine(1, text))).slots();
            return java.util.Arrays.equals(got, expected);
        } catch (AssemblyException e) {
            return false;
        }
    }

    /** lddw and its pseudo-sources: maps by index ({@code map:@N}), value pointers, function addresses. */
    private static String lddw(int dst, int src, int imm, int nextImm, long constant) {
        return "lddw " + reg(dst) + ", " + switch (src) {
            case PSEUDO_MAP_FD -> "map:@" + imm;
            case PSEUDO_MAP_VALUE -> "map_value:@" + imm + "+" + nextImm;
            case PSEUDO_FUNC -> "func:" + (imm < 0 ? "" : "+") + imm;
            default -> "0x" + Long.toHexString(constant);
        };
    }

    /** The natural text for the slot's fields, or null; may not reproduce unusual fields. */
    private static String render(long w, long next) {
        int op = Insn.opcode(w);
        int dst = Insn.dst(w);
        int src = Insn.src(w);
        int off = Insn.off(w);
        int imm = Insn.imm(w);
        return switch (opClass(op)) {
            case ALU, ALU64 -> alu(op, dst, src, off, imm);
            case LD -> op == LDDW ? lddw(dst, src, imm, Insn.imm(next), Insn.wideImm(w, next)) : null;
            case LDX -> {
                String sx = (op & MODE_MASK) == MODE_MEMSX ? "s" : "";
                yield "ldx" + sx + size(op) + " " + reg(dst) + ", " + mem(src, off);
            }
            case ST -> "st" + size(op) + " " + mem(dst, off) + ", " + imm(imm);
            case STX -> (op & MODE_MASK) == MODE_ATOMIC
                    ? atomic(op, dst, src, off, imm)
                    : "stx" + size(op) + " " + mem(dst, off) + ", " + reg(src);
            default -> jump(op, dst, src, off, imm);
        };
    }

    private static String alu(int op, int dst, int src, int off, int imm) {
        boolean is32 = opClass(op) == ALU;
        boolean x = (op & SRC_X) != 0;
        String suffix = is32 ? "32" : "";
        String name = switch (op & OP_MASK) {
            case ADD -> "add";
            case SUB -> "sub";
            case MUL -> "mul";
            case DIV -> off == 1 ? "sdiv" : "div";
            case OR -> "or";
            case AND -> "and";
            case LSH -> "lsh";
            case RSH -> "rsh";
            case NEG -> null;
            case MOD -> off == 1 ? "smod" : "mod";
            case XOR -> "xor";
            case MOV -> off == 0 ? "mov" : "movsx" + off;
            case ARSH -> "arsh";
            case END -> null;
            default -> "?";
        };
        if ((op & OP_MASK) == NEG) {
            return "neg" + suffix + " " + reg(dst);
        }
        if ((op & OP_MASK) == END) {
            String kind = is32 ? (x ? "be" : "le") : "swap";
            return kind + imm + " " + reg(dst);
        }
        if (name.startsWith("movsx")) {
            suffix = is32 ? "32" : "64";
        }
        return name + suffix + " " + reg(dst) + ", " + (x ? reg(src) : imm(imm));
    }

    private static String atomic(int op, int dst, int src, int off, int imm) {
        String name = switch (imm & ~FETCH) {
            case ATOMIC_ADD -> "add";
            case ATOMIC_OR -> "or";
            case ATOMIC_AND -> "and";
            case ATOMIC_XOR -> "xor";
            case ATOMIC_XCHG & ~FETCH -> "xchg";
            case ATOMIC_CMPXCHG & ~FETCH -> "cmpxchg";
            default -> "?";
        };
        boolean always = name.equals("xchg") || name.equals("cmpxchg");
        String fetch = !always && (imm & FETCH) != 0 ? "fetch " : "";
        return "lock " + fetch + name + (op == ATOMIC_W ? "32" : "") + " " + mem(dst, off) + ", " + reg(src);
    }

    private static String jump(int op, int dst, int src, int off, int imm) {
        boolean is32 = opClass(op) == JMP32;
        boolean x = (op & SRC_X) != 0;
        String name = switch (op & OP_MASK) {
            case JEQ -> "jeq";
            case JGT -> "jgt";
            case JGE -> "jge";
            case JSET -> "jset";
            case JNE -> "jne";
            case JSGT -> "jsgt";
            case JSGE -> "jsge";
            case JLT -> "jlt";
            case JLE -> "jle";
            case JSLT -> "jslt";
            case JSLE -> "jsle";
            default -> null;
        };
        if (name != null) {
            return name + (is32 ? "32" : "") + " " + reg(dst) + ", " + (x ? reg(src) : imm(imm)) + ", " + target(off);
        }
        return switch (op) {
            case JA_OP -> "ja " + target(off);
            case JA32_OP -> "ja32 " + target(imm);
            case EXIT_OP -> "exit";
            case CALLX -> "call helper " + reg(dst);
            case CALL_IMM -> switch (src) {
                case CALL_HELPER -> "call helper " + imm;
                case CALL_LOCAL -> "call local " + target(imm);
                case CALL_RUNTIME -> "call runtime " + imm;
                default -> null; // "call unknown N" has no assembler form
            };
            default -> null;
        };
    }

    /** Canonical immediate (§4.6). */
    static String imm(int v) {
        if ((v < 0 && v != Integer.MIN_VALUE) || (v >= -10 && v <= 10)) {
            return Integer.toString(v);
        }
        return "0x" + Integer.toHexString(v);
    }

    private static String target(int disp) {
        return disp >= 0 ? "+" + disp : Integer.toString(disp);
    }

    private static String mem(int base, int off) {
        if (off == 0) {
            return "[" + reg(base) + "]";
        }
        return "[" + reg(base) + (off > 0 ? "+" : "") + off + "]";
    }

    private static String reg(int r) {
        return "%r" + r;
    }

    private static String size(int op) {
        return switch (op & SIZE_MASK) {
            case SIZE_W -> "w";
            case SIZE_H -> "h";
            case SIZE_B -> "b";
            default -> "dw";
        };
    }
}
