package dev.bpfh.kernel;

import dev.bpfh.spi.Availability;

/**
 * The switch that turns "kernel backend unavailable" from a skip into a failure: environment
 * variable {@code BPFH_REQUIRE_KERNEL=1} (CI on a machine with CAP_BPF sets it, so a broken probe
 * can never pass as a skip). Tests and the CLI consult it.
 */
public final class KernelRequirement {
    private KernelRequirement() {}

    public static final String ENV = "BPFH_REQUIRE_KERNEL";

    /** True when {@code BPFH_REQUIRE_KERNEL=1}. */
    public static boolean required() {
        return "1".equals(System.getenv(ENV));
    }

    /** Whether the kernel backend can run here (probed once per process). */
    public static Availability availability() {
        return KernelProbe.availability();
    }

    /**
     * The reason the kernel is required but unavailable, or null when that is not the case (it is
     * available, or not required).
     */
    public static String violation() {
        Availability a = availability();
        return !a.available() && required()
                ? "kernel backend required (" + ENV + "=1) but unavailable: " + a.reason()
                : null;
    }

    /** Throws {@link IllegalStateException} when {@link #violation()} is not null. */
    public static void enforce() {
        String v = violation();
        if (v != null) {
            throw new IllegalStateException(v);
        }
    }
}
