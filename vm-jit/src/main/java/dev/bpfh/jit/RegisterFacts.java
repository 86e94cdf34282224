package dev.bpfh.jit;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What each register provably holds at the entry of each block of one subprogram: a forward
 * dataflow over the CFG (interval analysis with pointer provenance, in the spirit of the kernel
 * verifier's register state, much simplified).
 *
 * <p>A register's fact is a {@link Fact}: its value is {@code base + x} with {@code x} in
 * {@code [lo, hi]}, where the base is 0 (a scalar), the input address or this call's r10. The facts
 * are sound for every run: they are used to prove accesses in bounds at compile time (a frame access)
 * or to reduce the check to one int compare against the input length (an input access), and to emit a
 * signed compare where an unsigned one is equivalent. A fact whose interval is the whole range still
 * carries its provenance, but only as a hint for which checked fast path to try.
 *
 * <p>Loops: a block's entry fact is the join over its incoming edges; after {@link #WIDEN_AFTER}
 * growing visits a bound that keeps moving is widened to infinity, and then up to {@link #NARROW_PASSES}
 * in-place recomputations recover the bounds that conditional branches establish (the loop counter of
 * {@code jlt r3, 1024} is in {@code [0, 1023]} inside the loop). Branches with a constant refine
 * the compared scalar on each edge.
 */
final class RegisterFacts {
    static final int SCALAR = 0;
    static final int INPUT = 1;
    static final int FRAME = 2;
    /**
     * Kinds from here on: the value pointer of inlined array lookup site {@code (kind - MAP_VALUE) / 2}
     * ({@link ArrayLookups}); an odd kind is "that pointer or NULL", as the lookup returns it, an even
     * one the pointer proven non-NULL by a {@code jeq}/{@code jne} against 0. The base is the start of
     * the element's value. Running the site again forgets every copy of its previous pointer, so a
     * fact of site s always describes the element the site found last ({@link MethodGen} keeps that
     * element's array in a local).
     */
    static final int MAP_VALUE = 16;
    /**
     * The non-NULL value pointer of some inlined lookup site, where paths from different sites (or
     * different elements) meet: it gives no array to access directly, but it proves where a store
     * through it can land (the elements' own regions, {@link #inMapMemory}), which the jit's packet
     * write check needs ({@link Compiler#packetWritable}).
     */
    static final int MAP_ANY = 3;
    static final int WIDEN_AFTER = 3;
    /** At most this many narrowing passes; they stop as soon as one changes nothing. */
    static final int NARROW_PASSES = 6;
    /** Pointer offsets beyond this are treated as unbounded: far outside every region anyway. */
    static final long POINTER_BOUND = 1L << 40;

    /** The value is {@code base(kind) + x}, {@code lo <= x <= hi} (signed); a whole range means unknown x. */
    record Fact(int kind, long lo, long hi) {
        static final Fact TOP = new Fact(SCALAR, Long.MIN_VALUE, Long.MAX_VALUE);

        static Fact scalar(long lo, long hi) {
            return new Fact(SCALAR, lo, hi);
        }

        static Fact constant(long v) {
            return new Fact(SCALAR, v, v);
        }

        boolean pointer() {
            return kind != SCALAR;
        }

        /** A lookup's result not yet compared with NULL: no arithmetic keeps its provenance. */
        boolean orNull() {
            return kind >= MAP_VALUE && (kind & 1) != 0;
        }

        boolean bounded() {
            return lo != Long.MIN_VALUE && hi != Long.MAX_VALUE;
        }

        boolean nonNegativeScalar() {
            return kind == SCALAR && lo >= 0;
        }

        Fact join(Fact o) {
            if (kind != o.kind) {
                return mapValueNotNull(kind) && mapValueNotNull(o.kind)
                        ? new Fact(MAP_ANY, Math.min(lo, o.lo), Math.max(hi, o.hi)) : TOP;
            }
            return new Fact(kind, Math.min(lo, o.lo), Math.max(hi, o.hi));
        }

        /** The widening of {@code this} (older) by {@code newer}: a moving bound goes to infinity. */
        Fact widen(Fact newer) {
            if (kind != newer.kind) {
                return mapValueNotNull(kind) && mapValueNotNull(newer.kind)
                        ? new Fact(MAP_ANY, newer.lo < lo ? Long.MIN_VALUE : lo, newer.hi > hi ? Long.MAX_VALUE : hi)
                        : TOP;
            }
            return new Fact(kind, newer.lo < lo ? Long.MIN_VALUE : lo, newer.hi > hi ? Long.MAX_VALUE : hi);
        }

        /** The same provenance with the offset range {@code [lo, hi]}, given up when out of range. */
        Fact withRange(long l, long h) {
            if (kind != SCALAR && (l < -POINTER_BOUND || h > POINTER_BOUND)) {
                return new Fact(kind, Long.MIN_VALUE, Long.MAX_VALUE);
            }
            return new Fact(kind, l, h);
        }

        Fact plus(long l, long h) {
            if (!bounded()) {
                return new Fact(kind, Long.MIN_VALUE, Long.MAX_VALUE);
            }
            try {
                return withRange(Math.addExact(lo, l), Math.addExact(hi, h));
            } catch (ArithmeticException e) {
                return new Fact(kind, Long.MIN_VALUE, Long.MAX_VALUE);
            }
        }

        Fact intersect(long l, long h) {
            long nl = Math.max(lo, l);
            long nh = Math.min(hi, h);
            return nl <= nh ? new Fact(kind, nl, nh) : this; // an empty edge: keep the (sound) fact
        }
    }

    private final Cfg cfg;
    private final int[] blocks;
    /** Entry facts per local block index (parallel to {@code fn.blocks()}); r0..r10. */
    private final Fact[][] in;
    private final boolean[] intRegisters;
    /** The context accesses of a typed program ({@link TypedFacts}); null for a raw one. */
    private final dev.bpfh.ctx.ContextAccesses ctx;
    private final ArrayLookups lookups;

    /** A site's value pointer proven non-NULL, or {@link #MAP_ANY}. */
    static boolean mapValueNotNull(int kind) {
        return kind == MAP_ANY || kind >= MAP_VALUE && (kind & 1) == 0;
    }

    /**
     * Whether {@code size} bytes at {@code f + off} provably lie outside region 1 (the packet): f is
     * an inlined lookup's value pointer (or its NULL), and every element is a region of its own
     * from {@link dev.bpfh.exec.Memory#FIRST_FREE_REGION} on at offset 0, so an offset under 2^31
     * either way stays in that region or its neighbours (or, from NULL, in region 0 or the top).
     */
    static boolean inMapMemory(Fact f, int off, int size) {
        return (f.kind == MAP_ANY || f.kind >= MAP_VALUE) && f.bounded()
                && f.lo + off >= Integer.MIN_VALUE && f.hi + off + size <= Integer.MAX_VALUE;
    }

    /** The kind of site {@code site}'s value pointer, {@code orNull} before the NULL check. */
    static int mapValueKind(int site, boolean orNull) {
        return MAP_VALUE + 2 * site + (orNull ? 1 : 0);
    }

    /** The lookup site whose (non-NULL) value pointer a fact of {@code kind} is, or -1. */
    static int mapValueSite(int kind) {
        return kind >= MAP_VALUE && (kind & 1) == 0 ? (kind - MAP_VALUE) / 2 : -1;
    }

    /** @param programEntry whether the subprogram is pc 0 entered only by the run itself (the entry state is known) */
    RegisterFacts(Cfg cfg, Cfg.Function fn, boolean programEntry) {
        this(cfg, fn, programEntry, null, ArrayLookups.NONE);
    }

    RegisterFacts(Cfg cfg, Cfg.Function fn, boolean programEntry, ArrayLookups lookups) {
        this(cfg, fn, programEntry, null, lookups);
    }

    /**
     * @param ctx a typed program's context accesses (r1 is then the context, not the input), or null
     * @param lookups the calls to {@code bpf_map_lookup_elem} compiled inline (their results are value pointers)
     */
    RegisterFacts(Cfg cfg, Cfg.Function fn, boolean programEntry, dev.bpfh.ctx.ContextAccesses ctx, ArrayLookups lookups) {
        this.cfg = cfg;
        this.ctx = ctx;
        this.lookups = lookups;
        this.blocks = fn.blocks();
        this.in = new Fact[blocks.length][];
        Fact[] entry = new Fact[11];
        Arrays.fill(entry, programEntry ? Fact.constant(0) : Fact.TOP);
        if (programEntry && ctx == null) {
            entry[1] = new Fact(INPUT, 0, 0);
            entry[2] = Fact.scalar(0, Integer.MAX_VALUE);
        } else if (programEntry) {
            entry[1] = Fact.TOP; // the context pointer: an unmapped region, never a known base
        }
        entry[10] = new Fact(FRAME, 0, 0);
        int entryLocal = local(cfg.blockAt[fn.entry()]);
        solve(entryLocal, entry);
        intRegisters = computeIntRegisters();
    }

    /**
     * Whether f0 runs only with the architecture's entry state: no {@code call local} or callback
     * address targets pc 0, and no tail call re-enters it (a tail call keeps whatever registers the
     * program had).
     */
    static boolean entryNeverCalled(Cfg cfg) {
        if (cfg.mayTailCall) {
            return false;
        }
        for (int pc = 0; pc < cfg.slots.length; pc++) {
            long w = cfg.slots[pc];
            int op = Insn.opcode(w);
            if (op == LDDW) {
                if (Insn.src(w) == PSEUDO_FUNC && pc + 1 + Insn.imm(w) == 0) {
                    return false;
                }
                pc++;
            } else if (op == CALL_IMM && Insn.src(w) == CALL_LOCAL && pc + 1 + Insn.imm(w) == 0) {
                return false;
            }
        }
        return true;
    }

    /** A copy of the facts at the entry of local block {@code local}. */
    Fact[] atEntry(int local) {
        return in[local].clone();
    }

    /**
     * Indexed r0..r10: registers r0..r9 that are scalars in {@code [Integer.MIN_VALUE, Integer.MAX_VALUE]} at the
     * entry of every block and after every instruction of the subprogram (so also at its entry).
     */
    boolean[] intRegisters() {
        return Arrays.copyOf(intRegisters, 11); // r10 (the frame pointer) is never an int
    }

    private boolean[] computeIntRegisters() {
        boolean[] ok = new boolean[10];
        Arrays.fill(ok, true);
        for (int b = 0; b < blocks.length; b++) {
            Fact[] r = in[b].clone();
            clearNonInt(ok, r);
            Cfg.Block block = cfg.blocks.get(blocks[b]);
            for (int pc = block.start(); pc < block.end(); ) {
                stepAt(r, pc);
                clearNonInt(ok, r);
                pc += Insn.opcode(cfg.slots[pc]) == LDDW ? 2 : 1;
            }
        }
        return ok;
    }

    private static void clearNonInt(boolean[] ok, Fact[] r) {
        for (int i = 0; i < ok.length; i++) {
            Fact f = r[i];
            if (f.kind != SCALAR || f.lo < Integer.MIN_VALUE || f.hi > Integer.MAX_VALUE) {
                ok[i] = false;
            }
        }
    }

    private int local(int globalBlock) {
        return Arrays.binarySearch(blocks, globalBlock);
    }

    private void solve(int entryLocal, Fact[] entry) {
        int[] visits = new int[blocks.length];
        ArrayDeque<Integer> work = new ArrayDeque<>();
        boolean[] queued = new boolean[blocks.length];
        in[entryLocal] = entry.clone();
        work.add(entryLocal);
        queued[entryLocal] = true;
        while (!work.isEmpty()) {
            int b = work.poll();
            queued[b] = false;
            forEachEdge(b, in[b], (succ, facts) -> {
                Fact[] old = in[succ];
                Fact[] merged;
                if (old == null) {
                    merged = facts;
                } else {
                    merged = new Fact[11];
                    boolean widen = ++visits[succ] > WIDEN_AFTER;
                    for (int r = 0; r < 11; r++) {
                        Fact j = old[r].join(facts[r]);
                        merged[r] = widen ? old[r].widen(j) : j;
                    }
                    if (Arrays.equals(merged, old)) {
                        return;
                    }
                }
                in[succ] = merged;
                if (!queued[succ]) {
                    queued[succ] = true;
                    work.add(succ);
                }
            });
        }
        // Narrowing: recompute each entry from its predecessors' current entries, in place and in pc
        // order, so a bound a loop's branch establishes goes round the loop body in one pass. Each
        // recomputation from sound facts with sound transfer functions is sound, so every step is.
        int[][] preds = predecessors();
        for (int pass = 0; pass < NARROW_PASSES; pass++) {
            boolean changed = false;
            for (int b = 0; b < blocks.length; b++) {
                if (in[b] == null) {
                    continue;
                }
                int target = b;
                Fact[][] acc = {b == entryLocal ? entry.clone() : null};
                for (int p : preds[b]) {
                    if (in[p] == null) {
                        continue;
                    }
                    forEachEdge(p, in[p], (succ, facts) -> {
                        if (succ != target) {
                            return;
                        }
                        if (acc[0] == null) {
                            acc[0] = facts.clone();
                        } else {
                            for (int r = 0; r < 11; r++) {
                                acc[0][r] = acc[0][r].join(facts[r]);
                            }
                        }
                    });
                }
                if (acc[0] != null && !Arrays.equals(acc[0], in[b])) {
                    in[b] = acc[0];
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
        }
        for (int b = 0; b < blocks.length; b++) {
            if (in[b] == null) { // not reached by the analysis (cannot happen for reach()'s blocks): know nothing
                in[b] = new Fact[11];
                Arrays.fill(in[b], Fact.TOP);
                in[b][10] = new Fact(FRAME, 0, 0);
            }
        }
    }

    /** The local blocks with an edge into each local block (edges do not depend on the facts). */
    private int[][] predecessors() {
        List<List<Integer>> lists = new ArrayList<>();
        for (int b = 0; b < blocks.length; b++) {
            lists.add(new ArrayList<>());
        }
        Fact[] any = new Fact[11];
        Arrays.fill(any, Fact.TOP);
        for (int b = 0; b < blocks.length; b++) {
            int from = b;
            forEachEdge(b, any, (succ, facts) -> {
                List<Integer> l = lists.get(succ);
                if (l.isEmpty() || l.get(l.size() - 1) != from) {
                    l.add(from);
                }
            });
        }
        int[][] out = new int[blocks.length][];
        for (int b = 0; b < blocks.length; b++) {
            out[b] = lists.get(b).stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    private interface EdgeSink {
        void accept(int succLocal, Fact[] facts);
    }

    /** Runs block {@code b} from {@code entry} and reports the facts on each outgoing edge. */
    private void forEachEdge(int b, Fact[] entry, EdgeSink sink) {
        Cfg.Block block = cfg.blocks.get(blocks[b]);
        Fact[] r = entry.clone();
        int last = cfg.lastPc(block);
        for (int pc = block.start(); pc < block.end(); ) {
            stepAt(r, pc);
            pc += Insn.opcode(cfg.slots[pc]) == LDDW ? 2 : 1;
        }
        long w = cfg.slots[last];
        int op = Insn.opcode(w);
        int cls = opClass(op);
        int code = op & OP_MASK;
        if (op == EXIT_OP) {
            return;
        }
        if ((cls == JMP || cls == JMP32) && code != CALL) {
            int target = Cfg.jumpTarget(w, last);
            if (code == JA) {
                sink.accept(local(cfg.blockAt[target]), r);
                return;
            }
            sink.accept(local(cfg.blockAt[target]), refine(r.clone(), w, true));
            if (block.end() < cfg.slots.length) {
                sink.accept(local(cfg.blockAt[block.end()]), refine(r.clone(), w, false));
            }
            return;
        }
        if (block.end() < cfg.slots.length) {
            sink.accept(local(cfg.blockAt[block.end()]), r);
        }
    }

    /**
     * {@link #step}, plus what a typed program's context loads and packet loads give
     * ({@link TypedFacts}).
     */
    void stepAt(Fact[] r, int pc) {
        step(r, cfg.slots, pc, lookups);
        if (ctx != null) {
            TypedFacts.step(r, cfg.slots, pc, ctx);
        }
    }

    /** Updates {@code r} for the effect of the instruction at {@code pc} on the registers. */
    static void step(Fact[] r, long[] slots, int pc) {
        step(r, slots, pc, ArrayLookups.NONE);
    }

    /** {@link #step(Fact[], long[], int)} where the calls {@code lookups} names return value pointers. */
    static void step(Fact[] r, long[] slots, int pc, ArrayLookups lookups) {
        long w = slots[pc];
        int op = Insn.opcode(w);
        int dst = Insn.dst(w);
        int src = Insn.src(w);
        int imm = Insn.imm(w);
        switch (opClass(op)) {
            // A map handle, map value pointer or function address (src != 0) is an unknown scalar:
            // map values are reached through Memory's checked path like any other region.
            case LD -> r[dst] = op == LDDW && src == 0 ? Fact.constant(Insn.wideImm(w, slots[pc + 1])) : Fact.TOP;
            case LDX -> {
                int size = sizeBytes(op);
                boolean sx = (op & MODE_MASK) == MODE_MEMSX;
                r[dst] = size < 8 && !sx ? Fact.scalar(0, (1L << (8 * size)) - 1) : Fact.TOP;
            }
            case ST -> {}
            case STX -> {
                if ((op & MODE_MASK) == MODE_ATOMIC && (imm & FETCH) != 0) {
                    r[imm == ATOMIC_CMPXCHG ? 0 : src] = Fact.TOP;
                }
            }
            case ALU -> r[dst] = (op & OP_MASK) == END ? swapped(imm) : Fact.scalar(0, 0xffffffffL); // 32-bit results zero-extend
            case ALU64 -> r[dst] = alu64(r, op, dst, src, Insn.off(w), imm);
            case JMP, JMP32 -> {
                if ((op & OP_MASK) == CALL) {
                    for (int i = 0; i <= 5; i++) {
                        r[i] = Fact.TOP;
                    }
                    int site = lookups.siteAt(pc);
                    if (site >= 0) {
                        for (int i = 6; i <= 9; i++) { // the site's previous pointer: another element's
                            if (r[i].kind == mapValueKind(site, false) || r[i].kind == mapValueKind(site, true)) {
                                r[i] = Fact.TOP;
                            }
                        }
                        r[0] = new Fact(mapValueKind(site, true), 0, 0);
                    }
                }
            }
            default -> throw new IllegalStateException("unvalidated opcode at pc " + pc);
        }
    }

    /** The result of a byte swap or endianness conversion to {@code bits}: zero-extended below 64. */
    private static Fact swapped(int bits) {
        return bits >= 64 ? Fact.TOP : Fact.scalar(0, (1L << bits) - 1);
    }

    private static Fact alu64(Fact[] r, int op, int dst, int src, int off, int imm) {
        Fact d = r[dst];
        Fact s = (op & SRC_X) != 0 ? r[src] : Fact.constant(imm);
        int code = op & OP_MASK;
        if (code != MOV && (d.orNull() || s.orNull())) {
            return Fact.TOP;
        }
        switch (code) {
            case MOV:
                return off == 0 ? s : Fact.TOP;
            case ADD: {
                if (d.pointer() && s.pointer()) {
                    return Fact.TOP;
                }
                Fact p = d.pointer() ? d : s;
                Fact q = d.pointer() ? s : d;
                return q.bounded() ? p.plus(q.lo, q.hi) : new Fact(p.kind, Long.MIN_VALUE, Long.MAX_VALUE);
            }
            case SUB:
                if (s.pointer()) {
                    return Fact.TOP;
                }
                return s.bounded() ? d.plus(-s.hi, -s.lo) : new Fact(d.kind, Long.MIN_VALUE, Long.MAX_VALUE);
            case AND:
                if (s.nonNegativeScalar() && s.bounded()) {
                    return Fact.scalar(0, d.nonNegativeScalar() ? Math.min(d.hi, s.hi) : s.hi);
                }
                return d.nonNegativeScalar() ? Fact.scalar(0, d.hi) : Fact.TOP;
            case RSH:
                if ((op & SRC_X) == 0 && (imm & 63) != 0) {
                    int k = imm & 63;
                    return d.nonNegativeScalar() ? Fact.scalar(d.lo >>> k, d.hi >>> k) : Fact.scalar(0, -1L >>> k);
                }
                return d.nonNegativeScalar() ? Fact.scalar(0, d.hi) : Fact.TOP;
            case LSH:
                if ((op & SRC_X) == 0 && d.nonNegativeScalar()) {
                    int k = imm & 63;
                    if (k == 0 || d.hi <= Long.MAX_VALUE >>> k) {
                        return Fact.scalar(d.lo << k, d.hi << k);
                    }
                }
                return Fact.TOP;
            case MOD:
                if ((op & SRC_X) == 0 && off == 0 && imm > 0) {
                    return Fact.scalar(0, imm - 1L);
                }
                return Fact.TOP;
            case END:
                return swapped(imm);
            default:
                return Fact.TOP;
        }
    }

    /**
     * Narrows the compared scalar on one edge of a conditional jump against a constant (64-bit
     * jumps only). Unsigned {@code x < K} with {@code K >= 0} means {@code 0 <= x < K} signed.
     */
    static Fact[] refine(Fact[] r, long w, boolean taken) {
        int op = Insn.opcode(w);
        if (opClass(op) != JMP || (op & SRC_X) != 0) {
            return r;
        }
        int dst = Insn.dst(w);
        Fact d = r[dst];
        long k = Insn.imm(w);
        int code = op & OP_MASK;
        if (d.orNull() && k == 0 && (code == JEQ || code == JNE)) {
            // jeq 0 taken / jne 0 not taken: NULL; the other edge: the value pointer
            r[dst] = (code == JEQ) == taken ? Fact.constant(0) : new Fact(d.kind - 1, 0, 0);
            return r;
        }
        if (d.kind != SCALAR) {
            return r;
        }
        // Normalise "not taken" to the complementary condition.
        if (!taken) {
            code = switch (code) {
                case JEQ -> JNE;
                case JNE -> JEQ;
                case JLT -> JGE;
                case JGE -> JLT;
                case JLE -> JGT;
                case JGT -> JLE;
                case JSLT -> JSGE;
                case JSGE -> JSLT;
                case JSLE -> JSGT;
                case JSGT -> JSLE;
                default -> -1;
            };
        }
        Fact n = switch (code) {
            case JEQ -> d.intersect(k, k);
            case JLT -> k > 0 ? d.intersect(0, k - 1) : d;
            case JLE -> k >= 0 ? d.intersect(0, k) : d;
            case JGT -> d.lo >= 0 && k >= 0 && k < Long.MAX_VALUE ? d.intersect(k + 1, Long.MAX_VALUE) : d;
            case JGE -> d.lo >= 0 && k >= 0 ? d.intersect(k, Long.MAX_VALUE) : d;
            case JSLT -> k > Long.MIN_VALUE ? d.intersect(Long.MIN_VALUE, k - 1) : d;
            case JSLE -> d.intersect(Long.MIN_VALUE, k);
            case JSGT -> k < Long.MAX_VALUE ? d.intersect(k + 1, Long.MAX_VALUE) : d;
            case JSGE -> d.intersect(k, Long.MAX_VALUE);
            default -> d;
        };
        r[dst] = n;
        return r;
    }
}
