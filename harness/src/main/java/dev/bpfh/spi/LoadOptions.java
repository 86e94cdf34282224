package dev.bpfh.spi;

/**
 * How a program is prepared.
 *
 * @param instructionBudget instructions a run may execute before it traps with
 *     {@link TrapKind#BUDGET_EXHAUSTED}; the count is checked at backward jumps and calls, so
 *     straight-line code may overshoot it by at most the program length
 * @param randomSeed seed of {@code bpf_get_prandom_u32} (helper 7), reset at the start of every run
 *     so that repeated runs and different engines see the same sequence
 */
public record LoadOptions(long instructionBudget, long randomSeed) {

    /** 10^8 instructions: a few tenths of a second in the interpreter, far beyond any test. */
    public static final long DEFAULT_INSTRUCTION_BUDGET = 100_000_000L;

    public static final long DEFAULT_RANDOM_SEED = 0x5eed_0bf0L;

    public static final LoadOptions DEFAULTS = new LoadOptions(DEFAULT_INSTRUCTION_BUDGET, DEFAULT_RANDOM_SEED);

    public LoadOptions {
        if (instructionBudget <= 0) {
            throw new IllegalArgumentException("instruction budget must be positive: " + instructionBudget);
        }
    }

    public LoadOptions withInstructionBudget(long budget) {
        return new LoadOptions(budget, randomSeed);
    }

    public LoadOptions withRandomSeed(long seed) {
        return new LoadOptions(instructionBudget, seed);
    }
}
