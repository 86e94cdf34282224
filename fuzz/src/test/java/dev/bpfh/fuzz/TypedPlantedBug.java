package dev.bpfh.fuzz;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.spi.Backend;
import java.util.function.UnaryOperator;

/**
 * Deliberately wrong typed-program engines for tests ({@link PlantedBug}'s pattern): the
 * interpreter running a rewritten program, where the rewrite stands for an engine bug in one typed
 * feature. The packet generator keeps the context in r6, which is how the rewrites find ctx loads.
 */
enum TypedPlantedBug {
    /** Context: a byte load at a byte inside a 4-byte field (not its first) reads the neighbouring byte. */
    NARROW_CTX_LOAD_READS_NEIGHBOUR(LDX | MODE_MEM | SIZE_B, s -> {
        long[] out = s.clone();
        for (int pc : Slots.starts(s)) {
            if (Insn.opcode(s[pc]) == (LDX | MODE_MEM | SIZE_B) && Insn.src(s[pc]) == PacketGenerator.CTX && (Insn.off(s[pc]) & 3) != 0) {
                out[pc] = (s[pc] & ~(0xffffL << 16)) | (long) ((Insn.off(s[pc]) ^ 1) & 0xffff) << 16;
            }
        }
        return out;
    }),
    /** Helpers: bpf_xdp_adjust_head fails with -EPERM instead of its errno. */
    ADJUST_HEAD_WRONG_ERRNO(CALL_IMM, s -> {
        long[] out = s;
        for (int pc = out.length - 1; pc >= 0; pc--) {
            long w = out[pc];
            if (Insn.opcode(w) == CALL_IMM && Insn.src(w) == CALL_HELPER && Insn.imm(w) == 44 && PlantedBug.isStart(out, pc)) {
                long[] next = Slots.insert(out, pc + 1, Insn.encode(JMP | JSGE | SRC_K, 0, 0, 1, 0),
                        Insn.encode(ALU64 | MOV | SRC_K, 0, 0, 0, -1));
                out = next == null ? out : next;
            }
        }
        return out;
    });

    /** The opcode whose rule the bug breaks: a reproducer of the bug must contain it. */
    final int opcode;
    private final UnaryOperator<long[]> rewrite;

    TypedPlantedBug(int opcode, UnaryOperator<long[]> rewrite) {
        this.opcode = opcode;
        this.rewrite = rewrite;
    }

    Backend backend() {
        return PlantedBug.rewriting("planted-" + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), rewrite);
    }
}
