package dev.bpfh.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import dev.bpfh.spi.Availability;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need bpf() call {@link #requireKernel()} first: without the kernel they are skipped
 * (the reason is printed), unless BPFH_REQUIRE_KERNEL=1, where they fail.
 */
final class KernelAssumptions {
    private KernelAssumptions() {}

    static void requireKernel() {
        Availability a = KernelRequirement.availability();
        if (a.available()) {
            return;
        }
        String reason = "kernel backend unavailable: " + a.reason();
        if (KernelRequirement.required()) {
            fail(reason + " (and " + KernelRequirement.ENV + "=1)");
        }
        System.out.println("SKIP " + reason);
        Assumptions.assumeTrue(false, reason);
    }
}
