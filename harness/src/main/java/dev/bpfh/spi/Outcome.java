package dev.bpfh.spi;

import java.util.Arrays;
import java.util.HexFormat;

/** What one run of a program produced. */
public sealed interface Outcome {

    /** The program ran: it returned or trapped. */
    sealed interface Ran extends Outcome permits Returned, Trapped {}

    /**
     * The program exited. For a {@link ProgramType#RAW} program: the 64-bit r0 and the input memory
     * after the run. For a typed program: test_run's {@code retval} (the low 32 bits of r0,
     * zero-extended), its {@code data_out} (the packet after the run: XDP from data_meta to
     * data_end; a socket filter's starts with 14 zero bytes, programs.md §4.3) and, when the run was
     * given a context, its {@code ctx_out} (the context struct's bytes after the run); {@code ctx}
     * is null otherwise. {@code memory} is null when the input asked for no data_out
     * ({@link RunInput#dataOut()} false).
     */
    record Returned(long r0, byte[] memory, byte[] ctx) implements Ran {
        /** A run without context output. */
        public Returned(long r0, byte[] memory) {
            this(r0, memory, null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Returned r && r.r0 == r0 && Arrays.equals(r.memory, memory) && Arrays.equals(r.ctx, ctx);
        }

        @Override
        public int hashCode() {
            return (Long.hashCode(r0) * 31 + Arrays.hashCode(memory)) * 31 + Arrays.hashCode(ctx);
        }

        @Override
        public String toString() {
            return "Returned[r0=0x" + Long.toHexString(r0) + ", memory=" + (memory == null ? "not wanted" : HexFormat.of().formatHex(memory))
                    + (ctx == null ? "" : ", ctx=" + HexFormat.of().formatHex(ctx)) + "]";
        }
    }

    /**
     * The backend refused the program when asked to run it: a backend that sees the program only
     * then (a bpf_conformance plugin process) reports what an in-process engine reports as
     * {@link LoadRejected} at load. Runners judge both the same way. {@code pc} is -1 when unknown.
     */
    record Refused(int pc, String reason, String log) implements Outcome {
        /** The one-line message, as {@link LoadRejected#getMessage()} words it. */
        public String message() {
            return pc >= 0 ? reason + " at pc " + pc : reason;
        }

        /** The same refusal as the exception in-process engines throw at load. */
        public LoadRejected toLoadRejected() {
            return new LoadRejected(pc, reason, log);
        }

        @Override
        public String toString() {
            return "rejected: " + message();
        }
    }

    /** The program faulted at {@code pc} (slot index). */
    record Trapped(TrapKind kind, int pc, String message) implements Ran {
        @Override
        public String toString() {
            return kind + " at pc " + pc + ": " + message;
        }
    }
}
