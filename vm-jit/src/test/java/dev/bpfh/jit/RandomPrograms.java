package dev.bpfh.jit;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random valid programs for differential testing: every ALU form, lddw, loads and stores into the
 * stack and the input (sometimes out of bounds), atomics, helper calls, forward jumps, an optional
 * counted loop around the body (backward jump, budget) and an optional local subprogram.
 */
final class RandomPrograms {
    private final SplittableRandom rnd;
    private final int inputLength;

    RandomPrograms(SplittableRandom rnd, int inputLength) {
        this.rnd = rnd;
        this.inputLength = inputLength;
    }

    /** An instruction before layout: its slot(s) and, for jumps and calls, a target instruction index. */
    private record Gen(long slot, long tail, boolean wide, int target, boolean targetInImm) {
        static Gen of(long slot) {
            return new Gen(slot, 0, false, -1, false);
        }
    }

    private static final int[] ALU_CODES = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR, MOV, ARSH, END};
    private static final int[] JUMP_CODES = {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE};
    private static final int[] SIZES = {SIZE_B, SIZE_H, SIZE_W, SIZE_DW};
    private static final int[] ATOMIC_OPS = {ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR, ATOMIC_ADD | FETCH,
        ATOMIC_OR | FETCH, ATOMIC_AND | FETCH, ATOMIC_XOR | FETCH, ATOMIC_XCHG, ATOMIC_CMPXCHG};

    Program next(String name) {
        List<Gen> out = new ArrayList<>();
        boolean loop = rnd.nextInt(3) == 0;
        boolean sub = rnd.nextInt(4) == 0;
        // r6 = r1 + small: a derived input pointer
        out.add(Gen.of(Insn.encode(ALU64 | MOV | SRC_X, 6, 1, 0, 0)));
        out.add(Gen.of(Insn.encode(ALU64 | ADD | SRC_K, 6, 0, 0, rnd.nextInt(-2, 6))));
        // r8 = r10 - small: a derived frame pointer (until something overwrites r8)
        out.add(Gen.of(Insn.encode(ALU64 | MOV | SRC_X, 8, 10, 0, 0)));
        out.add(Gen.of(Insn.encode(ALU64 | (rnd.nextBoolean() ? ADD : SUB) | SRC_K, 8, 0, 0, rnd.nextInt(-64, 64))));
        // r7 = r10 - small - r2: a frame pointer moved by a run-time amount
        out.add(Gen.of(Insn.encode(ALU64 | MOV | SRC_X, 7, 10, 0, 0)));
        out.add(Gen.of(Insn.encode(ALU64 | ADD | SRC_K, 7, 0, 0, -rnd.nextInt(0, 100))));
        out.add(Gen.of(Insn.encode(ALU64 | SUB | SRC_X, 7, 2, 0, 0)));
        int loopHead = -1;
        if (loop) {
            out.add(Gen.of(Insn.encode(ALU64 | MOV | SRC_K, 9, 0, 0, rnd.nextInt(1, 40))));
            loopHead = out.size();
        }
        int subCallMarker = sub ? -2 : -1;
        body(out, rnd.nextInt(5, 50), loop, subCallMarker);
        if (loop) {
            out.add(Gen.of(Insn.encode(ALU64 | ADD | SRC_K, 9, 0, 0, -1)));
            out.add(new Gen(Insn.encode(JMP | JNE | SRC_K, 9, 0, 0, 0), 0, false, loopHead, false));
        }
        out.add(Gen.of(Insn.encode(EXIT_OP, 0, 0, 0, 0)));
        if (sub) {
            int entry = out.size();
            body(out, rnd.nextInt(1, 15), false, -1);
            out.add(Gen.of(Insn.encode(EXIT_OP, 0, 0, 0, 0)));
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).target() == -2) {
                    out.set(i, new Gen(out.get(i).slot(), 0, false, entry, true));
                }
            }
        }
        return layout(name, out);
    }

    private void body(List<Gen> out, int n, boolean loop, int subCallMarker) {
        int start = out.size();
        int end = start + n; // index of the first instruction after the body
        for (int i = start; i < end; i++) {
            int kind = rnd.nextInt(100);
            int dst = dstReg(loop);
            int src = rnd.nextInt(11);
            if (kind < 45) {
                out.add(Gen.of(alu(dst, src)));
            } else if (kind < 50) {
                long v = rnd.nextLong();
                out.add(new Gen(Insn.encode(LDDW, dst, 0, 0, (int) v), Insn.encode(0, 0, 0, 0, (int) (v >>> 32)), true, -1, false));
            } else if (kind < 63) {
                int size = SIZES[rnd.nextInt(4)];
                boolean sx = size != SIZE_DW && rnd.nextBoolean();
                int[] bo = baseAndOffset(sizeBytes(size));
                out.add(Gen.of(Insn.encode(LDX | size | (sx ? MODE_MEMSX : MODE_MEM), dst, bo[0], bo[1], 0)));
            } else if (kind < 75) {
                int size = SIZES[rnd.nextInt(4)];
                int[] bo = baseAndOffset(sizeBytes(size));
                out.add(Gen.of(rnd.nextBoolean()
                        ? Insn.encode(ST | size | MODE_MEM, bo[0], 0, bo[1], rnd.nextInt())
                        : Insn.encode(STX | size | MODE_MEM, bo[0], src, bo[1], 0)));
            } else if (kind < 79) {
                boolean wide = rnd.nextBoolean();
                int[] bo = baseAndOffset(wide ? 8 : 4);
                int op = ATOMIC_OPS[rnd.nextInt(ATOMIC_OPS.length)];
                int s = (op & FETCH) != 0 ? dstReg(loop) : src;
                out.add(Gen.of(Insn.encode(wide ? ATOMIC_DW : ATOMIC_W, bo[0], s, bo[1], op)));
            } else if (kind < 81) {
                out.add(Gen.of(Insn.encode(CALL_IMM, 0, CALL_HELPER, 0, rnd.nextBoolean() ? 7 : 8)));
            } else if (kind < 83 && subCallMarker == -2) {
                out.add(new Gen(Insn.encode(CALL_IMM, 0, CALL_LOCAL, 0, 0), 0, false, -2, true));
            } else if (kind < 97) {
                int target = rnd.nextInt(i + 1, end + 1);
                int code = JUMP_CODES[rnd.nextInt(JUMP_CODES.length)];
                int cls = rnd.nextBoolean() ? JMP : JMP32;
                boolean x = rnd.nextBoolean();
                out.add(new Gen(Insn.encode(cls | code | (x ? SRC_X : SRC_K), rnd.nextInt(11), x ? src : 0, 0,
                        x ? 0 : smallOrAny()), 0, false, target, false));
            } else {
                int target = rnd.nextInt(i + 1, end + 1);
                boolean j32 = rnd.nextBoolean();
                out.add(new Gen(Insn.encode(j32 ? JA32_OP : JA_OP, 0, 0, 0, 0), 0, false, target, j32));
            }
        }
    }

    private int dstReg(boolean loop) {
        int[] regs = loop ? new int[] {0, 2, 3, 4, 5, 7, 8} : new int[] {0, 2, 3, 4, 5, 7, 8, 9};
        return regs[rnd.nextInt(regs.length)];
    }

    private int smallOrAny() {
        return rnd.nextBoolean() ? rnd.nextInt(-4, 5) : rnd.nextInt();
    }

    /** A base register and offset: mostly in the frame or the input, sometimes just outside. */
    private int[] baseAndOffset(int size) {
        return switch (rnd.nextInt(10)) {
            case 9 -> new int[] {7, rnd.nextInt(-420, 110)};
            case 8 -> new int[] {8, rnd.nextInt(-460, 70)};
            case 0, 1, 2 -> new int[] {10, -rnd.nextInt(size, dev.bpfh.exec.Memory.FRAME_SIZE + 1)};
            case 3 -> new int[] {10, rnd.nextInt(-520, 4)};
            case 4, 5 -> new int[] {1, rnd.nextInt(0, Math.max(1, inputLength - size + 1))};
            case 6 -> new int[] {1, rnd.nextInt(-2, inputLength + 2)};
            default -> new int[] {6, rnd.nextInt(-3, inputLength + 1)};
        };
    }

    private long alu(int dst, int src) {
        int code = ALU_CODES[rnd.nextInt(ALU_CODES.length)];
        boolean is64 = rnd.nextBoolean();
        boolean x = rnd.nextBoolean();
        int cls = is64 ? ALU64 : ALU;
        int imm = smallOrAny();
        switch (code) {
            case NEG:
                return Insn.encode(cls | NEG, dst, 0, 0, 0);
            case END: {
                int width = new int[] {16, 32, 64}[rnd.nextInt(3)];
                int op = is64 ? ALU64 | END : ALU | END | (x ? SRC_X : SRC_K);
                return Insn.encode(op, dst, 0, 0, width);
            }
            case MOV:
                if (x && rnd.nextInt(3) == 0) {
                    int[] widths = is64 ? new int[] {8, 16, 32} : new int[] {8, 16};
                    return Insn.encode(cls | MOV | SRC_X, dst, src, widths[rnd.nextInt(widths.length)], 0);
                }
                break;
            case LSH, RSH, ARSH:
                if (!x) {
                    imm = rnd.nextInt(-70, 70);
                }
                break;
            default:
                break;
        }
        int off = (code == DIV || code == MOD) ? rnd.nextInt(2) : 0;
        return x ? Insn.encode(cls | code | SRC_X, dst, src, off, 0) : Insn.encode(cls | code, dst, 0, off, imm);
    }

    private static Program layout(String name, List<Gen> gens) {
        int[] slotOf = new int[gens.size() + 1];
        int s = 0;
        for (int i = 0; i < gens.size(); i++) {
            slotOf[i] = s;
            s += gens.get(i).wide() ? 2 : 1;
        }
        slotOf[gens.size()] = s;
        long[] slots = new long[s];
        for (int i = 0; i < gens.size(); i++) {
            Gen g = gens.get(i);
            long w = g.slot();
            if (g.target() >= 0) {
                int disp = slotOf[g.target()] - slotOf[i] - 1;
                Insn in = Insn.decode(w);
                w = g.targetInImm()
                        ? Insn.encode(in.opcode(), in.dst(), in.src(), 0, disp)
                        : Insn.encode(in.opcode(), in.dst(), in.src(), disp, in.imm());
            }
            slots[slotOf[i]] = w;
            if (g.wide()) {
                slots[slotOf[i] + 1] = g.tail();
            }
        }
        return new Program(name, slots);
    }
}
