package dev.bpfh.conformance.suite;

import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Hostile programs never crash an engine or hang it: every one is either refused with a
 * {@link LoadRejected} whose message names the pc (or, with pc -1, says why), or it runs and returns
 * an {@link Outcome}; no other exception escapes, and each run is bounded by a small instruction
 * budget. Where both the interpreter and the JIT accept a program, they agree on r0 and the memory
 * after the run, or on the trap kind and pc (architecture.md, "Traps").
 *
 * <p>Seeded: a failure names the seed's program index and its bytes, and reruns identically.
 */
class HostileInputTest {

    static final long SEED = 0xb0f_4a11L;
    static final int PROGRAMS = 20_000;
    static final int KERNEL_PROGRAMS = 300;
    static final LoadOptions LOAD = LoadOptions.DEFAULTS.withInstructionBudget(10_000);

    /** What one engine did with one program, reduced to what must agree. */
    sealed interface Seen {}

    record Refused(LoadRejected why) implements Seen {}

    record Ran(Outcome outcome) implements Seen {}

    record Case(int index, String kind, Program program, byte[] memory) {
        String describe() {
            return "program #" + index + " (" + kind + ", seed " + Long.toHexString(SEED) + "): "
                    + HexFormat.ofDelimiter(" ").formatHex(program.toBytes()) + " with memory "
                    + HexFormat.of().formatHex(memory);
        }
    }

    static List<Case> cases(int count) {
        SplittableRandom rnd = new SplittableRandom(SEED);
        List<Case> cases = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] memory = new byte[rnd.nextInt(65)];
            rnd.nextBytes(memory);
            Case c = switch (i % 3) {
                case 0 -> new Case(i, "random slots", randomSlots(rnd), memory);
                case 1 -> new Case(i, "valid opcodes, random fields", validOpcodesRandomFields(rnd), memory);
                default -> new Case(i, "valid-looking", new ValidLooking(rnd).program(), memory);
            };
            cases.add(c);
        }
        return cases;
    }

    /** Loads and runs once on a copy of the memory; anything but a refusal or an outcome fails. */
    static Seen observe(Backend backend, Case c) {
        try (Executable exe = backend.load(c.program(), LOAD.withMemoryLengthHint(c.memory().length))) {
            return new Ran(exe.run(c.memory().clone()));
        } catch (LoadRejected r) {
            String message = r.getMessage();
            if (r.pc() >= 0) {
                assertTrue(r.pc() <= c.program().length() && message.endsWith(" at pc " + r.pc()),
                        () -> backend.name() + " refused at pc " + r.pc() + " saying '" + message + "': " + c.describe());
            }
            assertTrue(!r.reason().isBlank(), () -> backend.name() + " refused without a reason: " + c.describe());
            return new Refused(r);
        } catch (Throwable t) {
            throw new AssertionError(backend.name() + " threw " + t + " on " + c.describe(), t);
        }
    }

    @Test
    void interpAndJitRefuseOrRunEveryHostileProgramAndAgreeOnThoseTheyRun() {
        try (Backend interp = Backends.find("interp").orElseThrow(); Backend jit = Backends.find("jit").orElseThrow()) {
            interpAndJitAgree(interp, jit);
        }
    }

    private static void interpAndJitAgree(Backend interp, Backend jit) {
        List<Case> cases = cases(PROGRAMS);
        int[] ran = new int[1];
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (Case c : cases) {
                Seen a = observe(interp, c);
                Seen b = observe(jit, c);
                if (a instanceof Ran(Outcome x) && b instanceof Ran(Outcome y)) {
                    if (mayReadTheClock(c.program())) {
                        continue; // both ran, which is all a program reading bpf_ktime_get_ns can promise
                    }
                    assertEquals(comparable(x), comparable(y), () -> "interp and jit disagree on " + c.describe());
                    ran[0]++;
                } else {
                    // Both engines use the same validator: they refuse the same programs.
                    assertEquals(a instanceof Refused, b instanceof Refused,
                            () -> "interp " + a + ", jit " + b + " on " + c.describe());
                }
            }
        });
        // The generator is only useful if many hostile programs get past the validator.
        assertTrue(ran[0] > PROGRAMS / 10, "only " + ran[0] + " programs ran");
    }

    /** Helper 5, bpf_ktime_get_ns, returns the time: called directly, or maybe through a callx. */
    static boolean mayReadTheClock(Program program) {
        for (long slot : program.slots()) {
            int opcode = Insn.opcode(slot);
            if (opcode == CALLX || opcode == CALL_IMM && Insn.src(slot) == CALL_HELPER && Insn.imm(slot) == 5) {
                return true;
            }
        }
        return false;
    }

    /** r0 and memory, or the trap kind and pc (messages may be worded differently). */
    static String comparable(Outcome o) {
        return switch (o) {
            case Outcome.Returned r -> "returned 0x" + Long.toHexString(r.r0()) + " memory " + HexFormat.of().formatHex(r.memory());
            case Outcome.Trapped t -> "trapped " + t.kind() + " at pc " + t.pc();
            case Outcome.Refused r -> "refused at run time: " + r.message();
        };
    }

    @Test
    void theKernelRefusesOrRunsHostilePrograms() {
        try (Backend kernel = Backends.find("kernel").orElseThrow()) {
            kernelRefusesOrRuns(kernel);
        }
    }

    private static void kernelRefusesOrRuns(Backend kernel) {
        Availability availability = kernel.probe();
        if (!availability.available()) {
            if ("1".equals(System.getenv("BPFH_REQUIRE_KERNEL"))) {
                fail("BPFH_REQUIRE_KERNEL=1 but the kernel backend is unavailable: " + availability.reason());
            }
            Assumptions.abort("kernel backend unavailable: " + availability.reason());
        }
        // The valid-looking programs of the same sequence (the others rarely get past our own
        // validator to the verifier), plus every 30th of the rest. The verifier, not a budget,
        // bounds the kernel's runs.
        List<Case> all = cases(KERNEL_PROGRAMS * 3);
        List<Case> chosen = all.stream().filter(c -> c.index() % 3 == 2 || c.index() % 30 == 0).toList();
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (Case c : chosen) {
                observe(kernel, c);
            }
        });
    }

    // ---- generators -------------------------------------------------------------------------

    /** 1 to 16 slots of random bits. */
    static Program randomSlots(SplittableRandom rnd) {
        long[] slots = new long[rnd.nextInt(1, 17)];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = rnd.nextLong();
        }
        return Program.of("random", slots);
    }

    /** Every opcode some instruction of isa.md §3.5 uses, whatever its other fields must be. */
    static final int[] OPCODES = validOpcodes();

    private static int[] validOpcodes() {
        List<Integer> ops = new ArrayList<>();
        for (int cls : new int[] {ALU, ALU64}) {
            for (int op = ADD; op <= END; op += 0x10) {
                ops.add(cls | op | SRC_K);
                ops.add(cls | op | SRC_X);
            }
        }
        for (int cls : new int[] {JMP, JMP32}) {
            for (int op = JA; op <= JSLE; op += 0x10) {
                ops.add(cls | op | SRC_K);
                ops.add(cls | op | SRC_X);
            }
        }
        for (int size : new int[] {SIZE_W, SIZE_H, SIZE_B, SIZE_DW}) {
            ops.add(LDX | MODE_MEM | size);
            ops.add(ST | MODE_MEM | size);
            ops.add(STX | MODE_MEM | size);
            if (size != SIZE_DW) {
                ops.add(LDX | MODE_MEMSX | size);
                ops.add(LD | MODE_ABS | size);
                ops.add(LD | MODE_IND | size);
            }
        }
        ops.addAll(List.of(LDDW, ATOMIC_W, ATOMIC_DW));
        return ops.stream().mapToInt(Integer::intValue).toArray();
    }

    /** 1 to 16 slots, each a valid opcode with random registers, offset and immediate. */
    static Program validOpcodesRandomFields(SplittableRandom rnd) {
        long[] slots = new long[rnd.nextInt(1, 17)];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = (rnd.nextLong() & ~0xffL) | OPCODES[rnd.nextInt(OPCODES.length)];
        }
        return Program.of("fields", slots);
    }

    /**
     * Programs a careless compiler could emit: mostly well-formed instructions on r0–r10 with
     * plausible offsets, but now and then a register 11–15, a jump or call to anywhere, a huge or
     * cut-off lddw, an odd atomic or byte-swap width, and sometimes no final exit.
     */
    static final class ValidLooking {
        private final SplittableRandom rnd;
        private final List<Long> slots = new ArrayList<>();
        private int length;

        ValidLooking(SplittableRandom rnd) {
            this.rnd = rnd;
        }

        private boolean chance(int percent) {
            return rnd.nextInt(100) < percent;
        }

        private int reg() {
            return chance(2) ? rnd.nextInt(11, 16) : rnd.nextInt(0, 11);
        }

        /** Mostly r0–r9 (r10 is read-only), sometimes r10 or a register that does not exist. */
        private int dst() {
            return chance(2) ? rnd.nextInt(10, 16) : rnd.nextInt(0, 10);
        }

        private int imm() {
            return switch (rnd.nextInt(4)) {
                case 0 -> rnd.nextInt(-8, 65);
                case 1 -> rnd.nextInt();
                case 2 -> new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 32, 63, 64}[rnd.nextInt(7)];
                default -> rnd.nextInt(0, 256);
            };
        }

        /** A jump offset: usually inside the program, sometimes anywhere in 16 bits. */
        private int jumpOffset(int pc) {
            return chance(5) ? rnd.nextInt(Short.MIN_VALUE, Short.MAX_VALUE + 1) : rnd.nextInt(-pc - 1, Math.max(length - pc - 1, 0));
        }

        private int memOffset(int base) {
            if (chance(10)) {
                return rnd.nextInt(Short.MIN_VALUE, Short.MAX_VALUE + 1);
            }
            return base == 10 ? -rnd.nextInt(0, 520) : rnd.nextInt(-4, 70);
        }

        private void emit(int opcode, int dst, int src, int off, int imm) {
            slots.add(Insn.encode(opcode, dst, src, off, imm));
        }

        Program program() {
            length = rnd.nextInt(2, 25);
            while (slots.size() < length - 1) {
                int pc = slots.size();
                switch (rnd.nextInt(12)) {
                    case 0, 1, 2 -> {
                        int op = new int[] {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR, MOV, ARSH}[rnd.nextInt(12)];
                        boolean x = rnd.nextBoolean();
                        int off = (op == DIV || op == MOD) && chance(30) ? 1
                                : op == MOV && x && chance(20) ? new int[] {8, 16, 32}[rnd.nextInt(3)] : 0;
                        emit((rnd.nextBoolean() ? ALU64 : ALU) | op | (x ? SRC_X : SRC_K), dst(), x ? reg() : 0, off, x ? 0 : imm());
                    }
                    case 3 -> {
                        int width = chance(90) ? new int[] {16, 32, 64}[rnd.nextInt(3)] : imm();
                        int opcode = new int[] {ALU | END | SRC_K, ALU | END | SRC_X, ALU64 | END | SRC_K, ALU64 | NEG, ALU | NEG}[rnd.nextInt(5)];
                        emit(opcode, dst(), 0, 0, (opcode & OP_MASK) == NEG ? 0 : width);
                    }
                    case 4 -> {
                        // lddw: a huge constant; the second slot may be missing (the last slot).
                        long value = chance(50) ? rnd.nextLong() : new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE, 1L << 32}[rnd.nextInt(4)];
                        emit(LDDW, dst(), chance(2) ? rnd.nextInt(1, 7) : 0, 0, (int) value);
                        if (slots.size() < length - 1 || chance(70)) {
                            emit(0, 0, 0, 0, (int) (value >>> 32));
                        }
                    }
                    case 5 -> {
                        int src = chance(50) ? 1 : chance(80) ? 10 : reg();
                        int size = new int[] {SIZE_W, SIZE_H, SIZE_B, SIZE_DW}[rnd.nextInt(4)];
                        emit(LDX | (chance(20) && size != SIZE_DW ? MODE_MEMSX : MODE_MEM) | size, dst(), src, memOffset(src), 0);
                    }
                    case 6 -> {
                        int dst = chance(50) ? 1 : chance(80) ? 10 : reg();
                        int size = new int[] {SIZE_W, SIZE_H, SIZE_B, SIZE_DW}[rnd.nextInt(4)];
                        boolean x = rnd.nextBoolean();
                        emit((x ? STX : ST) | MODE_MEM | size, dst, x ? reg() : 0, memOffset(dst), x ? 0 : imm());
                    }
                    case 7 -> {
                        int dst = chance(50) ? 1 : 10;
                        int op = chance(95)
                                ? new int[] {ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR, ATOMIC_XCHG, ATOMIC_CMPXCHG}[rnd.nextInt(6)] | (chance(50) ? FETCH : 0)
                                : imm();
                        emit(rnd.nextBoolean() ? ATOMIC_W : ATOMIC_DW, dst, reg(), memOffset(dst) & ~7, op);
                    }
                    case 8, 9 -> {
                        int op = new int[] {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE}[rnd.nextInt(11)];
                        boolean x = rnd.nextBoolean();
                        emit((rnd.nextBoolean() ? JMP : JMP32) | op | (x ? SRC_X : SRC_K), reg(), x ? reg() : 0, jumpOffset(pc), x ? 0 : imm());
                    }
                    case 10 -> {
                        if (rnd.nextBoolean()) {
                            emit(JA_OP, 0, 0, jumpOffset(pc), 0);
                        } else {
                            emit(JA32_OP, 0, 0, 0, jumpOffset(pc));
                        }
                    }
                    default -> {
                        // Helpers 7 and 8 are deterministic (prandom is seeded), 5 (ktime) is not;
                        // local calls go anywhere; exit in the middle.
                        switch (rnd.nextInt(4)) {
                            case 0 -> emit(CALL_IMM, 0, CALL_HELPER, 0, chance(80) ? 7 + rnd.nextInt(2) : imm());
                            case 1 -> emit(CALL_IMM, 0, CALL_LOCAL, 0, jumpOffset(pc));
                            case 2 -> {
                                int reg = dst();
                                emit(ALU64 | MOV | SRC_K, reg, 0, 0, new int[] {0, 6, 7, 8, 1000}[rnd.nextInt(5)]);
                                emit(CALLX, reg, 0, 0, 0);
                            }
                            default -> emit(EXIT_OP, 0, 0, 0, 0);
                        }
                    }
                }
            }
            if (chance(95)) {
                emit(EXIT_OP, 0, 0, 0, 0);
            }
            return Program.of("valid-looking", slots.stream().mapToLong(Long::longValue).toArray());
        }
    }

    @Test
    void theGeneratorIsReproducible() {
        List<Case> a = cases(300);
        List<Case> b = cases(300);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).program(), b.get(i).program());
            assertTrue(Arrays.equals(a.get(i).memory(), b.get(i).memory()));
        }
    }
}
