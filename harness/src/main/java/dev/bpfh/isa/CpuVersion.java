package dev.bpfh.isa;

import java.util.Locale;

/**
 * The eBPF CPU versions of LLVM's {@code -mcpu=vN} (isa.md §3.3): each adds instructions to the
 * previous one, so versions compare by their declaration order.
 */
public enum CpuVersion {
    /** Base ALU/ALU64, lddw, loads and stores, ja, the 64-bit jeq..jsge, helper call, exit, callx. */
    V1,
    /** Adds the 64-bit jlt, jle, jslt and jsle. */
    V2,
    /** Adds every JMP32 compare, local and BTF calls, and the atomics. */
    V3,
    /** Adds ja32, sdiv/smod, movsx, the sign-extending loads and bswap. */
    V4;

    /** bpf_conformance's default {@code --cpu_version}. */
    public static final CpuVersion DEFAULT = V3;

    /** Parses {@code v1}..{@code v4} (case-insensitive). */
    public static CpuVersion parse(String text) {
        if (text != null) {
            for (CpuVersion v : values()) {
                if (v.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return v;
                }
            }
        }
        throw new IllegalArgumentException("Invalid CPU version: " + text + " (expected v1, v2, v3 or v4)");
    }

    /** The spelling used on command lines and in reports: {@code v1}..{@code v4}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean atLeast(CpuVersion other) {
        return compareTo(other) >= 0;
    }
}
