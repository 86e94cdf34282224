package dev.bpfh.isa;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.spi.LoadRejected;

/**
 * The structural rule of bpf-to-bpf functions, checked by {@link Validator} for every engine after
 * each instruction on its own has been found sound.
 *
 * <p>A program is cut into functions at pc 0 and at every {@code call local} target (reachable or
 * not, as the kernel's {@code check_subprogs} does). Each function owns the slots up to the next
 * one's start. Two things have no defined meaning and are refused at load, with the pc the kernel
 * and uBPF name:
 *
 * <ul>
 *   <li>a function followed by another one whose last instruction is neither {@code exit} nor an
 *       unconditional jump ({@code ja}, {@code ja32}): execution would fall into the next
 *       function's body while still in the caller's frame (uBPF {@code errors/err-call0}). The pc
 *       is that last instruction.
 *   <li>a jump, conditional or not, whose target lies in another function (uBPF
 *       {@code errors/err-call-invalid-jump}). The pc is the jump.
 * </ul>
 *
 * <p>The last function is not held to the first rule: running past the final slot is the defined
 * {@code FELL_OFF_END} trap (architecture.md), though the kernel verifier refuses it too. A
 * {@code call local} into the second slot of an {@code lddw} is refused per instruction by
 * {@link Validator}, before this check. Dead code and loops are not structural faults: they run
 * (the kernel's verifier refuses them on its own).
 */
final class FunctionLayout {
    private FunctionLayout() {}

    /** {@code wideTail[pc]} marks the second slot of an {@code lddw}; every target is known to be in range. */
    static void check(long[] s, boolean[] wideTail) throws LoadRejected {
        int n = s.length;
        boolean[] starts = new boolean[n];
        starts[0] = true;
        for (int pc = 0; pc < n; pc++) {
            long w = s[pc];
            boolean localCall = Insn.opcode(w) == CALL_IMM && Insn.src(w) == CALL_LOCAL;
            boolean functionAddress = Insn.opcode(w) == LDDW && Insn.src(w) == PSEUDO_FUNC; // a callback
            if (!wideTail[pc] && (localCall || functionAddress)) {
                starts[pc + 1 + Insn.imm(w)] = true;
            }
        }
        int start = 0;
        while (start < n) {
            int end = start + 1;
            while (end < n && !starts[end]) {
                end++;
            }
            checkFunction(s, wideTail, start, end);
            start = end;
        }
    }

    private static void checkFunction(long[] s, boolean[] wideTail, int start, int end) throws LoadRejected {
        int last = start;
        for (int pc = start; pc < end; pc++) {
            if (wideTail[pc]) {
                continue;
            }
            last = pc;
            long target = jumpTarget(s[pc], pc);
            if (target >= 0 && (target < start || target >= end)) {
                throw new LoadRejected(pc, "jump out of range from insn " + pc + " to " + target
                        + ": the target is outside this function [" + start + ", " + end + ")", "");
            }
        }
        int op = Insn.opcode(s[last]);
        if (end < s.length && op != EXIT_OP && op != JA_OP && op != JA32_OP) {
            throw new LoadRejected(last, "last insn of the function [" + start + ", " + end
                    + ") is not an exit or jmp: it would fall into the next function", "");
        }
    }

    /** The absolute target of a jump (not a call or exit), or -1 for any other instruction. */
    private static long jumpTarget(long w, int pc) {
        int op = Insn.opcode(w);
        int cls = opClass(op);
        if (cls != JMP && cls != JMP32) {
            return -1;
        }
        int code = op & OP_MASK;
        if (code == CALL || code == EXIT) {
            return -1;
        }
        int disp = op == JA32_OP ? Insn.imm(w) : Insn.off(w);
        return (long) pc + 1 + disp;
    }
}
