package dev.bpfh.jit;

import static java.lang.constant.ConstantDescs.*;

import dev.bpfh.exec.Helpers;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.constant.ClassDesc;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.reflect.AccessFlag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a {@link Cfg} into the bytes of one class.
 *
 * <p>Shape: one static method {@code f<i>(int depth, long r0..r9) -> r0} per subprogram. A
 * subprogram whose estimated bytecode fits {@code regionTarget} is that method alone, with the
 * registers in locals. A bigger one is split into region methods {@code f<i>r<k>(depth, block) ->
 * next block} (contiguous runs of its blocks in pc order; registers travel through
 * {@link RunState#regs} at region boundaries) driven by a loop in {@code f<i>} and a tree of small
 * dispatch methods, so every method stays under HotSpot's 8000-byte HugeMethodLimit.
 */
final class Compiler {
    static final ClassDesc CD_THIS = ClassDesc.of("dev.bpfh.jit.Compiled");
    static final ClassDesc CD_LINKAGE = ClassDesc.of(Linkage.class.getName());
    static final ClassDesc CD_STATE = ClassDesc.of(RunState.class.getName());
    static final ClassDesc CD_MEMORY = ClassDesc.of("dev.bpfh.exec.Memory");
    static final ClassDesc CD_CONTEXT = ClassDesc.of("dev.bpfh.exec.RunContext");
    static final ClassDesc CD_HELPER = ClassDesc.of("dev.bpfh.exec.Helper");
    static final ClassDesc CD_LONG_ARRAY = CD_long.arrayType();
    static final ClassDesc CD_INT_ARRAY = CD_int.arrayType();
    static final MethodTypeDesc FN_TYPE = MethodTypeDesc.of(CD_long, CD_int,
            CD_long, CD_long, CD_long, CD_long, CD_long, CD_long, CD_long, CD_long, CD_long, CD_long);
    /** {@code static long entry(long r1, long r2)}: f0 at depth 0 with the other registers 0. */
    static final String ENTRY_NAME = "entry";
    static final MethodTypeDesc ENTRY_TYPE = MethodTypeDesc.of(CD_long, CD_long, CD_long);
    static final MethodTypeDesc REGION_TYPE = MethodTypeDesc.of(CD_int, CD_int, CD_int);
    static final MethodTypeDesc NODE_TYPE = MethodTypeDesc.of(CD_int, CD_int, CD_int, CD_int);
    /** Children per dispatch method: 64 cases of ~10 bytes each stay far below the limit. */
    static final int FANOUT = 64;

    /** How one subprogram is laid out. */
    static final class FnPlan {
        final int index;
        private final Cfg.Function fn;
        /** Local index of the first block of each region, plus blocks.length at the end. */
        int[] regionStart;
        int tableData = -1;
        private final RegisterFacts facts;
        /** {@link MethodGen#lowHalfUsed}, computed once for all of the subprogram's methods. */
        private boolean[] lowHalfUsed;

        boolean[] lowHalfUsed(Cfg cfg) {
            if (lowHalfUsed == null) {
                lowHalfUsed = MethodGen.lowHalfUsed(cfg, this);
            }
            return lowHalfUsed;
        }

        Cfg.Function fn() {
            return fn;
        }

        RegisterFacts facts() {
            return facts;
        }

        FnPlan(int index, Cfg.Function fn, RegisterFacts facts) {
            this.index = index;
            this.fn = fn;
            this.facts = facts;
        }

        boolean split() {
            return regionStart.length > 2;
        }

        int localOf(int globalBlock) {
            return java.util.Arrays.binarySearch(fn.blocks(), globalBlock);
        }

        int regionOf(int local) {
            int i = java.util.Arrays.binarySearch(regionStart, local);
            return i >= 0 ? i : -i - 2;
        }
    }

    final Cfg cfg;
    final Helpers helpers;
    final int regionTarget;
    final List<FnPlan> plans = new ArrayList<>();
    /** Class data: element 0 the Linkage (filled in by the caller), then helpers and tables. */
    final List<Object> classData = new ArrayList<>();
    final Map<Integer, Integer> helperData = new TreeMap<>();

    /**
     * Whether the instruction budget fits an int, so the generated methods count it in an int local
     * (remaining budget is at most the budget, and at least minus a few program lengths).
     */
    final boolean intBudget;
    /**
     * The int budget counts in units of 1/{@code budgetScale} instruction: each block charges
     * {@code budgetScale} times its length. A loop whose counter steps by 2
     * and whose body is 7 instructions then lowers the counter by 14 per step, an integer multiple
     * of the counter's stride, which is what lets C2 express the budget as a function of the loop
     * counter and fold its check into the loop limit (checksum_1500); with a scale of 1 the check
     * stays in every iteration. The scale is the least common multiple (at most
     * {@link #MAX_BUDGET_SCALE}) of the constants 2..16 the program adds or subtracts, and 1 unless
     * the scaled budget still fits an int. A trap happens exactly when the unscaled count would be
     * negative, as before. {@link RunState#budget} holds the scaled count too (the executable
     * starts it at budget × scale), so calls pass it on without converting: a multiply and a divide
     * by 7 around every call made call_chain 10x slower (they sit on the budget's dependency chain).
     */
    final int budgetScale;
    static final int MAX_BUDGET_SCALE = 16;
    /** The load-time instruction budget (unscaled). */
    private final long budget;
    /**
     * Whether no run can exceed the budget ({@link BudgetBound} proves at most {@link #budget}
     * instructions and the program is no member of a set): then no method counts or checks it.
     * Decided in {@link #build}, when {@link #inSet} is known.
     */
    boolean budgetFree;
    /** How many one-block loops keep a sum as two partial sums ({@code MethodGen.splitAccumulator}). */
    int splitSums;
    /**
     * The lowest frame-array index any instruction of the program can write ({@link dev.bpfh.exec.Memory#FRAME_SIZE}
     * when none can): stores and atomics proven inside the frame lower it to their lowest byte; any
     * other store, atomic or helper call (which may write through a stack pointer) makes it 0. A run
     * re-zeroes only {@code [frameWriteFloor, FRAME_SIZE)} of each frame, the only bytes a previous run
     * can have written.
     */
    int frameWriteFloor = dev.bpfh.exec.Memory.FRAME_SIZE;

    /** The lcm, up to {@link #MAX_BUDGET_SCALE}, of the constants in 2..16 the program adds or subtracts. */
    private static int strideScale(Cfg cfg) {
        int lcm = 1;
        for (int pc = 0; pc < cfg.slots.length; pc++) {
            long w = cfg.slots[pc];
            int op = dev.bpfh.isa.Insn.opcode(w);
            if (op == dev.bpfh.isa.Opcodes.LDDW) {
                pc++;
                continue;
            }
            int cls = dev.bpfh.isa.Opcodes.opClass(op);
            int code = op & dev.bpfh.isa.Opcodes.OP_MASK;
            boolean aluK = (cls == dev.bpfh.isa.Opcodes.ALU || cls == dev.bpfh.isa.Opcodes.ALU64)
                    && (op & dev.bpfh.isa.Opcodes.SRC_X) == 0;
            if (aluK && (code == dev.bpfh.isa.Opcodes.ADD || code == dev.bpfh.isa.Opcodes.SUB)) {
                int stride = Math.abs(dev.bpfh.isa.Insn.imm(w));
                if (stride >= 2 && stride <= MAX_BUDGET_SCALE) {
                    int next = lcm / gcd(lcm, stride) * stride;
                    if (next <= MAX_BUDGET_SCALE) {
                        lcm = next;
                    }
                }
            }
        }
        return lcm;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * Whether a run may write region 1, the packet of a typed program: any store or atomic not
     * proven to hit the frame or an inlined map value, a tail call, callx, and any helper call but
     * those of {@link #packetSafeHelper}. When no instruction may, a run maps the caller's packet
     * itself as region 1 ({@link dev.bpfh.ctx.PacketContext#begin(dev.bpfh.spi.RunInput, boolean)}).
     */
    boolean packetWritable;

    void packetWrite() {
        packetWritable = true;
    }

    /**
     * The helpers that never write program memory in place (only map memory, the ring buffer, or a
     * frame the XDP helpers copy the packet into first), when they are the harness's own: a helper an
     * embedder registered under one of these ids is not trusted.
     */
    boolean packetSafeHelper(int id) {
        dev.bpfh.exec.Helper h = helpers.get(id);
        if (h == null) {
            return false;
        }
        Class<?> host = h.getClass().getNestHost();
        boolean ours = host == dev.bpfh.exec.Helpers.class || host == dev.bpfh.maps.MapHelpers.class
                || host == dev.bpfh.ctx.PacketHelpers.class;
        return ours && switch (id) {
            case dev.bpfh.maps.MapHelpers.MAP_LOOKUP_ELEM, dev.bpfh.maps.MapHelpers.MAP_UPDATE_ELEM,
                    dev.bpfh.maps.MapHelpers.MAP_DELETE_ELEM, dev.bpfh.exec.Helpers.KTIME_GET_NS,
                    dev.bpfh.exec.Helpers.GET_PRANDOM_U32, dev.bpfh.exec.Helpers.GET_SMP_PROCESSOR_ID,
                    dev.bpfh.ctx.HelperAvailability.CSUM_DIFF, dev.bpfh.ctx.HelperAvailability.XDP_ADJUST_HEAD,
                    dev.bpfh.ctx.HelperAvailability.XDP_ADJUST_META, dev.bpfh.ctx.HelperAvailability.XDP_ADJUST_TAIL,
                    dev.bpfh.maps.MapHelpers.RINGBUF_OUTPUT, dev.bpfh.maps.MapHelpers.RINGBUF_RESERVE,
                    dev.bpfh.maps.MapHelpers.RINGBUF_SUBMIT, dev.bpfh.maps.MapHelpers.RINGBUF_DISCARD,
                    dev.bpfh.maps.MapHelpers.RINGBUF_QUERY, dev.bpfh.maps.MapHelpers.LOOP -> true;
            default -> false;
        };
    }

    /** Records that the program may write frame bytes from {@code index} on ({@code 0}: anywhere). */
    void frameWrite(int index) {
        frameWriteFloor = Math.max(0, Math.min(frameWriteFloor, index));
    }

    /**
     * The value each {@code lddw} with a pseudo-source loads (map handle, map value pointer,
     * function address; see {@link dev.bpfh.maps.MapSet#lddwValue}), indexed by pc; baked into the
     * bytecode as constants.
     */
    private final long[] pseudoValues;

    /**
     * A typed program's context accesses ({@link PacketCode} compiles them and the packet loads);
     * null for a raw program.
     */
    final dev.bpfh.ctx.ContextAccesses ctx;
    /**
     * Whether the program is a member of a {@link ProgramSet}: a sibling may tail-call into it from
     * a subprogram, whose caller then goes on with the budget and r1..r5 this program's exit leaves
     * in its state. Set before {@link #build}.
     */
    boolean inSet;

    /** Whether every exit of the entry function leaves r1..r5 and the budget in the state. */
    boolean exitHandsOff() {
        return cfg.hasLocalCalls || inSet;
    }

    /** Class-data index of each context access's {@code Access} object, by pc. */
    private final Map<Integer, Integer> accessData = new TreeMap<>();

    /** The {@code bpf_map_lookup_elem} calls emitted inline. */
    final ArrayLookups lookups;
    /** Class-data index of each map an inline lookup reads, by map index. */
    private final Map<Integer, Integer> mapData = new TreeMap<>();

    Compiler(Cfg cfg, Helpers helpers, int regionTarget, long budget, long[] pseudoValues) {
        this(cfg, helpers, regionTarget, budget, pseudoValues, null, ArrayLookups.NONE);
    }

    Compiler(Cfg cfg, Helpers helpers, int regionTarget, long budget, long[] pseudoValues,
            dev.bpfh.ctx.ContextAccesses ctx, ArrayLookups lookups) {
        this.cfg = cfg;
        this.ctx = ctx;
        this.lookups = lookups;
        this.pseudoValues = pseudoValues;
        this.helpers = helpers;
        this.regionTarget = regionTarget;
        this.budget = budget;
        int scale = strideScale(cfg);
        this.budgetScale = budget <= Integer.MAX_VALUE / scale ? scale : 1;
        this.intBudget = budget <= Integer.MAX_VALUE / budgetScale;
        classData.add(null);
        for (int i = 0; i < cfg.functions.size(); i++) {
            Cfg.Function fn = cfg.functions.get(i);
            boolean programEntry = fn.entry() == 0 && RegisterFacts.entryNeverCalled(cfg);
            FnPlan p = new FnPlan(i, fn, new RegisterFacts(cfg, fn, programEntry, ctx, lookups));
            plan(p);
            plans.add(p);
        }
    }

    /** Greedy packing of a subprogram's blocks into regions by estimated bytecode size. */
    private void plan(FnPlan p) {
        int[] blocks = p.fn().blocks();
        int total = 0;
        int[] est = new int[blocks.length];
        for (int i = 0; i < blocks.length; i++) {
            est[i] = MethodGen.estimate(cfg, cfg.blocks.get(blocks[i]));
            total += est[i];
        }
        if (total + MethodGen.PROLOGUE_ESTIMATE <= regionTarget) {
            p.regionStart = new int[] {0, blocks.length};
            return;
        }
        List<Integer> starts = new ArrayList<>();
        int size = 0;
        for (int i = 0; i < blocks.length; i++) {
            int cost = est[i] + 4; // plus its tableswitch entry
            if (i == 0 || size + cost > regionTarget - MethodGen.REGION_OVERHEAD) {
                starts.add(i);
                size = 0;
            }
            size += cost;
        }
        if (starts.size() == 1) { // the estimate's slack: a single region is the direct form
            p.regionStart = new int[] {0, blocks.length};
            return;
        }
        starts.add(blocks.length);
        p.regionStart = starts.stream().mapToInt(Integer::intValue).toArray();
        int[] table = new int[blocks.length];
        for (int i = 0; i < blocks.length; i++) {
            table[i] = p.regionOf(i);
        }
        p.tableData = classData.size();
        classData.add(table);
    }

    /** What the {@code lddw} at {@code pc} loads. */
    long wideValue(int pc) {
        long w = cfg.slots[pc];
        return dev.bpfh.isa.Insn.src(w) == 0 ? dev.bpfh.isa.Insn.wideImm(w, cfg.slots[pc + 1]) : pseudoValues[pc];
    }

    /** The class-data index holding helper {@code id}, registering it on first use. */
    int helperConstant(int id) {
        return helperData.computeIfAbsent(id, k -> {
            classData.add(helpers.get(k));
            return classData.size() - 1;
        });
    }

    /** The class-data index holding the context access at {@code pc}, registering it on first use. */
    int accessConstant(int pc) {
        return accessData.computeIfAbsent(pc, k -> {
            classData.add(ctx.at(k));
            return classData.size() - 1;
        });
    }

    /**
     * The class-data index holding the map of inline lookup site {@code site}, registering it on first
     * use; the next index holds the map's element cache ({@link JitMaps}).
     */
    int mapConstant(int site) {
        ArrayLookups.Site s = lookups.site(site);
        return mapData.computeIfAbsent(s.mapIndex(), k -> {
            classData.add(s.map());
            classData.add(new byte[s.maxEntries()][]);
            return classData.size() - 2;
        });
    }

    /** The class-data index of the element cache of site {@code site}'s map. */
    int elementsConstant(int site) {
        return mapConstant(site) + 1;
    }

    static DynamicConstantDesc<Object> classData(int index, ClassDesc type) {
        return DynamicConstantDesc.ofNamed(BSM_CLASS_DATA_AT, DEFAULT_NAME, type, index);
    }

    static String fnName(int fn) {
        return "f" + fn;
    }

    byte[] build() {
        budgetFree = !inSet && plans.size() == 1 && BudgetBound.maxInsns(cfg, plans.get(0), lookups) <= budget;
        return ClassFile.of().build(CD_THIS, cb -> {
            cb.withFlags(AccessFlag.PUBLIC, AccessFlag.FINAL);
            // The executable's entry: a static method, so its handle is a direct one (no bound
            // receiver, no virtual dispatch on the way in); the class is never instantiated.
            cb.withMethodBody(ENTRY_NAME, ENTRY_TYPE, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, c -> {
                c.iconst_0().lconst_0().lload(0).lload(2);
                for (int i = 3; i < 10; i++) {
                    c.lconst_0();
                }
                c.invokestatic(CD_THIS, fnName(0), FN_TYPE).lreturn();
            });
            for (FnPlan p : plans) {
                int flags = ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE;
                if (!p.split()) {
                    cb.withMethodBody(fnName(p.index), FN_TYPE, flags,
                            c -> new MethodGen(this, p, c, 0, p.fn().blocks().length, false).emit());
                    continue;
                }
                cb.withMethodBody(fnName(p.index), FN_TYPE, flags, c -> emitDriver(p, c));
                int regions = p.regionStart.length - 1;
                for (int k = 0; k < regions; k++) {
                    int lo = p.regionStart[k];
                    int hi = p.regionStart[k + 1];
                    cb.withMethodBody(fnName(p.index) + "r" + k, REGION_TYPE, flags,
                            c -> new MethodGen(this, p, c, lo, hi, true).emit());
                }
                emitNodes(cb, p, 0, regions, flags);
            }
        });
    }

    private static String nodeName(FnPlan p, int lo, int hi) {
        return fnName(p.index) + "d" + lo + "_" + hi;
    }

    /** Dispatch tree over regions [lo, hi): a tableswitch on the region number, at most FANOUT wide. */
    private void emitNodes(java.lang.classfile.ClassBuilder cb, FnPlan p, int lo, int hi, int flags) {
        int span = 1;
        while ((hi - lo + span - 1) / span > FANOUT) {
            span *= FANOUT;
        }
        int children = (hi - lo + span - 1) / span;
        int spanF = span;
        cb.withMethodBody(nodeName(p, lo, hi), NODE_TYPE, flags, c -> {
            List<SwitchCase> cases = new ArrayList<>();
            List<Label> labels = new ArrayList<>();
            for (int k = 0; k < children; k++) {
                Label l = c.newLabel();
                labels.add(l);
                cases.add(SwitchCase.of(k, l));
            }
            Label dflt = c.newLabel();
            c.iload(2).loadConstant(lo).isub();
            if (spanF > 1) {
                c.loadConstant(spanF).idiv();
            }
            c.tableswitch(0, children - 1, dflt, cases);
            for (int k = 0; k < children; k++) {
                c.labelBinding(labels.get(k));
                int clo = lo + k * spanF;
                int chi = Math.min(hi, clo + spanF);
                if (spanF == 1) {
                    c.iload(0).iload(1).invokestatic(CD_THIS, fnName(p.index) + "r" + clo, REGION_TYPE).ireturn();
                } else {
                    c.iload(0).iload(1).iload(2).invokestatic(CD_THIS, nodeName(p, clo, chi), NODE_TYPE).ireturn();
                }
            }
            c.labelBinding(dflt);
            c.new_(CD_IllegalStateException).dup().invokespecial(CD_IllegalStateException, INIT_NAME, MTD_void).athrow();
        });
        if (span > 1) {
            for (int clo = lo; clo < hi; clo += span) {
                emitNodes(cb, p, clo, Math.min(hi, clo + span), flags);
            }
        }
    }

    static final ClassDesc CD_IllegalStateException = ClassDesc.of("java.lang.IllegalStateException");

    /** f<i> of a split subprogram: registers into the depth's register file, then the block loop. */
    private void emitDriver(FnPlan p, CodeBuilder c) {
        int regs = 21;
        int b = 22;
        c.ldc(classData(0, CD_LINKAGE)).invokevirtual(CD_LINKAGE, "state", MethodTypeDesc.of(CD_STATE))
                .getfield(CD_STATE, "regs", CD_LONG_ARRAY.arrayType()).iload(0).aaload().astore(regs);
        for (int i = 0; i < 10; i++) {
            c.aload(regs).loadConstant(i).lload(1 + 2 * i).lastore();
        }
        c.loadConstant(p.localOf(cfg.blockAt[p.fn().entry()])).istore(b);
        Label loop = c.newLabel();
        c.labelBinding(loop);
        c.iload(0).iload(b).ldc(classData(p.tableData, CD_INT_ARRAY)).iload(b).iaload()
                .invokestatic(CD_THIS, nodeName(p, 0, p.regionStart.length - 1), NODE_TYPE)
                .dup().istore(b).ifge(loop);
        if (exitHandsOff()) {
            c.ldc(classData(0, CD_LINKAGE)).invokevirtual(CD_LINKAGE, "state", MethodTypeDesc.of(CD_STATE))
                    .getfield(CD_STATE, "ret", CD_LONG_ARRAY).astore(b + 1);
            for (int i = 1; i <= 5; i++) {
                c.aload(b + 1).loadConstant(i).aload(regs).loadConstant(i).laload().lastore();
            }
        }
        c.aload(regs).iconst_0().laload().lreturn();
    }
}
