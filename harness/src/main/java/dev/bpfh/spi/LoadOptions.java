package dev.bpfh.spi;

/**
 * How a program is prepared.
 *
 * @param instructionBudget instructions a run may execute before it traps with
 *     {@link TrapKind#BUDGET_EXHAUSTED}; the count is checked at backward jumps and calls, so
 *     straight-line code may overshoot it by at most the program length
 * @param randomSeed seed of {@code bpf_get_prandom_u32} (helper 7), reset at the start of every run
 *     so that repeated runs and different engines see the same sequence
 * @param memoryLengthHint the input length the program will run with, or -1 when unknown. Engines
 *     that must fix the length when they load (the kernel backend builds it into the wrapper the
 *     verifier checks) use it to refuse length-dependent errors at load time; others ignore it
 */
public record LoadOptions(long instructionBudget, long randomSeed, int memoryLengthHint) {

    /** 10^8 instructions: a few tenths of a second in the interpreter, far beyond any test. */
    public static final long DEFAULT_INSTRUCTION_BUDGET = 100_000_000L;

    public static final long DEFAULT_RANDOM_SEED = 0x5eed_0bf0L;

    public static final LoadOptions DEFAULTS = new LoadOptions(DEFAULT_INSTRUCTION_BUDGET, DEFAULT_RANDOM_SEED, -1);

    public LoadOptions {
        if (instructionBudget <= 0) {
            throw new IllegalArgumentException("instruction budget must be positive: " + instructionBudget);
        }
        if (memoryLengthHint < -1) {
            throw new IllegalArgumentException("memory length hint must be -1 (unknown) or a length: " + memoryLengthHint);
        }
    }

    public LoadOptions withInstructionBudget(long budget) {
        return new LoadOptions(budget, randomSeed, memoryLengthHint);
    }

    public LoadOptions withRandomSeed(long seed) {
        return new LoadOptions(instructionBudget, seed, memoryLengthHint);
    }

    public LoadOptions withMemoryLengthHint(int length) {
        return new LoadOptions(instructionBudget, randomSeed, length);
    }
}
