package dev.bpfh.spi;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * What one run of a program is given: the same two inputs {@code BPF_PROG_TEST_RUN} takes.
 *
 * <p>{@code data} is the memory of a {@link ProgramType#RAW} program (r1 = its address, r2 = its
 * length) or the packet of a typed program (test_run's {@code data_in}: a whole Ethernet frame).
 * Engines run on it in place. {@code ctx} is test_run's {@code ctx_in}: the bytes of the type's
 * context struct ({@code struct xdp_md}, {@code struct __sk_buff}; a shorter array is zero-extended
 * as the kernel does), or null when the run has no context input. Null and all-zero are not the
 * same run: the kernel fills some fields only from a given context (programs.md §4.3, wire_len), and
 * {@link Outcome.Returned#ctx()} is reported only when a context was given, as test_run's
 * {@code ctx_out}. Raw programs take no context. {@link dev.bpfh.ctx.ContextLayout#checkInput}
 * words the kernel's rules for both arrays.
 */
public record RunInput(byte[] data, byte[] ctx) {

    public RunInput {
        java.util.Objects.requireNonNull(data, "data");
    }

    /** A run with memory or a packet only. */
    public static RunInput of(byte[] data) {
        return new RunInput(data, null);
    }

    /** The same input with fresh copies of both arrays, so a run cannot change the original. */
    public RunInput copy() {
        return new RunInput(data.clone(), ctx == null ? null : ctx.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunInput r && Arrays.equals(r.data, data) && Arrays.equals(r.ctx, ctx);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data) * 31 + Arrays.hashCode(ctx);
    }

    @Override
    public String toString() {
        return "RunInput[data=" + HexFormat.of().formatHex(data)
                + (ctx == null ? "" : ", ctx=" + HexFormat.of().formatHex(ctx)) + "]";
    }
}
