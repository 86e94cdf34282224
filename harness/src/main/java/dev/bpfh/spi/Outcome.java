package dev.bpfh.spi;

import java.util.Arrays;
import java.util.HexFormat;

/** What one run of a program produced. */
public sealed interface Outcome {

    /** The program exited: r0 and the input memory after the run. */
    record Returned(long r0, byte[] memory) implements Outcome {
        @Override
        public boolean equals(Object o) {
            return o instanceof Returned r && r.r0 == r0 && Arrays.equals(r.memory, memory);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(r0) * 31 + Arrays.hashCode(memory);
        }

        @Override
        public String toString() {
            return "Returned[r0=0x" + Long.toHexString(r0) + ", memory=" + HexFormat.of().formatHex(memory) + "]";
        }
    }

    /** The program faulted at {@code pc} (slot index). */
    record Trapped(TrapKind kind, int pc, String message) implements Outcome {
        @Override
        public String toString() {
            return kind + " at pc " + pc + ": " + message;
        }
    }
}
