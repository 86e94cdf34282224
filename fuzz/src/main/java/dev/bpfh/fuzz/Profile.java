package dev.bpfh.fuzz;

import java.util.Locale;

/** Which programs a campaign generates (see each generator's class comment). */
public enum Profile {
    /** {@link SafeGenerator}: programs the verifier accepts; the kernel is the oracle. */
    SAFE(1_000_000),
    /** {@link Mutator}: corpus and safe programs, mutated at instruction level. */
    MUTATE(100_000),
    /** {@link HostileGenerator}: arbitrary slots; no crash, no hang, interp and jit identical. */
    HOSTILE(10_000),
    /** {@link PacketGenerator}: XDP, tc and socket filter programs on random packets and contexts; the kernel is the oracle. */
    PACKET(1_000_000);

    /**
     * The instruction budget of every run. Safe programs run a few thousand instructions at most;
     * mutated and hostile ones may loop forever, and a small budget ends them quickly.
     */
    public final long budget;

    Profile(long budget) {
        this.budget = budget;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Profile parse(String s) {
        for (Profile p : values()) {
            if (p.label().equals(s.strip().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown profile '" + s + "' (safe, mutate, hostile or packet)");
    }
}
