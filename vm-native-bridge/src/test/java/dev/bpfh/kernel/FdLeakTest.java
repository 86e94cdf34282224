package dev.bpfh.kernel;

import static dev.bpfh.kernel.Asm.exit;
import static dev.bpfh.kernel.Asm.movReg;
import static dev.bpfh.kernel.Asm.program;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.MapType;
import java.util.List;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import java.io.File;
import org.junit.jupiter.api.Test;

/**
 * Every program, map and BTF fd is closed and every ring buffer unmapped: 10,000 load/run/close
 * cycles leave the fd table and the memory mappings as they were.
 */
class FdLeakTest {
    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private static long mappings() throws java.io.IOException {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/self/maps"))) {
            return lines.count();
        }
    }

    /** The bpf_loop program (BTF func_info) with a ring buffer (mmap), a per-CPU and a hash map. */
    private static final Program LOOP_WITH_MAPS = KernelMapsTest.loop(99).withMaps(List.of(
            KernelMapsTest.map("rb", MapType.RINGBUF, 0, 0, 4096),
            KernelMapsTest.map("pc", MapType.PERCPU_HASH, 4, 8, 16),
            KernelMapsTest.map("h", MapType.HASH, 8, 8, 16)));

    /**
     * Every cycle kind: plain XDP, map-value wrapping, maps + BTF + mmap, a self tail call (prog
     * array), a typed tc program with a context, a loadAll pair tail-calling through shared maps.
     */
    private static long cycle(KernelBackend backend, int kind) throws Exception {
        byte[] memory = {1, 2, 3, 4};
        Program p = switch (kind) {
            case 0 -> Asm.byteSum();
            case 3 -> LOOP_WITH_MAPS;
            case 5 -> KernelMapsTest.tailCounter(1000);
            default -> program("len", movReg(0, 2), exit());
        };
        if (kind == 7) { // a tc program with ctx_in and ctx_out
            Program tc = Typed.asm(dev.bpfh.spi.ProgramType.SCHED_CLS,
                    "ldxw %r0, [%r1+48]\nadd %r0, 1\nstxw [%r1+48], %r0\nexit");
            byte[] ctx = new byte[192];
            ctx[48] = 4;
            try (var e = backend.load(tc, LoadOptions.DEFAULTS)) {
                return assertInstanceOf(Outcome.Returned.class,
                        e.run(new dev.bpfh.spi.RunInput(Typed.frame(64), ctx))).r0();
            }
        }
        if (kind == 8) { // an object's two XDP programs, one tail-calling the other through shared maps
            var all = backend.loadAll(List.of(ProgramCollectionTest.caller(dev.bpfh.spi.ProgramType.XDP, 1),
                    ProgramCollectionTest.callee(dev.bpfh.spi.ProgramType.XDP)), LoadOptions.DEFAULTS);
            try {
                assertEquals(0, all.get(0).map("jmp").orElseThrow().setProgram(1, all.get(1)));
                return assertInstanceOf(Outcome.Returned.class, all.get(0).run(Typed.frame(64))).r0();
            } finally {
                all.forEach(dev.bpfh.spi.Executable::close);
            }
        }
        try (var e = backend.load(p, LoadOptions.DEFAULTS, 4)) {
            if (kind == 5) {
                assertEquals(0, e.maps().get(0).setProgram(0, e));
            }
            return assertInstanceOf(Outcome.Returned.class, e.run(memory)).r0();
        }
    }

    @Test
    void tenThousandLoadRunCloseCyclesLeakNoFd() throws Exception {
        KernelAssumptions.requireKernel();
        KernelBackend backend = new KernelBackend();
        // Warm up class loading and the probe so that the JVM's own fds are open before counting.
        for (int kind = 0; kind < 10; kind++) {
            cycle(backend, kind);
        }
        int before = openFds();
        long mappingsBefore = mappings();
        long t0 = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            int kind = i % 10;
            long expected = switch (kind) {
                case 0 -> 10;       // 1 + 2 + 3 + 4
                case 3 -> 5010;     // bpf_loop: 5 calls, 0 + 1 + 2 + 3 + 4
                case 5 -> 7;        // 34 executions, then the fall-through
                case 7 -> 5;        // cb[0] + 1
                case 8 -> 8;        // the sibling: vals[0] + 1
                default -> 4;
            };
            assertEquals(expected, cycle(backend, kind), "cycle " + i);
        }
        long ns = System.nanoTime() - t0;
        assertEquals(before, openFds(), "open fds before and after");
        // The JVM itself may map a little more (JIT code, GC): a leaked ring would be 2 mappings a cycle.
        assertTrue(mappings() - mappingsBefore < 100, "mappings before " + mappingsBefore + ", after " + mappings());
        System.out.printf("kernel: 10000 load/run/close cycles, %.1f us per cycle%n", ns / 10_000 / 1e3);
    }
}
