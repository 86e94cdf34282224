package dev.bpfh.exec;

import java.util.SplittableRandom;

/** What a helper may touch during one run: the address space and the run's random stream. */
public final class RunContext {
    private final Memory memory;
    private final long seed;
    private SplittableRandom random;

    public RunContext(Memory memory, long seed) {
        this.memory = memory;
        this.seed = seed;
    }

    public Memory memory() {
        return memory;
    }

    /** Resets per-run state; called by the engine at the start of each run. */
    public void startRun() {
        random = null;
    }

    /** The run's random stream, restarted from the seed in every run (created lazily). */
    public SplittableRandom random() {
        if (random == null) {
            random = new SplittableRandom(seed);
        }
        return random;
    }
}
