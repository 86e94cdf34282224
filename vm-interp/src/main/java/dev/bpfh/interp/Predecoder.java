package dev.bpfh.interp;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;

/**
 * Translates validated eBPF slots into the interpreter's code array, once per load.
 *
 * <p>Index {@code pc} describes slot {@code pc}, so trap pcs need no mapping. Each entry is one
 * {@code long}: {@code op | dst << 8 | src << 12 | off << 16 | imm << 32}, where {@code op} is an
 * {@link Op}, {@code off} the instruction's 16-bit offset (bits 16..31, so {@code (int) c >> 16}
 * sign-extends it) and {@code imm} its 32-bit immediate ({@code c >> 32} sign-extends it, exactly the
 * K operand of ALU, ST and jumps). One word holds all an instruction needs, so the loop reads one
 * array, not two. Jumps keep their displacement in off (imm is the compared constant); {@code ja}
 * and {@code ja32} (gotol) keep it in imm, a local call too. The 64-bit constant of an {@code lddw}
 * does not fit: it is in {@link Code#wide}. One extra slot at the end holds
 * {@link Op#END_OF_PROGRAM}, so falling off the end needs no bounds test in the loop.
 *
 * <p>The input must have passed {@link dev.bpfh.isa.Validator}; anything it rejects is a bug here.
 */
final class Predecoder {
    private Predecoder() {}

    /**
     * The pre-decoded program: {@code code.length == wide.length == slots + 1}; {@code wide[pc]} is
     * the constant of the {@code lddw} at {@code pc} (0 elsewhere).
     */
    record Code(long[] code, long[] wide) {}

    static Code decode(Program program) {
        int n = program.length();
        long[] code = new long[n + 1];
        long[] wide = new long[n + 1];
        for (int pc = 0; pc < n; pc++) {
            long w = program.slot(pc);
            int opcode = Insn.opcode(w);
            int dst = Insn.dst(w);
            int src = Insn.src(w);
            int off = Insn.off(w);
            int imm = Insn.imm(w);
            int op = op(opcode, src, off, imm);
            if (op == Op.LD_ABS || op == Op.LD_IND) {
                off = sizeBytes(opcode); // the off field carries the size
            } else if (op == Op.JA && opClass(opcode) == JMP) {
                imm = off; // ja's displacement is off, ja32's is imm: both travel in imm
            }
            if (op == Op.LDDW) {
                wide[pc] = Insn.wideImm(w, program.slot(pc + 1));
                code[pc + 1] = Op.LDDW_TAIL;
            }
            if (hasOperandForm(opcode, op)) { // see ZERO
                if ((opcode & SRC_X) == 0) {
                    src = ZERO;
                } else {
                    imm = 0;
                }
            }
            code[pc] = word(op, dst, src, off, imm);
            if (op == Op.LDDW) {
                pc++;
            }
        }
        code[n] = Op.END_OF_PROGRAM;
        return new Code(code, wide);
    }

    /**
     * A register slot no program can name (registers are r0..r10) that always holds 0. An ALU op or
     * conditional jump with an immediate gets it as its src register, one with a register src gets
     * imm 0, so {@code r[src] + imm} is the operand of either form: the loop has one case for both
     * forms of the less common ops.
     */
    static final int ZERO = 14;

    /** Whether {@code opcode} (the instruction of {@code op}) is an ALU op or conditional jump with a K and an X form. */
    private static boolean hasOperandForm(int opcode, int op) {
        int cls = opClass(opcode);
        return cls == ALU || cls == ALU64 || (op >= Op.JEQ64_K && op <= Op.JSLE32_X);
    }

    /** One code word (see the class comment). */
    static long word(int op, int dst, int src, int off, int imm) {
        return op | dst << 8 | src << 12 | (off & 0xffffL) << 16 | (long) imm << 32;
    }

    /** The dense opcode of one validated instruction. */
    static int op(int opcode, int src, int off, int imm) {
        return switch (opClass(opcode)) {
            case ALU64 -> alu(opcode, off, imm, true);
            case ALU -> alu(opcode, off, imm, false);
            case LDX -> switch (opcode) {
                case LDX | MODE_MEM | SIZE_B -> Op.LDXB;
                case LDX | MODE_MEM | SIZE_H -> Op.LDXH;
                case LDX | MODE_MEM | SIZE_W -> Op.LDXW;
                case LDX | MODE_MEM | SIZE_DW -> Op.LDXDW;
                case LDX | MODE_MEMSX | SIZE_B -> Op.LDXSB;
                case LDX | MODE_MEMSX | SIZE_H -> Op.LDXSH;
                case LDX | MODE_MEMSX | SIZE_W -> Op.LDXSW;
                default -> throw invalid(opcode);
            };
            case ST -> switch (opcode & SIZE_MASK) {
                case SIZE_B -> Op.STB;
                case SIZE_H -> Op.STH;
                case SIZE_W -> Op.STW;
                default -> Op.STDW;
            };
            case STX -> switch (opcode) {
                case ATOMIC_W -> Op.ATOMIC32;
                case ATOMIC_DW -> imm == ATOMIC_CMPXCHG ? Op.CMPXCHG64 : Op.ATOMIC64;
                default -> switch (opcode & SIZE_MASK) {
                    case SIZE_B -> Op.STXB;
                    case SIZE_H -> Op.STXH;
                    case SIZE_W -> Op.STXW;
                    default -> Op.STXDW;
                };
            };
            case LD -> switch (opcode & MODE_MASK) {
                case MODE_IMM -> {
                    if (opcode != LDDW) {
                        throw invalid(opcode);
                    }
                    yield Op.LDDW;
                }
                case MODE_ABS -> Op.LD_ABS;
                case MODE_IND -> Op.LD_IND;
                default -> throw invalid(opcode);
            };
            default -> jump(opcode, src);
        };
    }

    /**
     * Superinstructions: rewrites the op of the first slot of each run of consecutive slots that
     * has a fused op ({@link Op#MOV_ADD} and after) to that op, and the op of a {@code ja} whose
     * target starts a run with a fused op of that kind ({@link #jaOp}), and leaves every other slot
     * as it was. {@code code} must be complete, context ops included (a context load is no memory load).
     * Runs may overlap: each fused op reads the operands, not the ops, of the slots after its first.
     */
    static void fuse(long[] code) {
        int[] op = new int[code.length];
        for (int pc = 0; pc < code.length; pc++) {
            op[pc] = (int) code[pc] & 0xff;
        }
        for (int pc = 0; pc + 1 < code.length; pc++) {
            int fused = fusedOp(op[pc], op[pc + 1], pc + 2 < code.length ? op[pc + 2] : -1);
            if (fused == Op.ALU_EXIT) { // what the ALU op computes goes to the off field
                code[pc] = (code[pc] & ~0xffff_00ffL) | (long) exitAluKind(op[pc]) << 16 | fused;
            } else if (fused >= 0) {
                code[pc] = (code[pc] & ~0xffL) | fused;
            }
        }
        for (int pc = 0; pc < code.length; pc++) {
            if (op[pc] == Op.JA) {
                int t = pc + 1 + (int) (code[pc] >> 32);
                int fused = t >= 0 && t + 1 < code.length ? jaOp(op[t], op[t + 1]) : -1;
                if (fused >= 0) {
                    code[pc] = (code[pc] & ~0xffL) | fused;
                }
            }
        }
    }

    /**
     * The fused op of a {@code ja} whose target slot and the slot after it have ops {@code a} and
     * {@code b}, or -1. Unlike the runs above, its second part is not the next slot but the jump's
     * target: the case jumps, then falls into the target's case (see {@link Op#JA_ADD_JLT_K}).
     */
    static int jaOp(int a, int b) {
        return a == Op.ADD64_K && b == Op.JLT64_K ? Op.JA_ADD_JLT_K : -1;
    }

    /** The fused op for a run starting with ops {@code a, b, c} (c is -1 past the end), or -1. */
    static int fusedOp(int a, int b, int c) {
        if (a == Op.MOV64_X && b == Op.ADD64_X && c >= 0 && ADD_BEFORE_ACCESS[c] >= 0) {
            return ADD_BEFORE_ACCESS[c] - 1; // MOV_ADD_x directly precedes ADD_x
        }
        if (b == Op.EXIT && exitAluKind(a) >= 0) {
            return Op.ALU_EXIT;
        }
        return switch (a) {
            case Op.MOV64_X -> MOV_BEFORE[b];
            case Op.ADD64_X -> ADD_BEFORE_ACCESS[b];
            case Op.ADD64_K -> ADDK_BEFORE[b];
            default -> -1;
        };
    }

    /** Per op b, the fused op of {@code mov64 X; b}, or -1. */
    private static final int[] MOV_BEFORE = table(
            Op.ADD64_K, Op.MOV_ADDK,
            Op.ADD64_X, Op.MOV_ADD,
            Op.SUB64_X, Op.MOV_SUB,
            Op.MUL64_K, Op.MOV_MULK,
            Op.MUL64_X, Op.MOV_MUL,
            Op.DIV64_X, Op.MOV_DIV,
            Op.OR64_X, Op.MOV_OR,
            Op.AND64_K, Op.MOV_ANDK,
            Op.AND64_X, Op.MOV_AND,
            Op.LSH64_K, Op.MOV_LSHK,
            Op.RSH64_K, Op.MOV_RSHK,
            Op.MOD64_X, Op.MOV_MOD,
            Op.XOR64_X, Op.MOV_XOR,
            Op.CALL_LOCAL, Op.MOV_CALL);

    /**
     * What {@link Op#ALU_EXIT}'s case computes for the ALU op {@code op} before an exit, or -1 if it
     * does not fuse: the ops a function's result is made with, none of which can trap. The kind
     * travels in the fused code word's off field (ALU ops leave it 0), a small number so that the
     * case's own switch stays small in the loop method's bytecode.
     */
    static int exitAluKind(int op) {
        return switch (op) {
            case Op.MOV64_K, Op.MOV64_X -> EXIT_MOV;
            case Op.MOV32_K, Op.MOV32_X -> EXIT_MOV32;
            case Op.ADD64_K, Op.ADD64_X -> EXIT_ADD;
            case Op.SUB64_X -> EXIT_SUB;
            case Op.XOR64_X -> EXIT_XOR;
            case Op.OR64_X -> EXIT_OR;
            case Op.AND64_K -> EXIT_AND;
            default -> -1;
        };
    }

    static final int EXIT_MOV = 0;
    static final int EXIT_MOV32 = 1;
    static final int EXIT_ADD = 2;
    static final int EXIT_SUB = 3;
    static final int EXIT_XOR = 4;
    static final int EXIT_OR = 5;
    static final int EXIT_AND = 6;

    /** Per load op b, the fused op of {@code add64 X; b}; the one of {@code mov64 X; add64 X; b} is one less. */
    private static final int[] ADD_BEFORE_ACCESS = table(
            Op.LDXB, Op.ADD_LDXB,
            Op.LDXH, Op.ADD_LDXH,
            Op.LDXW, Op.ADD_LDXW,
            Op.LDXDW, Op.ADD_LDXDW);

    /** Per jump op b, the fused op of {@code add64 K; b}, or -1. */
    private static final int[] ADDK_BEFORE = table(
            Op.JA, Op.ADD_JA,
            Op.JGT64_K, Op.ADD_JGT_K,
            Op.JGT64_X, Op.ADD_JGT_X,
            Op.JNE64_K, Op.ADD_JNE_K,
            Op.JNE64_X, Op.ADD_JNE_X,
            Op.JLT64_K, Op.ADD_JLT_K,
            Op.JLT64_X, Op.ADD_JLT_X,
            Op.JLE64_K, Op.ADD_JLE_K,
            Op.JLE64_X, Op.ADD_JLE_X);

    /** An array over the single-instruction ops, -1 except at the given (op, fused op) pairs. */
    private static int[] table(int... pairs) {
        int[] t = new int[Op.COUNT];
        java.util.Arrays.fill(t, -1);
        for (int i = 0; i < pairs.length; i += 2) {
            t[pairs[i]] = pairs[i + 1];
        }
        return t;
    }

    /**
     * The op of a load or store that {@link dev.bpfh.ctx.ContextAccesses} found to touch the
     * context: it replaces the memory op, keeping dst, src, off and k.
     */
    static int contextOp(int opcode) {
        return switch (opClass(opcode)) {
            case LDX -> Op.CTX_LOAD;
            case ST -> Op.CTX_STORE_K;
            case STX -> Op.CTX_STORE_X;
            default -> throw invalid(opcode);
        };
    }

    private static int alu(int opcode, int off, int imm, boolean is64) {
        int x = (opcode & SRC_X) != 0 ? 1 : 0;
        int base = is64 ? 0 : Op.ADD32_K; // ADD..MOV sit at the same distance from their block start
        return switch (opcode & OP_MASK) {
            case ADD -> base + Op.ADD64_K + x;
            case SUB -> base + Op.SUB64_K + x;
            case MUL -> base + Op.MUL64_K + x;
            case DIV -> base + (off == 1 ? Op.SDIV64_K : Op.DIV64_K) + x;
            case OR -> base + Op.OR64_K + x;
            case AND -> base + Op.AND64_K + x;
            case LSH -> base + Op.LSH64_K + x;
            case RSH -> base + Op.RSH64_K + x;
            case NEG -> is64 ? Op.NEG64 : Op.NEG32;
            case MOD -> base + (off == 1 ? Op.SMOD64_K : Op.MOD64_K) + x;
            case XOR -> base + Op.XOR64_K + x;
            case MOV -> switch (off) {
                case 0 -> base + Op.MOV64_K + x;
                case 8 -> is64 ? Op.MOVSX8_64 : Op.MOVSX8_32;
                case 16 -> is64 ? Op.MOVSX16_64 : Op.MOVSX16_32;
                default -> Op.MOVSX32_64;
            };
            case ARSH -> (is64 ? Op.ARSH64_K : Op.ARSH32_K) + x; // the 32-bit block has no MOVSX32, so no common base
            case END -> {
                boolean reverse = is64 || x == 1; // bswap (ALU64) and be (ALU, X) reverse; le truncates
                yield switch (imm) {
                    case 16 -> reverse ? Op.BSWAP16 : Op.LE16;
                    case 32 -> reverse ? Op.BSWAP32 : Op.LE32;
                    default -> reverse ? Op.BSWAP64 : Op.LE64;
                };
            }
            default -> throw invalid(opcode);
        };
    }

    private static int jump(int opcode, int src) {
        int cls = opClass(opcode);
        int x = (opcode & SRC_X) != 0 ? 1 : 0;
        int code = opcode & OP_MASK;
        if (code == JA) {
            return Op.JA;
        }
        if (cls == JMP) {
            switch (opcode) {
                case CALL_IMM: return src == CALL_LOCAL ? Op.CALL_LOCAL : Op.CALL_HELPER;
                case CALLX: return Op.CALLX;
                case EXIT_OP: return Op.EXIT;
                default: break;
            }
        }
        int cond = switch (code) {
            case JEQ -> 0;
            case JGT -> 1;
            case JGE -> 2;
            case JSET -> 3;
            case JNE -> 4;
            case JSGT -> 5;
            case JSGE -> 6;
            case JLT -> 7;
            case JLE -> 8;
            case JSLT -> 9;
            case JSLE -> 10;
            default -> throw invalid(opcode);
        };
        int base = cls == JMP ? Op.JEQ64_K : Op.JEQ32_K;
        return base + 2 * cond + x;
    }

    private static IllegalStateException invalid(int opcode) {
        return new IllegalStateException(String.format("opcode 0x%02x passed the validator but has no interpretation", opcode));
    }
}
