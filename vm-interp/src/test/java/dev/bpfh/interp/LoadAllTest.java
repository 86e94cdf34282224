package dev.bpfh.interp;

import static dev.bpfh.interp.Typed.frame;
import static dev.bpfh.interp.Typed.program;
import static dev.bpfh.interp.Typed.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.TrapKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Programs loaded together ({@code loadAll}, an ELF object's programs): one map set, and tail
 * calls into a sibling that continue on the caller's context, maps and frame, as the kernel's do
 * (programs.md §3.2 bpf_tail_call, §5.4: xdp_main tail-calling slot 2 returned the target's 3).
 */
class LoadAllTest {
    private static final String MAPS = "-- map jmp\ntype=prog_array key=4 value=4 entries=4\n"
            + "-- map cnt\ntype=array key=4 value=8 entries=1\n-- asm\n";
    /** cnt += 1, leaving r6 = ctx. */
    private static final String COUNT = "mov %r6, %r1\nlddw %r1, map_value:cnt+0\nldxdw %r2, [%r1]\nadd %r2, 1\n"
            + "stxdw [%r1], %r2\n";
    private static final String TAIL_CALL_1 = "mov %r1, %r6\nlddw %r2, map:jmp\nmov %r3, 1\ncall 12\n";

    private static List<Executable> loadAll(ProgramType type, String... texts) throws Exception {
        Program[] ps = new Program[texts.length];
        for (int i = 0; i < texts.length; i++) {
            ps[i] = program(type, texts[i]);
        }
        return new InterpreterBackend().loadAll(List.of(ps), LoadOptions.DEFAULTS);
    }

    private static long cnt(Executable e) {
        byte[] v = e.map("cnt").orElseThrow().lookup(new byte[4]);
        return v[0] & 0xff;
    }

    @Test
    void aSiblingRunsOnTheSameContextPacketAndMaps() throws Exception {
        List<Executable> es = loadAll(ProgramType.XDP,
                MAPS + COUNT + "mov %r1, %r6\nmov %r2, -8\ncall 44\n" + TAIL_CALL_1 + "mov %r0, 99\nexit\n",
                MAPS + COUNT + "ldxw %r3, [%r6+0]\nldxw %r4, [%r6+4]\nsub %r4, %r3\n"
                        + "lddw %r1, map_value:cnt+0\nldxdw %r0, [%r1]\nmul %r0, 1000\nadd %r0, %r4\nexit\n");
        assertEquals(0, es.get(0).map("jmp").orElseThrow().setProgram(1, es.get(1)));
        Outcome.Returned r = run(es.get(0), frame(64));
        assertEquals(2072, r.r0()); // both counted; the sibling sees the head moved by 8
        assertEquals(72, r.memory().length);
        assertEquals(2, cnt(es.get(1))); // one map set: the sibling's view is the same map
        assertEquals(3064, run(es.get(1), frame(64)).r0()); // run alone: cnt 3, len 64
    }

    @Test
    void aTailCallFromASubprogramReturnsToItsCaller() throws Exception {
        List<Executable> es = loadAll(ProgramType.SCHED_CLS,
                MAPS + "call local sub\nadd %r0, 1\nexit\nsub:\nmov %r6, %r1\n" + TAIL_CALL_1 + "mov %r0, 7\nexit\n",
                MAPS + "mov %r6, 0\nmov %r7, 0\nmov %r0, 100\nexit\n");
        es.get(0).map("jmp").orElseThrow().setProgram(1, es.get(1));
        assertEquals(101, run(es.get(0), frame(64)).r0());
    }

    @Test
    void theThirtyThreeTailCallLimitCountsAcrossSiblings() throws Exception {
        String pingPong = COUNT + "mov %r1, %r6\nlddw %r2, map:jmp\nmov %r3, SLOT\ncall 12\nmov %r0, 7\nexit\n";
        List<Executable> es = loadAll(ProgramType.RAW, MAPS + pingPong.replace("SLOT", "1"),
                MAPS + pingPong.replace("SLOT", "0"));
        es.get(0).map("jmp").orElseThrow().setProgram(0, es.get(0));
        es.get(0).map("jmp").orElseThrow().setProgram(1, es.get(1));
        Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, es.get(0).run(new byte[4]));
        assertEquals(7, r.r0());
        assertEquals(34, cnt(es.get(0))); // programs.md §3.2: a chain runs 34 programs
    }

    @Test
    void aCallbackOfTheSiblingRunsInTheSibling() throws Exception {
        List<Executable> es = loadAll(ProgramType.XDP,
                MAPS + "mov %r6, %r1\n" + TAIL_CALL_1 + "mov %r0, 99\nexit\n",
                MAPS + "stdw [%r10-8], 0\nmov %r1, 3\nlddw %r2, func:cb\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 0\n"
                        + "call 181\nldxdw %r1, [%r10-8]\nmul %r1, 10\nadd %r0, %r1\nexit\n"
                        + "cb:\nldxdw %r0, [%r2]\nadd %r0, 2\nstxdw [%r2], %r0\nmov %r0, 0\nexit\n");
        es.get(0).map("jmp").orElseThrow().setProgram(1, es.get(1));
        assertEquals(3 + 60, run(es.get(0), frame(64)).r0()); // 3 calls, each adding 2
    }

    @Test
    void aProgramFromAnotherLoadIsNotATailCallTarget() throws Exception {
        List<Executable> es = loadAll(ProgramType.XDP, MAPS + "mov %r6, %r1\n" + TAIL_CALL_1 + "mov %r0, 99\nexit\n");
        Executable stranger = new InterpreterBackend().load(program(ProgramType.XDP, "mov %r0, 1\nexit\n"),
                LoadOptions.DEFAULTS);
        es.get(0).map("jmp").orElseThrow().setProgram(1, stranger);
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, es.get(0).run(frame(64)));
        assertEquals(TrapKind.HELPER_FAILED, t.kind());
        assertEquals(5, t.pc()); // the call
    }

    @Test
    void programsThatDeclareOtherMapsAreRefusedByName() throws Exception {
        Program a = program(ProgramType.XDP, MAPS + "mov %r0, 0\nexit\n");
        Program b = program(ProgramType.XDP, "mov %r0, 0\nexit\n");
        LoadRejected r = assertThrows(LoadRejected.class,
                () -> new InterpreterBackend().loadAll(List.of(a, b), LoadOptions.DEFAULTS));
        assertTrue(r.getMessage().contains("declares other maps"), r.getMessage());
        Program bad = program(ProgramType.XDP, MAPS + "ldxb %r0, [%r1+0]\nexit\n");
        LoadRejected named = assertThrows(LoadRejected.class,
                () -> new InterpreterBackend().loadAll(List.of(a, bad.withType(ProgramType.XDP)), LoadOptions.DEFAULTS));
        assertTrue(named.getMessage().startsWith("t: invalid bpf_context access"), named.getMessage());
    }
}
