package dev.bpfh.spi;

import java.util.Locale;
import java.util.Optional;

/**
 * What a program is attached to, which decides its context (r1) and its result. {@link #RAW} is
 * bpf_conformance's convention (r1 = memory, r2 = its length, the result is the 64-bit r0); the
 * others are the kernel's program types with their Linux ids ({@code enum bpf_prog_type}).
 */
public enum ProgramType {
    RAW(-1),
    SOCKET_FILTER(1),
    SCHED_CLS(3),
    XDP(6);

    private final int linuxId;

    ProgramType(int linuxId) {
        this.linuxId = linuxId;
    }

    /** {@code enum bpf_prog_type}; -1 for RAW, which the kernel backend wraps (see its docs). */
    public int linuxId() {
        return linuxId;
    }

    /** The {@code .data}/CLI spelling: {@code raw}, {@code xdp}, {@code tc}, {@code socket_filter}. */
    public String word() {
        return this == SCHED_CLS ? "tc" : name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ProgramType> fromWord(String word) {
        for (ProgramType t : values()) {
            if (t.word().equals(word)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
