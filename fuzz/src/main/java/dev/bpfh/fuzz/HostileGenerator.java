package dev.bpfh.fuzz;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The {@code hostile} profile: programs no compiler would emit, to prove that no engine throws,
 * hangs or crashes on them, that interp and jit refuse the same ones, and that they trap with the
 * same kind at the same pc on the rest. Every third case is 1-16 slots of random bits, every third
 * valid opcodes with random fields, every third "valid-looking" code ({@link ValidLooking}).
 */
public final class HostileGenerator {
    private HostileGenerator() {}

    public static FuzzCase generate(long seed, long index, int inputs) {
        SplittableRandom rnd = Seeds.forCase(seed, index);
        int len = rnd.nextInt(65);
        Program p;
        String kind;
        switch ((int) (index % 3)) {
            case 0 -> {
                p = randomSlots(rnd);
                kind = "hostile: random slots";
            }
            case 1 -> {
                p = validOpcodesRandomFields(rnd);
                kind = "hostile: valid opcodes, random fields";
            }
            default -> {
                p = new ValidLooking(rnd).program();
                kind = "hostile: valid-looking";
            }
        }
        List<byte[]> memory = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            byte[] m = new byte[len];
            rnd.nextBytes(m);
            memory.add(m);
        }
        return FuzzCase.raw(index, kind, p, memory, Determinism.deterministic(p), Determinism.clockFree(p));
    }

    /** 1 to 16 slots of random bits. */
    static Program randomSlots(SplittableRandom rnd) {
        long[] slots = new long[rnd.nextInt(1, 17)];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = rnd.nextLong();
        }
        return Program.of("random", slots);
    }

    /** Every opcode some instruction of isa.md §3.5 uses, whatever its other fields must be. */
    static final int[] OPCODES = validOpcodes();

    private static int[] validOpcodes() {
        List<Integer> ops = new ArrayList<>();
        for (int cls : new int[] {ALU, ALU64}) {
            for (int op = ADD; op <= END; op += 0x10) {
                ops.add(cls | op | SRC_K);
                ops.add(cls | op | SRC_X);
            }
        }
        for (int cls : new int[] {JMP, JMP32}) {
            for (int op = JA; op <= JSLE; op += 0x10) {
                ops.add(cls | op | SRC_K);
                ops.add(cls | op | SRC_X);
            }
        }
        for (int size : new int[] {SIZE_W, SIZE_H, SIZE_B, SIZE_DW}) {
            ops.add(LDX | MODE_MEM | size);
            ops.add(ST | MODE_MEM | size);
            ops.add(STX | MODE_MEM | size);
            if (size != SIZE_DW) {
                ops.add(LDX | MODE_MEMSX | size);
                ops.add(LD | MODE_ABS | size);
                ops.add(LD | MODE_IND | size);
            }
        }
        ops.addAll(List.of(LDDW, ATOMIC_W, ATOMIC_DW));
        return ops.stream().mapToInt(Integer::intValue).toArray();
    }

    /** 1 to 16 slots, each a valid opcode with random registers, offset and immediate. */
    static Program validOpcodesRandomFields(SplittableRandom rnd) {
        long[] slots = new long[rnd.nextInt(1, 17)];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = (rnd.nextLong() & ~0xffL) | OPCODES[rnd.nextInt(OPCODES.length)];
        }
        return Program.of("fields", slots);
    }

    /**
     * Programs a careless compiler could emit: mostly well-formed instructions on r0–r10 with
     * plausible offsets, but now and then a register 11–15, a jump or call to anywhere, a huge or
     * cut-off lddw, an odd atomic or byte-swap width, and sometimes no final exit.
     */
    static final class ValidLooking {
        private final SplittableRandom rnd;
        private final List<Long> slots = new ArrayList<>();
        private int length;

        ValidLooking(SplittableRandom rnd) {
            this.rnd = rnd;
        }

        private boolean chance(int percent) {
            return rnd.nextInt(100) < percent;
        }

        private int reg() {
            return chance(2) ? rnd.nextInt(11, 16) : rnd.nextInt(0, 11);
        }

        /** Mostly r0–r9 (r10 is read-only), sometimes r10 or a register that does not exist. */
        private int dst() {
            return chance(2) ? rnd.nextInt(10, 16) : rnd.nextInt(0, 10);
        }

        private int imm() {
            return switch (rnd.nextInt(4)) {
                case 0 -> rnd.nextInt(-8, 65);
                case 1 -> rnd.nextInt();
                case 2 -> new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 32, 63, 64}[rnd.nextInt(7)];
                default -> rnd.nextInt(0, 256);
            };
        }

        /** A jump offset: usually inside the program, sometimes anywhere in 16 bits. */
        private int jumpOffset(int pc) {
            return chance(5) ? rnd.nextInt(Short.MIN_VALUE, Short.MAX_VALUE + 1) : rnd.nextInt(-pc - 1, Math.max(length - pc - 1, 0));
        }

        private int memOffset(int base) {
            if (chance(10)) {
                return rnd.nextInt(Short.MIN_VALUE, Short.MAX_VALUE + 1);
            }
            return base == 10 ? -rnd.nextInt(0, 520) : rnd.nextInt(-4, 70);
        }

        private void emit(int opcode, int dst, int src, int off, int imm) {
            slots.add(Insn.encode(opcode, dst, src, off, imm));
        }

        Program program() {
            length = rnd.nextInt(2, 25);
            while (slots.size() < length - 1) {
                int pc = slots.size();
                switch (rnd.nextInt(12)) {
                    case 0, 1, 2 -> {
                        int op = new int[] {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR, MOV, ARSH}[rnd.nextInt(12)];
                        boolean x = rnd.nextBoolean();
                        int off = (op == DIV || op == MOD) && chance(30) ? 1
                                : op == MOV && x && chance(20) ? new int[] {8, 16, 32}[rnd.nextInt(3)] : 0;
                        emit((rnd.nextBoolean() ? ALU64 : ALU) | op | (x ? SRC_X : SRC_K), dst(), x ? reg() : 0, off, x ? 0 : imm());
                    }
                    case 3 -> {
                        int width = chance(90) ? new int[] {16, 32, 64}[rnd.nextInt(3)] : imm();
                        int opcode = new int[] {ALU | END | SRC_K, ALU | END | SRC_X, ALU64 | END | SRC_K, ALU64 | NEG, ALU | NEG}[rnd.nextInt(5)];
                        emit(opcode, dst(), 0, 0, (opcode & OP_MASK) == NEG ? 0 : width);
                    }
                    case 4 -> {
                        // lddw: a huge constant; the second slot may be missing (the last slot).
                        long value = chance(50) ? rnd.nextLong() : new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE, 1L << 32}[rnd.nextInt(4)];
                        emit(LDDW, dst(), chance(2) ? rnd.nextInt(1, 7) : 0, 0, (int) value);
                        if (slots.size() < length - 1 || chance(70)) {
                            emit(0, 0, 0, 0, (int) (value >>> 32));
                        }
                    }
                    case 5 -> {
                        int src = chance(50) ? 1 : chance(80) ? 10 : reg();
                        int size = new int[] {SIZE_W, SIZE_H, SIZE_B, SIZE_DW}[rnd.nextInt(4)];
                        emit(LDX | (chance(20) && size != SIZE_DW ? MODE_MEMSX : MODE_MEM) | size, dst(), src, memOffset(src), 0);
                    }
                    case 6 -> {
                        int dst = chance(50) ? 1 : chance(80) ? 10 : reg();
                        int size = new int[] {SIZE_W, SIZE_H, SIZE_B, SIZE_DW}[rnd.nextInt(4)];
                        boolean x = rnd.nextBoolean();
                        emit((x ? STX : ST) | MODE_MEM | size, dst, x ? reg() : 0, memOffset(dst), x ? 0 : imm());
                    }
                    case 7 -> {
                        int dst = chance(50) ? 1 : 10;
                        int op = chance(95)
                                ? new int[] {ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR, ATOMIC_XCHG, ATOMIC_CMPXCHG}[rnd.nextInt(6)] | (chance(50) ? FETCH : 0)
                                : imm();
                        emit(rnd.nextBoolean() ? ATOMIC_W : ATOMIC_DW, dst, reg(), memOffset(dst) & ~7, op);
                    }
                    case 8, 9 -> {
                        int op = new int[] {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE}[rnd.nextInt(11)];
                        boolean x = rnd.nextBoolean();
                        emit((rnd.nextBoolean() ? JMP : JMP32) | op | (x ? SRC_X : SRC_K), reg(), x ? reg() : 0, jumpOffset(pc), x ? 0 : imm());
                    }
                    case 10 -> {
                        if (rnd.nextBoolean()) {
                            emit(JA_OP, 0, 0, jumpOffset(pc), 0);
                        } else {
                            emit(JA32_OP, 0, 0, 0, jumpOffset(pc));
                        }
                    }
                    default -> {
                        // Helpers 7 and 8 are deterministic (prandom is seeded), 5 (ktime) is not;
                        // local calls go anywhere; exit in the middle.
                        switch (rnd.nextInt(4)) {
                            case 0 -> emit(CALL_IMM, 0, CALL_HELPER, 0, chance(80) ? 7 + rnd.nextInt(2) : imm());
                            case 1 -> emit(CALL_IMM, 0, CALL_LOCAL, 0, jumpOffset(pc));
                            case 2 -> {
                                int reg = dst();
                                emit(ALU64 | MOV | SRC_K, reg, 0, 0, new int[] {0, 6, 7, 8, 1000}[rnd.nextInt(5)]);
                                emit(CALLX, reg, 0, 0, 0);
                            }
                            default -> emit(EXIT_OP, 0, 0, 0, 0);
                        }
                    }
                }
            }
            if (chance(95)) {
                emit(EXIT_OP, 0, 0, 0, 0);
            }
            return Program.of("valid-looking", slots.stream().mapToLong(Long::longValue).toArray());
        }
    }
}
