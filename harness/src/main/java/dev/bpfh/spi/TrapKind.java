package dev.bpfh.spi;

/** Why a run stopped without {@code exit}. The interpreter and the JIT report the same kinds. */
public enum TrapKind {
    /** A load, store or atomic outside every mapped region, or straddling a region's end. */
    OUT_OF_BOUNDS,
    /** A local call that would need a ninth stack frame. */
    CALL_DEPTH,
    /** Control reached the slot after the last one. */
    FELL_OFF_END,
    /** The instruction budget ran out (checked at backward jumps and calls). */
    BUDGET_EXHAUSTED,
    /** callx (or a helper id known only at run time) named no registered helper. */
    UNKNOWN_HELPER,
    /** A helper reported an error of its own. */
    HELPER_FAILED,
    /** The kernel or a plugin failed the run without a finer reason. */
    RUNTIME_ERROR
}
