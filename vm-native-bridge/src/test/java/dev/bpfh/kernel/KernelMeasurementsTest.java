package dev.bpfh.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import org.junit.jupiter.api.Test;

/**
 * Prints the numbers a benchmark reports (Java round trip, in-kernel duration, load time) so a
 * test run shows them; asserts only that they are measured, never how fast they are.
 */
class KernelMeasurementsTest {

    @Test
    void measuresRoundTripKernelDurationAndLoadTime() throws Exception {
        KernelAssumptions.requireKernel();
        KernelBackend backend = new KernelBackend();
        byte[] memory = new byte[64];
        try (KernelExecutable trivial = backend.load(Asm.program("trivial", Asm.movImm(0, 2), Asm.exit()),
                        LoadOptions.DEFAULTS, memory.length);
                KernelExecutable loop = backend.load(Asm.loop1000(), LoadOptions.DEFAULTS, memory.length);
                KernelExecutable indexed = backend.load(Asm.byteSum(), LoadOptions.DEFAULTS, memory.length)) {
            assertEquals(499500L, assertInstanceOf(Outcome.Returned.class, loop.run(memory)).r0());
            for (KernelExecutable e : new KernelExecutable[] {trivial, loop, indexed}) {
                double roundTrip = e.roundTripNanos(memory, 20_000);
                long inKernel = e.kernelNanosPerRun(memory, 100_000);
                assertTrue(roundTrip > 0 && inKernel >= 0 && e.loadNanos() > 0);
                System.out.printf("kernel: %-9s wrapping=%s round trip %.0f ns/run, in-kernel %d ns/run"
                                + " (repeat 100000, SCHED_CLS map-value), load %.1f us, info %s%n",
                        e.info().get("xlatedInsns") + "insns", e.info().get("wrapping"),
                        roundTrip, inKernel, e.loadNanos() / 1e3, e.info());
            }
        }
    }
}
