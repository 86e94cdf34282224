package dev.bpfh.fuzz;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.ctx.ContextField;
import dev.bpfh.ctx.ContextLayout;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;

/**
 * Whether a program's result can differ between two correct engines, found by a conservative
 * forward dataflow over its slots (it may call a deterministic program nondeterministic, never the
 * reverse). Mutated and minimised programs are compared with the kernel only when this says yes.
 *
 * <p>Values that differ by design are <em>tainted</em>: the result of a helper call or callx (the
 * kernel's random numbers, cpu id and clock are its own), bytes of the stack not written before
 * they are read (the kernel does not zero its stack; root may read it), and pointers used as numbers
 * (a tagged address in userspace, a kernel address in the kernel). Taint flows through arithmetic,
 * registers and stack bytes; the program is nondeterministic when taint reaches r0 at the main
 * program's exit, the input memory, a branch condition, or a local call's arguments, or when a
 * stack pointer is passed to a local call (the callee could then read the caller's frame).
 *
 * <p>A typed program's context fields, LD_ABS/LD_IND results and the results of the helpers that
 * work on the packet and the maps are the same in every engine (the kernel is their oracle), as
 * long as a helper reads no unwritten stack byte; its packet pointers may be compared with each
 * other and a map value pointer with zero.
 */
public final class Determinism {
    private Determinism() {}

    /**
     * Whether interp and jit must compute the same result: true unless the value of a clock read
     * (bpf_ktime_get_ns, or a callx that might call it) may reach r0, memory, a branch or a call.
     */
    public static boolean clockFree(Program program) {
        return !mayReadClock(program) || why(program, false) == null;
    }

    /** Whether every correct engine, the kernel included, computes the same r0 and memory. */
    public static boolean deterministic(Program program) {
        return why(program, true) == null;
    }

    /** Whether the program contains a clock read: bpf_ktime_get_ns, directly or possibly through callx. */
    static boolean mayReadClock(Program program) {
        for (long slot : program.slots()) {
            int op = Insn.opcode(slot);
            if (op == CALLX || op == CALL_IMM && Insn.src(slot) == CALL_HELPER && Insn.imm(slot) == 5) {
                return true;
            }
        }
        return false;
    }

    private static final int FRAME = 512;
    private static final int MAX_STEPS = 200_000;

    // Register kinds.
    private static final byte NUM = 0;
    private static final byte STACK = 1; // r10 + soff
    private static final byte STACK_ANY = 2; // somewhere in the stack
    private static final byte OTHER_PTR = 3; // the input (or a map value; a typed program's packet)
    private static final byte CTX = 4; // a typed program's context pointer

    /**
     * Helpers whose results every correct engine computes alike from the packet, the context and
     * the maps (programs.md §3): map lookup (a value pointer), update, delete, and the packet
     * helpers. A typed program's result may depend on them.
     */
    private static final java.util.Set<Integer> TYPED_DETERMINISTIC_HELPERS = java.util.Set.of(1, 2, 3, 9, 10, 11, 26, 28, 44, 54, 65);

    /** The facts at one pc. */
    private static final class State {
        final boolean kernel;
        long taint; // bit r: register r may hold a tainted value
        final byte[] kind = new byte[11];
        final int[] soff = new int[11];
        final BitSet written = new BitSet(FRAME); // must have been written (index FRAME + offset)
        final BitSet dirty = new BitSet(FRAME); // may hold a tainted byte
        /** The functions (entry pcs) this point may be executing in: main can fall into a subprogram's code. */
        final BitSet functions = new BitSet();

        State(boolean kernel) {
            this.kernel = kernel;
        }

        State copy() {
            State c = new State(kernel);
            c.taint = taint;
            System.arraycopy(kind, 0, c.kind, 0, kind.length);
            System.arraycopy(soff, 0, c.soff, 0, soff.length);
            c.written.or(written);
            c.dirty.or(dirty);
            c.functions.or(functions);
            return c;
        }

        /** Joins {@code o} into this; true if anything changed. */
        boolean join(State o) {
            boolean changed = false;
            long t = taint | o.taint;
            for (int r = 0; r < 11; r++) {
                if (kind[r] != o.kind[r] || kind[r] == STACK && soff[r] != o.soff[r]) {
                    byte k = kind[r] == NUM || o.kind[r] == NUM ? NUM
                            : kind[r] == OTHER_PTR && o.kind[r] == OTHER_PTR ? OTHER_PTR : STACK_ANY;
                    if (k == NUM && kernel) {
                        t |= 1L << r; // a number on one path, a pointer on the other
                    }
                    if (k != kind[r]) {
                        kind[r] = k;
                        changed = true;
                    }
                }
            }
            if (t != taint) {
                taint = t;
                changed = true;
            }
            BitSet w = (BitSet) written.clone();
            w.and(o.written);
            if (!w.equals(written)) {
                written.and(o.written);
                changed = true;
            }
            BitSet d = (BitSet) dirty.clone();
            d.or(o.dirty);
            if (!d.equals(dirty)) {
                dirty.or(o.dirty);
                changed = true;
            }
            BitSet f = (BitSet) functions.clone();
            f.or(o.functions);
            if (!f.equals(functions)) {
                functions.or(o.functions);
                changed = true;
            }
            return changed;
        }

        boolean tainted(int r) {
            return (taint >>> r & 1) != 0 || kernel && kind[r] != NUM;
        }

        void set(int r, boolean tainted) {
            kind[r] = NUM;
            taint = tainted ? taint | 1L << r : taint & ~(1L << r);
        }
    }

    /**
     * The dataflow. Against the kernel, every helper result, unwritten stack byte and pointer used
     * as a number is tainted; between our userspace engines (same memory model, same helpers, zeroed
     * stack) only a clock read is.
     */
    static String why(Program program, boolean kernel) {
        long[] s = program.slots();
        int n = s.length;
        State[] at = new State[n + 1];
        long[] returnsTaint = new long[n + 1]; // per function entry: which of r0-r5 may come back tainted
        Deque<Integer> work = new ArrayDeque<>();
        ContextLayout layout = ContextLayout.of(program.type()).orElse(null);
        State start = new State(kernel);
        start.kind[1] = layout != null ? CTX : OTHER_PTR;
        start.kind[10] = STACK;
        start.functions.set(0);
        at[0] = start;
        work.add(0);
        int steps = 0;
        while (!work.isEmpty()) {
            if (++steps > MAX_STEPS) {
                return "too many steps";
            }
            int pc = work.poll();
            if (pc >= n) {
                continue; // falls off the end: a trap everywhere
            }
            State st = at[pc].copy();
            long w = s[pc];
            int op = Insn.opcode(w), dst = Insn.dst(w), src = Insn.src(w), off = Insn.off(w), imm = Insn.imm(w);
            if (dst > 10 || src > 10) {
                return "pc " + pc + ": no such register"; // refused everywhere; nothing to compare
            }
            int cls = opClass(op);
            int next = pc + 1;
            switch (cls) {
                case ALU, ALU64 -> alu(st, op, dst, src, off, imm, cls == ALU64);
                case LD -> {
                    if (op == LDDW) {
                        st.set(dst, src != 0);
                        next = pc + 2;
                    } else if (layout != null && ((op & MODE_MASK) == MODE_ABS || (op & MODE_MASK) == MODE_IND)) {
                        st.set(0, false); // LD_ABS/LD_IND: packet bytes (or an exit with 0)
                        for (int r = 1; r <= 5 && kernel; r++) {
                            st.set(r, true);
                        }
                    }
                }
                case LDX -> {
                    if (layout != null && st.kind[src] == CTX) {
                        // a context field: the same in every engine, except the packet pointers' values
                        boolean pointer = layout.fieldAt(off).map(f -> f.pointer() != ContextField.PacketPointer.NONE).orElse(false);
                        st.set(dst, false);
                        if (pointer) {
                            st.kind[dst] = OTHER_PTR;
                        }
                        break;
                    }
                    boolean t = readStack(st, src, off, sizeBytes(op));
                    st.set(dst, t);
                }
                case ST, STX -> {
                    int size = sizeBytes(op);
                    boolean value = cls == STX && st.tainted(src);
                    if (cls == STX && (op & MODE_MASK) == MODE_ATOMIC) {
                        boolean old = readStack(st, dst, off, size);
                        if (imm == ATOMIC_CMPXCHG) {
                            value |= old || st.tainted(0);
                            st.set(0, old);
                        } else {
                            value = imm == ATOMIC_XCHG ? value : value || old;
                            if ((imm & FETCH) != 0) {
                                st.set(src, old);
                            }
                        }
                    }
                    if (!writeMemory(st, dst, off, size, value)) {
                        return "pc " + pc + ": a tainted value is stored outside the stack";
                    }
                }
                case JMP, JMP32 -> {
                    int code = op & OP_MASK;
                    if (code == EXIT && cls == JMP) {
                        for (int fn = st.functions.nextSetBit(0); fn >= 0; fn = st.functions.nextSetBit(fn + 1)) {
                            if (fn == 0) {
                                if (st.tainted(0)) {
                                    return "pc " + pc + ": r0 may be tainted at exit";
                                }
                                continue;
                            }
                            long back = kernel ? (st.tainted(0) ? 1 : 0) : st.taint & 0x3f;
                            if ((returnsTaint[fn] | back) != returnsTaint[fn]) {
                                returnsTaint[fn] |= back;
                                requeueCallers(s, fn, at, work);
                            }
                        }
                        continue;
                    }
                    if (code == CALL && cls == JMP) {
                        if (op == CALL_IMM && src == CALL_LOCAL) {
                            int target = pc + 1 + imm;
                            if (target < 0 || target >= n) {
                                continue;
                            }
                            State entry = new State(kernel);
                            boolean passesStack = false;
                            for (int r = 1; r <= 5; r++) {
                                boolean stackPointer = st.kind[r] == STACK || st.kind[r] == STACK_ANY;
                                passesStack |= stackPointer;
                                // The callee sees the caller's frame only through a pointer it cannot track.
                                entry.kind[r] = stackPointer ? STACK_ANY : st.kind[r];
                                entry.taint |= st.taint & (1L << r);
                            }
                            entry.kind[10] = STACK;
                            entry.functions.set(target);
                            if (!kernel) {
                                entry.taint |= st.taint & 0x3ff; // our engines pass every register on; the verifier would refuse reading r0, r6-r9
                            }
                            if (passesStack && kernel) {
                                st.dirty.set(0, FRAME); // the callee may have written anything there
                            }
                            flow(at, work, target, entry);
                            for (int r = 0; r <= 5; r++) {
                                // Against the kernel r1-r5 are clobbered (its verifier refuses reading them).
                                st.set(r, r > 0 && kernel || (returnsTaint[target] >>> r & 1) != 0);
                            }
                        } else if (layout != null && op == CALL_IMM && TYPED_DETERMINISTIC_HELPERS.contains(imm)) {
                            if (kernel && !helperStackWritten(st)) {
                                return "pc " + pc + ": a helper may read stack bytes not written before";
                            }
                            st.set(0, false);
                            if (imm == 1) {
                                st.kind[0] = OTHER_PTR; // a map value, or null
                            }
                            for (int r = 1; r <= 5 && kernel; r++) {
                                st.set(r, true);
                            }
                        } else {
                            boolean clock = op == CALLX || imm == 5;
                            st.set(0, kernel || clock); // a helper's (or callx's) result
                            if (kernel) {
                                for (int r = 1; r <= 5; r++) {
                                    st.set(r, true);
                                }
                            }
                        }
                        break;
                    }
                    if (code == JA) {
                        next = pc + 1 + (cls == JMP32 ? imm : off);
                        break;
                    }
                    if (layout != null ? typedBranchTainted(st, op, dst, src, imm) : st.tainted(dst) || (op & SRC_X) != 0 && st.tainted(src)) {
                        return "pc " + pc + ": a branch on a tainted value";
                    }
                    flow(at, work, pc + 1 + off, st);
                }
                default -> {}
            }
            if (next >= 0 && next <= n) {
                flow(at, work, next, st);
            }
        }
        return null;
    }

    /**
     * Whether every stack byte a helper may read through a pointer argument is written and clean:
     * the helper's sizes are not tracked, so all of them from the pointer up to r10.
     */
    private static boolean helperStackWritten(State st) {
        for (int r = 1; r <= 5; r++) {
            if (st.kind[r] == STACK_ANY) {
                return false;
            }
            if (st.kind[r] == STACK) {
                for (int i = Math.max(0, FRAME + st.soff[r]); i < FRAME; i++) {
                    if (!st.written.get(i) || st.dirty.get(i)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * In a typed program a pointer may be compared with a pointer (a packet bounds check) or with
     * zero (a map lookup's null check): the outcome is the same in every engine. A pointer against
     * another number is not.
     */
    private static boolean typedBranchTainted(State st, int op, int dst, int src, int imm) {
        boolean x = (op & SRC_X) != 0;
        boolean taintBits = (st.taint >>> dst & 1) != 0 || x && (st.taint >>> src & 1) != 0;
        boolean dstPointer = st.kind[dst] != NUM;
        if (x) {
            return taintBits || dstPointer != (st.kind[src] != NUM);
        }
        return taintBits || dstPointer && imm != 0;
    }

    private static void requeueCallers(long[] s, int fn, State[] at, Deque<Integer> work) {
        for (int pc = 0; pc < s.length; pc++) {
            if (Insn.opcode(s[pc]) == CALL_IMM && Insn.src(s[pc]) == CALL_LOCAL && pc + 1 + Insn.imm(s[pc]) == fn && at[pc] != null) {
                work.add(pc);
            }
        }
    }

    private static void flow(State[] at, Deque<Integer> work, int pc, State st) {
        if (pc < 0 || pc >= at.length) {
            return;
        }
        if (at[pc] == null) {
            at[pc] = st.copy();
            work.add(pc);
        } else if (at[pc].join(st)) {
            work.add(pc);
        }
    }

    private static void alu(State st, int op, int dst, int src, int off, int imm, boolean is64) {
        int code = op & OP_MASK;
        boolean x = (op & SRC_X) != 0 && code != END && code != NEG; // END's bit is the byte order
        if (code == MOV) {
            if (x && is64 && off == 0 && st.kind[src] != NUM) {
                st.kind[dst] = st.kind[src];
                st.soff[dst] = st.soff[src];
                st.taint = st.taint & ~(1L << dst) | (st.taint >>> src & 1) << dst;
                return;
            }
            st.set(dst, x && st.tainted(src));
            return;
        }
        if (st.kind[dst] == STACK && is64 && !x && (code == ADD || code == SUB)) {
            st.soff[dst] += code == ADD ? imm : -imm;
            return;
        }
        if (st.kind[dst] != NUM && is64 && (code == ADD || code == SUB)) {
            if (!x || st.kind[src] == NUM && !st.tainted(src)) {
                st.kind[dst] = st.kind[dst] == OTHER_PTR ? OTHER_PTR : STACK_ANY; // still a pointer, offset unknown
                return;
            }
        }
        if (st.kind[dst] == NUM && x && st.kind[src] != NUM && is64 && code == ADD) {
            st.kind[dst] = st.kind[src] == OTHER_PTR ? OTHER_PTR : STACK_ANY; // scalar += pointer
            return;
        }
        st.set(dst, st.tainted(dst) || x && st.tainted(src));
    }

    /** Whether a load through {@code base} may read a tainted or unwritten stack byte. */
    private static boolean readStack(State st, int base, int off, int size) {
        if (!st.kernel) {
            return false; // our engines zero the stack: the same bytes in both
        }
        return switch (st.kind[base]) {
            case STACK -> {
                int from = FRAME + st.soff[base] + off;
                for (int i = from; i < from + size; i++) {
                    if (i < 0 || i >= FRAME) {
                        yield false; // outside the frame: a trap or a refusal, the same everywhere
                    }
                    if (!st.written.get(i) || st.dirty.get(i)) {
                        yield true;
                    }
                }
                yield false;
            }
            case STACK_ANY -> true;
            default -> false;
        };
    }

    /** Records a store; false when tainted bytes reach memory outside the stack. */
    private static boolean writeMemory(State st, int base, int off, int size, boolean tainted) {
        switch (st.kind[base]) {
            case STACK -> {
                int from = FRAME + st.soff[base] + off;
                if (from >= 0 && from + size <= FRAME) {
                    st.written.set(from, from + size);
                    if (tainted) {
                        st.dirty.set(from, from + size);
                    } else {
                        st.dirty.clear(from, from + size);
                    }
                }
                return true;
            }
            case STACK_ANY -> {
                if (tainted) {
                    st.dirty.set(0, FRAME);
                }
                return true;
            }
            default -> {
                return !tainted;
            }
        }
    }

}
