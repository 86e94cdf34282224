package dev.bpfh.kernel;

import static dev.bpfh.kernel.Typed.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KernelBackend#loadAll}: programs of one object share one set of kernel maps, so a
 * PROG_ARRAY slot holds a sibling and the sibling sees the caller's map writes.
 */
class ProgramCollectionTest {
    private static final List<MapSpec> MAPS = List.of(
            new MapSpec("vals", MapType.ARRAY, 4, 8, 1, 0),
            new MapSpec("jmp", MapType.PROG_ARRAY, 4, 4, 2, 0));

    /** vals[0] = 7, then tail-call jmp[slot]; 1 (XDP_DROP) when the tail call falls through. */
    static Program caller(ProgramType type, int slot) {
        return asm(type, MAPS, """
                mov %r6, %r1
                stw [%r10-4], 0
                mov %r2, %r10
                add %r2, -4
                lddw %r1, map:vals
                call 1
                jeq %r0, 0, out
                mov %r1, 7
                stxdw [%r0+0], %r1
                mov %r1, %r6
                lddw %r2, map:jmp
                mov %r3, SLOT
                call 12
                out:
                mov %r0, 1
                exit
                """.replace("SLOT", Integer.toString(slot)));
    }

    /** vals[0] + 1. */
    static Program callee(ProgramType type) {
        return asm(type, MAPS, """
                stw [%r10-4], 0
                mov %r2, %r10
                add %r2, -4
                lddw %r1, map:vals
                call 1
                jeq %r0, 0, none
                ldxdw %r0, [%r0+0]
                add %r0, 1
                exit
                none:
                mov %r0, 0
                exit
                """);
    }

    @BeforeEach
    void kernel() {
        KernelAssumptions.requireKernel();
    }

    @Test
    void aSiblingInAProgramArrayIsTailCalledWithTheSameMaps() throws LoadRejected {
        for (ProgramType type : new ProgramType[] {ProgramType.XDP, ProgramType.SCHED_CLS, ProgramType.SOCKET_FILTER}) {
            List<Executable> all = new KernelBackend().loadAll(List.of(caller(type, 1), callee(type)), LoadOptions.DEFAULTS);
            try {
                Executable a = all.get(0);
                Executable b = all.get(1);
                assertEquals(1, ((Outcome.Returned) a.run(frame(64))).r0(), type + ": empty slot falls through");
                MapView jmp = a.map("jmp").orElseThrow();
                assertEquals(0, jmp.setProgram(1, b));
                assertEquals(8, ((Outcome.Returned) a.run(frame(64))).r0(), type + ": the sibling ran on vals[0] = 7");
                assertArrayEquals(KernelMapsTest.u64(7), b.map("vals").orElseThrow().lookup(KernelMapsTest.u32(0)),
                        "one map behind both views");
                a.close();
                assertEquals(8, ((Outcome.Returned) b.run(frame(64))).r0(), "the maps outlive the first executable");
            } finally {
                all.forEach(Executable::close);
            }
        }
    }

    @Test
    void rawProgramsShareMapsToo() throws LoadRejected {
        Program write = new Program("write", Asm.code(
                Asm.stw(10, -4, 0), Asm.stackAddr(2, -4), Asm.ldMap(1, 0), Asm.call(1),
                Asm.jeqImm(0, 0, 2), Asm.stdw(0, 0, 41), Asm.movImm(0, 0), Asm.exit()), MAPS);
        Program read = new Program("read", Asm.code(
                Asm.stw(10, -4, 0), Asm.stackAddr(2, -4), Asm.ldMap(1, 0), Asm.call(1),
                Asm.jeqImm(0, 0, 2), Asm.ldxdw(0, 0, 0), Asm.exit(), Asm.movImm(0, -1), Asm.exit()), MAPS);
        List<Executable> all = new KernelBackend().loadAll(List.of(write, read), LoadOptions.DEFAULTS);
        try {
            assertEquals(0, ((Outcome.Returned) all.get(0).run(new byte[8])).r0());
            assertEquals(41, ((Outcome.Returned) all.get(1).run(new byte[8])).r0());
        } finally {
            all.forEach(Executable::close);
        }
    }

    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    @Test
    void aRefusedSiblingNamesItselfAndLeavesNothingOpen() {
        Program bad = asm(ProgramType.XDP, MAPS, "mov %r0, %r5\nexit");
        int before = openFds();
        LoadRejected r = assertThrows(LoadRejected.class, () -> new KernelBackend().loadAll(
                List.of(caller(ProgramType.XDP, 0), bad.withMaps(MAPS)), LoadOptions.DEFAULTS));
        assertTrue(r.getMessage().startsWith("program 'xdp_test': verifier: R5 !read_ok"), r.getMessage());
        assertEquals(0, r.pc());
        assertEquals(before, openFds(), "maps and the first program closed");
    }

    @Test
    void programsWithDifferentMapsAreRefused() {
        LoadRejected r = assertThrows(LoadRejected.class, () -> new KernelBackend().loadAll(
                List.of(caller(ProgramType.XDP, 0), asm(ProgramType.XDP, "mov %r0, 2\nexit")), LoadOptions.DEFAULTS));
        assertTrue(r.getMessage().contains("share one map set"), r.getMessage());
    }
}
