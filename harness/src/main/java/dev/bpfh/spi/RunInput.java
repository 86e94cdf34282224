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
 *
 * <p>{@code dataOut} false is test_run called with {@code data_out} NULL: the caller will not read
 * the memory after the run, so {@link Outcome.Returned#memory()} is null, on every engine and for
 * every program type, and an engine need not build it (for a packet that the program moved or
 * changed, a fresh array per run). Nothing else of the run changes: r0, ctx_out, the maps, traps.
 * For callers that look only at verdicts and maps, as the per-packet benchmark, whose kernel
 * figure (test_run's {@code duration}) never includes the copy out either.
 */
public record RunInput(byte[] data, byte[] ctx, boolean dataOut) {

    public RunInput {
        java.util.Objects.requireNonNull(data, "data");
    }

    /** A run whose memory after the run is wanted ({@code dataOut} true), as test_run with a data_out buffer. */
    public RunInput(byte[] data, byte[] ctx) {
        this(data, ctx, true);
    }

    /** A run with memory or a packet only. */
    public static RunInput of(byte[] data) {
        return new RunInput(data, null);
    }

    /** The same input with fresh copies of both arrays, so a run cannot change the original. */
    public RunInput copy() {
        return new RunInput(data.clone(), ctx == null ? null : ctx.clone(), dataOut);
    }

    /** The same arrays, for a run whose memory after the run nobody reads (see the class comment). */
    public RunInput withoutDataOut() {
        return new RunInput(data, ctx, false);
    }

    /**
     * {@code outcome} as a run of this input reports it: as it is, or without its memory when no
     * data_out is wanted. For engines that have the memory anyway (a raw program's, in place).
     */
    public Outcome reported(Outcome outcome) {
        if (!dataOut && outcome instanceof Outcome.Returned r && r.memory() != null) {
            return new Outcome.Returned(r.r0(), null, r.ctx());
        }
        return outcome;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunInput r && Arrays.equals(r.data, data) && Arrays.equals(r.ctx, ctx) && r.dataOut == dataOut;
    }

    @Override
    public int hashCode() {
        return (Arrays.hashCode(data) * 31 + Arrays.hashCode(ctx)) * 31 + Boolean.hashCode(dataOut);
    }

    @Override
    public String toString() {
        return "RunInput[data=" + HexFormat.of().formatHex(data)
                + (ctx == null ? "" : ", ctx=" + HexFormat.of().formatHex(ctx))
                + (dataOut ? "" : ", no data_out") + "]";
    }
}
