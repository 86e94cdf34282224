package dev.bpfh.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Closing an executable lets its hidden class go: compiling many programs in one JVM keeps the
 * number of loaded classes bounded instead of growing by one per program.
 */
class JitClassUnloadingTest {
    static final int PROGRAMS = Integer.getInteger("bpfh.jit.unloadPrograms", 100_000);

    @Test
    void hiddenClassesOfClosedExecutablesAreUnloaded() throws Exception {
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        long unloadedBefore = classes.getUnloadedClassCount();
        long maxLoaded = 0;
        long deadline = System.nanoTime() + 25_000_000_000L; // keep the test under ~30 s on a busy box
        int compiled = 0;
        for (int i = 0; i < PROGRAMS && System.nanoTime() < deadline; i++) {
            // A distinct constant per program, so no two classes are alike.
            Program p = Program.of("p" + i,
                    Insn.encode(Opcodes.ALU64 | Opcodes.MOV, 0, 0, 0, i),
                    Insn.encode(Opcodes.ALU64 | Opcodes.ADD, 0, 0, 0, 1),
                    Insn.encode(Opcodes.EXIT_OP, 0, 0, 0, 0));
            try (Executable e = Engines.JIT.load(p, LoadOptions.DEFAULTS)) {
                assertEquals(i + 1L, Engines.r0(e.run(new byte[0])));
            }
            compiled++;
            if (compiled % 10_000 == 0) {
                System.gc();
                maxLoaded = Math.max(maxLoaded, classes.getLoadedClassCount());
            }
        }
        System.gc();
        long loaded = classes.getLoadedClassCount();
        long unloaded = classes.getUnloadedClassCount() - unloadedBefore;
        System.out.printf("unloading: %d programs compiled, %d classes loaded now (max seen %d), %d unloaded%n",
                compiled, loaded, maxLoaded, unloaded);
        assertTrue(compiled >= 10_000, "too few programs compiled to say anything: " + compiled);
        assertTrue(loaded < 20_000, "loaded classes grow with programs: " + loaded + " after " + compiled);
        assertTrue(unloaded >= compiled / 2, "only " + unloaded + " of " + compiled + " classes were unloaded");
    }
}
