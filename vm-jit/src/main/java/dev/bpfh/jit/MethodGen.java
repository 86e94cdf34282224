package dev.bpfh.jit;

import static dev.bpfh.isa.Opcodes.*;
import static dev.bpfh.jit.Compiler.*;
import static java.lang.constant.ConstantDescs.*;

import dev.bpfh.exec.Memory;
import dev.bpfh.isa.Insn;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Emits the bytecode of one method: a whole subprogram (direct form) or one region of a split one.
 *
 * <p>eBPF registers are {@code long} locals ({@code int} where {@link RegisterFacts} proves an int),
 * jumps are branches. Arithmetic is {@code invokestatic}
 * to {@link dev.bpfh.isa.Alu} except the operations whose JVM instruction is the rule itself (64-bit
 * add, sub, mul, and, or, xor, neg); conditions are the same bytecode {@link dev.bpfh.isa.Jumps}
 * consists of ({@code lcmp}, {@code Long.compareUnsigned}, ...; a signed {@code lcmp} where both sides
 * are provably non-negative). Every memory access is checked: one that {@link RegisterFacts} proves
 * inside the frame uses the frame's array directly; one proven to start in the input takes one int
 * compare with the input length, then the array; other loads and stores try the input region with one
 * explicit range check ({@link InputAccess}) and otherwise use {@link Memory}'s checked methods; so do
 * atomics outside a proven frame slot.
 */
final class MethodGen {
    static final ClassDesc CD_ALU = ClassDesc.of("dev.bpfh.isa.Alu");
    static final ClassDesc CD_TRAP = ClassDesc.of("dev.bpfh.exec.Trap");
    static final ClassDesc CD_RUNTIME = ClassDesc.of(JitRuntime.class.getName());
    static final ClassDesc CD_FRAME = ClassDesc.of(FrameAccess.class.getName());
    static final ClassDesc CD_INPUT = ClassDesc.of(InputAccess.class.getName());
    static final ClassDesc CD_BYTES = CD_byte.arrayType();
    static final ClassDesc CD_ARRAY_MAP = ClassDesc.of("dev.bpfh.maps.ArrayMap");
    static final ClassDesc CD_JIT_MAPS = ClassDesc.of(JitMaps.class.getName());
    static final MethodTypeDesc J_J = MethodTypeDesc.of(CD_long, CD_long);
    static final MethodTypeDesc JJ_J = MethodTypeDesc.of(CD_long, CD_long, CD_long);
    static final MethodTypeDesc JI_J = MethodTypeDesc.of(CD_long, CD_long, CD_int);
    static final MethodTypeDesc I_TRAP = MethodTypeDesc.of(CD_TRAP, CD_int);

    /** Estimated bytes of a direct-form method around its blocks. */
    static final int PROLOGUE_ESTIMATE = 100;
    /** Estimated bytes of a region method besides its blocks and switch entries. */
    static final int REGION_OVERHEAD = 260;
    private static final int BLOCK_ESTIMATE = 30;

    private final Compiler comp;
    private final Cfg cfg;
    private final Compiler.FnPlan plan;
    private final CodeBuilder c;
    private final int lo;
    private final int hi;
    private final boolean split;
    private final int base;
    private final Label[] labels;
    private final Label tail;
    private final List<Runnable> stubs = new ArrayList<>();
    private final Map<Integer, Label> budgetTraps = new TreeMap<>();
    private final Map<Integer, Label> depthTraps = new TreeMap<>();
    private final Map<Integer, Label> fallTraps = new TreeMap<>();
    /**
     * What each register provably holds before the instruction being emitted: the block's entry
     * facts from {@link RegisterFacts}, stepped through the block's instructions.
     */
    private RegisterFacts.Fact[] cur;
    /**
     * Registers whose value is provably an int at every point of the subprogram: kept in int locals
     * (converted at uses and definitions, which C2 folds), so that loop counters become int
     * induction variables and C2 can count, unroll and range-check-eliminate the loop.
     */
    private final boolean[] intReg;
    /** {@link #lowHalfUsed} of this subprogram: the registers that get an int {@link #shadowed shadow}. */
    private final boolean[] lowUsed;
    /** A typed program's context and packet instructions; null for a raw program. */
    private final PacketCode packet;

    MethodGen(Compiler comp, Compiler.FnPlan plan, CodeBuilder c, int lo, int hi, boolean split) {
        this.comp = comp;
        this.cfg = comp.cfg;
        this.plan = plan;
        this.c = c;
        this.lo = lo;
        this.hi = hi;
        this.split = split;
        this.base = split ? 2 : 1;
        this.labels = new Label[hi - lo];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = c.newLabel();
        }
        this.tail = c.newLabel();
        this.intReg = plan.facts().intRegisters();
        this.lowUsed = plan.lowHalfUsed(cfg);
        this.packet = comp.ctx == null ? null : new PacketCode(comp, this, c);
    }

    // Local variable slots: params first (depth, then r0..r9 or the entry block), then ours.
    private int reg(int r) {
        return base + 2 * r;
    }

    /**
     * The remaining budget: an int when the load-time budget fits one ({@link Compiler#intBudget}),
     * so that C2 treats the per-block charge like a second induction variable and can hoist the check
     * out of counted loops; a long otherwise. An int cannot overflow: it starts at most the budget and
     * falls by at most the instructions executed between two checks.
     */
    private int rem() {
        return base + 22;
    }

    /** The int local of a register {@link #intReg int-typed} in this subprogram. */
    private int ireg(int r) {
        return base + 36 + r;
    }

    /** Pushes register {@code r} as a long. */
    CodeBuilder get(int r) {
        return intReg[r] ? c.iload(ireg(r)).i2l() : c.lload(reg(r));
    }

    /**
     * Whether register {@code r} has an int shadow: its low 32 bits, kept in the int local
     * {@link #ireg} next to its long local. Every r0..r9 that is not {@link #intReg int-typed} has
     * one. Array indexes are those low bits ({@link #arrayIndex}), and a 64-bit add, sub or mov
     * updates the shadow with the 32-bit operation on the operands' shadows (the low half of a
     * two's-complement sum is the sum of the low halves), so an index {@code r1 + i} reaches C2 as
     * an int {@code invariant + i} that its range-check elimination recognises, not as the low half
     * of a long sum (which C2 splits only after its loop optimisations). Only registers whose low
     * half feeds an address ({@link #lowHalfUsed}) get one: a shadow is live bytecode state, so C2
     * would keep computing it (an accumulator's, for instance) for its deoptimisation states.
     */
    private boolean shadowed(int r) {
        return r < 10 && !intReg[r] && lowUsed[r];
    }

    /**
     * Registers r0..r9 of the subprogram that are the base of a load, store or atomic, or the source
     * of a 64-bit mov, add or sub into such a register (flow-insensitive, to a fixed point).
     */
    static boolean[] lowHalfUsed(Cfg cfg, Compiler.FnPlan plan) {
        boolean[] used = new boolean[11];
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int blockId : plan.fn().blocks()) {
                Cfg.Block b = cfg.blocks.get(blockId);
                for (int pc = b.start(); pc < b.end(); ) {
                    long w = cfg.slots[pc];
                    int op = Insn.opcode(w);
                    int cls = opClass(op);
                    int mark = -1;
                    if (cls == LDX) {
                        mark = Insn.src(w);
                    } else if (cls == ST || cls == STX) {
                        mark = Insn.dst(w);
                    } else if (cls == ALU64 && (op & SRC_X) != 0 && used[Insn.dst(w)]
                            && ((op & OP_MASK) == MOV || (op & OP_MASK) == ADD || (op & OP_MASK) == SUB)) {
                        mark = Insn.src(w);
                    }
                    if (mark >= 0 && !used[mark]) {
                        used[mark] = true;
                        changed = true;
                    }
                    pc += op == LDDW ? 2 : 1;
                }
            }
        }
        used[10] = false; // the frame pointer has no shadow
        return used;
    }

    /** Pushes the low 32 bits of register {@code r}. */
    CodeBuilder getInt(int r) {
        return intReg[r] || shadowed(r) ? c.iload(ireg(r)) : c.lload(reg(r)).l2i();
    }

    /** Stores the long on the stack into register {@code r} (and its shadow). */
    void put(int r) {
        if (intReg[r]) {
            c.l2i().istore(ireg(r));
        } else if (shadowed(r)) {
            c.dup2().l2i().istore(ireg(r));
            c.lstore(reg(r));
        } else {
            c.lstore(reg(r));
        }
    }

    /**
     * A 64-bit mov, add or sub into a {@link #shadowed} register, with its shadow computed in int
     * arithmetic from the operands' low halves; false (nothing emitted) for any other operation.
     */
    private boolean shadowAlu(int op, int dst, int src, int off, int imm) {
        if (opClass(op) != ALU64 || !shadowed(dst) || off != 0) {
            return false;
        }
        boolean x = (op & SRC_X) != 0;
        int code = op & OP_MASK;
        if (code != MOV && code != ADD && code != SUB) {
            return false;
        }
        Runnable operand = x ? () -> getInt(src) : () -> c.loadConstant(imm);
        if (code == MOV) {
            if (x) {
                get(src);
            } else {
                c.loadConstant((long) imm);
            }
            c.lstore(reg(dst));
            operand.run();
        } else {
            get(dst);
            if (x) {
                get(src);
            } else {
                c.loadConstant((long) imm);
            }
            if (code == ADD) {
                c.ladd();
            } else {
                c.lsub();
            }
            c.lstore(reg(dst));
            c.iload(ireg(dst)); // still the old low half: only the long local is written yet
            operand.run();
            if (code == ADD) {
                c.iadd();
            } else {
                c.isub();
            }
        }
        c.istore(ireg(dst));
        return true;
    }

    private int mem() {
        return base + 24;
    }

    private int state() {
        return base + 25;
    }

    private int frame() {
        return base + 26;
    }

    private int next() {
        return base + 27;
    }

    private int regs() {
        return base + 28;
    }

    private int ret() {
        return base + 29;
    }

    private int input() {
        return base + 30;
    }

    /** Address of the current frame's first byte: r10 - 512. */
    private int frameBase() {
        return base + 31;
    }

    /** An int scratch local: the index of a proven input access. */
    private int index() {
        return base + 33;
    }

    /** An int scratch local: the key of an inlined array lookup. */
    private int key() {
        return base + 46;
    }

    /**
     * The array of the element inlined lookup site {@code site} found last (direct form only): what a
     * register whose fact is that site's value pointer points into.
     */
    private int siteArray(int site) {
        return base + 47 + site;
    }

    /** Upper estimate of a block's bytecode, for region packing (checked after the build). */
    static int estimate(Cfg cfg, Cfg.Block b) {
        int sum = BLOCK_ESTIMATE;
        for (int pc = b.start(); pc < b.end(); ) {
            int op = Insn.opcode(cfg.slots[pc]);
            int cls = opClass(op);
            sum += switch (cls) {
                case ALU, ALU64 -> 20; // with the low-half shadow
                case LD -> op == LDDW ? 10 : 70; // LD_ABS/IND: a call and an exit path
                case LDX, ST -> 48;
                case STX -> 48;
                default -> op == CALLX || op == CALL_IMM && Insn.imm(cfg.slots[pc]) == Cfg.TAIL_CALL_HELPER ? 260
                        : op == CALL_IMM ? 140 : op == EXIT_OP ? 50 : 45;
            };
            pc += op == LDDW ? 2 : 1;
        }
        return sum;
    }

    void emit() {
        prologue();
        for (int i = lo; i < hi; i++) {
            block(i);
        }
        for (Runnable r : stubs) {
            r.run();
        }
        trapStubs(budgetTraps, "budgetExhausted");
        trapStubs(depthTraps, "callDepth");
        trapStubs(fallTraps, "fellOffEnd");
        if (split) {
            c.labelBinding(tail);
            for (int i = 0; i < 10; i++) {
                c.aload(regs()).loadConstant(i);
                get(i).lastore();
            }
            budgetOut();
            c.iload(next()).ireturn();
        }
    }

    private void prologue() {
        c.ldc(Compiler.classData(0, CD_LINKAGE)).dup()
                .invokevirtual(CD_LINKAGE, "memory", MethodTypeDesc.of(CD_MEMORY)).astore(mem())
                .invokevirtual(CD_LINKAGE, "state", MethodTypeDesc.of(CD_STATE)).astore(state());
        // r10 = Memory.frameTop(depth) = (STACK_REGION + depth) << 32 | FRAME_SIZE, inline
        c.iload(0).loadConstant(Memory.STACK_REGION).iadd().i2l().loadConstant(Memory.REGION_SHIFT).lshl()
                .loadConstant((long) Memory.FRAME_SIZE).lor().lstore(reg(10));
        c.lload(reg(10)).loadConstant((long) Memory.FRAME_SIZE).lsub().lstore(frameBase());
        c.aload(mem()).iload(0).loadConstant(Memory.STACK_REGION).iadd()
                .invokevirtual(CD_MEMORY, "region", MethodTypeDesc.of(CD_BYTES, CD_int)).astore(frame());
        c.aload(mem()).loadConstant(Memory.INPUT_REGION)
                .invokevirtual(CD_MEMORY, "region", MethodTypeDesc.of(CD_BYTES, CD_int)).astore(input());
        budgetIn();
        if (split) {
            c.aload(state()).getfield(CD_STATE, "regs", CD_LONG_ARRAY.arrayType()).iload(0).aaload().astore(regs());
            for (int i = 0; i < 10; i++) {
                c.aload(regs()).loadConstant(i).laload();
                put(i);
            }
            List<SwitchCase> cases = new ArrayList<>();
            for (int i = lo; i < hi; i++) {
                cases.add(SwitchCase.of(i, labels[i - lo]));
            }
            c.iload(1).tableswitch(lo, hi - 1, labels[0], cases);
        } else {
            for (int r = 0; r < 10; r++) {
                if (intReg[r] || shadowed(r)) {
                    c.lload(reg(r)).l2i().istore(ireg(r));
                }
            }
            for (int blockId : plan.fn().blocks()) { // definitely assigned, for the JVM's verifier
                int site = comp.lookups.siteAt(cfg.lastPc(cfg.blocks.get(blockId)));
                if (site >= 0) {
                    c.aconst_null().astore(siteArray(site));
                }
            }
            int entry = plan.localOf(cfg.blockAt[plan.fn().entry()]);
            if (entry != lo) {
                c.goto_(labels[entry - lo]);
            }
        }
    }

    private void block(int local) {
        Cfg.Block b = cfg.blocks.get(plan.fn().blocks()[local]);
        c.labelBinding(labels[local - lo]);
        charge(b.insns());
        cur = plan.facts().atEntry(local);
        keySlot = NO_SLOT;
        int acc = splitAccumulator(b);
        Label body = null;
        if (acc >= 0) { // entered from outside the loop: the second partial sum starts at 0
            comp.splitSums++;
            c.lconst_0().lstore(partial());
            body = c.newLabel();
            c.labelBinding(body);
        }
        int last = cfg.lastPc(b);
        for (int pc = b.start(); pc < b.end(); ) {
            long w = cfg.slots[pc];
            int cls = opClass(Insn.opcode(w));
            if (acc >= 0 && pc == last) {
                // swap the partial sums, so the next iteration adds to the other one; then the back edge
                c.lload(reg(acc)).lload(partial()).lstore(reg(acc)).lstore(partial());
                int op = Insn.opcode(w);
                condition(op, Insn.dst(w), Insn.src(w), Insn.imm(w), body);
                c.lload(reg(acc)).lload(partial()).ladd().lstore(reg(acc)); // leaving: the whole sum
            } else if (Insn.opcode(w) == LDDW) {
                c.loadConstant(comp.wideValue(pc));
                put(Insn.dst(w));
            } else {
                storedSlot = NO_SLOT;
                insn(pc, w);
                if (storedSlot != NO_SLOT) {
                    keySlot = storedSlot;
                } else if (cls != ALU && cls != ALU64 && cls != LDX) {
                    keySlot = NO_SLOT; // a store, atomic, call or packet access may have written it
                }
            }
            RegisterFacts.step(cur, cfg.slots, pc, comp.lookups);
            pc += Insn.opcode(w) == LDDW ? 2 : 1;
        }
        if (cfg.fallsThrough(b)) {
            if (b.end() == cfg.slots.length) {
                c.goto_(trapLabel(fallTraps, b.end()));
            } else if (local + 1 >= hi) {
                leave(local + 1);
            }
            // else the next block in this method is the fall-through successor: emitted right after
        }
    }

    /** A long scratch local: the second partial sum of a {@link #splitAccumulator} loop. */
    private int partial() {
        return base + 47 + comp.lookups.size();
    }

    /**
     * The register whose sum a one-block loop {@code b} may keep as two partial sums, or -1. Such a
     * loop ({@code byte_sum}'s {@code ldxb r5, [r4]; add r0, r5}) is bound by the chain of 64-bit
     * adds into the register, one per iteration, which C2 does not reassociate; the kernel's code
     * is bound by the same chain. Adding into one partial sum in even and the other in odd
     * iterations halves the chain (the generated loop swaps the two locals before its back edge, a
     * renaming once C2 has unrolled the loop, and adds them when it leaves). 64-bit addition is
     * associative and commutative modulo 2^64, so the sum on leaving is the one the instructions
     * define. This needs: the loop is the block alone (its last instruction a conditional jump to
     * its own start, so the block's end is the loop's only way out but a trap, whose outcome has no
     * registers); the register appears in the block only as the destination of 64-bit adds of
     * another register or a constant (nothing in the loop reads a partial sum); it is a plain long
     * local (no int form, no shadow); no budget to check at the back edge ({@link Compiler#budgetFree});
     * the direct form of a raw program.
     */
    private int splitAccumulator(Cfg.Block b) {
        if (!comp.budgetFree || split || packet != null) {
            return -1;
        }
        int last = cfg.lastPc(b);
        long jw = cfg.slots[last];
        int jop = Insn.opcode(jw);
        int jcls = opClass(jop);
        int jcode = jop & OP_MASK;
        if ((jcls != JMP && jcls != JMP32) || jcode == JA || jcode == CALL || jcode == EXIT
                || Cfg.jumpTarget(jw, last) != b.start()) {
            return -1;
        }
        for (int r = 0; r < 10; r++) {
            if (intReg[r] || shadowed(r)) {
                continue;
            }
            boolean added = false;
            boolean other = false;
            for (int pc = b.start(); pc < b.end() && !other; pc += Insn.opcode(cfg.slots[pc]) == LDDW ? 2 : 1) {
                long w = cfg.slots[pc];
                int op = Insn.opcode(w);
                boolean x = (op & SRC_X) != 0;
                boolean addInto = opClass(op) == ALU64 && (op & OP_MASK) == ADD && Insn.dst(w) == r
                        && !(x && Insn.src(w) == r);
                if (addInto) {
                    added = true;
                } else if (mentions(w, r)) {
                    other = true;
                }
            }
            if (added && !other) {
                return r;
            }
        }
        return -1;
    }

    /** Whether instruction {@code w} may read or write register {@code r} (calls and LD_ABS/IND: any). */
    private static boolean mentions(long w, int r) {
        int op = Insn.opcode(w);
        int cls = opClass(op);
        boolean x = (op & SRC_X) != 0;
        return switch (cls) {
            // END's source bit chooses the byte order, not a register
            case ALU, ALU64 -> Insn.dst(w) == r || x && (op & OP_MASK) != END && Insn.src(w) == r;
            case LD -> op != LDDW || Insn.dst(w) == r;
            case LDX, STX -> Insn.dst(w) == r || Insn.src(w) == r;
            case ST -> Insn.dst(w) == r;
            default -> (op & OP_MASK) == CALL || (op & OP_MASK) == EXIT || Insn.dst(w) == r || x && Insn.src(w) == r;
        };
    }

    private void insn(int pc, long w) {
        if (packet != null && packet.insn(pc, w)) {
            return;
        }
        int op = Insn.opcode(w);
        int dst = Insn.dst(w);
        int src = Insn.src(w);
        int off = Insn.off(w);
        int imm = Insn.imm(w);
        switch (opClass(op)) {
            case ALU, ALU64 -> alu(op, dst, src, off, imm);
            case LDX -> load(pc, op, dst, src, off);
            case ST -> store(pc, op, dst, off, () -> c.loadConstant((long) imm));
            case STX -> {
                if ((op & MODE_MASK) == MODE_ATOMIC) {
                    atomic(pc, op, dst, src, off, imm);
                } else {
                    store(pc, op, dst, off, () -> get(src));
                }
            }
            case JMP, JMP32 -> jump(pc, op, dst, src, off, imm);
            default -> throw new IllegalStateException("unvalidated opcode 0x" + Integer.toHexString(op) + " at pc " + pc);
        }
    }

    // ---- ALU ----------------------------------------------------------------------------------

    private void alu(int op, int dst, int src, int off, int imm) {
        if (shadowAlu(op, dst, src, off, imm) || intAlu32(op, dst, src, off, imm)) {
            return;
        }
        boolean is64 = opClass(op) == ALU64;
        boolean x = (op & SRC_X) != 0;
        int code = op & OP_MASK;
        switch (code) {
            case MOV -> {
                if (off == 0) {
                    if (x) {
                        get(src);
                        if (!is64) {
                            aluCall("u32", J_J);
                        }
                    } else {
                        c.loadConstant(is64 ? (long) imm : imm & 0xffffffffL);
                    }
                } else if (is64) {
                    get(src);
                    aluCall(off == 8 ? "sx8" : off == 16 ? "sx16" : "sx32", J_J);
                } else {
                    get(src).loadConstant(off);
                    aluCall("movsx32", JI_J);
                }
            }
            case NEG -> {
                get(dst);
                if (is64) {
                    c.lneg();
                } else {
                    aluCall("neg32", J_J);
                }
            }
            case END -> {
                get(dst);
                if (op == (ALU | END | SRC_K)) {
                    c.loadConstant(imm);
                    aluCall("le", JI_J);
                } else {
                    aluCall("bswap" + imm, J_J);
                }
            }
            default -> {
                get(dst);
                if (x) {
                    get(src);
                } else {
                    c.loadConstant((long) imm);
                }
                if (is64) {
                    switch (code) {
                        case ADD -> c.ladd();
                        case SUB -> c.lsub();
                        case MUL -> c.lmul();
                        case OR -> c.lor();
                        case AND -> c.land();
                        case XOR -> c.lxor();
                        case LSH -> aluCall("lsh64", JJ_J);
                        case RSH -> aluCall("rsh64", JJ_J);
                        case ARSH -> aluCall("arsh64", JJ_J);
                        case DIV -> aluCall(off == 1 ? "sdiv64" : "div64", JJ_J);
                        case MOD -> aluCall(off == 1 ? "smod64" : "mod64", JJ_J);
                        default -> throw new IllegalStateException("alu op " + code);
                    }
                } else {
                    switch (code) {
                        case ADD -> aluCall("add32", JJ_J);
                        case SUB -> aluCall("sub32", JJ_J);
                        case MUL -> aluCall("mul32", JJ_J);
                        case OR -> { c.lor(); aluCall("u32", J_J); }
                        case AND -> { c.land(); aluCall("u32", J_J); }
                        case XOR -> { c.lxor(); aluCall("u32", J_J); }
                        case LSH -> aluCall("lsh32", JJ_J);
                        case RSH -> aluCall("rsh32", JJ_J);
                        case ARSH -> aluCall("arsh32", JJ_J);
                        case DIV -> aluCall(off == 1 ? "sdiv32" : "div32", JJ_J);
                        case MOD -> aluCall(off == 1 ? "smod32" : "mod32", JJ_J);
                        default -> throw new IllegalStateException("alu op " + code);
                    }
                }
            }
        }
        put(dst);
    }

    /**
     * A 32-bit operation that has a JVM int instruction (add, sub, mul, or, and, xor, shifts, neg, a
     * register mov) in int arithmetic on the operands' low halves, the result zero-extended once:
     * {@code Alu}'s long forms mask after each step, which C2 keeps as a {@code movl} per operation
     * on a 32-bit hash's dependency chain and which hides rotates from it. C2 drops the mask in
     * {@code (int) (x & 0xffffffffL)}, so a chain of 32-bit operations stays in int registers; Java's
     * int shifts mask the count to five bits, as eBPF's 32-bit shifts do. False (nothing emitted)
     * for anything else.
     */
    private boolean intAlu32(int op, int dst, int src, int off, int imm) {
        if (opClass(op) != ALU || off != 0) {
            return false;
        }
        boolean x = (op & SRC_X) != 0;
        int code = op & OP_MASK;
        switch (code) {
            case MOV -> {
                if (!x) {
                    return false;
                }
                getInt(src);
            }
            case NEG -> getInt(dst).ineg();
            case ADD, SUB, MUL, OR, AND, XOR, LSH, RSH, ARSH -> {
                getInt(dst);
                if (x) {
                    getInt(src);
                } else {
                    c.loadConstant(imm);
                }
                switch (code) {
                    case ADD -> c.iadd();
                    case SUB -> c.isub();
                    case MUL -> c.imul();
                    case OR -> c.ior();
                    case AND -> c.iand();
                    case XOR -> c.ixor();
                    case LSH -> c.ishl();
                    case RSH -> c.iushr();
                    default -> c.ishr();
                }
            }
            default -> {
                return false;
            }
        }
        if (intReg[dst]) {
            c.istore(ireg(dst)); // the facts proved the zero-extended result an int: it is this int
        } else {
            c.i2l().loadConstant(0xffffffffL).land();
            put(dst);
        }
        return true;
    }

    private void aluCall(String name, MethodTypeDesc type) {
        c.invokestatic(CD_ALU, name, type);
    }

    // ---- memory -------------------------------------------------------------------------------

    /** Whether {@code [baseReg + off]} of {@code size} bytes provably lies inside the current frame. */
    private boolean inFrame(int baseReg, int off, int size) {
        RegisterFacts.Fact f = cur[baseReg];
        return f.kind() == RegisterFacts.FRAME && f.bounded()
                && f.lo() + off >= -Memory.FRAME_SIZE && f.hi() + off <= -size;
    }

    /**
     * The inlined lookup site whose value {@code [baseReg + off]} of {@code size} bytes provably lies
     * in, or -1; -1 also for a store into a map that is read-only for programs (it must trap, which
     * Memory's checked path does) and in a split method (the site's array is a local of another
     * method). The value's region is exactly {@code value_size} bytes, so this is Memory's own check
     * done at compile time.
     */
    private int inMapValue(int baseReg, int off, int size, boolean store) {
        RegisterFacts.Fact f = cur[baseReg];
        int site = RegisterFacts.mapValueSite(f.kind());
        if (split || site < 0 || !f.bounded() || store && comp.lookups.site(site).readOnly()) {
            return -1;
        }
        return f.lo() + off >= 0 && f.hi() + off + size <= comp.lookups.site(site).valueSize() ? site : -1;
    }

    /**
     * Whether {@code [baseReg + off]} provably starts at input offset {@code 0 <= i < 2^31 - 8}, so
     * that the access is in bounds exactly when {@code i <= length - size}.
     */
    private boolean inputIndexed(int baseReg, int off) {
        RegisterFacts.Fact f = cur[baseReg];
        return f.kind() == RegisterFacts.INPUT && f.bounded()
                && f.lo() + off >= 0 && f.hi() + off <= Integer.MAX_VALUE - 8;
    }

    /**
     * Pushes the array index of {@code [baseReg + off]} when {@link #inFrame} or
     * {@link #inputIndexed} holds: the low 32 bits of the address plus {@code off}. The input address
     * and every frame base have low bits 0 and 0x200, and the proven offset keeps the sum in
     * {@code [0, 2^31)}, so no carry or overflow can occur.
     */
    private void arrayIndex(int baseReg, int off) {
        RegisterFacts.Fact f = cur[baseReg];
        if (f.kind() == RegisterFacts.FRAME && f.lo() == f.hi()) {
            c.loadConstant((int) (Memory.FRAME_SIZE + f.lo() + off));
            return;
        }
        if (RegisterFacts.mapValueSite(f.kind()) >= 0 && f.lo() == f.hi()) {
            c.loadConstant((int) (f.lo() + off));
            return;
        }
        getInt(baseReg);
        if (off != 0) {
            c.loadConstant(off).iadd();
        }
    }

    private void address(int baseReg, int off) {
        get(baseReg);
        if (off != 0) {
            c.loadConstant((long) off).ladd();
        }
    }

    /** Branches to {@code outside} unless the proven input index in {@link #index()} fits {@code size} bytes. */
    private void inputCheck(int size, Label outside) {
        indexCheck(input(), size, outside);
    }

    /**
     * Branches to {@code outside} unless the int index in {@link #index()} fits {@code size} bytes of
     * the array in local {@code array}: {@code n = length - (size - 1)}, outside when {@code n < 0} or
     * {@code index >= n} unsigned. These are the compares the byte-array {@code VarHandle} of the
     * access (or the array's own range check for one byte) makes next, so C2 keeps one copy where a
     * signed {@code index > length - size} stayed next to the array's own check; range-check
     * elimination still removes it from counted loops.
     */
    private void indexCheck(int array, int size, Label outside) {
        if (size > 1) {
            c.aload(array).arraylength().loadConstant(size - 1).isub().iflt(outside);
        }
        c.iload(index()).aload(array).arraylength().loadConstant(size - 1).isub()
                .invokestatic(CD_Integer, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_int, CD_int)).ifge(outside);
    }

    /**
     * Whether {@code [baseReg + off]} points into the current frame or past its end, at frame index
     * {@code 0 <= i < 2^31 - 8}, without a proof that it ends inside: a loop's {@code r10 + r3 - 256}
     * whose counter steps by 8 is in {@code [-256, -1]} by the facts (which do not track alignment),
     * so an 8-byte access is not {@link #inFrame}. One int compare with the frame's length then
     * decides it, as {@link #inputIndexed} does for the input: it is linear in a loop counter, so C2's
     * range-check elimination removes it from counted loops; past the end, the checked path traps at
     * the instruction's pc as before.
     */
    private boolean frameIndexed(int baseReg, int off) {
        RegisterFacts.Fact f = cur[baseReg];
        return f.kind() == RegisterFacts.FRAME && f.bounded()
                && f.lo() + off >= -Memory.FRAME_SIZE && f.hi() + off <= Integer.MAX_VALUE - 8 - Memory.FRAME_SIZE;
    }

    /** Branches to {@code outside} unless the proven frame index in {@link #index()} fits {@code size} bytes. */
    private void frameCheck(int size, Label outside) {
        indexCheck(frame(), size, outside);
    }

    private void load(int pc, int op, int dst, int src, int off) {
        pushLoad(pc, sizeBytes(op), src, off);
        if ((op & MODE_MASK) == MODE_MEMSX) {
            aluCall("sx" + sizeBytes(op) * 8, J_J);
        }
        put(dst);
    }

    /** Pushes the zero-extended {@code size} bytes at {@code [src + off]}, checked, trapping at {@code pc}. */
    private void pushLoad(int pc, int size, int src, int off) {
        String name = "load" + size * 8;
        MethodTypeDesc direct = MethodTypeDesc.of(CD_long, CD_BYTES, CD_int);
        int site = inMapValue(src, off, size, false);
        if (site >= 0) {
            c.aload(siteArray(site));
            arrayIndex(src, off);
            c.invokestatic(CD_FRAME, name, direct);
        } else if (inFrame(src, off, size)) {
            c.aload(frame());
            arrayIndex(src, off);
            c.invokestatic(CD_FRAME, name, direct);
        } else if (inputIndexed(src, off)) {
            Label outside = c.newLabel();
            Label done = c.newLabel();
            arrayIndex(src, off);
            c.istore(index());
            inputCheck(size, outside);
            c.aload(input()).iload(index()).invokestatic(CD_FRAME, name, direct).goto_(done);
            c.labelBinding(outside);
            c.aload(mem());
            address(src, off);
            c.loadConstant(pc).invokevirtual(CD_MEMORY, name, MethodTypeDesc.of(CD_long, CD_long, CD_int));
            c.labelBinding(done);
        } else if (frameIndexed(src, off)) {
            Label outside = c.newLabel();
            Label done = c.newLabel();
            arrayIndex(src, off);
            c.istore(index());
            frameCheck(size, outside);
            c.aload(frame()).iload(index()).invokestatic(CD_FRAME, name, direct).goto_(done);
            c.labelBinding(outside);
            c.aload(frame()).lload(frameBase()).aload(mem());
            address(src, off);
            c.loadConstant(pc).invokestatic(CD_FRAME, name,
                    MethodTypeDesc.of(CD_long, CD_BYTES, CD_long, CD_MEMORY, CD_long, CD_int));
            c.labelBinding(done);
        } else if (cur[src].kind() == RegisterFacts.FRAME) {
            c.aload(frame()).lload(frameBase()).aload(mem());
            address(src, off);
            c.loadConstant(pc).invokestatic(CD_FRAME, name,
                    MethodTypeDesc.of(CD_long, CD_BYTES, CD_long, CD_MEMORY, CD_long, CD_int));
        } else {
            c.aload(input()).aload(mem());
            address(src, off);
            c.loadConstant(pc).invokestatic(CD_INPUT, name,
                    MethodTypeDesc.of(CD_long, CD_BYTES, CD_MEMORY, CD_long, CD_int));
        }
    }

    /** Tells the compiler which frame bytes a store or atomic of {@code size} at {@code [dst + off]} may write. */
    private void noteFrameWrite(int dst, int off, int size) {
        if (inMapValue(dst, off, size, true) >= 0) {
            return; // a map value, not the frame
        }
        if (!inFrame(dst, off, size) && !RegisterFacts.inMapMemory(cur[dst], off, size)) {
            comp.packetWrite(); // anywhere, the packet too (a frameIndexed store counts: kept conservative)
        }
        // A frameIndexed store writes this frame only at its index, at least FRAME_SIZE + lo + off;
        // past the frame's end it goes to Memory, which traps.
        comp.frameWrite(inFrame(dst, off, size) || frameIndexed(dst, off)
                ? (int) (Memory.FRAME_SIZE + cur[dst].lo() + off) : 0);
    }

    /** No frame slot's value is in {@link #key()}. */
    private static final long NO_SLOT = Long.MIN_VALUE;
    /**
     * The frame offset (from r10) of the 4 bytes whose value {@link #key()} holds, or {@link #NO_SLOT}:
     * set by a 4-byte store to a constant frame slot, kept across ALU operations and loads of the same
     * block (they write no memory), cleared by anything else. An inlined lookup whose key pointer is
     * that slot takes the key from the local instead of reading it back: the value array it then
     * writes may alias the frame for all C2 knows, so it could not forward the store itself.
     */
    private long keySlot = NO_SLOT;
    /** The slot the instruction being emitted left in {@link #key()} ({@link #store}), or {@link #NO_SLOT}. */
    private long storedSlot = NO_SLOT;

    /** The slot a store of {@code op} to {@code [dst + off]} leaves in {@link #key()}, or {@link #NO_SLOT}. */
    private long keySlotOf(int op, int dst, int off) {
        RegisterFacts.Fact f = cur[dst];
        if ((op & MODE_MASK) != MODE_MEM || sizeBytes(op) != 4 || !inFrame(dst, off, 4) || f.lo() != f.hi()) {
            return NO_SLOT;
        }
        return f.lo() + off;
    }

    private void store(int pc, int op, int dst, int off, Runnable value) {
        int size = sizeBytes(op);
        long slot = keySlotOf(op, dst, off);
        if (slot != NO_SLOT) {
            value.run();
            c.l2i().istore(key()); // what a 4-byte load of the slot returns, truncated as inlineLookup does
            storedSlot = slot;
        }
        String name = "store" + size * 8;
        MethodTypeDesc direct = MethodTypeDesc.of(CD_void, CD_BYTES, CD_int, CD_long);
        noteFrameWrite(dst, off, size);
        int site = inMapValue(dst, off, size, true);
        if (site >= 0) {
            c.aload(siteArray(site));
            arrayIndex(dst, off);
            value.run();
            c.invokestatic(CD_FRAME, name, direct);
        } else if (inFrame(dst, off, size)) {
            c.aload(frame());
            arrayIndex(dst, off);
            value.run();
            c.invokestatic(CD_FRAME, name, direct);
        } else if (inputIndexed(dst, off)) {
            Label outside = c.newLabel();
            Label done = c.newLabel();
            arrayIndex(dst, off);
            c.istore(index());
            inputCheck(size, outside);
            c.aload(input()).iload(index());
            value.run();
            c.invokestatic(CD_FRAME, name, direct).goto_(done);
            c.labelBinding(outside);
            c.aload(mem());
            address(dst, off);
            value.run();
            c.loadConstant(pc).invokevirtual(CD_MEMORY, name, MethodTypeDesc.of(CD_void, CD_long, CD_long, CD_int));
            c.labelBinding(done);
        } else if (frameIndexed(dst, off)) {
            Label outside = c.newLabel();
            Label done = c.newLabel();
            arrayIndex(dst, off);
            c.istore(index());
            frameCheck(size, outside);
            c.aload(frame()).iload(index());
            value.run();
            c.invokestatic(CD_FRAME, name, direct).goto_(done);
            c.labelBinding(outside);
            c.aload(frame()).lload(frameBase()).aload(mem());
            address(dst, off);
            value.run();
            c.loadConstant(pc).invokestatic(CD_FRAME, name,
                    MethodTypeDesc.of(CD_void, CD_BYTES, CD_long, CD_MEMORY, CD_long, CD_long, CD_int));
            c.labelBinding(done);
        } else if (cur[dst].kind() == RegisterFacts.FRAME) {
            c.aload(frame()).lload(frameBase()).aload(mem());
            address(dst, off);
            value.run();
            c.loadConstant(pc).invokestatic(CD_FRAME, name,
                    MethodTypeDesc.of(CD_void, CD_BYTES, CD_long, CD_MEMORY, CD_long, CD_long, CD_int));
        } else {
            c.aload(input()).aload(mem());
            address(dst, off);
            value.run();
            c.loadConstant(pc).invokestatic(CD_INPUT, name,
                    MethodTypeDesc.of(CD_void, CD_BYTES, CD_MEMORY, CD_long, CD_long, CD_int));
        }
    }

    private void atomic(int pc, int op, int dst, int src, int off, int imm) {
        int size = op == ATOMIC_W ? 4 : 8;
        String name = op == ATOMIC_W ? "atomic32" : "atomic64";
        noteFrameWrite(dst, off, size);
        int site = inMapValue(dst, off, size, true);
        if (site >= 0 || inFrame(dst, off, size)) {
            c.aload(site >= 0 ? siteArray(site) : frame());
            arrayIndex(dst, off);
            c.loadConstant(imm);
            get(src);
            get(0).invokestatic(CD_FRAME, name, MethodTypeDesc.of(CD_long, CD_BYTES, CD_int, CD_int, CD_long, CD_long));
        } else {
            c.aload(mem()).loadConstant(imm);
            address(dst, off);
            get(src);
            get(0).loadConstant(pc).invokevirtual(CD_MEMORY, name,
                    MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_long, CD_long, CD_int));
        }
        if (imm == ATOMIC_CMPXCHG) {
            put(0);
        } else if ((imm & FETCH) != 0) {
            put(src);
        } else {
            c.pop2();
        }
    }

    // ---- control flow -------------------------------------------------------------------------

    private void jump(int pc, int op, int dst, int src, int off, int imm) {
        int code = op & OP_MASK;
        switch (code) {
            case JA -> goTo(pc, Cfg.jumpTarget(Insn.encode(op, dst, src, off, imm), pc));
            case EXIT -> exit();
            case CALL -> {
                if (op == CALLX) {
                    comp.packetWrite();
                    beforeHelper(pc);
                    c.ldc(Compiler.classData(0, CD_LINKAGE));
                    get(dst);
                    for (int r = 1; r <= 5; r++) {
                        get(r);
                    }
                    c.loadConstant(pc).invokestatic(CD_RUNTIME, "callx", MethodTypeDesc.of(CD_long, CD_LINKAGE,
                            CD_long, CD_long, CD_long, CD_long, CD_long, CD_long, CD_int));
                    afterHelper(pc, true);
                } else if (src == CALL_LOCAL) {
                    callLocal(pc, pc + 1 + imm);
                } else if (comp.lookups.siteAt(pc) >= 0) {
                    inlineLookup(pc, comp.lookups.siteAt(pc));
                } else {
                    if (!comp.packetSafeHelper(imm)) {
                        comp.packetWrite();
                    }
                    beforeHelper(pc);
                    c.ldc(Compiler.classData(comp.helperConstant(imm), CD_HELPER))
                            .ldc(Compiler.classData(0, CD_LINKAGE))
                            .invokevirtual(CD_LINKAGE, "context", MethodTypeDesc.of(CD_CONTEXT));
                    for (int r = 1; r <= 5; r++) {
                        get(r);
                    }
                    c.loadConstant(pc).invokestatic(CD_RUNTIME, "helper", MethodTypeDesc.of(CD_long, CD_HELPER,
                            CD_CONTEXT, CD_long, CD_long, CD_long, CD_long, CD_long, CD_int));
                    afterHelper(pc, imm == Cfg.TAIL_CALL_HELPER);
                }
            }
            default -> {
                int target = pc + 1 + off;
                Label taken = edge(pc, target);
                if (!nullCheck(op, dst, imm, taken)) {
                    condition(op, dst, src, imm, taken);
                }
            }
        }
    }

    /** Branches to {@code taken} when the condition of {@code op} holds; same bytecode as {@code Jumps}. */
    private void condition(int op, int dst, int src, int imm, Label taken) {
        boolean x = (op & SRC_X) != 0;
        int code = op & OP_MASK;
        if (opClass(op) == JMP) {
            get(dst);
            if (x) {
                get(src);
            } else {
                c.loadConstant((long) imm);
            }
            switch (code) {
                case JSET -> c.land().lconst_0().lcmp().ifne(taken);
                case JGT, JGE, JLT, JLE -> {
                    // Both sides provably in [0, 2^63): the unsigned order is the signed one.
                    boolean signedSuffices = cur[dst].nonNegativeScalar()
                            && (x ? cur[src].nonNegativeScalar() : imm >= 0);
                    if (signedSuffices) {
                        c.lcmp();
                    } else {
                        c.invokestatic(CD_Long, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
                    }
                    c.branch(zeroBranch(code), taken);
                }
                default -> c.lcmp().branch(zeroBranch(code), taken);
            }
        } else {
            getInt(dst);
            if (x) {
                getInt(src);
            } else {
                c.loadConstant(imm);
            }
            switch (code) {
                case JSET -> c.iand().ifne(taken);
                case JGT, JGE, JLT, JLE -> {
                    c.invokestatic(CD_Integer, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_int, CD_int));
                    c.branch(zeroBranch(code), taken);
                }
                default -> c.branch(switch (code) {
                    case JEQ -> Opcode.IF_ICMPEQ;
                    case JNE -> Opcode.IF_ICMPNE;
                    case JSGT -> Opcode.IF_ICMPGT;
                    case JSGE -> Opcode.IF_ICMPGE;
                    case JSLT -> Opcode.IF_ICMPLT;
                    default -> Opcode.IF_ICMPLE;
                }, taken);
            }
        }
    }

    /** The branch on a comparison result (-1/0/1) for a condition code. */
    private static Opcode zeroBranch(int code) {
        return switch (code) {
            case JEQ -> Opcode.IFEQ;
            case JNE -> Opcode.IFNE;
            case JGT, JSGT -> Opcode.IFGT;
            case JGE, JSGE -> Opcode.IFGE;
            case JLT, JSLT -> Opcode.IFLT;
            case JLE, JSLE -> Opcode.IFLE;
            default -> throw new IllegalStateException("condition " + code);
        };
    }

    /**
     * The label a taken jump from {@code pc} to {@code target} branches to: the block itself for a
     * forward jump inside this method, else a stub that checks the budget (backward) and/or leaves
     * the region.
     */
    private Label edge(int pc, int target) {
        int local = plan.localOf(cfg.blockAt[target]);
        boolean backward = target <= pc;
        boolean here = local >= lo && local < hi;
        if (!backward && here) {
            return labels[local - lo];
        }
        Label stub = c.newLabel();
        stubs.add(() -> {
            c.labelBinding(stub);
            transfer(pc, local, backward, here);
        });
        return stub;
    }

    private void goTo(int pc, int target) {
        int local = plan.localOf(cfg.blockAt[target]);
        transfer(pc, local, target <= pc, local >= lo && local < hi);
    }

    private void transfer(int pc, int local, boolean backward, boolean here) {
        if (backward) {
            budgetCheck(pc);
        }
        if (here) {
            c.goto_(labels[local - lo]);
        } else {
            leave(local);
        }
    }

    /** Leaves a region for block {@code local} of this subprogram (split form only). */
    private void leave(int local) {
        if (!split) {
            throw new IllegalStateException("direct-form method leaving to block " + local);
        }
        c.loadConstant(local).istore(next()).goto_(tail);
    }

    /** Charges a block's {@code insns} instructions at its entry; nothing when the budget cannot run out. */
    private void charge(int insns) {
        addToBudget(-insns);
    }

    /** Gives back {@code insns} instructions charged at block entry but not executed (an early exit). */
    void refund(int insns) {
        if (insns != 0) {
            addToBudget(insns);
        }
    }

    /** Adds {@code insns} (negative: charges them) to the remainder, in the budget's own units. */
    private void addToBudget(int insns) {
        if (comp.budgetFree) {
            return; // BudgetBound: no run executes more than the budget
        }
        if (comp.intBudget) {
            int units = insns * comp.budgetScale;
            if (units >= Short.MIN_VALUE && units <= Short.MAX_VALUE) {
                c.iinc(rem(), units);
            } else {
                c.iload(rem()).loadConstant(units).iadd().istore(rem());
            }
        } else {
            c.lload(rem()).loadConstant((long) insns).ladd().lstore(rem());
        }
    }

    private void budgetCheck(int pc) {
        if (comp.budgetFree) {
            return; // the budget cannot run out (BudgetBound)
        }
        if (comp.intBudget) {
            c.iload(rem()).iflt(trapLabel(budgetTraps, pc));
        } else {
            c.lload(rem()).lconst_0().lcmp().iflt(trapLabel(budgetTraps, pc));
        }
    }

    /** Loads the run's remaining budget from the state. */
    private void budgetIn() {
        c.aload(state()).getfield(CD_STATE, "budget", CD_long);
        if (comp.intBudget) {
            c.l2i().istore(rem());
        } else {
            c.lstore(rem());
        }
    }

    /** Stores the remaining budget into the state (before a call, at an exit or a region exit). */
    private void budgetOut() {
        c.aload(state());
        if (comp.intBudget) {
            c.iload(rem()).i2l();
        } else {
            c.lload(rem());
        }
        c.putfield(CD_STATE, "budget", CD_long);
    }

    private Label trapLabel(Map<Integer, Label> traps, int pc) {
        return traps.computeIfAbsent(pc, k -> c.newLabel());
    }

    private void trapStubs(Map<Integer, Label> traps, String factory) {
        traps.forEach((pc, label) -> {
            c.labelBinding(label);
            c.loadConstant(pc).invokestatic(CD_RUNTIME, factory, I_TRAP).athrow();
        });
    }

    /**
     * Before a helper call: the budget check, then the depth and the remaining budget into the
     * state, where a callback the helper runs ({@code bpf_loop}, see {@link JitCallbacks}) picks
     * them up, so it counts the same budget one frame deeper.
     */
    private void beforeHelper(int pc) {
        comp.frameWrite(0); // a helper may write through a stack pointer argument
        budgetCheck(pc);
        c.aload(state()).iload(0).putfield(CD_STATE, "depth", CD_int);
        budgetOut();
    }

    /**
     * After a helper call: r0, the budget back (a callback may have spent some), and for a helper
     * that may tail call, the tail call: pc 0 of this program at the same depth with every register
     * as it is now (r1 = ctx and r10 kept), whose exit is this subprogram's exit, as in the kernel.
     */
    private void afterHelper(int pc, boolean mayTailCall) {
        put(0);
        budgetIn();
        if (packet != null) {
            packet.reloadInput(mem(), input());
        }
        if (!mayTailCall) {
            return;
        }
        Label none = c.newLabel();
        Label sibling = c.newLabel();
        Label entered = c.newLabel();
        c.ldc(Compiler.classData(0, CD_LINKAGE)).loadConstant(pc)
                .invokestatic(CD_RUNTIME, "tailCall", MethodTypeDesc.of(CD_int, CD_LINKAGE, CD_int))
                .dup().istore(index()).ifeq(none);
        budgetOut();
        c.iload(index()).iconst_1().if_icmpne(sibling);
        callEntry();
        c.goto_(entered);
        c.labelBinding(sibling); // a program loaded with this one (JitBackend.loadAll): TailCalls
        c.ldc(Compiler.classData(0, CD_LINKAGE)).iload(0);
        for (int r = 0; r < 10; r++) {
            get(r);
        }
        c.invokestatic(CD_RUNTIME, "enterSibling", TailCalls.ENTER_TYPE);
        c.labelBinding(entered);
        if (!split) {
            // f0's exit has left r1..r5 and the budget in the state for our caller, as ours would.
            c.lreturn();
        } else {
            put(0);
            c.aload(regs()).iconst_0();
            get(0).lastore();
            if (comp.exitHandsOff()) { // the driver hands regs[1..5] to our caller: make them f0's
                c.aload(state()).getfield(CD_STATE, "ret", CD_LONG_ARRAY).astore(ret());
                for (int r = 1; r <= 5; r++) {
                    c.aload(regs()).loadConstant(r).aload(ret()).loadConstant(r).laload().lastore();
                }
            }
            c.iconst_m1().ireturn(); // the driver returns regs[0]
        }
        c.labelBinding(none);
    }

    /**
     * {@code bpf_map_lookup_elem} on an array, inline (the kernel's array_map_gen_lookup): the budget
     * check every helper call has, the 4-byte key read from r2 like any load (a bad key pointer traps
     * OUT_OF_BOUNDS at the call, as the helper's read does), the unsigned compare with max_entries
     * (two signed ones: max_entries is a positive int), and r0 = {@code address(firstRegion + key, 0)},
     * or 0. The element's array comes from the map's element cache ({@link JitMaps}, a class-data
     * constant, so C2 knows its length is max_entries and drops its bounds check) and is kept for the
     * accesses that follow; only when an element is not cached yet (once per element) does
     * {@link JitMaps#element} map it through the map's own lookup. r1..r5 keep their values, as after
     * a helper; nothing is written, so the frame-zeroing floor is not lowered.
     */
    private void inlineLookup(int pc, int site) {
        ArrayLookups.Site s = comp.lookups.site(site);
        var elements = Compiler.classData(comp.elementsConstant(site), CD_BYTES.arrayType());
        budgetCheck(pc);
        Label outOfRange = c.newLabel();
        Label cached = c.newLabel();
        Label done = c.newLabel();
        RegisterFacts.Fact keyPointer = cur[2];
        if (!(keySlot != NO_SLOT && keyPointer.kind() == RegisterFacts.FRAME && keyPointer.lo() == keySlot
                && keyPointer.hi() == keySlot)) {
            pushLoad(pc, 4, 2, 0);
            c.l2i().istore(key());
        } // else the key is in key() since the store of the same block (keySlot), and the slot is in the frame
        c.iload(key()).iflt(outOfRange);
        c.iload(key()).loadConstant(s.maxEntries()).if_icmpge(outOfRange);
        c.ldc(elements).iload(key()).aaload().dup().ifnonnull(cached);
        c.pop().ldc(Compiler.classData(comp.mapConstant(site), CD_ARRAY_MAP)).aload(mem()).ldc(elements).iload(key())
                .invokestatic(CD_JIT_MAPS, "element",
                        MethodTypeDesc.of(CD_BYTES, CD_ARRAY_MAP, CD_MEMORY, CD_BYTES.arrayType(), CD_int));
        c.labelBinding(cached);
        if (split) {
            c.pop();
        } else {
            c.astore(siteArray(site));
        }
        // firstRegion + key is the element's region, an int (Memory's region indexes are ints); added
        // as ints after the signed checks, C2 sees a positive range and can drop the program's NULL
        // check of r0.
        c.iload(key()).loadConstant(s.firstRegion()).iadd().i2l().loadConstant(Memory.REGION_SHIFT).lshl()
                .goto_(done);
        c.labelBinding(outOfRange);
        if (!split) {
            c.aconst_null().astore(siteArray(site)); // see nullCheck
        }
        c.lconst_0();
        c.labelBinding(done);
        put(0);
    }

    /**
     * A {@code jeq}/{@code jne} of a site's unchecked result against 0, in the direct form: the
     * register is exactly what the site returned last ({@link RegisterFacts#MAP_VALUE}), which is
     * NULL exactly when the site left its array local null, so the local is tested instead. C2 then
     * knows the array is non-null past the test and drops its own checks of it.
     */
    private boolean nullCheck(int op, int dst, int imm, Label taken) {
        RegisterFacts.Fact f = cur[dst];
        int code = op & OP_MASK;
        if (split || !f.orNull() || opClass(op) != JMP || (op & SRC_X) != 0 || imm != 0
                || code != JEQ && code != JNE) {
            return false;
        }
        c.aload(siteArray(RegisterFacts.mapValueSite(f.kind() - 1)));
        if (code == JEQ) {
            c.ifnull(taken);
        } else {
            c.ifnonnull(taken);
        }
        return true;
    }

    /** Pushes the r0 of {@code f0(depth, r0..r9)}. */
    private void callEntry() {
        c.iload(0);
        for (int r = 0; r < 10; r++) {
            get(r);
        }
        c.invokestatic(CD_THIS, Compiler.fnName(cfg.functionAt.get(0)), FN_TYPE);
    }

    private void callLocal(int pc, int target) {
        budgetCheck(pc);
        c.iload(0).loadConstant(Memory.MAX_FRAMES - 1).if_icmpge(trapLabel(depthTraps, pc));
        budgetOut();
        c.iload(0).iconst_1().iadd();
        for (int r = 0; r < 10; r++) {
            get(r);
        }
        c.invokestatic(CD_THIS, Compiler.fnName(cfg.functionAt.get(target)), FN_TYPE);
        put(0);
        c.aload(state()).getfield(CD_STATE, "ret", CD_LONG_ARRAY).astore(ret());
        for (int r = 1; r <= 5; r++) {
            c.aload(ret()).loadConstant(r).laload();
            put(r);
        }
        budgetIn();
        if (packet != null) {
            packet.reloadInput(mem(), input());
        }
    }

    void exit() {
        if (split) {
            c.iconst_m1().istore(next()).goto_(tail);
            return;
        }
        if (comp.exitHandsOff()) {
            c.aload(state()).getfield(CD_STATE, "ret", CD_LONG_ARRAY).astore(ret());
            for (int r = 1; r <= 5; r++) {
                c.aload(ret()).loadConstant(r);
                get(r).lastore();
            }
            budgetOut();
        }
        get(0).lreturn();
    }
}
