package dev.bpfh.interp;

import static dev.bpfh.isa.Opcodes.JEQ;
import static dev.bpfh.isa.Opcodes.JGE;
import static dev.bpfh.isa.Opcodes.JGT;
import static dev.bpfh.isa.Opcodes.JLE;
import static dev.bpfh.isa.Opcodes.JLT;
import static dev.bpfh.isa.Opcodes.JNE;
import static dev.bpfh.isa.Opcodes.JSET;
import static dev.bpfh.isa.Opcodes.JSGE;
import static dev.bpfh.isa.Opcodes.JSGT;
import static dev.bpfh.isa.Opcodes.JSLE;
import static dev.bpfh.isa.Opcodes.JSLT;

import dev.bpfh.ctx.ContextAccesses;
import dev.bpfh.ctx.ContextLayout;
import dev.bpfh.ctx.PacketContext;
import dev.bpfh.exec.Helper;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.RunContext;
import dev.bpfh.exec.Trap;
import dev.bpfh.isa.Alu;
import dev.bpfh.isa.Jumps;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import dev.bpfh.spi.TrapKind;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * A loaded program in the interpreter: pre-decoded arrays (see {@link Predecoder}) and one
 * dispatch loop that switches on the dense {@link Op} number.
 *
 * <p>Shape of the loop (the GraalWasm pattern): registers in a {@code long[16]} allocated by the
 * loop method itself (so C2 knows its length and the {@code & 15} register indices need no range
 * check), the program counter, the budget and the call depth in locals, and every rare or bulky
 * operation (calls, atomics) in a small method of its own, so that {@link #execute} stays far
 * below HotSpot's 8000-byte {@code HugeMethodLimit} and C2 compiles it.
 *
 * <p><b>Budget without a per-instruction counter.</b> Execution between two control transfers is
 * straight-line, so the count of executed instructions is {@code base + pc + 1} after the
 * instruction at {@code pc}, where {@code base} changes only when control jumps (taken jump, call,
 * exit to the caller) or skips a slot ({@code lddw} counts once but occupies two). The loop keeps
 * {@code rem = budget - base}; the check "count including this instruction exceeds the budget"
 * is then {@code pc >= rem}, and a transfer from {@code pc} to {@code t} does
 * {@code rem += t - pc - 1}. This gives exactly the count of the architecture.md budget rule at
 * every check, at the cost of one add per taken jump.
 *
 * <p>Not thread-safe: one run at a time (the {@link Executable} contract).
 */
final class Interpreter implements Executable {

    /** Budgets beyond this are clamped, so {@code rem} can never overflow; nobody runs 2^61 instructions. */
    private static final long MAX_BUDGET = Long.MAX_VALUE >> 2;
    static final int SAVED_PER_FRAME = 4; // r6..r9

    private final String name;
    private final ProgramType type;
    /** Slots of the program; {@code code} has two more: END_OF_PROGRAM and the exit of a failed LD_ABS. */
    private final int slots;
    private final int[] code;
    private final long[] k;
    /** Per pc, the context access of a CTX_* op (typed programs), else null. */
    private final ContextLayout.Access[] contextAccess;
    /** The pcs a callback (lddw src 4) of this program may start at. */
    private final BitSet functions = new BitSet();
    private final Helper[] helpers;
    private final long budget;
    private final ProgramSet set;
    private final Memory memory;
    private final RunContext context;

    /** {@code program} must have passed the {@link dev.bpfh.isa.Validator}; its maps are created here. */
    Interpreter(Program program, Helper[] helpers, long budget, long randomSeed) throws LoadRejected {
        this(program, helpers, budget, new ProgramSet(program, randomSeed));
    }

    /**
     * A program of {@code set} (which holds the maps of every program in it). {@code program} must
     * have passed the {@link dev.bpfh.isa.Validator}; its context accesses are found here
     * ({@link ContextAccesses}), refusing the ones the kernel's verifier refuses.
     */
    Interpreter(Program program, Helper[] helpers, long budget, ProgramSet set) throws LoadRejected {
        Predecoder.Code decoded = Predecoder.decode(program);
        this.name = program.name();
        this.type = program.type();
        this.slots = program.length();
        this.code = Arrays.copyOf(decoded.code(), slots + 2);
        this.code[slots + 1] = Op.EXIT;
        this.k = Arrays.copyOf(decoded.k(), slots + 2);
        this.helpers = helpers;
        this.budget = Math.min(budget, MAX_BUDGET);
        this.set = set;
        this.memory = set.memory;
        this.context = set.context;
        for (int pc = 0; pc < slots; pc++) {
            long w = program.slot(pc);
            if (Insn.opcode(w) == Opcodes.LDDW && Insn.src(w) != 0) {
                k[pc] = set.maps.lddwValue(program, pc); // map handles, value pointers, function addresses
                if (Insn.src(w) == Opcodes.PSEUDO_FUNC) {
                    functions.set(pc + Insn.imm(w) + 1);
                }
            }
        }
        ContextAccesses accesses = ContextAccesses.find(program);
        this.contextAccess = new ContextLayout.Access[slots];
        for (int pc = 0; pc < slots; pc++) {
            ContextLayout.Access a = accesses.at(pc);
            if (a != null) {
                contextAccess[pc] = a;
                code[pc] = (code[pc] & ~0xff) | Predecoder.contextOp(Insn.opcode(program.slot(pc)));
            }
        }
    }

    @Override
    public List<MapView> maps() {
        return set.maps.views();
    }

    /** A raw program's run on {@code input}; a typed program's on the packet {@code input} without ctx_in. */
    @Override
    public Outcome run(byte[] input) {
        byte[] in = input == null ? new byte[0] : input;
        if (type != ProgramType.RAW) {
            return run(RunInput.of(in));
        }
        memory.startRun(in, set.framesTouched);
        set.packet = null;
        context.setPacket(null);
        return execute(Memory.inputAddress(), in.length, null, in);
    }

    /**
     * A typed program's run as BPF_PROG_TEST_RUN does it (CTX-DESIGN's per-run recipe): the packet
     * in region 1, r1 = the context pointer, r2..r5 = 0; retval, data_out and ctx_out come back.
     *
     * An input test_run would refuse ({@link PacketContext#checkInput}), or a context for a raw
     * program, is {@link PacketContext#inputRefused}, the kernel backend's outcome for it.
     */
    @Override
    public Outcome run(RunInput input) {
        var bad = PacketContext.checkInput(type, input);
        if (bad.isPresent()) {
            return PacketContext.inputRefused(bad.get());
        }
        if (type == ProgramType.RAW) {
            return run(input.data());
        }
        memory.startRun(EMPTY, set.framesTouched);
        PacketContext p = PacketContext.start(type, input, memory, set.ctxRegion);
        set.packet = p;
        context.setPacket(p);
        return execute(p.ctxAddress(), 0, p, null);
    }

    private static final byte[] EMPTY = new byte[0];

    /** One run from pc 0 with r1 and r2 as given: a typed program's outcome from {@code p}, a raw one's with {@code raw}. */
    private Outcome execute(long r1, long r2, PacketContext p, byte[] raw) {
        set.framesTouched = 1;
        set.executedInstructions = -1;
        context.startRun();
        try {
            long[] r = new long[16];
            r[1] = r1;
            r[2] = r2;
            r[10] = Memory.frameTop(0);
            long r0 = execute(r, 0, 0, budget);
            if (p != null) {
                return new Outcome.Returned(PacketContext.retval(r0), p.dataOut(), p.ctxOut());
            }
            return new Outcome.Returned(r0, raw);
        } catch (Trap t) {
            return t.toOutcome();
        } catch (RuntimeException | StackOverflowError e) {
            // execute() wraps everything with its pc; this is only a last line of defence.
            return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, "interpreter failure: " + e);
        }
    }

    @Override
    public Map<String, Object> info() {
        return Map.of("engine", "interp", "program", name, "slots", slots);
    }

    /**
     * The number of instructions the last {@link #run} executed, counted as the budget rule counts
     * them (an {@code lddw} once, every instruction of a called function, the final exit included);
     * -1 if it trapped or nothing has run yet.
     */
    long executedInstructions() {
        return set.executedInstructions;
    }

    /**
     * The dispatch loop, from {@code startPc} at call depth {@code baseDepth} with registers
     * {@code regs} (copied) and the budget remainder {@code startRem} (see the class comment).
     * Returns r0 of the {@code exit} that leaves {@code baseDepth}: the final exit of the run, or of
     * a callback. Throws {@link Trap} for every fault.
     */
    private long execute(long[] regs, int startPc, int baseDepth, long startRem) {
        final int[] code = this.code;
        final long[] k = this.k;
        final Memory m = this.memory;
        final long[] r = new long[16];
        System.arraycopy(regs, 0, r, 0, 11);
        long rem = startRem;
        int depth = baseDepth;
        int pc = startPc;
        try {
            while (true) {
                final int c = code[pc];
                final int d = (c >>> 8) & 15;
                final int s = (c >>> 12) & 15;
                switch (c & 0xff) {
                case Op.ADD64_K -> { r[d] += k[pc]; pc++; }
                case Op.ADD64_X -> { r[d] += r[s]; pc++; }
                case Op.SUB64_K -> { r[d] -= k[pc]; pc++; }
                case Op.SUB64_X -> { r[d] -= r[s]; pc++; }
                case Op.MUL64_K -> { r[d] *= k[pc]; pc++; }
                case Op.MUL64_X -> { r[d] *= r[s]; pc++; }
                case Op.DIV64_K -> { r[d] = Alu.div64(r[d], k[pc]); pc++; }
                case Op.DIV64_X -> { r[d] = Alu.div64(r[d], r[s]); pc++; }
                case Op.SDIV64_K -> { r[d] = Alu.sdiv64(r[d], k[pc]); pc++; }
                case Op.SDIV64_X -> { r[d] = Alu.sdiv64(r[d], r[s]); pc++; }
                case Op.OR64_K -> { r[d] |= k[pc]; pc++; }
                case Op.OR64_X -> { r[d] |= r[s]; pc++; }
                case Op.AND64_K -> { r[d] &= k[pc]; pc++; }
                case Op.AND64_X -> { r[d] &= r[s]; pc++; }
                case Op.LSH64_K -> { r[d] = Alu.lsh64(r[d], k[pc]); pc++; }
                case Op.LSH64_X -> { r[d] = Alu.lsh64(r[d], r[s]); pc++; }
                case Op.RSH64_K -> { r[d] = Alu.rsh64(r[d], k[pc]); pc++; }
                case Op.RSH64_X -> { r[d] = Alu.rsh64(r[d], r[s]); pc++; }
                case Op.NEG64 -> { r[d] = -r[d]; pc++; }
                case Op.MOD64_K -> { r[d] = Alu.mod64(r[d], k[pc]); pc++; }
                case Op.MOD64_X -> { r[d] = Alu.mod64(r[d], r[s]); pc++; }
                case Op.SMOD64_K -> { r[d] = Alu.smod64(r[d], k[pc]); pc++; }
                case Op.SMOD64_X -> { r[d] = Alu.smod64(r[d], r[s]); pc++; }
                case Op.XOR64_K -> { r[d] ^= k[pc]; pc++; }
                case Op.XOR64_X -> { r[d] ^= r[s]; pc++; }
                case Op.MOV64_K -> { r[d] = k[pc]; pc++; }
                case Op.MOV64_X -> { r[d] = r[s]; pc++; }
                case Op.MOVSX8_64 -> { r[d] = Alu.sx8(r[s]); pc++; }
                case Op.MOVSX16_64 -> { r[d] = Alu.sx16(r[s]); pc++; }
                case Op.MOVSX32_64 -> { r[d] = Alu.sx32(r[s]); pc++; }
                case Op.ARSH64_K -> { r[d] = Alu.arsh64(r[d], k[pc]); pc++; }
                case Op.ARSH64_X -> { r[d] = Alu.arsh64(r[d], r[s]); pc++; }

                case Op.ADD32_K -> { r[d] = Alu.add32(r[d], k[pc]); pc++; }
                case Op.ADD32_X -> { r[d] = Alu.add32(r[d], r[s]); pc++; }
                case Op.SUB32_K -> { r[d] = Alu.sub32(r[d], k[pc]); pc++; }
                case Op.SUB32_X -> { r[d] = Alu.sub32(r[d], r[s]); pc++; }
                case Op.MUL32_K -> { r[d] = Alu.mul32(r[d], k[pc]); pc++; }
                case Op.MUL32_X -> { r[d] = Alu.mul32(r[d], r[s]); pc++; }
                case Op.DIV32_K -> { r[d] = Alu.div32(r[d], k[pc]); pc++; }
                case Op.DIV32_X -> { r[d] = Alu.div32(r[d], r[s]); pc++; }
                case Op.SDIV32_K -> { r[d] = Alu.sdiv32(r[d], k[pc]); pc++; }
                case Op.SDIV32_X -> { r[d] = Alu.sdiv32(r[d], r[s]); pc++; }
                case Op.OR32_K -> { r[d] = Alu.u32(r[d] | k[pc]); pc++; }
                case Op.OR32_X -> { r[d] = Alu.u32(r[d] | r[s]); pc++; }
                case Op.AND32_K -> { r[d] = Alu.u32(r[d] & k[pc]); pc++; }
                case Op.AND32_X -> { r[d] = Alu.u32(r[d] & r[s]); pc++; }
                case Op.LSH32_K -> { r[d] = Alu.lsh32(r[d], k[pc]); pc++; }
                case Op.LSH32_X -> { r[d] = Alu.lsh32(r[d], r[s]); pc++; }
                case Op.RSH32_K -> { r[d] = Alu.rsh32(r[d], k[pc]); pc++; }
                case Op.RSH32_X -> { r[d] = Alu.rsh32(r[d], r[s]); pc++; }
                case Op.NEG32 -> { r[d] = Alu.neg32(r[d]); pc++; }
                case Op.MOD32_K -> { r[d] = Alu.mod32(r[d], k[pc]); pc++; }
                case Op.MOD32_X -> { r[d] = Alu.mod32(r[d], r[s]); pc++; }
                case Op.SMOD32_K -> { r[d] = Alu.smod32(r[d], k[pc]); pc++; }
                case Op.SMOD32_X -> { r[d] = Alu.smod32(r[d], r[s]); pc++; }
                case Op.XOR32_K -> { r[d] = Alu.u32(r[d] ^ k[pc]); pc++; }
                case Op.XOR32_X -> { r[d] = Alu.u32(r[d] ^ r[s]); pc++; }
                case Op.MOV32_K -> { r[d] = Alu.u32(k[pc]); pc++; }
                case Op.MOV32_X -> { r[d] = Alu.u32(r[s]); pc++; }
                case Op.MOVSX8_32 -> { r[d] = Alu.movsx32(r[s], 8); pc++; }
                case Op.MOVSX16_32 -> { r[d] = Alu.movsx32(r[s], 16); pc++; }
                case Op.ARSH32_K -> { r[d] = Alu.arsh32(r[d], k[pc]); pc++; }
                case Op.ARSH32_X -> { r[d] = Alu.arsh32(r[d], r[s]); pc++; }

                case Op.LE16 -> { r[d] = Alu.le(r[d], 16); pc++; }
                case Op.LE32 -> { r[d] = Alu.le(r[d], 32); pc++; }
                case Op.LE64 -> { r[d] = Alu.le(r[d], 64); pc++; }
                case Op.BSWAP16 -> { r[d] = Alu.bswap16(r[d]); pc++; }
                case Op.BSWAP32 -> { r[d] = Alu.bswap32(r[d]); pc++; }
                case Op.BSWAP64 -> { r[d] = Alu.bswap64(r[d]); pc++; }

                case Op.LDXB -> { r[d] = m.load8(r[s] + (c >> 16), pc); pc++; }
                case Op.LDXH -> { r[d] = m.load16(r[s] + (c >> 16), pc); pc++; }
                case Op.LDXW -> { r[d] = m.load32(r[s] + (c >> 16), pc); pc++; }
                case Op.LDXDW -> { r[d] = m.load64(r[s] + (c >> 16), pc); pc++; }
                case Op.LDXSB -> { r[d] = Alu.sx8(m.load8(r[s] + (c >> 16), pc)); pc++; }
                case Op.LDXSH -> { r[d] = Alu.sx16(m.load16(r[s] + (c >> 16), pc)); pc++; }
                case Op.LDXSW -> { r[d] = Alu.sx32(m.load32(r[s] + (c >> 16), pc)); pc++; }
                case Op.STB -> { m.store8(r[d] + (c >> 16), k[pc], pc); pc++; }
                case Op.STH -> { m.store16(r[d] + (c >> 16), k[pc], pc); pc++; }
                case Op.STW -> { m.store32(r[d] + (c >> 16), k[pc], pc); pc++; }
                case Op.STDW -> { m.store64(r[d] + (c >> 16), k[pc], pc); pc++; }
                case Op.STXB -> { m.store8(r[d] + (c >> 16), r[s], pc); pc++; }
                case Op.STXH -> { m.store16(r[d] + (c >> 16), r[s], pc); pc++; }
                case Op.STXW -> { m.store32(r[d] + (c >> 16), r[s], pc); pc++; }
                case Op.STXDW -> { m.store64(r[d] + (c >> 16), r[s], pc); pc++; }
                case Op.ATOMIC32 -> { atomic(r, false, (int) k[pc], d, s, c >> 16, pc); pc++; }
                case Op.ATOMIC64 -> { atomic(r, true, (int) k[pc], d, s, c >> 16, pc); pc++; }

                case Op.LDDW -> { r[d] = k[pc]; rem++; pc += 2; } // two slots, one instruction
                case Op.JA -> {
                    int t = (int) (k[pc] >>> 32);
                    if (pc >= rem && t <= pc) {
                        throw budgetExhausted(pc);
                    }
                    rem += t - pc - 1;
                    pc = t;
                }
                case Op.JEQ64_K -> {
                    if (Jumps.taken64(JEQ, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JEQ64_X -> {
                    if (Jumps.taken64(JEQ, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JGT64_K -> {
                    if (Jumps.taken64(JGT, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JGT64_X -> {
                    if (Jumps.taken64(JGT, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JGE64_K -> {
                    if (Jumps.taken64(JGE, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JGE64_X -> {
                    if (Jumps.taken64(JGE, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSET64_K -> {
                    if (Jumps.taken64(JSET, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSET64_X -> {
                    if (Jumps.taken64(JSET, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JNE64_K -> {
                    if (Jumps.taken64(JNE, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JNE64_X -> {
                    if (Jumps.taken64(JNE, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSGT64_K -> {
                    if (Jumps.taken64(JSGT, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSGT64_X -> {
                    if (Jumps.taken64(JSGT, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSGE64_K -> {
                    if (Jumps.taken64(JSGE, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSGE64_X -> {
                    if (Jumps.taken64(JSGE, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JLT64_K -> {
                    if (Jumps.taken64(JLT, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JLT64_X -> {
                    if (Jumps.taken64(JLT, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JLE64_K -> {
                    if (Jumps.taken64(JLE, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JLE64_X -> {
                    if (Jumps.taken64(JLE, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSLT64_K -> {
                    if (Jumps.taken64(JSLT, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSLT64_X -> {
                    if (Jumps.taken64(JSLT, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSLE64_K -> {
                    if (Jumps.taken64(JSLE, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSLE64_X -> {
                    if (Jumps.taken64(JSLE, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JEQ32_K -> {
                    if (Jumps.taken32(JEQ, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JEQ32_X -> {
                    if (Jumps.taken32(JEQ, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JGT32_K -> {
                    if (Jumps.taken32(JGT, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JGT32_X -> {
                    if (Jumps.taken32(JGT, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JGE32_K -> {
                    if (Jumps.taken32(JGE, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JGE32_X -> {
                    if (Jumps.taken32(JGE, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSET32_K -> {
                    if (Jumps.taken32(JSET, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSET32_X -> {
                    if (Jumps.taken32(JSET, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JNE32_K -> {
                    if (Jumps.taken32(JNE, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JNE32_X -> {
                    if (Jumps.taken32(JNE, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSGT32_K -> {
                    if (Jumps.taken32(JSGT, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSGT32_X -> {
                    if (Jumps.taken32(JSGT, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSGE32_K -> {
                    if (Jumps.taken32(JSGE, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSGE32_X -> {
                    if (Jumps.taken32(JSGE, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JLT32_K -> {
                    if (Jumps.taken32(JLT, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JLT32_X -> {
                    if (Jumps.taken32(JLT, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JLE32_K -> {
                    if (Jumps.taken32(JLE, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JLE32_X -> {
                    if (Jumps.taken32(JLE, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSLT32_K -> {
                    if (Jumps.taken32(JSLT, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSLT32_X -> {
                    if (Jumps.taken32(JSLT, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSLE32_K -> {
                    if (Jumps.taken32(JSLE, r[d], (int) k[pc])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.JSLE32_X -> {
                    if (Jumps.taken32(JSLE, r[d], r[s])) {
                        int t = (int) (k[pc] >>> 32);
                        if (pc >= rem && t <= pc) {
                            throw budgetExhausted(pc);
                        }
                        rem += t - pc - 1;
                        pc = t;
                    } else {
                        pc++;
                    }
                }
                case Op.CALL_HELPER, Op.CALLX -> {
                    if (pc >= rem) {
                        throw budgetExhausted(pc);
                    }
                    Helper h = (c & 0xff) == Op.CALL_HELPER ? helpers[(int) k[pc]] : helperOrTrap(r[d], pc);
                    r[0] = callHelper(h, r, depth, pc, budget - rem + pc + 1);
                    rem = budget - set.countAcrossCall + pc + 1;
                    Executable tailCallTarget = context.takeTailCall();
                    if (tailCallTarget == null) {
                        pc++;
                    } else if (tailCallTarget == this) {
                        rem += -pc - 1; // a transfer from pc to 0 of the same code, r1 (ctx) and r10 kept
                        pc = 0;
                    } else {
                        // a sibling runs in this frame, then its exit is this frame's exit
                        r[0] = tailCall(tailCallTarget, r, depth, pc, budget - rem + pc + 1);
                        if (depth == baseDepth) {
                            return r[0];
                        }
                        depth--;
                        pc = popFrame(r, depth);
                        rem = budget - set.countAcrossCall + pc;
                    }
                }
                case Op.CALL_LOCAL -> {
                    if (pc >= rem) {
                        throw budgetExhausted(pc);
                    }
                    pushFrame(r, depth, pc);
                    depth++;
                    int t = (int) (k[pc] >>> 32);
                    rem += t - pc - 1;
                    pc = t;
                }
                case Op.EXIT -> {
                    if (depth == baseDepth) {
                        exitCount(depth, budget - rem + pc + 1); // base + pc + 1, base = budget - rem
                        return r[0];
                    }
                    depth--;
                    int t = popFrame(r, depth);
                    rem += t - pc - 1;
                    pc = t;
                }
                case Op.CTX_LOAD -> { r[d] = set.packet.load(contextAccess[pc], r[s], pc); pc++; }
                case Op.CTX_STORE_K -> { set.packet.store(contextAccess[pc], r[d], k[pc], pc); pc++; }
                case Op.CTX_STORE_X -> { set.packet.store(contextAccess[pc], r[d], r[s], pc); pc++; }
                case Op.LD_ABS, Op.LD_IND -> {
                    long v = packetLoad(c, r[s], k[pc]);
                    if (v >= 0) {
                        r[0] = v;
                        pc++;
                    } else { // out of range: the function returns 0 at once (the exit is not counted)
                        r[0] = 0;
                        rem += slots + 1 - pc;
                        pc = slots + 1;
                    }
                }
                case Op.END_OF_PROGRAM -> throw new Trap(TrapKind.FELL_OFF_END, pc,
                        "execution ran past the last instruction (slot " + (pc - 1) + ") without exit");
                default -> throw new IllegalStateException("slot " + pc + " is not an instruction (internal op " + (c & 0xff) + ")");
                }
            }
        } catch (Trap t) {
            throw t;
        } catch (RuntimeException | StackOverflowError e) {
            throw new Trap(TrapKind.RUNTIME_ERROR, pc, "internal error in the interpreter or a helper: " + e);
        }
    }

    // ---- rare operations, kept out of the loop method -----------------------------------------

    private static Trap budgetExhausted(int pc) {
        return new Trap(TrapKind.BUDGET_EXHAUSTED, pc, "instruction budget exhausted");
    }

    /** An atomic read-modify-write; fetch forms write the old value to src, cmpxchg always to r0. */
    private void atomic(long[] r, boolean wide, int op, int d, int s, int off, int pc) {
        long addr = r[d] + off;
        long old = wide
                ? memory.atomic64(op, addr, r[s], r[0], pc)
                : memory.atomic32(op, addr, r[s], r[0], pc);
        if (op == Opcodes.ATOMIC_CMPXCHG) {
            r[0] = old;
        } else if ((op & Opcodes.FETCH) != 0) {
            r[s] = old;
        }
    }

    /** A helper call at {@code pc}, {@code count} instructions into the run (the call included). */
    private long callHelper(Helper h, long[] r, int depth, int pc, long count) {
        set.countAcrossCall = count;
        set.callerDepth = depth;
        set.current = this;
        return h.call(context, r[1], r[2], r[3], r[4], r[5], pc);
    }

    /** The final exit of a function at {@code baseDepth}: hands the count on (and records the run's). */
    private void exitCount(int depth, long count) {
        set.countAcrossCall = count;
        if (depth == 0) {
            set.executedInstructions = count;
        }
    }

    /**
     * A tail call into a sibling of this program's set: it runs from its pc 0 in this frame
     * ({@code depth}, r1 and r10 kept), counting on from {@code count}, and returns what its exit
     * returns; {@link ProgramSet#countAcrossCall} holds the count after it.
     */
    private long tailCall(Executable target, long[] r, int depth, int pc, long count) {
        if (!(target instanceof Interpreter t) || t.set != set) {
            throw new Trap(TrapKind.HELPER_FAILED, pc, "tail call into " + target
                    + ", which was not loaded with this program (Backend.loadAll)");
        }
        if (t.type != type) {
            throw new Trap(TrapKind.HELPER_FAILED, pc, "tail call from a " + type.word() + " program into a "
                    + t.type.word() + " program (the kernel refuses such a prog_array)");
        }
        return t.execute(r, 0, depth, t.budget - count);
    }

    /** LD_ABS / LD_IND (code word: size in the off field): the value, or -1 when out of range. */
    private long packetLoad(int c, long src, long imm) {
        int offset = (c & 0xff) == Op.LD_ABS ? (int) imm : (int) (src + imm);
        return set.packet.loadAbsolute(offset, c >> 16);
    }

    /**
     * Runs the subprogram at {@code targetPc} for a helper ({@code bpf_loop}): a nested loop one
     * frame deeper than the helper's caller, counting the same budget, returning its r0. The target
     * of a tail call inside a callback must be this program too (see the tail-call case).
     */
    long callBack(int targetPc, long r1, long r2, long r3, long r4, long r5, int callerPc) {
        int depth = set.callerDepth;
        if (depth + 1 >= Memory.MAX_FRAMES) {
            throw new Trap(TrapKind.CALL_DEPTH, callerPc,
                    "callback would open frame " + (depth + 2) + " of at most " + Memory.MAX_FRAMES);
        }
        if (targetPc < 0 || targetPc >= slots || !functions.get(targetPc)) {
            throw new Trap(TrapKind.HELPER_FAILED, callerPc, "callback target " + targetPc
                    + " is not a function address of " + name);
        }
        set.framesTouched = Math.max(set.framesTouched, depth + 2);
        long[] regs = new long[16];
        regs[1] = r1;
        regs[2] = r2;
        regs[3] = r3;
        regs[4] = r4;
        regs[5] = r5;
        regs[10] = Memory.frameTop(depth + 1);
        long count = set.countAcrossCall;
        long r0 = execute(regs, targetPc, depth + 1, budget - count + targetPc);
        set.callerDepth = depth; // a helper called inside the callback changed it
        set.current = this;
        return r0;
    }

    private Helper helperOrTrap(long id, int pc) {
        Helper h = id >= 0 && id < helpers.length ? helpers[(int) id] : null;
        if (h == null) {
            throw new Trap(TrapKind.UNKNOWN_HELPER, pc, "callx to unknown helper " + id);
        }
        return h;
    }

    /** Saves the caller's r6..r9 and return pc at {@code depth} and moves r10 to the next frame. */
    private void pushFrame(long[] r, int depth, int pc) {
        if (depth + 1 >= Memory.MAX_FRAMES) {
            throw new Trap(TrapKind.CALL_DEPTH, pc,
                    "local call would open frame " + (depth + 2) + " of at most " + Memory.MAX_FRAMES);
        }
        System.arraycopy(r, 6, set.savedRegisters, depth * SAVED_PER_FRAME, SAVED_PER_FRAME);
        set.returnPc[depth] = pc + 1;
        r[10] = Memory.frameTop(depth + 1);
        set.framesTouched = Math.max(set.framesTouched, depth + 2);
    }

    /** Restores the caller at {@code depth} (r6..r9 and r10) and returns its return pc. */
    private int popFrame(long[] r, int depth) {
        System.arraycopy(set.savedRegisters, depth * SAVED_PER_FRAME, r, 6, SAVED_PER_FRAME);
        r[10] = Memory.frameTop(depth);
        return set.returnPc[depth];
    }
}
