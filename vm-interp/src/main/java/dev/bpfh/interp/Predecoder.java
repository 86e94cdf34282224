package dev.bpfh.interp;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;

/**
 * Translates validated eBPF slots into the interpreter's two parallel arrays, once per load.
 *
 * <p>Index {@code pc} of both arrays describes slot {@code pc}, so trap pcs need no mapping. The
 * code word is {@code op | dst << 8 | src << 12 | off << 16} (off sign-extended from bit 31), where
 * {@code op} is an {@link Op}. The constant word {@code k} holds what the instruction needs at run
 * time, already extended: the sign-extended immediate for ALU and ST, the full 64-bit constant for
 * {@code lddw}, the atomic operation, the helper id, and for jumps and local calls
 * {@code absoluteTarget << 32 | u32(imm)}. One extra slot at the end holds
 * {@link Op#END_OF_PROGRAM}, so falling off the end needs no bounds test in the loop.
 *
 * <p>The input must have passed {@link dev.bpfh.isa.Validator}; anything it rejects is a bug here.
 */
final class Predecoder {
    private Predecoder() {}

    /** The pre-decoded program: {@code code.length == k.length == slots + 1}. */
    record Code(int[] code, long[] k) {}

    static Code decode(Program program) {
        int n = program.length();
        int[] code = new int[n + 1];
        long[] k = new long[n + 1];
        for (int pc = 0; pc < n; pc++) {
            long w = program.slot(pc);
            int opcode = Insn.opcode(w);
            int dst = Insn.dst(w);
            int src = Insn.src(w);
            int off = Insn.off(w);
            int imm = Insn.imm(w);
            int op = op(opcode, src, off, imm);
            if (op == Op.LD_ABS || op == Op.LD_IND) {
                off = sizeBytes(opcode); // the code word's off field carries the size
            }
            long constant = imm;
            if (op == Op.LDDW) {
                constant = Insn.wideImm(w, program.slot(pc + 1));
                code[pc + 1] = Op.LDDW_TAIL;
            } else if (op == Op.JA && opClass(opcode) == JMP32) {
                constant = target(pc, imm);
            } else if (isJumpOrLocalCall(op)) {
                int disp = op == Op.CALL_LOCAL ? imm : off;
                constant = target(pc, disp) | (imm & 0xffffffffL);
            }
            code[pc] = op | dst << 8 | src << 12 | off << 16;
            k[pc] = constant;
            if (op == Op.LDDW) {
                pc++;
            }
        }
        code[n] = Op.END_OF_PROGRAM;
        return new Code(code, k);
    }

    private static long target(int pc, int disp) {
        return (long) (pc + 1 + disp) << 32;
    }

    private static boolean isJumpOrLocalCall(int op) {
        return (op >= Op.JA && op <= Op.JSLE32_X) || op == Op.CALL_LOCAL;
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
                case ATOMIC_DW -> Op.ATOMIC64;
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
