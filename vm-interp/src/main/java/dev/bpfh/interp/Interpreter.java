package dev.bpfh.interp;

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
 * A loaded program in the interpreter: pre-decoded code words (see {@link Predecoder}) and one
 * dispatch loop, {@link #execute}, that switches on the dense {@link Op} number.
 *
 * <p><b>What C2 needs from the loop</b> (docs/jit-performance.md, "The interpreter's loop"):
 * <ul>
 *   <li>One back edge: every case ends in {@code break}, never {@code continue}; with a back edge
 *       per case C2 split the loop and the workloads ran 25-55 % slower.
 *   <li>Few live locals: the program counter, the code and register arrays. The budget remainder
 *       and the call depths live in slots of the register array no program can name
 *       ({@link #REM}, {@link #DEPTH}, {@link #BASE_DEPTH}); the saved registers of callers are in
 *       the loop's own call stack ({@link #CALL_STACK}). One {@code long} code word per slot holds
 *       an instruction's op, registers, offset and immediate, so the loop reads one array.
 *   <li>Every value the loop keeps is made after its allocation ({@link #ENTRY_PC}): a value live
 *       across the allocation's slow-path call starts on the stack, and C2 kept the pc there.
 *   <li>A register array the loop allocates itself, of 16 slots: C2 then knows its length and
 *       drops the range check of every {@code r[x & 15]}, which an array passed in would need.
 *       Nothing else is allocated per run but the call stack of a program that calls (the entry
 *       registers are kept in the set): allocation was most of the fixed cost of a short run.
 *   <li>No call that C2 leaves unresolved, even on a path a workload never takes (a return from a
 *       function, a load that runs once per run): one made C2 keep the loop's locals in memory
 *       around every instruction. Hence no try block in the loop, the stack frame address written
 *       out, and loads and stores as {@code m.target} then {@link Memory#get32}-style accessors
 *       called from the loop itself, whose call sites carry the loop's own profile.
 *   <li>A small method: C2 counts its bytecode and every inlined callee's against one budget
 *       ({@code DesiredMethodLimit}, 8000 bytes); past it, callees stay calls. The less common ALU
 *       ops share one case ({@link #rareAlu}), as do the K and X forms of the 32-bit jumps
 *       ({@link Predecoder#ZERO}); BackendTest keeps the size in check.
 * </ul>
 *
 * <p><b>Superinstructions.</b> {@link Predecoder#fuse} gives the first slot of common runs (address
 * arithmetic and a load, three-address arithmetic, a counter step and its loop test, an argument
 * and a call) a fused op. Its case runs the first instruction, steps to the next slot, reads that
 * slot's own code word and falls through into the next instruction's case: one dispatch for the
 * run, and every instruction keeps its operands, its trap pc and its budget check. A {@code ja}
 * to a loop's step and test ({@link Op#JA_ADD_JLT_K}) does the same with its target slot in place
 * of the next one: the jump goes through {@link #jump} like any other, so the budget sees it.
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
    /**
     * The loop's register array: r0..r10, the loop's own slots (below) and {@link Predecoder#ZERO};
     * 16, so that {@code & 15} indices need no range check. Allocated by the loop itself, which
     * lets C2 see its length (for an array passed in, every register access paid a range check:
     * primes_500 ran 25 % slower) and keeps it small (a run allocates it: 144 bytes, where the 56
     * slots it had with the call stack cost ~50 ns per run in memory traffic).
     */
    static final int REGISTERS = 16;
    /**
     * The call stack of one loop ({@link #execute}): for each depth the caller's r6..r9 and its
     * return pc, {@link #FRAME_WORDS} entries from {@code depth * FRAME_WORDS}, and at {@link #OPENED}
     * the deepest frame the loop has opened. The loop allocates it at its first local call (a
     * program without calls never does) and keeps it in a local: C2 then knows its length, and the
     * loop no longer keeps a field's array, its length and the program set in registers (they were
     * spilled to xmm registers and copied back at every dispatch of call_chain). A callback's loop
     * or a tail call's has its own; each only pops the frames it pushed.
     */
    static final int FRAME_WORDS = 5;
    static final int OPENED = Memory.MAX_FRAMES * FRAME_WORDS;
    static final int CALL_STACK = OPENED + 1;
    /**
     * Slots of the register array no program can name (registers are r0..r10) that hold the loop's
     * own state: the budget remainder {@code rem} (see the class comment), the call depth and the
     * depth the loop returns from. In the array, not in locals: they change only at jumps, calls
     * and exits, and every local the loop keeps live is one more value C2 must keep in a register.
     */
    static final int REM = 11;
    static final int DEPTH = 12;
    static final int BASE_DEPTH = 13;
    // r[Predecoder.ZERO] (14) stays 0: the src of an op's K form.
    /**
     * The slot of an entry register array ({@link #execute}'s {@code regs}) that holds the pc to
     * start at. Not a parameter: the loop's pc must be a value read after the loop allocates its
     * register array. A parameter is live across that allocation's slow-path call, so C2 gave it a
     * stack slot at the method's entry, and from there made the loop's pc live in that slot too: a
     * store and a reload around every dispatch (docs/jit-performance.md, "Session 8").
     */
    static final int ENTRY_PC = 15;

    private final String name;
    private final ProgramType type;
    /** Slots of the program; {@code code} has two more: END_OF_PROGRAM and the exit of a failed LD_ABS. */
    private final int slots;
    private final long[] code;
    /** Per pc, the 64-bit constant of an {@code lddw} (map handles and addresses resolved), else 0. */
    private final long[] wide;
    /** Per pc, the context access of a CTX_* op (typed programs), else null. */
    private final ContextLayout.Access[] contextAccess;
    /** The pcs a callback (lddw src 4) of this program may start at. */
    private final BitSet functions = new BitSet();
    private final Helper[] helpers;
    private final long budget;
    private final ProgramSet set;
    private final Memory memory;
    private final RunContext context;
    /** {@link PacketContext#startsOnFrame}: the jit decides it by the same rule. */
    private final boolean startsOnFrame;
    /** The typed runs' context, set up anew by each run ({@link PacketContext#begin}); made at the first. */
    private PacketContext packet;

    /** {@code program} must have passed the {@link dev.bpfh.isa.Validator}; its maps are created here. */
    Interpreter(Program program, Helper[] helpers, long budget, long randomSeed) throws LoadRejected {
        this(program, helpers, budget, new ProgramSet(program, randomSeed), true);
    }

    /**
     * A program of {@code set} (which holds the maps of every program in it). {@code program} must
     * have passed the {@link dev.bpfh.isa.Validator}; its context accesses are found here
     * ({@link ContextAccesses}), refusing the ones the kernel's verifier refuses.
     */
    Interpreter(Program program, Helper[] helpers, long budget, ProgramSet set) throws LoadRejected {
        this(program, helpers, budget, set, true);
    }

    /** As above; {@code fuse} false keeps one dispatch per instruction (tests compare the two). */
    Interpreter(Program program, Helper[] helpers, long budget, ProgramSet set, boolean fuse) throws LoadRejected {
        Predecoder.Code decoded = Predecoder.decode(program);
        this.name = program.name();
        this.type = program.type();
        this.slots = program.length();
        this.code = Arrays.copyOf(decoded.code(), slots + 2);
        this.code[slots + 1] = Op.EXIT;
        this.wide = Arrays.copyOf(decoded.wide(), slots + 2);
        this.helpers = helpers;
        this.budget = Math.min(budget, MAX_BUDGET);
        this.set = set;
        this.memory = set.memory;
        this.context = set.context;
        this.startsOnFrame = PacketContext.startsOnFrame(program);
        for (int pc = 0; pc < slots; pc++) {
            long w = program.slot(pc);
            if (Insn.opcode(w) == Opcodes.LDDW && Insn.src(w) != 0) {
                wide[pc] = set.maps.lddwValue(program, pc); // map handles, value pointers, function addresses
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
                code[pc] = (code[pc] & ~0xffL) | Predecoder.contextOp(Insn.opcode(program.slot(pc)));
            }
        }
        if (fuse) {
            Predecoder.fuse(code);
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
        return execute(Memory.inputAddress(), in.length, null, in, true);
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
            return input.reported(run(input.data()));
        }
        memory.startRun(EMPTY, set.framesTouched);
        PacketContext p = packet;
        if (p == null) {
            p = packet = PacketContext.reusable(type, memory, set.ctxRegion);
        }
        p.begin(input, false, startsOnFrame); // checked above
        if (set.packet != p) { // the same context run after run: skip the GC write barrier
            set.packet = p;
        }
        context.setPacket(p);
        return execute(p.ctxAddress(), 0, p, null, input.dataOut());
    }

    private static final byte[] EMPTY = new byte[0];

    /**
     * One run from pc 0 with r1 and r2 as given: a typed program's outcome from {@code p} (its
     * data_out only if {@code dataOut}: building it may copy the packet), a raw one's with {@code raw}.
     */
    private Outcome execute(long r1, long r2, PacketContext p, byte[] raw, boolean dataOut) {
        set.framesTouched = 1;
        set.executedInstructions = -1;
        context.startRun();
        try {
            long[] r = set.entryRegisters;
            Arrays.fill(r, 0);
            r[1] = r1;
            r[2] = r2;
            r[10] = Memory.frameTop(0);
            long r0 = execute(r, 0, budget); // r[ENTRY_PC] = 0 by the fill
            if (p != null) {
                return new Outcome.Returned(PacketContext.retval(r0), dataOut ? p.dataOut() : null, p.ctxOut());
            }
            return new Outcome.Returned(r0, raw);
        } catch (Trap t) {
            return t.toOutcome();
        } catch (RuntimeException | StackOverflowError e) {
            // helper calls and context accesses wrap their failures with their pc (the loop has no
            // try block, see the class comment); anything else is a bug of the interpreter
            return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, "interpreter failure: " + e);
        }
    }

    @Override
    public Map<String, Object> info() {
        return Map.of("engine", "interp", "program", name, "slots", slots);
    }

    /** The op at {@code pc} after pre-decoding and fusion (tests). */
    int op(int pc) {
        return (int) code[pc] & 0xff;
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
     * The dispatch loop, from pc {@code regs[ENTRY_PC]} at call depth {@code baseDepth} with
     * registers {@code regs} (copied) and the budget remainder {@code startRem} (see the class
     * comment).
     * Returns r0 of the {@code exit} that leaves {@code baseDepth}: the final exit of the run, or of
     * a callback. Throws {@link Trap} for every fault.
     */
    private long execute(long[] regs, int baseDepth, long startRem) {
        // the allocation first, and every value the loop keeps read after it (see ENTRY_PC); the
        // copy as single moves, where System.arraycopy was a call and put the same values on the stack
        final long[] r = new long[REGISTERS];
        for (int i = 0; i < 11; i++) {
            r[i] = regs[i];
        }
        final long[] code = this.code;
        final Memory m = this.memory;
        int pc = (int) regs[ENTRY_PC];
        long[] frames = null; // the call stack, made at this loop's first local call (see CALL_STACK)
        r[REM] = startRem;
        r[DEPTH] = baseDepth;
        r[BASE_DEPTH] = baseDepth;
        while (true) {
            long c = code[pc];
            int d = ((int) c >>> 8) & 15;
            int s = ((int) c >>> 12) & 15;
            switch ((int) c & 0xff) {
            // ---- ALU64: K and X forms apart (the commonest instructions) ----
            case Op.MOV_ADDK:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.ADD64_K:
                r[d] += c >> 32;
                pc++;
                break;
            case Op.MOV_ADD:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.ADD64_X:
                r[d] += r[s];
                pc++;
                break;
            case Op.SUB64_K:
                r[d] -= c >> 32;
                pc++;
                break;
            case Op.MOV_SUB:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.SUB64_X:
                r[d] -= r[s];
                pc++;
                break;
            case Op.MOV_MULK:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.MUL64_K:
                r[d] *= c >> 32;
                pc++;
                break;
            case Op.MOV_MUL:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.MUL64_X:
                r[d] *= r[s];
                pc++;
                break;
            case Op.OR64_K:
                r[d] |= c >> 32;
                pc++;
                break;
            case Op.MOV_OR:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.OR64_X:
                r[d] |= r[s];
                pc++;
                break;
            case Op.MOV_ANDK:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.AND64_K:
                r[d] &= c >> 32;
                pc++;
                break;
            case Op.MOV_AND:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.AND64_X:
                r[d] &= r[s];
                pc++;
                break;
            case Op.XOR64_K:
                r[d] ^= c >> 32;
                pc++;
                break;
            case Op.MOV_XOR:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.XOR64_X:
                r[d] ^= r[s];
                pc++;
                break;
            case Op.DIV64_K:
                r[d] = Alu.div64(r[d], c >> 32);
                pc++;
                break;
            case Op.MOV_DIV:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.DIV64_X:
                r[d] = Alu.div64(r[d], r[s]);
                pc++;
                break;
            case Op.MOD64_K:
                r[d] = Alu.mod64(r[d], c >> 32);
                pc++;
                break;
            case Op.MOV_MOD:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.MOD64_X:
                r[d] = Alu.mod64(r[d], r[s]);
                pc++;
                break;
            case Op.MOV_LSHK:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.LSH64_K:
                r[d] = Alu.lsh64(r[d], c >> 32);
                pc++;
                break;
            case Op.LSH64_X:
                r[d] = Alu.lsh64(r[d], r[s]);
                pc++;
                break;
            case Op.MOV_RSHK:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.RSH64_K:
                r[d] = Alu.rsh64(r[d], c >> 32);
                pc++;
                break;
            case Op.RSH64_X:
                r[d] = Alu.rsh64(r[d], r[s]);
                pc++;
                break;
            case Op.MOV64_K:
                r[d] = c >> 32;
                pc++;
                break;
            case Op.MOV64_X:
                r[d] = r[s];
                pc++;
                break;
            // ---- ALU (32-bit) ----
            case Op.ADD32_K:
                r[d] = Alu.add32(r[d], c >> 32);
                pc++;
                break;
            case Op.ADD32_X:
                r[d] = Alu.add32(r[d], r[s]);
                pc++;
                break;
            case Op.SUB32_K:
                r[d] = Alu.sub32(r[d], c >> 32);
                pc++;
                break;
            case Op.SUB32_X:
                r[d] = Alu.sub32(r[d], r[s]);
                pc++;
                break;
            case Op.MUL32_K:
                r[d] = Alu.mul32(r[d], c >> 32);
                pc++;
                break;
            case Op.MUL32_X:
                r[d] = Alu.mul32(r[d], r[s]);
                pc++;
                break;
            case Op.LSH32_K:
                r[d] = Alu.lsh32(r[d], c >> 32);
                pc++;
                break;
            case Op.LSH32_X:
                r[d] = Alu.lsh32(r[d], r[s]);
                pc++;
                break;
            case Op.RSH32_K:
                r[d] = Alu.rsh32(r[d], c >> 32);
                pc++;
                break;
            case Op.RSH32_X:
                r[d] = Alu.rsh32(r[d], r[s]);
                pc++;
                break;
            case Op.OR32_K:
                r[d] = Alu.u32(r[d] | c >> 32);
                pc++;
                break;
            case Op.OR32_X:
                r[d] = Alu.u32(r[d] | r[s]);
                pc++;
                break;
            case Op.AND32_K:
                r[d] = Alu.u32(r[d] & c >> 32);
                pc++;
                break;
            case Op.AND32_X:
                r[d] = Alu.u32(r[d] & r[s]);
                pc++;
                break;
            case Op.XOR32_K:
                r[d] = Alu.u32(r[d] ^ c >> 32);
                pc++;
                break;
            case Op.XOR32_X:
                r[d] = Alu.u32(r[d] ^ r[s]);
                pc++;
                break;
            case Op.MOV32_K:
                r[d] = Alu.u32(c >> 32);
                pc++;
                break;
            case Op.MOV32_X:
                r[d] = Alu.u32(r[s]);
                pc++;
                break;
            case Op.BSWAP16:
                r[d] = Alu.bswap16(r[d]);
                pc++;
                break;
            case Op.BSWAP32:
                r[d] = Alu.bswap32(r[d]);
                pc++;
                break;
            // the ALU ops hot loops are rarely made of: one case here, their switch in rareAlu
            case Op.SDIV64_K: case Op.SDIV64_X: case Op.SMOD64_K: case Op.SMOD64_X: case Op.ARSH64_K: case Op.ARSH64_X: case Op.NEG64: case Op.MOVSX8_64: case Op.MOVSX16_64: case Op.MOVSX32_64: case Op.DIV32_K: case Op.DIV32_X: case Op.SDIV32_K: case Op.SDIV32_X: case Op.MOD32_K: case Op.MOD32_X: case Op.SMOD32_K: case Op.SMOD32_X: case Op.NEG32: case Op.ARSH32_K: case Op.ARSH32_X: case Op.MOVSX8_32: case Op.MOVSX16_32: case Op.LE16: case Op.LE32: case Op.LE64: case Op.BSWAP64:
                r[d] = rareAlu((int) c & 0xff, r[d], r[s] + (c >> 32));
                pc++;
                break;
            // ---- memory: the array m.target maps, then the access; traps name the access's pc ----
            case Op.MOV_ADD_LDXB:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.ADD_LDXB:
                r[d] += r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.LDXB: {
                long a = r[s] + ((int) c >> 16);
                r[d] = Memory.get8(m.target(a, 1, pc, false), (int) a);
                pc++;
                break;
            }
            case Op.MOV_ADD_LDXH:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.ADD_LDXH:
                r[d] += r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.LDXH: {
                long a = r[s] + ((int) c >> 16);
                r[d] = Memory.get16(m.target(a, 2, pc, false), (int) a);
                pc++;
                break;
            }
            case Op.MOV_ADD_LDXW:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.ADD_LDXW:
                r[d] += r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.LDXW: {
                long a = r[s] + ((int) c >> 16);
                r[d] = Memory.get32(m.target(a, 4, pc, false), (int) a);
                pc++;
                break;
            }
            case Op.MOV_ADD_LDXDW:
                r[d] = r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.ADD_LDXDW:
                r[d] += r[s];
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.LDXDW: {
                long a = r[s] + ((int) c >> 16);
                r[d] = Memory.get64(m.target(a, 8, pc, false), (int) a);
                pc++;
                break;
            }
            case Op.LDXSB: {
                long a = r[s] + ((int) c >> 16);
                r[d] = Alu.sx8(Memory.get8(m.target(a, 1, pc, false), (int) a));
                pc++;
                break;
            }
            case Op.LDXSH: {
                long a = r[s] + ((int) c >> 16);
                r[d] = Alu.sx16(Memory.get16(m.target(a, 2, pc, false), (int) a));
                pc++;
                break;
            }
            case Op.LDXSW: {
                long a = r[s] + ((int) c >> 16);
                r[d] = Alu.sx32(Memory.get32(m.target(a, 4, pc, false), (int) a));
                pc++;
                break;
            }
            case Op.STB: {
                long a = r[d] + ((int) c >> 16);
                Memory.put8(m.target(a, 1, pc, true), (int) a, c >> 32);
                pc++;
                break;
            }
            case Op.STXB: {
                long a = r[d] + ((int) c >> 16);
                Memory.put8(m.target(a, 1, pc, true), (int) a, r[s]);
                pc++;
                break;
            }
            case Op.STH: {
                long a = r[d] + ((int) c >> 16);
                Memory.put16(m.target(a, 2, pc, true), (int) a, c >> 32);
                pc++;
                break;
            }
            case Op.STXH: {
                long a = r[d] + ((int) c >> 16);
                Memory.put16(m.target(a, 2, pc, true), (int) a, r[s]);
                pc++;
                break;
            }
            case Op.STW: {
                long a = r[d] + ((int) c >> 16);
                Memory.put32(m.target(a, 4, pc, true), (int) a, c >> 32);
                pc++;
                break;
            }
            case Op.STXW: {
                long a = r[d] + ((int) c >> 16);
                Memory.put32(m.target(a, 4, pc, true), (int) a, r[s]);
                pc++;
                break;
            }
            case Op.STDW: {
                long a = r[d] + ((int) c >> 16);
                Memory.put64(m.target(a, 8, pc, true), (int) a, c >> 32);
                pc++;
                break;
            }
            case Op.STXDW: {
                long a = r[d] + ((int) c >> 16);
                Memory.put64(m.target(a, 8, pc, true), (int) a, r[s]);
                pc++;
                break;
            }
            case Op.ATOMIC32: {
                long a = r[d] + ((int) c >> 16);
                int op = (int) (c >> 32);
                byte[] mem = m.target(a, 4, pc, true);
                long old = Memory.get32(mem, (int) a);
                Memory.put32(mem, (int) a, Alu.atomicStored(op, old, r[s], r[0], false));
                atomicResult(r, op, s, old);
                pc++;
                break;
            }
            case Op.ATOMIC64: {
                long a = r[d] + ((int) c >> 16);
                int op = (int) (c >> 32);
                byte[] mem = m.target(a, 8, pc, true);
                long old = Memory.get64(mem, (int) a);
                Memory.put64(mem, (int) a, Alu.atomicStored(op, old, r[s], r[0], true));
                atomicResult(r, op, s, old);
                pc++;
                break;
            }
            case Op.CMPXCHG64: {
                long a = r[d] + ((int) c >> 16);
                byte[] mem = m.target(a, 8, pc, true);
                long old = Memory.get64(mem, (int) a);
                Memory.put64(mem, (int) a, old == r[0] ? r[s] : old); // Alu.atomicStored's CMPXCHG
                r[0] = old;
                pc++;
                break;
            }
            case Op.LDDW:
                r[d] = wide[pc]; // two slots, one instruction
                r[REM]++;
                pc += 2;
                break;
            // ---- jumps: a taken one goes through jump(), which checks the budget on the way back ----
            case Op.ADD_JA:
                r[d] += c >> 32;
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.JA:
                pc = jump(r, pc, (int) (c >> 32));
                break;
            case Op.JEQ64_K:
                if (Jumps.eq64(r[d], c >> 32)) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JEQ64_X:
                if (Jumps.eq64(r[d], r[s])) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.ADD_JGT_K:
                r[d] += c >> 32;
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.JGT64_K:
                if (Jumps.gt64(r[d], c >> 32)) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.ADD_JGT_X:
                r[d] += c >> 32;
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.JGT64_X:
                if (Jumps.gt64(r[d], r[s])) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JGE64_K:
                if (Jumps.ge64(r[d], c >> 32)) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JGE64_X:
                if (Jumps.ge64(r[d], r[s])) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSET64_K:
                if (Jumps.set64(r[d], c >> 32)) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSET64_X:
                if (Jumps.set64(r[d], r[s])) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.ADD_JNE_K:
                r[d] += c >> 32;
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.JNE64_K:
                if (Jumps.ne64(r[d], c >> 32)) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.ADD_JNE_X:
                r[d] += c >> 32;
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.JNE64_X:
                if (Jumps.ne64(r[d], r[s])) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSGT64_K:
                if (Jumps.sgt64(r[d], c >> 32)) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSGT64_X:
                if (Jumps.sgt64(r[d], r[s])) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSGE64_K:
                if (Jumps.sge64(r[d], c >> 32)) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSGE64_X:
                if (Jumps.sge64(r[d], r[s])) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JA_ADD_JLT_K:
                pc = jump(r, pc, (int) (c >> 32));
                c = code[pc]; // the target's add64 K; jlt K: fall into its case, with its own operands
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.ADD_JLT_K:
                r[d] += c >> 32;
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.JLT64_K:
                if (Jumps.lt64(r[d], c >> 32)) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.ADD_JLT_X:
                r[d] += c >> 32;
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.JLT64_X:
                if (Jumps.lt64(r[d], r[s])) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.ADD_JLE_K:
                r[d] += c >> 32;
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.JLE64_K:
                if (Jumps.le64(r[d], c >> 32)) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.ADD_JLE_X:
                r[d] += c >> 32;
                pc++; // the next slot: fall into its case, with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.JLE64_X:
                if (Jumps.le64(r[d], r[s])) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSLT64_K:
                if (Jumps.slt64(r[d], c >> 32)) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSLT64_X:
                if (Jumps.slt64(r[d], r[s])) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSLE64_K:
                if (Jumps.sle64(r[d], c >> 32)) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSLE64_X:
                if (Jumps.sle64(r[d], r[s])) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            // JMP32: one case for the K and the X form
            case Op.JEQ32_K: case Op.JEQ32_X:
                if (Jumps.eq32(r[d], r[s] + (c >> 32))) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JGT32_K: case Op.JGT32_X:
                if (Jumps.gt32(r[d], r[s] + (c >> 32))) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JGE32_K: case Op.JGE32_X:
                if (Jumps.ge32(r[d], r[s] + (c >> 32))) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSET32_K: case Op.JSET32_X:
                if (Jumps.set32(r[d], r[s] + (c >> 32))) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JNE32_K: case Op.JNE32_X:
                if (Jumps.ne32(r[d], r[s] + (c >> 32))) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSGT32_K: case Op.JSGT32_X:
                if (Jumps.sgt32(r[d], r[s] + (c >> 32))) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSGE32_K: case Op.JSGE32_X:
                if (Jumps.sge32(r[d], r[s] + (c >> 32))) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JLT32_K: case Op.JLT32_X:
                if (Jumps.lt32(r[d], r[s] + (c >> 32))) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JLE32_K: case Op.JLE32_X:
                if (Jumps.le32(r[d], r[s] + (c >> 32))) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSLT32_K: case Op.JSLT32_X:
                if (Jumps.slt32(r[d], r[s] + (c >> 32))) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            case Op.JSLE32_K: case Op.JSLE32_X:
                if (Jumps.sle32(r[d], r[s] + (c >> 32))) {
                    pc = jump(r, pc, (int) c >> 16);
                } else {
                    pc++;
                }
                break;
            // ---- calls and exits: the budget check first, then the depth ----
            case Op.CALL_HELPER: case Op.CALLX: {
                if (pc >= r[REM]) {
                    throw budgetExhausted(pc);
                }
                int next = helperCall(c, r, pc, budget - r[REM] + pc + 1);
                if (next < 0) { // a tail call's sibling ran in this frame and exited it
                    int depth = (int) r[DEPTH];
                    if (depth == (int) r[BASE_DEPTH]) {
                        return r[0];
                    }
                    r[DEPTH] = --depth;
                    next = popFrame(r, frames, depth); // not null: this loop made the call
                }
                r[REM] = budget - set.countAcrossCall + next; // the count after the call, at next
                pc = next;
                break;
            }
            case Op.MOV_CALL:
                r[d] = r[s];
                pc++; // the next slot: fall into its case with its own operands
                c = code[pc];
                d = ((int) c >>> 8) & 15;
                s = ((int) c >>> 12) & 15;
            case Op.CALL_LOCAL: {
                if (pc >= r[REM]) {
                    throw budgetExhausted(pc);
                }
                int depth = (int) r[DEPTH];
                if (depth + 1 >= Memory.MAX_FRAMES) {
                    throw callDepth(pc, depth);
                }
                // the caller's r6..r9 and return pc go to its depth's slots of the call stack
                long[] f = frames;
                if (f == null) { // this loop's first call
                    f = frames = new long[CALL_STACK];
                }
                int at = depth * FRAME_WORDS;
                f[at] = r[6];
                f[at + 1] = r[7];
                f[at + 2] = r[8];
                f[at + 3] = r[9];
                f[at + 4] = pc + 1;
                r[DEPTH] = ++depth;
                r[10] = (long) (Memory.STACK_REGION + depth) << Memory.REGION_SHIFT | Memory.FRAME_SIZE; // frameTop(depth)
                if (depth > f[OPENED]) { // a frame this loop has not opened before: tell the set
                    f[OPENED] = depth;
                    frameOpened(depth);
                }
                int off = (int) (c >> 32);
                r[REM] += off;
                pc += 1 + off;
                break;
            }
            case Op.ALU_EXIT: {
                long v = r[s] + (c >> 32); // the operand of either form (Predecoder.ZERO)
                r[d] = switch ((int) c >>> 16 & 7) { // Predecoder.exitAluKind
                    case Predecoder.EXIT_MOV -> v;
                    case Predecoder.EXIT_MOV32 -> Alu.u32(v);
                    case Predecoder.EXIT_ADD -> r[d] + v;
                    case Predecoder.EXIT_SUB -> r[d] - v;
                    case Predecoder.EXIT_XOR -> r[d] ^ v;
                    case Predecoder.EXIT_OR -> r[d] | v;
                    default -> r[d] & v; // EXIT_AND, the only other kind the predecoder writes
                };
                pc++; // the exit's slot: fall into its case (it has no operands)
            }
            case Op.EXIT: {
                int depth = (int) r[DEPTH];
                if (depth == (int) r[BASE_DEPTH]) {
                    exitCount(depth, budget - r[REM] + pc + 1); // base + pc + 1, base = budget - rem
                    return r[0];
                }
                // popFrame written out: a call here, on a path C2 could not prune (one exit per
                // run is too few for its profile), made it keep the loop's locals in memory
                r[DEPTH] = --depth;
                long[] f = frames; // not null: this loop made the call
                int at = depth * FRAME_WORDS;
                r[6] = f[at];
                r[7] = f[at + 1];
                r[8] = f[at + 2];
                r[9] = f[at + 3];
                r[10] = (long) (Memory.STACK_REGION + depth) << Memory.REGION_SHIFT | Memory.FRAME_SIZE; // frameTop(depth)
                int t = (int) f[at + 4];
                r[REM] += t - pc - 1;
                pc = t;
                break;
            }
            case Op.CTX_LOAD:
                r[d] = contextLoad(pc, r[s]);
                pc++;
                break;
            case Op.CTX_STORE_K:
                contextStore(pc, r[d], c >> 32);
                pc++;
                break;
            case Op.CTX_STORE_X:
                contextStore(pc, r[d], r[s]);
                pc++;
                break;
            case Op.LD_ABS: case Op.LD_IND: {
                long v = packetLoad(c, r[s], pc);
                if (v >= 0) {
                    r[0] = v;
                    pc++;
                } else { // out of range: the function returns 0 at once (the exit is not counted)
                    r[0] = 0;
                    r[REM] += slots + 1 - pc;
                    pc = slots + 1;
                }
                break;
            }
            case Op.END_OF_PROGRAM:
                throw fellOffEnd(pc);
            default:
                throw notAnInstruction(pc, (int) c);
            }
        }
    }

    // ---- rare operations, kept out of the loop method -----------------------------------------

    private static Trap fellOffEnd(int pc) {
        return new Trap(TrapKind.FELL_OFF_END, pc, "execution ran past the last instruction (slot " + (pc - 1) + ") without exit");
    }

    private static IllegalStateException notAnInstruction(int pc, int c) {
        return new IllegalStateException("slot " + pc + " is not an instruction (internal op " + (c & 0xff) + ")");
    }

    /**
     * A helper call (or callx) at {@code pc}, {@code count} instructions into the run with the
     * call: returns the pc to go on at (the next slot, or 0 after a tail call into this program),
     * or {@link #SIBLING_EXITED} when a tail call ran a sibling in this frame to its exit. In all
     * cases {@link ProgramSet#countAcrossCall} holds the count after it.
     */
    private int helperCall(long c, long[] r, int pc, long count) {
        Helper h = ((int) c & 0xff) == Op.CALL_HELPER ? helpers[(int) (c >> 32)] : helperOrTrap(r[((int) c >>> 8) & 15], pc);
        int depth = (int) r[DEPTH];
        r[0] = callHelper(h, r, depth, pc, count);
        Executable tailCallTarget = context.takeTailCall();
        if (tailCallTarget == null) {
            return pc + 1;
        }
        if (tailCallTarget == this) {
            return 0; // a transfer to pc 0 of the same code, r1 (ctx) and r10 kept
        }
        r[0] = tailCall(tailCallTarget, r, depth, pc, set.countAcrossCall);
        return SIBLING_EXITED;
    }

    private static final int SIBLING_EXITED = -1;

    private static Trap budgetExhausted(int pc) {
        return new Trap(TrapKind.BUDGET_EXHAUSTED, pc, "instruction budget exhausted");
    }

    /**
     * A taken jump at {@code pc} by {@code off} slots: returns the target. A jump back is checked
     * first (the budget rule); every jump moves the count's base, so {@code rem} changes by
     * {@code off} (the target less the slot after the jump).
     */
    private static int jump(long[] r, int pc, int off) {
        long rem = r[REM];
        if (off < 0 && pc >= rem) {
            throw budgetExhausted(pc);
        }
        r[REM] = rem + off;
        return pc + 1 + off;
    }

    /**
     * {@link Memory#frameTop}, written out (the loop writes the same expression inline: there, an
     * unresolved call on a path C2 cannot prune made it keep the loop's locals in memory).
     */
    static long frameTop(int depth) {
        return (long) (Memory.STACK_REGION + depth) << Memory.REGION_SHIFT | Memory.FRAME_SIZE;
    }

    /**
     * The ALU operations hot loops are rarely made of (signed division and remainder, unsigned
     * 32-bit ones, arithmetic shifts, sign extension, neg, le, bswap64): the loop method has one
     * case for all of them and the switch is here, which keeps the loop method small (C2 counts
     * its bytecode and every inlined callee's against one budget per compiled method). {@code b} is
     * the operand (register or immediate), {@code a} the destination's value.
     */
    private static long rareAlu(int op, long a, long b) {
        return switch (op) {
            case Op.SDIV64_K, Op.SDIV64_X -> Alu.sdiv64(a, b);
            case Op.SMOD64_K, Op.SMOD64_X -> Alu.smod64(a, b);
            case Op.ARSH64_K, Op.ARSH64_X -> Alu.arsh64(a, b);
            case Op.NEG64 -> -a;
            case Op.MOVSX8_64 -> Alu.sx8(b);
            case Op.MOVSX16_64 -> Alu.sx16(b);
            case Op.MOVSX32_64 -> Alu.sx32(b);
            case Op.DIV32_K, Op.DIV32_X -> Alu.div32(a, b);
            case Op.SDIV32_K, Op.SDIV32_X -> Alu.sdiv32(a, b);
            case Op.MOD32_K, Op.MOD32_X -> Alu.mod32(a, b);
            case Op.SMOD32_K, Op.SMOD32_X -> Alu.smod32(a, b);
            case Op.NEG32 -> Alu.neg32(a);
            case Op.ARSH32_K, Op.ARSH32_X -> Alu.arsh32(a, b);
            case Op.MOVSX8_32 -> Alu.movsx32(b, 8);
            case Op.MOVSX16_32 -> Alu.movsx32(b, 16);
            case Op.LE16 -> Alu.le(a, 16);
            case Op.LE32 -> Alu.le(a, 32);
            case Op.LE64 -> Alu.le(a, 64);
            case Op.BSWAP64 -> Alu.bswap64(a);
            default -> throw new IllegalStateException("op " + op + " is not a rare ALU op");
        };
    }

    /** Where an atomic op's old value goes: r0 for cmpxchg, src for the fetch forms (xchg is one). */
    private static void atomicResult(long[] r, int op, int s, long old) {
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
        try {
            return h.call(context, r[1], r[2], r[3], r[4], r[5], pc);
        } catch (Trap t) {
            throw t;
        } catch (RuntimeException | StackOverflowError e) {
            throw internalError(pc, e);
        }
    }

    /** A failure that is no fault of the program: a bug in the interpreter or a helper, at {@code pc}. */
    private static Trap internalError(int pc, Throwable e) {
        return new Trap(TrapKind.RUNTIME_ERROR, pc, "internal error in the interpreter or a helper: " + e);
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
        r[ENTRY_PC] = 0; // (never written by the loop: no program names it)
        return t.execute(r, depth, t.budget - count);
    }

    /** LD_ABS / LD_IND (code word: size in the off field): the value, or -1 when out of range. */
    private long packetLoad(long c, long src, int pc) {
        long imm = c >> 32;
        int offset = ((int) c & 0xff) == Op.LD_ABS ? (int) imm : (int) (src + imm);
        try {
            return set.packet.loadAbsolute(offset, (int) c >> 16);
        } catch (Trap t) {
            throw t;
        } catch (RuntimeException e) {
            throw internalError(pc, e);
        }
    }

    private long contextLoad(int pc, long src) {
        try {
            return set.packet.load(contextAccess[pc], src, pc);
        } catch (Trap t) {
            throw t;
        } catch (RuntimeException e) {
            throw internalError(pc, e);
        }
    }

    private void contextStore(int pc, long dst, long value) {
        try {
            set.packet.store(contextAccess[pc], dst, value, pc);
        } catch (Trap t) {
            throw t;
        } catch (RuntimeException e) {
            throw internalError(pc, e);
        }
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
        frameOpened(depth + 1); // the callback's frame
        long[] regs = new long[REGISTERS];
        regs[1] = r1;
        regs[2] = r2;
        regs[3] = r3;
        regs[4] = r4;
        regs[5] = r5;
        regs[10] = Memory.frameTop(depth + 1);
        regs[ENTRY_PC] = targetPc;
        long count = set.countAcrossCall;
        long r0 = execute(regs, depth + 1, budget - count + targetPc);
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

    private static Trap callDepth(int pc, int depth) {
        return new Trap(TrapKind.CALL_DEPTH, pc,
                "local call would open frame " + (depth + 2) + " of at most " + Memory.MAX_FRAMES);
    }

    /**
     * A frame at {@code depth} (1..7) was opened, by a loop's first local call to that depth or by
     * a callback: the next run zeroes that frame's stack ({@link ProgramSet#framesTouched}). Out of
     * the loop's way: once per depth per loop, not per call.
     */
    private void frameOpened(int depth) {
        if (depth >= set.framesTouched) {
            set.framesTouched = depth + 1;
        }
    }

    /** Restores the caller at {@code depth} (r6..r9 and r10) and returns its return pc. */
    private static int popFrame(long[] r, long[] frames, int depth) {
        int at = depth * FRAME_WORDS;
        System.arraycopy(frames, at, r, 6, 4);
        r[10] = frameTop(depth);
        return (int) frames[at + 4];
    }
}
