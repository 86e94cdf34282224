package dev.bpfh.jit;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An upper bound on the instructions one run of a program can execute, when a scan proves one: then
 * a load-time budget at or above it can never be exceeded, and the generated code needs no budget
 * counter and no budget check ({@link Compiler#budgetFree}). The counter is what C2 had to carry
 * through every loop: a second induction variable folded into the loop limit by a division (the
 * pre/main/post set-up of copy_to_stack's 32-iteration loops), or, where the paths round a loop
 * charge different amounts (map_array_counters' NULL check), a check per call and per back edge.
 *
 * <p>The proof, for a program of one function whose only calls are inlined array lookups (no helper
 * that runs callbacks, no local or tail call, so nothing else counts against the budget):
 * <ul>
 *   <li>Backward jumps are the only way back: an instruction outside every range {@code [target,
 *       pc]} of a taken backward jump runs at most once.</li>
 *   <li>The ranges of the backward jumps are pairwise disjoint. Then no other backward jump leads
 *       into or out of a range, so a range is entered once, and between two takes of its backward
 *       jump control moves forward through the range: each of its instructions runs at most
 *       {@code takes + 1} times.</li>
 *   <li>Each backward jump's own block adds a positive constant (64-bit {@code add rX, imm}) to a
 *       register rX that nothing else in the range writes but such adds. The block is basic, so
 *       every take of the jump follows its adds; rX strictly grows from one arrival at the target to
 *       the next (by less than 2^51: no wrap-around within the proven range), and at every arrival
 *       it lies in the range {@link RegisterFacts} proves at the target's entry, {@code [lo, hi]}.
 *       So the jump is taken at most {@code (hi - lo) / step + 1} times.</li>
 * </ul>
 * The bound is the sum, over blocks, of their instructions times how often they can run.
 */
final class BudgetBound {
    /** No bound was proven. */
    static final long UNBOUNDED = Long.MAX_VALUE;
    /** Larger ranges are not worth proving: the bound would exceed any budget. */
    private static final long MAX_SPAN = 1L << 40;

    private BudgetBound() {}

    private record BackEdge(int target, int pc, long takes) {}

    /** The most instructions a run of {@code plan}'s function can execute, or {@link #UNBOUNDED}. */
    static long maxInsns(Cfg cfg, Compiler.FnPlan plan, ArrayLookups lookups) {
        if (cfg.functions.size() != 1 || cfg.hasLocalCalls || cfg.mayTailCall || cfg.hasCallbacks) {
            return UNBOUNDED;
        }
        List<BackEdge> edges = new ArrayList<>();
        for (int blockId : plan.fn().blocks()) {
            Cfg.Block b = cfg.blocks.get(blockId);
            for (int pc = b.start(); pc < b.end(); pc += Insn.opcode(cfg.slots[pc]) == LDDW ? 2 : 1) {
                int op = Insn.opcode(cfg.slots[pc]);
                if ((op == CALL_IMM && lookups.siteAt(pc) < 0) || op == CALLX) {
                    return UNBOUNDED; // a helper may run callbacks; anything else may count elsewhere
                }
            }
            int last = cfg.lastPc(b);
            long w = cfg.slots[last];
            int op = Insn.opcode(w);
            int cls = opClass(op);
            int code = op & OP_MASK;
            if ((cls != JMP && cls != JMP32) || code == CALL || code == EXIT) {
                continue;
            }
            int target = Cfg.jumpTarget(w, last);
            if (target > last) {
                continue;
            }
            long takes = takes(cfg, plan, b, target, last);
            if (takes == UNBOUNDED) {
                return UNBOUNDED;
            }
            edges.add(new BackEdge(target, last, takes));
        }
        edges.sort(Comparator.comparingInt(BackEdge::target));
        for (int i = 1; i < edges.size(); i++) {
            if (edges.get(i).target() <= edges.get(i - 1).pc()) {
                return UNBOUNDED; // nested or overlapping loops
            }
        }
        long total = 0;
        for (int blockId : plan.fn().blocks()) {
            Cfg.Block b = cfg.blocks.get(blockId);
            long runs = 1;
            for (BackEdge e : edges) {
                if (b.start() >= e.target() && b.start() <= e.pc()) {
                    runs = e.takes() + 1;
                }
            }
            total += runs * b.insns();
            if (total > MAX_SPAN) {
                return UNBOUNDED;
            }
        }
        return total;
    }

    /**
     * How often the backward jump ending block {@code b} (at {@code pc}, to {@code target}) can be
     * taken in one entry of its range, or {@link #UNBOUNDED}: the smallest bound any counter of the
     * block gives.
     */
    private static long takes(Cfg cfg, Compiler.FnPlan plan, Cfg.Block b, int target, int pc) {
        RegisterFacts.Fact[] atTarget = plan.facts().atEntry(plan.localOf(cfg.blockAt[target]));
        long best = UNBOUNDED;
        for (int r = 0; r < 10; r++) {
            long step = 0;
            for (int p = b.start(); p < pc; p += Insn.opcode(cfg.slots[p]) == LDDW ? 2 : 1) {
                if (positiveAdd(cfg.slots[p], r)) {
                    step += Insn.imm(cfg.slots[p]);
                }
            }
            RegisterFacts.Fact f = atTarget[r];
            if (step == 0 || f.kind() != RegisterFacts.SCALAR || f.lo() < -MAX_SPAN || f.hi() > MAX_SPAN
                    || f.hi() < f.lo() || !onlyAddedTo(cfg, r, target, pc)) {
                continue;
            }
            best = Math.min(best, (f.hi() - f.lo()) / step + 1);
        }
        return best;
    }

    /** Whether {@code w} is {@code add rR, imm} (64-bit) with a positive immediate. */
    private static boolean positiveAdd(long w, int r) {
        return Insn.opcode(w) == (ALU64 | ADD | SRC_K) && Insn.dst(w) == r && Insn.imm(w) > 0;
    }

    /** Whether no instruction in {@code [from, to]} but {@link #positiveAdd}s may write register {@code r}. */
    private static boolean onlyAddedTo(Cfg cfg, int r, int from, int to) {
        for (int pc = from; pc <= to; ) {
            long w = cfg.slots[pc];
            int op = Insn.opcode(w);
            if (!positiveAdd(w, r) && mayWrite(w, r)) {
                return false;
            }
            pc += op == LDDW ? 2 : 1;
        }
        return true;
    }

    /** Whether the instruction {@code w} may write register {@code r} (conservative). */
    private static boolean mayWrite(long w, int r) {
        int op = Insn.opcode(w);
        int cls = opClass(op);
        return switch (cls) {
            case ALU, ALU64, LDX -> Insn.dst(w) == r;
            case LD -> op == LDDW ? Insn.dst(w) == r : r <= 5; // LD_ABS/LD_IND: r0, and r1..r5 as a call
            case STX -> (op & MODE_MASK) == MODE_ATOMIC && (Insn.src(w) == r || r == 0);
            case ST -> false;
            default -> (op & OP_MASK) == CALL && r <= 5; // a call's r0 (and r1..r5, conservatively)
        };
    }
}
