package dev.bpfh.ctx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.asm.Assembler;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.ProgramType;
import org.junit.jupiter.api.Test;

/** Which instructions touch the context, and which context accesses a load refuses (programs.md §4). */
class ContextAccessesTest {

    private static Program program(ProgramType type, String asm) throws Exception {
        return Assembler.assemble("t", asm).withType(type);
    }

    private static ContextAccesses find(ProgramType type, String asm) throws Exception {
        return ContextAccesses.find(program(type, asm));
    }

    private static LoadRejected refused(ProgramType type, String asm) {
        return assertThrows(LoadRejected.class, () -> find(type, asm));
    }

    @Test
    void xdpDataAndDataEndAreContextLoadsThroughR1() throws Exception {
        ContextAccesses a = find(ProgramType.XDP, """
                ldxw r2, [r1+0]
                ldxw r3, [r1+4]
                mov r0, 2
                exit
                """);
        assertEquals("data", a.at(0).field().name());
        assertEquals("data_end", a.at(1).field().name());
        assertNull(a.at(2));
    }

    @Test
    void theContextTravelsByMoveSpillAndArgument() throws Exception {
        ContextAccesses a = find(ProgramType.SCHED_CLS, """
                mov r6, r1
                stxdw [r10-8], r6
                mov r1, 0
                ldxdw r7, [r10-8]
                ldxw r0, [r7+8]
                mov r1, r6
                call local sub
                exit
                sub:
                ldxb r0, [r1+4]
                exit
                """);
        assertEquals("mark", a.at(4).field().name());
        assertEquals("pkt_type", a.at(8).field().name());
        assertEquals(1, a.at(8).bytes());
    }

    @Test
    void aLoadThroughOtherMemoryIsNotAContextAccess() throws Exception {
        ContextAccesses a = find(ProgramType.XDP, """
                ldxw r2, [r1+0]
                ldxb r0, [r2+0]
                exit
                """);
        assertNotNull(a.at(0));
        assertNull(a.at(1));
    }

    @Test
    void rawProgramsHaveNoContext() throws Exception {
        assertNull(find(ProgramType.RAW, "ldxw r0, [r1+0]\nexit").at(0));
    }

    @Test
    void xdpTakesOnlyAlignedFourByteLoads() {
        assertTrue(refused(ProgramType.XDP, "ldxh r0, [r1+0]\nexit").getMessage().contains("off=0 size=2"));
        assertTrue(refused(ProgramType.XDP, "ldxdw r0, [r1+0]\nexit").getMessage().contains("off=0 size=8"));
        assertTrue(refused(ProgramType.XDP, "ldxw r0, [r1+2]\nexit").getMessage().contains("off=2 size=4"));
        assertTrue(refused(ProgramType.XDP, "stw [r1+12], 1\nmov r0, 0\nexit").getMessage().contains("off=12 size=4"));
        assertTrue(refused(ProgramType.XDP, "ldxw r0, [r1+20]\nexit").getMessage().contains("egress_ifindex"));
        assertTrue(refused(ProgramType.XDP, "ldxw r0, [r1+24]\nexit").getMessage().contains("off=24"));
    }

    @Test
    void tcWritesOnlyItsWritableFieldsWithTheirSizes() throws Exception {
        assertNotNull(find(ProgramType.SCHED_CLS, "stxw [r1+8], r2\nmov r0, 0\nexit").at(0));
        assertNotNull(find(ProgramType.SCHED_CLS, "stxdw [r1+48], r2\nmov r0, 0\nexit").at(0));
        assertNotNull(find(ProgramType.SCHED_CLS, "stb [r1+49], 7\nmov r0, 0\nexit").at(0));
        assertNotNull(find(ProgramType.SCHED_CLS, "stxdw [r1+152], r2\nmov r0, 0\nexit").at(0));
        assertTrue(refused(ProgramType.SCHED_CLS, "stxh [r1+8], r2\nmov r0, 0\nexit").getMessage().contains("off=8 size=2"));
        assertTrue(refused(ProgramType.SCHED_CLS, "stxw [r1+0], r2\nmov r0, 0\nexit").getMessage().contains("len is not writable"));
        assertTrue(refused(ProgramType.SCHED_CLS, "stxdw [r1+52], r2\nmov r0, 0\nexit").getMessage().contains("off=52 size=8"));
        assertTrue(refused(ProgramType.SCHED_CLS, "ldxw r0, [r1+88]\nexit").getMessage().contains("off=88"));
    }

    @Test
    void socketFiltersReadButDoNotWriteTcFields() throws Exception {
        assertNotNull(find(ProgramType.SOCKET_FILTER, "ldxw r0, [r1+8]\nexit").at(0));
        assertNotNull(find(ProgramType.SOCKET_FILTER, "stxw [r1+48], r2\nmov r0, 0\nexit").at(0));
        refused(ProgramType.SOCKET_FILTER, "stxw [r1+8], r2\nmov r0, 0\nexit");
        refused(ProgramType.SOCKET_FILTER, "ldxw r0, [r1+76]\nexit"); // no direct packet access
        refused(ProgramType.SOCKET_FILTER, "ldxw r0, [r1+72]\nexit"); // tc_classid
    }

    @Test
    void aModifiedOrPathDependentContextPointerIsRefused() {
        assertTrue(refused(ProgramType.SCHED_CLS, "add r1, 8\nldxw r0, [r1+0]\nexit")
                .getMessage().contains("dereference of modified ctx ptr R1"));
        LoadRejected mixed = refused(ProgramType.SCHED_CLS, """
                mov r6, r1
                jeq r2, 0, skip
                mov r6, r10
                skip:
                ldxw r0, [r6-8]
                exit
                """);
        assertEquals(3, mixed.pc()); // the load after the join
    }

    @Test
    void atomicsOnTheContextAreRefused() {
        assertTrue(refused(ProgramType.SCHED_CLS, "mov r2, 1\nlock add32 [r1+8], r2\nmov r0, 0\nexit")
                .getMessage().contains("BPF_ATOMIC"));
    }

    @Test
    void packetLoadsNeedTheContextInR6() throws Exception {
        find(ProgramType.SOCKET_FILTER, "mov r6, r1\n.slot 0x0000000c00000030\nexit");
        assertTrue(refused(ProgramType.SOCKET_FILTER, ".slot 0x0000000c00000030\nexit").getMessage().contains("R6"));
        assertTrue(refused(ProgramType.XDP, "mov r6, r1\n.slot 0x0000000c00000030\nexit").getMessage().contains("not allowed"));
    }
}
