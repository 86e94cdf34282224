package dev.bpfh.exec;

import dev.bpfh.maps.MapSet;
import java.util.SplittableRandom;

/**
 * What a helper may touch during one run: the address space, the program's maps, the run's random
 * stream, and the engine's way to call a subprogram back.
 */
public final class RunContext {
    private final Memory memory;
    private final long seed;
    private final MapSet maps;
    private SplittableRandom random;
    private int tailCalls;
    private dev.bpfh.ctx.PacketContext packet;
    private dev.bpfh.spi.Executable pendingTailCall;
    private FunctionCaller caller = (pc, a, b, c, d, e, callerPc) -> {
        throw new Trap(dev.bpfh.spi.TrapKind.HELPER_FAILED, callerPc, "this engine cannot call back into the program");
    };

    public RunContext(Memory memory, long seed) {
        this(memory, seed, MapSet.empty(memory));
    }

    public RunContext(Memory memory, long seed, MapSet maps) {
        this.memory = memory;
        this.seed = seed;
        this.maps = maps;
    }

    public Memory memory() {
        return memory;
    }

    public MapSet maps() {
        return maps;
    }

    /** Set once by the engine: how {@code bpf_loop} runs its callback. */
    public void setFunctionCaller(FunctionCaller caller) {
        this.caller = caller;
    }

    public FunctionCaller functionCaller() {
        return caller;
    }

    /** Resets per-run state; called by the engine at the start of each run. */
    public void startRun() {
        maps.startRun();
        random = null;
        tailCalls = 0;
        pendingTailCall = null;
    }

    /** The run's packet and context (typed programs), or null for a raw program. */
    public dev.bpfh.ctx.PacketContext packet() {
        return packet;
    }

    /** Set by the engine at the start of each run of a typed program. */
    public void setPacket(dev.bpfh.ctx.PacketContext packet) {
        if (this.packet != packet) { // engines set the same context run after run: skip the GC write barrier
            this.packet = packet;
        }
    }

    /** Tail calls made so far in this run. */
    public int tailCalls() {
        return tailCalls;
    }

    /**
     * Called by {@code bpf_tail_call} when it succeeds: the engine, right after the helper returns,
     * continues with {@code target} ({@link #takeTailCall}) instead of the next instruction.
     */
    public void requestTailCall(dev.bpfh.spi.Executable target) {
        tailCalls++;
        pendingTailCall = target;
    }

    /** A tail call that passed the count check but found an empty slot still counts (kernel/bpf/core.c). */
    public void countFailedTailCall() {
        tailCalls++;
    }

    /** The tail-call target requested by the helper just called, or null; clears it. */
    public dev.bpfh.spi.Executable takeTailCall() {
        dev.bpfh.spi.Executable t = pendingTailCall;
        pendingTailCall = null;
        return t;
    }

    /** The run's random stream, restarted from the seed in every run (created lazily). */
    public SplittableRandom random() {
        if (random == null) {
            random = new SplittableRandom(seed);
        }
        return random;
    }
}
