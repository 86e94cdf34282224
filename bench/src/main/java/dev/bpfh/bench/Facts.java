package dev.bpfh.bench;

import dev.bpfh.interp.InterpreterBackend;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.isa.Program;
import dev.bpfh.reports.WorkloadFacts;
import dev.bpfh.spi.LoadRejected;
import java.util.Map;

/**
 * The untimed facts of a workload ({@link WorkloadFacts}): how many instructions one run executes,
 * counted once by the interpreter in the runner's JVM, never inside JMH's timed region; and what the
 * JIT and the kernel made of the program, read from their {@code Executable.info()}.
 */
final class Facts {
    private Facts() {}

    /** Executed instructions of one run of {@code w}; -1 when the interpreter cannot count it (it traps). */
    static long executedInstructions(Workload w) {
        try {
            return InterpreterBackend.countInstructions(w.program(), w.memory());
        } catch (LoadRejected | IllegalArgumentException e) {
            return -1;
        }
    }

    /** Instructions in the program: slots, with each {@code lddw} pair counted once. */
    static int programInsns(Program p) {
        return p.instructionPcs().length;
    }

    /**
     * Helper calls in the program: {@code call} instructions whose source field is 0 (1 is a call
     * to a bpf-to-bpf function, 2 a kfunc, which the built-in workloads do not use).
     */
    static int helperCalls(Program p) {
        int n = 0;
        for (int pc : p.instructionPcs()) {
            long slot = p.slot(pc);
            if (Insn.opcode(slot) == Opcodes.CALL_IMM && Insn.src(slot) == 0) {
                n++;
            }
        }
        return n;
    }

    /** The jit executable's info: bytecodeBytes, methods, maxMethodBytes, and fallback when it fell back. */
    static WorkloadFacts.Jit jit(Map<String, Object> info) {
        return new WorkloadFacts.Jit(integer(info, "bytecodeBytes"), integer(info, "methods"),
                integer(info, "maxMethodBytes"), String.valueOf(info.getOrDefault("fallback", "")));
    }

    /** The kernel executable's info: jitedBytes, xlatedInsns, verifiedInsns, wrapping. */
    static WorkloadFacts.Kernel kernel(Map<String, Object> info) {
        return new WorkloadFacts.Kernel(integer(info, "jitedBytes"), integer(info, "xlatedInsns"),
                integer(info, "verifiedInsns"), String.valueOf(info.getOrDefault("wrapping", "")));
    }

    /** A numeric info value; 0 when absent (e.g. no bytecode when the JIT fell back to the interpreter). */
    private static int integer(Map<String, Object> info, String key) {
        return info.get(key) instanceof Number n ? n.intValue() : 0;
    }
}
