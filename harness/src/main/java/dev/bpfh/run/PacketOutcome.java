package dev.bpfh.run;

import dev.bpfh.data.Actions;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one packet did on one backend: the outcome and the ring buffer records it submitted (drained
 * after each packet, as a consumer on a real host would).
 *
 * @param records ring buffer map name → the records' payloads, in order
 */
public record PacketOutcome(Outcome outcome, Map<String, List<byte[]>> records) {

    /** The verdict's name for the histogram: the action, a trap's kind, "refused". */
    public String verdict(ProgramType type) {
        return switch (outcome) {
            case Outcome.Returned r -> Actions.describe(type, r.r0());
            case Outcome.Trapped t -> "trap " + t.kind();
            case Outcome.Refused r -> "refused";
        };
    }

    /** One line: the verdict with its number, or the trap or refusal with its pc. */
    public String describe(ProgramType type) {
        return switch (outcome) {
            case Outcome.Returned r -> {
                String name = Actions.describe(type, r.r0());
                yield name.startsWith("0x") ? name : name + " (" + r.r0() + ")";
            }
            case Outcome.Trapped t -> "trap " + t.kind() + " at pc " + t.pc() + ": " + t.message();
            case Outcome.Refused r -> "refused: " + r.message();
        };
    }

    /**
     * Whether two backends did the same: the same result, packet and context after the run and the
     * same records; traps agree on their kind and pc (engines word messages differently).
     */
    public boolean sameAs(PacketOutcome o) {
        boolean same = switch (outcome) {
            case Outcome.Returned r -> r.equals(o.outcome);
            case Outcome.Trapped t -> o.outcome instanceof Outcome.Trapped u && t.kind() == u.kind() && t.pc() == u.pc();
            case Outcome.Refused r -> o.outcome instanceof Outcome.Refused;
        };
        return same && sameRecords(records, o.records);
    }

    private static boolean sameRecords(Map<String, List<byte[]>> a, Map<String, List<byte[]>> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (var e : a.entrySet()) {
            List<byte[]> x = e.getValue();
            List<byte[]> y = b.get(e.getKey());
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!Arrays.equals(x.get(i), y.get(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The packet after the run (data_out), or null when the program did not return. */
    public byte[] packetAfter() {
        return outcome instanceof Outcome.Returned r ? r.memory() : null;
    }

    public String recordsHex() {
        StringBuilder sb = new StringBuilder();
        records.forEach((map, list) -> list.forEach(r -> sb.append(map).append(": ").append(HexFormat.of().formatHex(r)).append('\n')));
        return sb.toString();
    }

    public PacketOutcome {
        Objects.requireNonNull(outcome, "outcome");
        records = Map.copyOf(records);
    }
}
