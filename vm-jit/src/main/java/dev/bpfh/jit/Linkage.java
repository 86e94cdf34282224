package dev.bpfh.jit;

import dev.bpfh.exec.Helper;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.RunContext;

/**
 * The objects one compiled program reaches as class data (element 0 of the class-data list).
 * A record because HotSpot trusts record fields as final, so after the {@code ldc} of the class data
 * every {@code getfield} here folds to a constant in C2.
 */
public record Linkage(Memory memory, RunContext context, RunState state, Helper[] helpers) {}
