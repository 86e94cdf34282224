package dev.bpfh.bench;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.isa.Program;

/**
 * Whether a program can write its input memory, decided from its instructions alone, so that a
 * benchmark may skip restoring the input before each run.
 *
 * <p>Why it matters: the kernel's in-kernel time ({@code BPF_PROG_TEST_RUN} with a repeat count)
 * runs the program again and again over one copy of the input, while {@link RunBenchmark} timed a
 * fresh copy before every run. For a latency-bound loop over 256 bytes that copy cost ~10 % of the
 * run (docs/jit-performance.md, "Budget-free code"). A program that cannot write its input leaves
 * it as it was, so the copy is redundant for it; for every other program it stays.
 *
 * <p>The rule is deliberately blunt, so that it is obviously sound:
 * <ul>
 *   <li>every store ({@code ST}, {@code STX}, atomics) addresses through {@code r10}, the frame
 *       pointer, which no instruction may write: such a store reaches the stack or traps, never the
 *       input;</li>
 *   <li>no helper, kfunc or {@code callx} call: helpers receive pointers and some write through
 *       them. Local (bpf-to-bpf) calls are fine: the callee's instructions are in the same scan.</li>
 * </ul>
 * A store through any other register counts as a possible input write, even when that register
 * holds a stack address. {@link RunBenchmark} also checks, after the trial, that the input is
 * still byte-for-byte what it was.
 */
final class InputWrites {

    private InputWrites() {}

    /** True when no instruction of {@code program} can change its input memory. */
    static boolean cannotWriteInput(Program program) {
        for (int pc : program.instructionPcs()) {
            long slot = program.slot(pc);
            int opcode = Insn.opcode(slot);
            int cls = opcode & Opcodes.CLASS_MASK;
            if ((cls == Opcodes.ST || cls == Opcodes.STX) && Insn.dst(slot) != 10) {
                return false;
            }
            if (opcode == Opcodes.CALLX) {
                return false;
            }
            if (opcode == Opcodes.CALL_IMM && Insn.src(slot) != Opcodes.CALL_LOCAL) {
                return false;
            }
        }
        return true;
    }
}
