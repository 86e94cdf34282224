package dev.bpfh.jit;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;

/**
 * The control-flow facts the code generator needs, computed once from a validated program:
 * basic blocks, and the subprograms (pc 0, every {@code call local} target and every function
 * address an {@code lddw} src 4 loads, a {@code bpf_loop} callback) with the blocks each one reaches.
 *
 * <p>Every call ends its block because the budget is checked at calls: a block's length is charged
 * at its entry, so the count seen by a check at the block's last instruction is exactly the number
 * of instructions executed so far, as the budget rule requires. Long straight-line runs are cut into
 * blocks of at most {@link #MAX_BLOCK_INSNS} instructions so that a block always fits in one
 * generated method; the cut changes nothing observable (no check happens at a cut).
 */
final class Cfg {
    static final int MAX_BLOCK_INSNS = 128;
    /** {@code bpf_tail_call}'s helper id. */
    static final int TAIL_CALL_HELPER = dev.bpfh.maps.MapHelpers.TAIL_CALL;

    /** A basic block: slots {@code [start, end)}, {@code insns} instructions (an lddw counts once). */
    record Block(int start, int end, int insns) {}

    /** A subprogram: its entry pc and the program-wide indices of the blocks it reaches, in pc order. */
    record Function(int entry, int[] blocks) {}

    final long[] slots;
    final List<Block> blocks = new ArrayList<>();
    /** Block index by start pc; -1 where no block starts. */
    final int[] blockAt;
    final List<Function> functions = new ArrayList<>();
    /** Function index by entry pc. */
    final TreeMap<Integer, Integer> functionAt = new TreeMap<>();
    /**
     * Whether code can run below depth 0: a {@code call local}, or a function address that a helper
     * may call back. Then every exit hands r1..r5 and the budget to its caller through the state.
     */
    final boolean hasLocalCalls;
    /**
     * Whether a helper call may ask for a tail call ({@code call 12}, or a {@code callx} whose id is
     * known only at run time): then pc 0 can be re-entered with any registers.
     */
    final boolean mayTailCall;
    /** Whether some {@code lddw} src 4 loads a function address (a {@code bpf_loop} callback). */
    final boolean hasCallbacks;

    Cfg(long[] slots) {
        this.slots = slots;
        int n = slots.length;
        BitSet leader = new BitSet(n + 1);
        BitSet entries = new BitSet(n);
        leader.set(0);
        entries.set(0);
        boolean calls = false;
        boolean tailCalls = false;
        boolean callbacks = false;
        for (int pc = 0; pc < n; pc++) {
            long w = slots[pc];
            int op = Insn.opcode(w);
            if (op == LDDW) {
                if (Insn.src(w) == PSEUDO_FUNC) {
                    int t = pc + 1 + Insn.imm(w);
                    leader.set(t);
                    entries.set(t);
                    calls = true;
                    callbacks = true;
                }
                pc++;
                continue;
            }
            int cls = opClass(op);
            if (cls != JMP && cls != JMP32) {
                continue;
            }
            int code = op & OP_MASK;
            if (code == CALL) {
                if (op == CALL_IMM && Insn.src(w) == CALL_LOCAL) {
                    int t = pc + 1 + Insn.imm(w);
                    leader.set(t);
                    entries.set(t);
                    calls = true;
                } else if (op == CALLX || Insn.imm(w) == TAIL_CALL_HELPER) {
                    tailCalls = true;
                }
            } else if (code != EXIT) {
                leader.set(jumpTarget(w, pc));
            }
            leader.set(pc + 1);
        }
        hasLocalCalls = calls;
        mayTailCall = tailCalls;
        hasCallbacks = callbacks;
        blockAt = new int[n + 1];
        Arrays.fill(blockAt, -1);
        int pc = 0;
        while (pc < n) {
            int start = pc;
            int count = 0;
            do {
                pc += Insn.opcode(slots[pc]) == LDDW ? 2 : 1;
                count++;
            } while (pc < n && !leader.get(pc) && count < MAX_BLOCK_INSNS);
            blockAt[start] = blocks.size();
            blocks.add(new Block(start, pc, count));
        }
        for (int e = entries.nextSetBit(0); e >= 0; e = entries.nextSetBit(e + 1)) {
            functionAt.put(e, functions.size());
            functions.add(new Function(e, reach(e)));
        }
    }

    /** Target slot of a jump (JA32 uses imm, every other jump off). */
    static int jumpTarget(long w, int pc) {
        return pc + 1 + (Insn.opcode(w) == JA32_OP ? Insn.imm(w) : Insn.off(w));
    }

    /** pc of the last instruction of a block (the first slot of an lddw pair). */
    int lastPc(Block b) {
        int pc = b.start();
        int last = pc;
        while (pc < b.end()) {
            last = pc;
            pc += Insn.opcode(slots[pc]) == LDDW ? 2 : 1;
        }
        return last;
    }

    /** Whether control can continue at {@code end} after the block's last instruction. */
    boolean fallsThrough(Block b) {
        int op = Insn.opcode(slots[lastPc(b)]);
        return op != EXIT_OP && op != JA_OP && op != JA32_OP;
    }

    private int[] reach(int entry) {
        BitSet seen = new BitSet(blocks.size());
        int[] stack = new int[blocks.size()];
        int sp = 0;
        stack[sp++] = blockAt[entry];
        seen.set(blockAt[entry]);
        while (sp > 0) {
            Block b = blocks.get(stack[--sp]);
            int last = lastPc(b);
            long w = slots[last];
            int op = Insn.opcode(w);
            int cls = opClass(op);
            int code = op & OP_MASK;
            int[] succ;
            if (op == EXIT_OP) {
                succ = new int[0];
            } else if ((cls == JMP || cls == JMP32) && code != CALL) {
                int t = jumpTarget(w, last);
                succ = code == JA ? new int[] {t} : new int[] {t, b.end()};
            } else {
                succ = new int[] {b.end()};
            }
            for (int s : succ) {
                if (s < slots.length && !seen.get(blockAt[s])) {
                    seen.set(blockAt[s]);
                    stack[sp++] = blockAt[s];
                }
            }
        }
        return seen.stream().toArray();
    }
}
