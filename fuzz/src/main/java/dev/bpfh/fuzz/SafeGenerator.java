package dev.bpfh.fuzz;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The {@code safe} profile: programs the kernel verifier accepts as root, and whose results cannot
 * differ between a correct engine and the kernel.
 *
 * <p>The generator keeps the verifier's view of every register ({@link Frame}): uninitialised,
 * scalar, a pointer into the input at a known offset, into the stack at a known offset, or into the
 * input at a masked variable offset; and of every stack byte: uninitialised, written, or part of a
 * spilled pointer. It emits only instructions that view allows: registers are written before they
 * are read, memory accesses are in bounds by construction, stack bytes are written before they are
 * read (the kernel's stack is not zeroed), pointers are never turned into numbers (their values
 * differ between engines), helper results are never read (random numbers, cpu ids and clocks
 * differ), shifts by a constant stay below the width and constant divisors are non-zero.
 *
 * <p>Control flow is structured: if/then, if/then/else, early exits, loops with a constant trip
 * count counted down in a register the body does not touch, pointer walks (a loop that advances a
 * pointer by a constant stride), bpf-to-bpf calls to subprograms placed after the main program
 * (no recursion, call depth at most 3, at most 512 stack bytes over the deepest call chain), and
 * helper calls 5, 7 and 8. Every function ends by folding every scalar register into r0, so that
 * a wrong value anywhere shows in the result.
 */
public final class SafeGenerator {

    /** Memory lengths a case may have (the kernel's XDP wrapping takes up to 3512 bytes). */
    static final int[] MEMORY_LENGTHS = {4, 8, 16, 32, 64, 128, 256};
    static final int MAX_CALL_DEPTH = 3;
    static final int MAX_SUBPROGRAMS = 4;
    static final int MAIN_STACK = 128;
    static final int SUB_STACK = 64;

    private final SplittableRandom rnd;
    private final int len;
    private final List<Fn> functions = new ArrayList<>();

    private SafeGenerator(SplittableRandom rnd, int len) {
        this.rnd = rnd;
        this.len = len;
    }

    /** Case {@code index} of the campaign seeded {@code seed}, with {@code inputs} inputs. */
    public static FuzzCase generate(long seed, long index, int inputs) {
        SplittableRandom rnd = Seeds.forCase(seed, index);
        int len = MEMORY_LENGTHS[rnd.nextInt(MEMORY_LENGTHS.length)];
        Program program = new SafeGenerator(rnd, len).program("safe-" + index);
        return FuzzCase.raw(index, "safe", program, Seeds.inputs(rnd, len, inputs), true, true);
    }

    /** A program for memory of {@code len} bytes drawn from {@code rnd}. */
    public static Program program(SplittableRandom rnd, int len, String name) {
        return new SafeGenerator(rnd, len).program(name);
    }

    private Program program(String name) {
        Frame entry = new Frame(MAIN_STACK);
        entry.kind[1] = Frame.PKT; // r1 = memory, r2 = its length, r3-r5 = 0 (architecture.md, "Entry state")
        entry.kind[2] = Frame.SCALAR;
        entry.kind[3] = Frame.SCALAR;
        entry.kind[4] = Frame.SCALAR;
        entry.kind[5] = Frame.SCALAR;
        Fn main = new Fn(0, rnd.nextInt(8, 64));
        functions.add(main);
        body(main, entry);
        // Lay out: main, then every subprogram; then aim the local calls.
        int[] start = new int[functions.size()];
        int total = 0;
        for (int f = 0; f < functions.size(); f++) {
            start[f] = total;
            total += functions.get(f).code.size();
        }
        long[] slots = new long[total];
        for (int f = 0; f < functions.size(); f++) {
            Fn fn = functions.get(f);
            for (int i = 0; i < fn.code.size(); i++) {
                slots[start[f] + i] = fn.code.get(i);
            }
            for (int[] call : fn.calls) {
                int pc = start[f] + call[0];
                slots[pc] = Insn.encode(CALL_IMM, 0, CALL_LOCAL, 0, start[call[1]] - (pc + 1));
            }
        }
        return Program.of(name, slots);
    }

    // ---- functions -----------------------------------------------------------------------------

    /** One function being generated: its slots, its call sites (pc, callee) and its size goal. */
    private static final class Fn {
        final int depth;
        final int goal;
        final List<Long> code = new ArrayList<>();
        final List<int[]> calls = new ArrayList<>();

        Fn(int depth, int goal) {
            this.depth = depth;
            this.goal = goal;
        }

        int pc() {
            return code.size();
        }

        void emit(int opcode, int dst, int src, int off, int imm) {
            code.add(Insn.encode(opcode, dst, src, off, imm));
        }

        /** Sets the displacement of the jump at {@code at} so that it lands on {@code target}. */
        void aim(int at, int target) {
            long s = code.get(at);
            code.set(at, Slots.withDisplacement(s, target - (at + 1)));
        }
    }

    private void body(Fn fn, Frame s) {
        Frame end = block(fn, s, fn.goal, 0, false);
        if (end != null) {
            exit(fn, end);
        }
    }

    /** Emits statements until about {@code budget} slots are used; returns the state after, or null if it ended in an exit. */
    private Frame block(Fn fn, Frame s, int budget, int nesting, boolean inLoop) {
        int stop = fn.pc() + budget;
        while (fn.pc() < stop) {
            s = statement(fn, s, nesting, inLoop, stop - fn.pc());
            if (s == null) {
                return null;
            }
        }
        return s;
    }

    private Frame statement(Fn fn, Frame s, int nesting, boolean inLoop, int room) {
        int roll = rnd.nextInt(100);
        if (roll < 28) {
            alu(fn, s, inLoop);
        } else if (roll < 34) {
            unary(fn, s, inLoop);
        } else if (roll < 37) {
            constant(fn, s, inLoop);
        } else if (roll < 46) {
            memoryLoad(fn, s, inLoop);
        } else if (roll < 52) {
            memoryStore(fn, s);
        } else if (roll < 59) {
            stackStore(fn, s, inLoop);
        } else if (roll < 65) {
            stackLoad(fn, s, inLoop);
        } else if (roll < 69) {
            atomic(fn, s, inLoop);
        } else if (roll < 73 && !inLoop) {
            pointer(fn, s);
        } else if (roll < 81 && nesting < 2 && room > 4) {
            return branch(fn, s, nesting, inLoop);
        } else if (roll < 85 && nesting < 2 && !inLoop && room > 6) {
            return loop(fn, s, nesting);
        } else if (roll < 88 && !inLoop && room > 6) {
            walk(fn, s);
        } else if (roll < 92 && !inLoop && fn.depth < MAX_CALL_DEPTH && functions.size() <= MAX_SUBPROGRAMS) {
            call(fn, s);
        } else if (roll < 94 && !inLoop) {
            helper(fn, s);
        } else if (roll < 95 && !inLoop) {
            maskedIndex(fn, s);
        } else {
            alu(fn, s, inLoop);
        }
        return s;
    }

    /** Folds every scalar into r0 and exits. */
    private void exit(Fn fn, Frame s) {
        List<Integer> scalars = s.regs(Frame.SCALAR);
        if (s.kind[0] != Frame.SCALAR) {
            if (scalars.isEmpty()) {
                fn.emit(ALU64 | MOV | SRC_K, 0, 0, 0, imm());
            } else {
                fn.emit(ALU64 | MOV | SRC_X, 0, scalars.get(rnd.nextInt(scalars.size())), 0, 0);
            }
            s.kind[0] = Frame.SCALAR;
        }
        for (int r : scalars) {
            if (r != 0) {
                fn.emit(ALU64 | MUL | SRC_K, 0, 0, 0, 0x01000193); // the FNV prime: every bit of r0 moves
                fn.emit(ALU64 | (rnd.nextBoolean() ? XOR : ADD) | SRC_X, 0, r, 0, 0);
            }
        }
        fn.emit(EXIT_OP, 0, 0, 0, 0);
    }

    // ---- straight-line statements -----------------------------------------------------------------

    private static final int[] BINARY = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR, MOV, ARSH};

    private void alu(Fn fn, Frame s, boolean inLoop) {
        boolean is64 = rnd.nextInt(3) != 0;
        int cls = is64 ? ALU64 : ALU;
        int width = is64 ? 64 : 32;
        int op = BINARY[rnd.nextInt(BINARY.length)];
        boolean x = rnd.nextBoolean();
        int dst = op == MOV ? writable(s, inLoop) : scalarDst(fn, s, inLoop);
        if (dst < 0) {
            return;
        }
        int off = (op == DIV || op == MOD) && rnd.nextInt(3) == 0 ? 1 : 0;
        if (x) {
            int src = scalar(fn, s, inLoop);
            if (op == MOV && rnd.nextInt(4) == 0) {
                off = is64 ? new int[] {8, 16, 32}[rnd.nextInt(3)] : new int[] {8, 16}[rnd.nextInt(2)]; // movsx
            }
            fn.emit(cls | op | SRC_X, dst, src, off, 0);
        } else {
            int imm;
            if (op == LSH || op == RSH || op == ARSH) {
                imm = rnd.nextInt(width);
            } else if (op == DIV || op == MOD) {
                imm = imm();
                if (imm == 0) {
                    imm = rnd.nextBoolean() ? 1 : -1;
                }
            } else {
                imm = imm();
            }
            fn.emit(cls | op | SRC_K, dst, 0, off, imm);
        }
        s.kind[dst] = Frame.SCALAR;
    }

    private void unary(Fn fn, Frame s, boolean inLoop) {
        int dst = scalarDst(fn, s, inLoop);
        if (dst < 0) {
            return;
        }
        switch (rnd.nextInt(4)) {
            case 0 -> fn.emit((rnd.nextBoolean() ? ALU64 : ALU) | NEG | SRC_K, dst, 0, 0, 0);
            case 1 -> fn.emit(ALU | END | SRC_K, dst, 0, 0, width()); // le
            case 2 -> fn.emit(ALU | END | SRC_X, dst, 0, 0, width()); // be
            default -> fn.emit(ALU64 | END | SRC_K, dst, 0, 0, width()); // bswap (v4)
        }
    }

    private int width() {
        return new int[] {16, 32, 64}[rnd.nextInt(3)];
    }

    private void constant(Fn fn, Frame s, boolean inLoop) {
        int dst = writable(s, inLoop);
        if (dst < 0) {
            return;
        }
        if (rnd.nextBoolean()) {
            long v = switch (rnd.nextInt(3)) {
                case 0 -> rnd.nextLong();
                case 1 -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE, -1L, 1L << 32, 0xffffffffL, 0x80000000L}[rnd.nextInt(6)];
                default -> rnd.nextLong(-300, 300);
            };
            fn.emit(LDDW, dst, 0, 0, (int) v);
            fn.emit(0, 0, 0, 0, (int) (v >>> 32));
        } else {
            fn.emit((rnd.nextBoolean() ? ALU64 : ALU) | MOV | SRC_K, dst, 0, 0, imm());
        }
        s.kind[dst] = Frame.SCALAR;
    }

    private static final int[] SIZES = {SIZE_B, SIZE_H, SIZE_W, SIZE_DW};

    /** A load from the input through a pointer register, in bounds by construction. */
    private void memoryLoad(Fn fn, Frame s, boolean inLoop) {
        int base = pick(s.regs(Frame.PKT, Frame.PKT_VAR));
        int size = SIZES[rnd.nextInt(4)];
        int bytes = sizeBytes(size);
        int off = inputOffset(s, base, bytes);
        if (base < 0 || off == Integer.MIN_VALUE) {
            return;
        }
        int dst = writable(s, inLoop);
        if (dst < 0 || dst != base && s.isOnlyInputPointer(dst)) {
            return;
        }
        boolean signed = size != SIZE_DW && rnd.nextInt(4) == 0;
        fn.emit(LDX | (signed ? MODE_MEMSX : MODE_MEM) | size, dst, base, off, 0);
        s.kind[dst] = Frame.SCALAR;
    }

    private void memoryStore(Fn fn, Frame s) {
        // The value first: making a scalar may overwrite a register, and it must not be the base.
        int value = scalar(fn, s, false);
        int base = pick(s.regs(Frame.PKT, Frame.PKT_VAR));
        int size = SIZES[rnd.nextInt(4)];
        int off = inputOffset(s, base, sizeBytes(size));
        if (base < 0 || off == Integer.MIN_VALUE) {
            return;
        }
        if (rnd.nextBoolean()) {
            fn.emit(ST | MODE_MEM | size, base, 0, off, imm());
        } else {
            fn.emit(STX | MODE_MEM | size, base, value, off, 0);
        }
    }

    /** An instruction offset that puts a {@code bytes}-wide access through {@code base} inside the input, or MIN_VALUE. */
    private int inputOffset(Frame s, int base, int bytes) {
        if (base < 0) {
            return Integer.MIN_VALUE;
        }
        int lo = -s.off[base]; // the access must not start before the input
        int hi = (s.kind[base] == Frame.PKT_VAR ? len - s.mask[base] : len) - s.off[base] - bytes;
        if (hi < lo) {
            return Integer.MIN_VALUE;
        }
        return rnd.nextInt(lo, hi + 1);
    }

    private void stackStore(Fn fn, Frame s, boolean inLoop) {
        int value = scalar(fn, s, inLoop); // before the base, which it might overwrite
        int base = stackBase(s);
        int size = SIZES[rnd.nextInt(4)];
        int bytes = sizeBytes(size);
        int at = -bytes * rnd.nextInt(1, s.stackLimit / bytes + 1); // aligned, inside the frame
        int off = at - s.off[base];
        boolean spill = !inLoop && size == SIZE_DW && rnd.nextInt(5) == 0 && !s.regs(Frame.PKT).isEmpty();
        if (spill) {
            int src = pick(s.regs(Frame.PKT));
            fn.emit(STX | MODE_MEM | SIZE_DW, base, src, off, 0);
            s.spill(at, src);
        } else if (rnd.nextBoolean()) {
            fn.emit(ST | MODE_MEM | size, base, 0, off, imm());
            s.written(at, bytes);
        } else {
            fn.emit(STX | MODE_MEM | size, base, value, off, 0);
            s.written(at, bytes);
        }
    }

    private void stackLoad(Fn fn, Frame s, boolean inLoop) {
        int base = stackBase(s);
        int size = SIZES[rnd.nextInt(4)];
        int bytes = sizeBytes(size);
        List<Integer> fills = inLoop ? List.of() : s.spills();
        if (size == SIZE_DW && !fills.isEmpty() && rnd.nextBoolean()) {
            int at = fills.get(rnd.nextInt(fills.size()));
            int dst = writable(s, false);
            if (dst < 0 || s.isOnlyInputPointer(dst)) {
                return;
            }
            fn.emit(LDX | MODE_MEM | SIZE_DW, dst, base, at - s.off[base], 0);
            s.fill(at, dst);
            return;
        }
        List<Integer> ready = s.writtenSlots(bytes);
        if (ready.isEmpty()) {
            return;
        }
        int at = ready.get(rnd.nextInt(ready.size()));
        int dst = writable(s, inLoop);
        if (dst < 0 || s.isOnlyInputPointer(dst) || dst == base) {
            return;
        }
        boolean signed = size != SIZE_DW && rnd.nextInt(4) == 0;
        fn.emit(LDX | (signed ? MODE_MEMSX : MODE_MEM) | size, dst, base, at - s.off[base], 0);
        s.kind[dst] = Frame.SCALAR;
    }

    /** r10, or now and then a register pointing into the stack. */
    private int stackBase(Frame s) {
        List<Integer> stk = s.regs(Frame.STK);
        return !stk.isEmpty() && rnd.nextInt(3) == 0 ? stk.get(rnd.nextInt(stk.size())) : 10;
    }

    private static final int[] ATOMIC_OPS = {ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR,
        ATOMIC_ADD | FETCH, ATOMIC_OR | FETCH, ATOMIC_AND | FETCH, ATOMIC_XOR | FETCH, ATOMIC_XCHG, ATOMIC_CMPXCHG};

    /** An atomic on written stack bytes (the kernel allows atomics on the stack and map values, not packets). */
    private void atomic(Fn fn, Frame s, boolean inLoop) {
        boolean dw = rnd.nextBoolean();
        int bytes = dw ? 8 : 4;
        List<Integer> ready = s.writtenSlots(bytes);
        if (ready.isEmpty()) {
            return;
        }
        int at = ready.get(rnd.nextInt(ready.size()));
        int op = ATOMIC_OPS[rnd.nextInt(ATOMIC_OPS.length)];
        int src = scalar(fn, s, inLoop);
        boolean fetch = (op & FETCH) != 0;
        if (fetch && s.frozen[src] || op == ATOMIC_CMPXCHG && (s.kind[0] != Frame.SCALAR || s.frozen[0])) {
            return;
        }
        int base = stackBase(s);
        fn.emit(dw ? ATOMIC_DW : ATOMIC_W, base, src, at - s.off[base], op);
        if (op == ATOMIC_CMPXCHG) {
            s.kind[0] = Frame.SCALAR;
        }
    }

    /** Makes a pointer: a copy of one, r10 plus a constant, or a pointer moved by a constant. */
    private void pointer(Fn fn, Frame s) {
        int dst = writable(s, false);
        if (dst < 0 || s.isOnlyInputPointer(dst)) {
            return;
        }
        List<Integer> ptrs = s.regs(Frame.PKT, Frame.STK);
        switch (rnd.nextInt(3)) {
            case 0 -> {
                if (ptrs.isEmpty()) {
                    return;
                }
                int src = pick(ptrs);
                fn.emit(ALU64 | MOV | SRC_X, dst, src, 0, 0);
                s.copy(src, dst);
            }
            case 1 -> {
                int at = -8 * rnd.nextInt(0, s.stackLimit / 8 + 1);
                fn.emit(ALU64 | MOV | SRC_X, dst, 10, 0, 0);
                fn.emit(ALU64 | ADD | SRC_K, dst, 0, 0, at);
                s.kind[dst] = Frame.STK;
                s.off[dst] = at;
            }
            default -> {
                int p = pick(s.regs(Frame.PKT));
                if (p < 0 || s.isOnlyInputPointer(p) && rnd.nextBoolean()) {
                    return;
                }
                int to = rnd.nextInt(0, len + 1);
                int delta = to - s.off[p];
                if (delta < 0 && rnd.nextBoolean()) {
                    fn.emit(ALU64 | SUB | SRC_K, p, 0, 0, -delta);
                } else {
                    fn.emit(ALU64 | ADD | SRC_K, p, 0, 0, delta);
                }
                s.off[p] = to;
            }
        }
    }

    /**
     * {@code rI = scalar & mask; rP = input + rI}: a data-dependent offset. The verifier proves such
     * accesses only in map values, so the kernel backend runs the program in its map-value wrapping.
     */
    private void maskedIndex(Fn fn, Frame s) {
        int from = scalar(fn, s, false); // first: making a scalar may overwrite a register
        int maxMask = Integer.highestOneBit(Math.max(1, len - 8));
        int mask = maxMask <= 1 ? 0 : rnd.nextInt(1, maxMask) | 1;
        int input = pick(s.regs(Frame.PKT));
        if (input < 0 || s.off[input] != 0) {
            return;
        }
        int idx = writable(s, false);
        if (idx < 0 || idx == input || s.isOnlyInputPointer(idx)) {
            return;
        }
        fn.emit(ALU64 | MOV | SRC_X, idx, from, 0, 0);
        fn.emit(ALU64 | AND | SRC_K, idx, 0, 0, mask);
        fn.emit(ALU64 | ADD | SRC_X, idx, input, 0, 0);
        s.kind[idx] = Frame.PKT_VAR;
        s.off[idx] = 0;
        s.mask[idx] = mask;
    }

    // ---- control flow ----------------------------------------------------------------------------

    private static final int[] CONDITIONS = {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE};

    private void condition(Fn fn, Frame s, boolean inLoop) {
        int cls = rnd.nextInt(3) == 0 ? JMP32 : JMP;
        int op = CONDITIONS[rnd.nextInt(CONDITIONS.length)];
        int dst = scalar(fn, s, inLoop);
        if (rnd.nextBoolean()) {
            fn.emit(cls | op | SRC_X, dst, scalar(fn, s, inLoop), 0, 0);
        } else {
            fn.emit(cls | op | SRC_K, dst, 0, 0, imm());
        }
    }

    /** if/then, if/then/else, or an early exit on one side. */
    private Frame branch(Fn fn, Frame s, int nesting, boolean inLoop) {
        condition(fn, s, inLoop);
        int jump = fn.pc() - 1;
        Frame then = block(fn, s.copy(), rnd.nextInt(1, 8), nesting + 1, inLoop);
        if (then == null || rnd.nextInt(8) == 0 && !inLoop) {
            if (then != null) {
                exit(fn, then); // an early exit: only the fall-through path continues
            }
            fn.aim(jump, fn.pc());
            return s;
        }
        if (rnd.nextInt(3) != 0) {
            fn.aim(jump, fn.pc());
            return s.meet(then);
        }
        boolean ja32 = rnd.nextBoolean();
        fn.emit(ja32 ? JA32_OP : JA_OP, 0, 0, 0, 0);
        int skip = fn.pc() - 1;
        fn.aim(jump, fn.pc());
        Frame other = block(fn, s.copy(), rnd.nextInt(1, 8), nesting + 1, inLoop);
        fn.aim(skip, fn.pc());
        return other == null ? then : then.meet(other);
    }

    /**
     * A loop with a constant trip count, counted down in a register the body does not touch.
     * Inside loops pointers, calls and spills are off limits, so every iteration starts in the
     * state the body was generated for.
     */
    private Frame loop(Fn fn, Frame s, int nesting) {
        int counter = writable(s, false);
        if (counter < 0 || s.isOnlyInputPointer(counter) || s.kind[counter] != Frame.SCALAR && s.kind[counter] != Frame.UNINIT) {
            return s;
        }
        int trips = rnd.nextInt(1, 7);
        fn.emit(ALU64 | MOV | SRC_K, counter, 0, 0, trips);
        s.kind[counter] = Frame.SCALAR;
        int head = fn.pc();
        Frame in = s.copy();
        in.freezePointers();
        in.frozen[counter] = true;
        Frame end = block(fn, in, rnd.nextInt(2, 10), nesting + 1, true);
        switch (rnd.nextInt(3)) {
            case 0 -> fn.emit(ALU64 | ADD | SRC_K, counter, 0, 0, -1);
            case 1 -> fn.emit(ALU64 | SUB | SRC_K, counter, 0, 0, 1);
            default -> fn.emit(ALU | SUB | SRC_K, counter, 0, 0, 1);
        }
        int test = switch (rnd.nextInt(4)) {
            case 0 -> JMP32 | JNE | SRC_K;
            case 1 -> JMP | JGT | SRC_K;
            case 2 -> JMP | JSGT | SRC_K;
            default -> JMP | JNE | SRC_K;
        };
        fn.emit(test, counter, 0, head - (fn.pc() + 1), 0);
        end.thaw(s);
        return end;
    }

    /** A loop that advances a pointer by a constant stride: loads from the input, or stores to the input or the stack. */
    private void walk(Fn fn, Frame s) {
        int acc = scalar(fn, s, false); // first: making a scalar may overwrite a register
        int input = pick(s.regs(Frame.PKT));
        int p = writable(s, false);
        int counter = writable(s, false);
        if (p < 0 || counter < 0 || p == counter || p == acc || counter == acc
                || s.isOnlyInputPointer(p) || s.isOnlyInputPointer(counter)) {
            return;
        }
        int size = SIZES[rnd.nextInt(4)];
        int bytes = sizeBytes(size);
        int stride = bytes * rnd.nextInt(1, 3);
        boolean stack = input < 0 || rnd.nextInt(3) == 0;
        int trips;
        int start;
        if (stack) {
            trips = rnd.nextInt(1, Math.max(2, s.stackLimit / stride) );
            trips = Math.min(trips, 8);
            start = -trips * stride; // walks up towards r10, aligned
            fn.emit(ALU64 | MOV | SRC_X, p, 10, 0, 0);
            fn.emit(ALU64 | ADD | SRC_K, p, 0, 0, start);
        } else {
            int span = len - bytes;
            if (span < 0) {
                return;
            }
            trips = Math.min(8, rnd.nextInt(1, span / stride + 2));
            int last = span - (trips - 1) * stride;
            if (last < 0) {
                return;
            }
            start = rnd.nextInt(0, last + 1) - s.off[input];
            fn.emit(ALU64 | MOV | SRC_X, p, input, 0, 0);
            fn.emit(ALU64 | ADD | SRC_K, p, 0, 0, start);
            start += s.off[input];
        }
        fn.emit(ALU64 | MOV | SRC_K, counter, 0, 0, trips);
        int head = fn.pc();
        boolean store = stack || rnd.nextInt(3) == 0;
        if (store) {
            fn.emit(STX | MODE_MEM | size, p, acc, 0, 0);
            fn.emit(ALU64 | ADD | SRC_K, acc, 0, 0, imm());
        } else {
            int tmp = writable(s, false);
            if (tmp < 0 || tmp == p || tmp == counter || tmp == acc || s.isOnlyInputPointer(tmp)) {
                tmp = acc;
            }
            fn.emit(LDX | MODE_MEM | size, tmp, p, 0, 0);
            if (tmp != acc) {
                fn.emit(ALU64 | (rnd.nextBoolean() ? ADD : XOR) | SRC_X, acc, tmp, 0, 0);
                s.kind[tmp] = Frame.SCALAR;
            }
        }
        fn.emit(ALU64 | ADD | SRC_K, p, 0, 0, stride);
        fn.emit(ALU64 | SUB | SRC_K, counter, 0, 0, 1);
        fn.emit(JMP | JNE | SRC_K, counter, 0, head - (fn.pc() + 1), 0);
        s.kind[counter] = Frame.SCALAR;
        s.kind[acc] = Frame.SCALAR;
        if (stack) {
            for (int t = 0; t < trips; t++) {
                s.written(start + t * stride, bytes);
            }
        }
        s.kind[p] = Frame.UNINIT; // past the end now: never used again
    }

    /** A bpf-to-bpf call: arguments in r1-r5, a fresh frame, r0 back; r1-r5 are clobbered. */
    private void call(Fn fn, Frame s) {
        keepInputPointer(fn, s);
        int args = rnd.nextInt(0, 6);
        for (int r = 1; r <= args; r++) {
            if (s.kind[r] == Frame.SCALAR || s.kind[r] == Frame.PKT || rnd.nextInt(3) == 0) {
                continue; // already an argument
            }
            List<Integer> from = s.regs(Frame.SCALAR, Frame.PKT);
            if (from.isEmpty() || rnd.nextBoolean()) {
                fn.emit(ALU64 | MOV | SRC_K, r, 0, 0, imm());
                s.kind[r] = Frame.SCALAR;
            } else {
                int src = pick(from);
                fn.emit(ALU64 | MOV | SRC_X, r, src, 0, 0);
                s.copy(src, r);
            }
        }
        Frame entry = new Frame(SUB_STACK);
        for (int r = 1; r <= 5; r++) {
            if (s.kind[r] == Frame.SCALAR || s.kind[r] == Frame.PKT) {
                s.copyTo(r, entry);
            }
        }
        Fn callee = new Fn(fn.depth + 1, rnd.nextInt(4, 20));
        int index = functions.size();
        functions.add(callee);
        body(callee, entry);
        fn.calls.add(new int[] {fn.pc(), index});
        fn.emit(CALL_IMM, 0, CALL_LOCAL, 0, 0); // aimed once the layout is known
        s.clobberCall();
    }

    /** Helpers 5, 7, 8: their results differ between engines by design, so r0 is not read afterwards. */
    private void helper(Fn fn, Frame s) {
        keepInputPointer(fn, s);
        fn.emit(CALL_IMM, 0, CALL_HELPER, 0, new int[] {5, 7, 8}[rnd.nextInt(3)]);
        s.clobberCall();
        s.kind[0] = Frame.UNINIT;
    }

    /** Before r1-r5 are clobbered, copies the only input pointer into r6-r9 if it lives in r1-r5. */
    private void keepInputPointer(Fn fn, Frame s) {
        List<Integer> ptrs = s.regs(Frame.PKT);
        if (ptrs.isEmpty() || ptrs.stream().anyMatch(r -> r >= 6)) {
            return;
        }
        for (int r = 6; r <= 9; r++) {
            if (!s.frozen[r] && s.kind[r] != Frame.STK) {
                fn.emit(ALU64 | MOV | SRC_X, r, ptrs.getFirst(), 0, 0);
                s.copy(ptrs.getFirst(), r);
                return;
            }
        }
    }

    // ---- registers and values ----------------------------------------------------------------------

    /** A scalar register to read; makes one with a constant if there is none. */
    private int scalar(Fn fn, Frame s, boolean inLoop) {
        List<Integer> scalars = s.regs(Frame.SCALAR);
        if (!scalars.isEmpty()) {
            return scalars.get(rnd.nextInt(scalars.size()));
        }
        int dst = writable(s, inLoop);
        fn.emit(ALU64 | MOV | SRC_K, dst, 0, 0, imm());
        s.kind[dst] = Frame.SCALAR;
        return dst;
    }

    /** A scalar register that may be overwritten, or -1. */
    private int scalarDst(Fn fn, Frame s, boolean inLoop) {
        List<Integer> ok = new ArrayList<>();
        for (int r : s.regs(Frame.SCALAR)) {
            if (!s.frozen[r]) {
                ok.add(r);
            }
        }
        if (ok.isEmpty()) {
            int r = writable(s, inLoop);
            if (r < 0 || s.isOnlyInputPointer(r)) {
                return -1;
            }
            fn.emit(ALU64 | MOV | SRC_K, r, 0, 0, imm());
            s.kind[r] = Frame.SCALAR;
            return r;
        }
        return ok.get(rnd.nextInt(ok.size()));
    }

    /** A register r0-r9 that may be written (not frozen by a loop, not the only input pointer), or -1. */
    private int writable(Frame s, boolean inLoop) {
        for (int tries = 0; tries < 20; tries++) {
            int r = rnd.nextInt(10);
            if (!s.frozen[r] && !s.isOnlyInputPointer(r)) {
                return r;
            }
        }
        return -1;
    }

    private int pick(List<Integer> regs) {
        return regs.isEmpty() ? -1 : regs.get(rnd.nextInt(regs.size()));
    }

    private int imm() {
        return switch (rnd.nextInt(5)) {
            case 0 -> rnd.nextInt(-16, 65);
            case 1 -> rnd.nextInt();
            case 2 -> new int[] {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                0x7f, 31, 32, 63, 64}[rnd.nextInt(15)];
            case 3 -> 1 << rnd.nextInt(31);
            default -> rnd.nextInt(0, 256);
        };
    }
}
