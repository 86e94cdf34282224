package dev.bpfh.fuzz;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The {@code mutate} profile: one to three instruction-level mutations of a starting program, which
 * is a corpus program (the built-in corpus and any {@code .data} files given) or, half of the time, a
 * fresh {@code safe} program. Mutations: a new immediate, a new offset, a new register, another
 * operation of the same class (ALU op, jump condition, access size, signedness, 32/64 bits), an
 * instruction deleted, duplicated or swapped with its neighbour (jumps follow, {@link Slots}), or a
 * random ALU instruction inserted.
 */
public final class Mutator {

    /** A starting program and its memory. */
    public record Seed(String name, Program program, byte[] memory) {}

    private final List<Seed> pool;

    public Mutator(List<Seed> pool) {
        this.pool = List.copyOf(pool);
    }

    /**
     * The starting programs: the built-in corpus (when {@code builtIn} and it is on the class path)
     * and every {@code .data} file under {@code paths}. A file that does not parse is an error
     * naming it and the line.
     */
    public static List<Seed> seedsFrom(List<java.nio.file.Path> paths, boolean builtIn)
            throws java.io.IOException, dev.bpfh.conformance.ConformanceException, dev.bpfh.data.DataFormatException {
        List<java.nio.file.Path> roots = new ArrayList<>(paths);
        if (builtIn) {
            dev.bpfh.conformance.Corpus.builtIn().ifPresent(roots::add);
        }
        List<Seed> seeds = new ArrayList<>();
        if (roots.isEmpty()) {
            return seeds;
        }
        for (dev.bpfh.conformance.Corpus.Entry e : dev.bpfh.conformance.Corpus.collect(roots)) {
            dev.bpfh.data.DataFile d = dev.bpfh.data.DataFileParser.parse(e.path());
            seeds.add(new Seed(e.id(), d.program(), d.memory()));
        }
        return seeds;
    }

    public int poolSize() {
        return pool.size();
    }

    public FuzzCase generate(long seed, long index, int inputs) {
        SplittableRandom rnd = Seeds.forCase(seed, index);
        String from;
        long[] slots;
        byte[] memory;
        if (!pool.isEmpty() && rnd.nextBoolean()) {
            Seed s = pool.get(rnd.nextInt(pool.size()));
            from = s.name();
            slots = s.program().slots();
            memory = s.memory();
        } else {
            int len = SafeGenerator.MEMORY_LENGTHS[rnd.nextInt(SafeGenerator.MEMORY_LENGTHS.length)];
            from = "a safe program";
            slots = SafeGenerator.program(rnd, len, "safe").slots();
            memory = new byte[len];
            rnd.nextBytes(memory);
        }
        int mutations = rnd.nextInt(1, 4);
        for (int m = 0; m < mutations; m++) {
            long[] next = mutate(rnd, slots);
            if (next != null && next.length > 0) {
                slots = next;
            }
        }
        Program p = Program.of("mutate-" + index, slots);
        List<byte[]> in = new ArrayList<>();
        in.add(memory);
        List<byte[]> more = Seeds.inputs(rnd, memory.length, Math.max(0, inputs - 1));
        in.addAll(more);
        return FuzzCase.raw(index, "mutate of " + from, p, in, Determinism.deterministic(p), Determinism.clockFree(p));
    }

    private static final int[] ALU_OPS = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR, MOV, ARSH, END};
    private static final int[] CONDITIONS = {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE};

    /** One mutation, or null when it did not apply. */
    static long[] mutate(SplittableRandom rnd, long[] slots) {
        int[] starts = Slots.starts(slots);
        if (starts.length == 0) {
            return null;
        }
        int pc = starts[rnd.nextInt(starts.length)];
        long s = slots[pc];
        Insn i = Insn.decode(s);
        int cls = opClass(i.opcode());
        return switch (rnd.nextInt(9)) {
            case 0 -> {
                if (Slots.isRelative(s) && Slots.displacementInImm(s)) {
                    yield null;
                }
                int imm = switch (rnd.nextInt(4)) {
                    case 0 -> i.imm() ^ (1 << rnd.nextInt(32));
                    case 1 -> i.imm() + rnd.nextInt(-2, 3);
                    case 2 -> new int[] {0, 1, -1, 31, 32, 63, 64, Integer.MIN_VALUE, Integer.MAX_VALUE, 16}[rnd.nextInt(10)];
                    default -> rnd.nextInt();
                };
                yield Slots.replace(slots, pc, Insn.encode(i.opcode(), i.dst(), i.src(), i.off(), imm));
            }
            case 1 -> {
                int off = Slots.isRelative(s) && !Slots.displacementInImm(s)
                        ? rnd.nextInt(-pc - 1, Math.max(0, slots.length - pc - 1))
                        : rnd.nextBoolean() ? i.off() + rnd.nextInt(-8, 9) : rnd.nextInt(-520, 80);
                yield Slots.replace(slots, pc, Insn.encode(i.opcode(), i.dst(), i.src(), clamp16(off), i.imm()));
            }
            case 2 -> rnd.nextBoolean()
                    ? Slots.replace(slots, pc, Insn.encode(i.opcode(), rnd.nextInt(11), i.src(), i.off(), i.imm()))
                    : Slots.replace(slots, pc, Insn.encode(i.opcode(), i.dst(), rnd.nextInt(11), i.off(), i.imm()));
            case 3 -> Slots.replace(slots, pc, Insn.encode(sibling(rnd, i.opcode()), i.dst(), i.src(), i.off(), i.imm()));
            case 4 -> {
                int next = pc + (i.opcode() == LDDW ? 2 : 1);
                yield slots.length > 1 ? Slots.delete(slots, pc, Math.min(next, slots.length) - pc) : null;
            }
            case 5 -> i.opcode() == LDDW ? null : Slots.insert(slots, pc, s);
            case 6 -> {
                int next = pc + 1;
                if (i.opcode() == LDDW || next >= slots.length || Insn.opcode(slots[next]) == LDDW
                        || Slots.isRelative(s) || Slots.isRelative(slots[next])) {
                    yield null;
                }
                long[] out = slots.clone();
                out[pc] = slots[next];
                out[next] = s;
                yield out;
            }
            case 7 -> {
                int op = (rnd.nextBoolean() ? ALU64 : ALU) | ALU_OPS[rnd.nextInt(ALU_OPS.length - 2)] | (rnd.nextBoolean() ? SRC_X : SRC_K);
                boolean x = (op & SRC_X) != 0;
                yield Slots.insert(slots, pc, Insn.encode(op, rnd.nextInt(10), x ? rnd.nextInt(11) : 0, 0, x ? 0 : rnd.nextInt(-4, 70)));
            }
            default -> cls == JMP || cls == JMP32 ? Slots.replace(slots, pc, Insn.encode(i.opcode() ^ (JMP ^ JMP32), i.dst(), i.src(), i.off(), i.imm()))
                    : cls == ALU || cls == ALU64 ? Slots.replace(slots, pc, Insn.encode(i.opcode() ^ (ALU ^ ALU64), i.dst(), i.src(), i.off(), i.imm()))
                    : null;
        };
    }

    /** Another opcode of the same class: ALU operation, jump condition, access size or mode. */
    private static int sibling(SplittableRandom rnd, int op) {
        int cls = opClass(op);
        return switch (cls) {
            case ALU, ALU64 -> cls | (op & SRC_X) | ALU_OPS[rnd.nextInt(ALU_OPS.length)];
            case JMP, JMP32 -> (op & OP_MASK) == CALL || (op & OP_MASK) == EXIT ? op : cls | (op & SRC_X) | CONDITIONS[rnd.nextInt(CONDITIONS.length)];
            case LDX -> rnd.nextBoolean() ? (op & ~SIZE_MASK) | new int[] {SIZE_B, SIZE_H, SIZE_W, SIZE_DW}[rnd.nextInt(4)] : op ^ (MODE_MEM ^ MODE_MEMSX);
            case ST, STX -> (op & ~SIZE_MASK) | new int[] {SIZE_B, SIZE_H, SIZE_W, SIZE_DW}[rnd.nextInt(4)];
            default -> op;
        };
    }

    private static int clamp16(int v) {
        return Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }
}
