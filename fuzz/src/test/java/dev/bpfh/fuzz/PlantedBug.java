package dev.bpfh.fuzz;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import java.util.function.UnaryOperator;

/**
 * A deliberately wrong engine for tests: the interpreter running a rewritten program, where the
 * rewrite breaks exactly one rule of the ISA. The rewrite stands for an engine bug in that rule.
 */
enum PlantedBug {
    /** ALU: arsh32 by a register shifts in zeros (as rsh32) instead of copies of the sign bit. */
    ARSH32_REGISTER_IS_LOGICAL(ALU | ARSH | SRC_X, s -> replaceOpcode(s, ALU | ARSH | SRC_X, ALU | RSH | SRC_X)),
    /** ALU: 64-bit sdiv (offset 1) divides unsigned. */
    SDIV64_IS_UNSIGNED(java.util.Set.of(ALU64 | DIV | SRC_X, ALU64 | DIV | SRC_K), s -> {
        long[] out = s.clone();
        for (int pc : Slots.starts(s)) {
            int op = Insn.opcode(s[pc]);
            if ((op == (ALU64 | DIV | SRC_X) || op == (ALU64 | DIV | SRC_K)) && Insn.off(s[pc]) == 1) {
                out[pc] = s[pc] & ~(0xffffL << 16);
            }
        }
        return out;
    }),
    /** Jump condition: jsgt with an immediate compares unsigned (as jgt). */
    JSGT_IMM_IS_UNSIGNED(JMP | JSGT | SRC_K, s -> replaceOpcode(s, JMP | JSGT | SRC_K, JMP | JGT | SRC_K)),
    /** Memory width: the signed 16-bit load zero-extends (as ldxh). */
    LDXSH_ZERO_EXTENDS(LDX | MODE_MEMSX | SIZE_H, s -> replaceOpcode(s, LDX | MODE_MEMSX | SIZE_H, LDX | MODE_MEM | SIZE_H)),
    /** Atomics: 64-bit fetch-add adds but leaves the source register without the old value. */
    FETCH_ADD64_FORGETS_FETCH(ATOMIC_DW, s -> {
        long[] out = s.clone();
        for (int pc : Slots.starts(s)) {
            if (Insn.opcode(s[pc]) == ATOMIC_DW && Insn.imm(s[pc]) == (ATOMIC_ADD | FETCH)) {
                out[pc] = (s[pc] & 0xffffffffL) | ((long) ATOMIC_ADD << 32);
            }
        }
        return out;
    }),
    /** Call/stack: a local call does not preserve the caller's r6 (it comes back as 0x5a5a). */
    CALL_CLOBBERS_R6(CALL_IMM, s -> {
        long[] out = s;
        for (int pc = out.length - 1; pc >= 0; pc--) {
            if (Insn.opcode(out[pc]) == CALL_IMM && Insn.src(out[pc]) == CALL_LOCAL && isStart(out, pc)) {
                long[] next = Slots.insert(out, pc + 1, Insn.encode(ALU64 | MOV | SRC_K, 6, 0, 0, 0x5a5a));
                out = next == null ? out : next;
            }
        }
        return out;
    });

    /** The opcodes whose rule the bug breaks: a reproducer of the bug must contain one. */
    final java.util.Set<Integer> opcodes;
    private final UnaryOperator<long[]> rewrite;

    PlantedBug(int opcode, UnaryOperator<long[]> rewrite) {
        this(java.util.Set.of(opcode), rewrite);
    }

    PlantedBug(java.util.Set<Integer> opcodes, UnaryOperator<long[]> rewrite) {
        this.opcodes = opcodes;
        this.rewrite = rewrite;
    }

    Backend backend() {
        return rewriting("planted-" + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), rewrite);
    }

    /** The interpreter running every program rewritten by {@code rewrite}, under {@code name}. */
    static Backend rewriting(String name, UnaryOperator<long[]> rewrite) {
        Backend interp = Backends.find("interp").orElseThrow();
        return new Backend() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Availability probe() {
                return Availability.yes();
            }

            @Override
            public Executable load(Program program, LoadOptions options) throws LoadRejected {
                return interp.load(new Program(program.name(), rewrite.apply(program.slots()), program.maps(),
                        program.type()), options);
            }
        };
    }

    private static long[] replaceOpcode(long[] s, int from, int to) {
        long[] out = s.clone();
        for (int pc : Slots.starts(s)) {
            if (Insn.opcode(s[pc]) == from) {
                out[pc] = (s[pc] & ~0xffL) | to;
            }
        }
        return out;
    }

    static boolean isStart(long[] s, int pc) {
        for (int start : Slots.starts(s)) {
            if (start == pc) {
                return true;
            }
        }
        return false;
    }
}
