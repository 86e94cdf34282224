package dev.bpfh.kernel;

import static dev.bpfh.kernel.Asm.exit;
import static dev.bpfh.kernel.Asm.movReg;
import static dev.bpfh.kernel.Asm.program;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import java.io.File;
import org.junit.jupiter.api.Test;

/** Every program and map fd is closed: 10,000 load/run/close cycles leave the fd table as it was. */
class FdLeakTest {
    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    @Test
    void tenThousandLoadRunCloseCyclesLeakNoFd() throws Exception {
        KernelAssumptions.requireKernel();
        KernelBackend backend = new KernelBackend();
        Program xdp = program("len", movReg(0, 2), exit());
        Program mapValue = Asm.byteSum();
        // Warm up class loading and the probe so that the JVM's own fds are open before counting.
        try (var e = backend.load(xdp, LoadOptions.DEFAULTS, 4)) {
            e.run(new byte[4]);
        }
        int before = openFds();
        long t0 = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            Program p = i % 10 == 0 ? mapValue : xdp; // every tenth also creates and closes a map
            try (var e = backend.load(p, LoadOptions.DEFAULTS, 4)) {
                Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(new byte[] {1, 2, 3, 4}));
                assertEquals(i % 10 == 0 ? 10 : 4, r.r0());
            }
        }
        long ns = System.nanoTime() - t0;
        assertEquals(before, openFds(), "open fds before and after");
        System.out.printf("kernel: 10000 load/run/close cycles, %.1f us per cycle%n", ns / 10_000 / 1e3);
    }
}
