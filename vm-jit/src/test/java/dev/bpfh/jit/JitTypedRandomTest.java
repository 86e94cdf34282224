package dev.bpfh.jit;

import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RandomPrograms} run as xdp and tc programs on the jit and the interpreter: a prologue turns
 * the context into the raw convention the generator expects (r1 = data, r2 = data_end - data, both
 * from context loads), so every access of the random body is a packet access through pointers the
 * jit's facts know only as "packet + [0, 4096]", on a packet that sits inside the XDP frame (at 256)
 * or at the start of the skb. Same retval, data_out and ctx_out, or the same trap at the same pc.
 */
class JitTypedRandomTest {
    static final int PROGRAMS = Integer.getInteger("bpfh.jit.typedDifferential", 1000);

    static Stream<Object[]> cases() {
        return Stream.of(new Object[] {ProgramType.XDP, JitMapProgramsTest.DIRECT, 0x7d1L},
                new Object[] {ProgramType.SCHED_CLS, JitMapProgramsTest.DIRECT, 0x7c2L},
                new Object[] {ProgramType.XDP, JitMapProgramsTest.SPLIT, 0x7d3L});
    }

    @ParameterizedTest
    @MethodSource("cases")
    void randomPacketProgramsAgree(ProgramType type, JitBackend jit, long rootSeed) throws Exception {
        int data = type == ProgramType.XDP ? 0 : 76;
        int end = type == ProgramType.XDP ? 4 : 80;
        long[] prologue = {
            Insn.encode(LDX | MODE_MEM | SIZE_W, 2, 1, (short) data, 0),
            Insn.encode(LDX | MODE_MEM | SIZE_W, 3, 1, (short) end, 0),
            Insn.encode(ALU64 | MOV | SRC_X, 1, 2, 0, 0),
            Insn.encode(ALU64 | SUB | SRC_X, 3, 2, 0, 0),
            Insn.encode(ALU64 | MOV | SRC_X, 2, 3, 0, 0),
        };
        SplittableRandom seeds = new SplittableRandom(rootSeed);
        int returned = 0;
        for (int i = 0; i < PROGRAMS; i++) {
            long seed = seeds.nextLong();
            SplittableRandom rnd = new SplittableRandom(seed);
            int len = rnd.nextInt(14, 64);
            Program body = new RandomPrograms(rnd, len).next("random-" + i);
            long[] slots = new long[prologue.length + body.length()];
            System.arraycopy(prologue, 0, slots, 0, prologue.length);
            System.arraycopy(body.slots(), 0, slots, prologue.length, body.length());
            Program p = new Program(body.name(), slots, body.maps(), type);
            byte[] packet = new byte[len];
            rnd.nextBytes(packet);
            RunInput in = RunInput.of(packet);
            LoadOptions options = LoadOptions.DEFAULTS.withInstructionBudget(rnd.nextInt(4) == 0 ? rnd.nextInt(1, 200) : 100_000);
            try (Executable interp = Engines.INTERP.load(p, options); Executable j = jit.load(p, options)) {
                Outcome want = interp.run(in.copy());
                JitTypedDifferentialTest.same(want, j.run(in.copy()), () -> "seed " + seed + " " + type.word());
                returned += want instanceof Outcome.Returned ? 1 : 0;
            }
        }
        System.out.printf("typed differential (%s): %d programs agree (%d returned)%n", type.word(), PROGRAMS, returned);
        assertTrue(returned > PROGRAMS / 10, "too few programs ran to the end: " + returned);
    }
}
