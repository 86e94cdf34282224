package dev.bpfh.jit;

import dev.bpfh.ctx.PacketContext;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.RunContext;
import dev.bpfh.exec.Trap;
import dev.bpfh.maps.MapSet;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import dev.bpfh.spi.TrapKind;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * A compiled program: the entry handle of its hidden class plus the per-run objects its class data
 * points at. {@link #close()} drops the only strong reference to the handle, so the hidden class
 * (defined without {@code STRONG}) can be unloaded.
 *
 * <p>The program is entered through a {@link MethodHandle} held in a plain field, which C2 cannot
 * constant-fold and therefore cannot inline: the generated methods are compiled on their own. When
 * they were inlined into this method (an ordinary interface call), C2 optimised the programs' loops
 * worse: byte_sum_1024 about 1.1x, checksum_1500 1.15x, atomics_stack 1.6x slower (thread CPU time,
 * measured). The handle is a direct one to the class's static {@code entry}, so the indirect call is
 * a type check and a jump through the handle's shared invoker, with no bound receiver.
 */
final class JitExecutable implements Executable {
    /** The class's static {@code entry(r1, r2)} (a direct handle); null once closed. */
    private MethodHandle entry;
    private final Memory memory;
    private final RunContext context;
    private final RunState state;
    /** The instruction budget in the generated code's units: times {@code Compiler.budgetScale}. */
    private final long budget;
    /** Frames a run may write; in a set ({@link #join}), the most any member may write. */
    private int framesUsed;
    /**
     * {@link Compiler#frameWriteFloor}: the first frame byte any run can write; in a set, the lowest
     * of any member, since a run may tail-call into any of them.
     */
    private int zeroFrom;
    /** The program's type and, for a typed program, the region r1 points at (never mapped). */
    private ProgramType type = ProgramType.RAW;
    private int ctxRegion = -1;
    /** {@link PacketContext#startsOnFrame}: the interpreter decides it by the same rule. */
    private boolean startsOnFrame;
    /** {@link Compiler#packetWritable} negated: no instruction of the program can write the packet. */
    private final boolean packetReadOnly;
    /** The typed runs' context, set up anew by each run ({@link PacketContext#begin}); made at the first. */
    private PacketContext packet;
    /** {@link Compiler#budgetScale}. */
    private int budgetScale = 1;
    /** The entry function {@code f0(depth, r0..r9) -> r0}, for a sibling's tail call ({@link TailCalls}). */
    private MethodHandle function0;
    /** How {@code bpf_loop} calls this program's subprograms; null for a program alone. */
    private JitCallbacks callbacks;
    /** Whether it was loaded with others ({@link JitBackend#loadAll}) and shares their context. */
    private boolean inSet;
    private final Map<String, Object> info;
    private final MapSet maps;

    JitExecutable(MethodHandle entry, Linkage linkage, MapSet maps, long budget, int framesUsed,
            int zeroFrom, boolean packetReadOnly, Map<String, Object> info) {
        this.entry = entry;
        this.packetReadOnly = packetReadOnly;
        this.maps = maps;
        this.memory = linkage.memory();
        this.context = linkage.context();
        this.state = linkage.state();
        this.budget = budget;
        this.framesUsed = framesUsed;
        this.zeroFrom = zeroFrom;
        this.info = Map.copyOf(info);
    }

    /**
     * Load-time facts of a typed program: its type, the unmapped region r1 points at and whether
     * its runs start on the XDP frame ({@link PacketContext#startsOnFrame}).
     */
    void typed(ProgramType type, int ctxRegion, boolean startsOnFrame) {
        this.type = type;
        this.ctxRegion = ctxRegion;
        this.startsOnFrame = startsOnFrame;
    }

    /** What a sibling's tail call into this program needs. */
    void linkEntry(MethodHandle function0, int budgetScale, JitCallbacks callbacks) {
        this.function0 = function0;
        this.budgetScale = budgetScale;
        this.callbacks = callbacks;
    }

    /** Joins a set of programs that share one memory and context; frames are zeroed for all of them. */
    void join(int framesUsed, int zeroFrom) {
        this.inSet = true;
        this.framesUsed = framesUsed;
        this.zeroFrom = zeroFrom;
    }

    int framesUsed() {
        return framesUsed;
    }

    int zeroFrom() {
        return zeroFrom;
    }

    boolean sharesMapsWith(JitExecutable other) {
        return other.memory == memory && other.function0 != null;
    }

    ProgramType type() {
        return type;
    }

        RunState state() {
        return state;
    }

    RunContext context() {
        return context;
    }

    int budgetScale() {
        return budgetScale;
    }

    MethodHandle function0() {
        return function0;
    }

    JitCallbacks callbacks() {
        return callbacks;
    }

    /**
     * A typed program's run (CTX-DESIGN.md's recipe): the packet as region 1, r1 = the context
     * pointer, r2..r5 = 0; the result is test_run's retval, data_out and ctx_out. An input test_run
     * would refuse ({@link PacketContext#checkInput}), or a context for a raw program, is
     * {@link PacketContext#inputRefused}, as in the interpreter and the kernel backend.
     */
    @Override
    public Outcome run(RunInput input) {
        var bad = PacketContext.checkInput(type, input);
        if (bad.isPresent()) {
            return PacketContext.inputRefused(bad.get()); // the kernel backend's outcome for it
        }
        if (type == ProgramType.RAW) {
            return input.reported(run(input.data()));
        }
        MethodHandle program = entry;
        if (program == null) {
            throw new IllegalStateException("executable is closed");
        }
        PacketContext packet = this.packet;
        if (packet == null) {
            packet = this.packet = PacketContext.reusable(type, memory, ctxRegion);
        }
        // checked above; a sibling may write the packet
        packet.begin(input, packetReadOnly && !inSet, startsOnFrame);
        mappedInput = null; // region 1 is the packet now
        clearFrames();
        context.startRun();
        context.setPacket(packet);
        if (inSet) {
            context.setFunctionCaller(callbacks);
        }
        state.budget = budget;
        try {
            long r0 = (long) program.invokeExact(packet.ctxAddress(), 0L);
            // data_out only when wanted: a packet the program moved or changed is copied out
            return new Outcome.Returned(PacketContext.retval(r0), input.dataOut() ? packet.dataOut() : null, packet.ctxOut());
        } catch (Throwable t) {
            return failure(t);
        }
    }

    /**
     * What a throwable out of compiled code makes of the run. The generated code throws only
     * {@link Trap}; a helper may throw anything else; an Error other than a stack overflow is
     * rethrown, and there are no checked exceptions to expect.
     */
    private static Outcome failure(Throwable t) {
        return switch (t) {
            case Trap trap -> trap.toOutcome();
            case StackOverflowError e -> new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, "stack overflow in compiled code");
            case RuntimeException e -> new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, "internal error in compiled code: " + e);
            case Error e -> throw e;
            default -> throw new IllegalStateException("unexpected from compiled code", t);
        };
    }

    /** The input of no input: nothing can be stored into it, so every run may share it. */
    private static final byte[] NO_INPUT = new byte[0];

    /**
     * The array Memory has mapped as the input region since the last {@link Memory#startRun}: only
     * startRun maps region 1, so when a run gets the same array again (a caller reusing its buffer)
     * the mapping is already right and the two table stores, with their GC write barriers, are
     * skipped. The frames are zeroed here ({@link #clearFrames}), not by startRun. Never trusted in a
     * program set, whose siblings share the memory, nor after a typed run (the packet is region 1).
     */
    private byte[] mappedInput;

    @Override
    public Outcome run(byte[] memoryOrNull) {
        if (type != ProgramType.RAW) {
            return run(RunInput.of(memoryOrNull == null ? NO_INPUT : memoryOrNull));
        }
        byte[] input = memoryOrNull == null ? NO_INPUT : memoryOrNull;
        MethodHandle program = entry;
        if (program == null) {
            throw new IllegalStateException("executable is closed");
        }
        if (inSet || input != mappedInput) {
            memory.startRun(input, 0);
            mappedInput = inSet ? null : input;
        }
        clearFrames();
        context.startRun();
        if (inSet) {
            context.setFunctionCaller(callbacks);
            context.setPacket(null); // a typed sibling's last run left its packet there
        }
        state.budget = budget;
        try {
            long r0 = (long) program.invokeExact(Memory.inputAddress(), (long) input.length);
            return new Outcome.Returned(r0, input);
        } catch (Throwable t) {
            return failure(t);
        }
    }

    private static final byte[] ZERO_FRAME = new byte[Memory.FRAME_SIZE];

    /**
     * Zeroes the frames a run may have written, as {@link Memory#startRun} would, with straight-line
     * {@code System.arraycopy} calls rather than a loop: C2 inlines this method and the program's
     * methods into one compilation, and a loop here (a fill, or a loop over the frames) made it
     * optimise the program's own loops measurably worse (byte_sum_1024 1.5x, atomics_stack 1.6x).
     * {@code framesUsed} is 1 or {@link Memory#MAX_FRAMES}. Only {@code [zeroFrom, FRAME_SIZE)} can
     * have been written (nothing, for a program without stores or helper calls), so only that is
     * zeroed.
     */
    private void clearFrames() {
        if (zeroFrom >= Memory.FRAME_SIZE) {
            return;
        }
        zero(Memory.STACK_REGION);
        if (framesUsed > 1) {
            zero(Memory.STACK_REGION + 1);
            zero(Memory.STACK_REGION + 2);
            zero(Memory.STACK_REGION + 3);
            zero(Memory.STACK_REGION + 4);
            zero(Memory.STACK_REGION + 5);
            zero(Memory.STACK_REGION + 6);
            zero(Memory.STACK_REGION + 7);
        }
    }

    private void zero(int region) {
        System.arraycopy(ZERO_FRAME, zeroFrom, memory.region(region), zeroFrom, Memory.FRAME_SIZE - zeroFrom);
    }

    @Override
    public List<MapView> maps() {
        return maps.views();
    }

    @Override
    public Map<String, Object> info() {
        return info;
    }

    @Override
    public void close() {
        entry = null;
    }
}
