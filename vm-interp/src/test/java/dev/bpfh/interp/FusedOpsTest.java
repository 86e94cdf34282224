package dev.bpfh.interp;

import static dev.bpfh.interp.Prog.assertTrap;
import static dev.bpfh.interp.Prog.prog;
import static dev.bpfh.interp.Prog.returned;
import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.exec.Helpers;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.isa.Validator;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.TrapKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Superinstructions ({@link Predecoder#fuse}, the ops from {@link Op#COUNT} on): which runs fuse,
 * hand-worked results, trap pcs and budget boundaries of fused runs, and random programs full of
 * fusable runs whose every outcome (r0, memory, trap kind and pc, executed count) must be the same
 * with fusion and without it.
 */
class FusedOpsTest {

    private static final int B = SIZE_B;

    /** The interpreter for {@code p}, with or without superinstructions. */
    static Interpreter load(Program p, long budget, boolean fuse) throws LoadRejected {
        Validator.validate(p, Helpers.standard());
        return new Interpreter(p, Helpers.standard().toArray(), budget, new ProgramSet(p, 1), fuse);
    }

    /** The op the fuser leaves at each slot of {@code p}. */
    static int[] fusedOps(Program p) {
        long[] code = Predecoder.decode(p).code();
        Predecoder.fuse(code);
        int[] ops = new int[p.length()];
        for (int pc = 0; pc < ops.length; pc++) {
            ops[pc] = (int) code[pc] & 0xff;
        }
        return ops;
    }

    // ---- which runs fuse ----------------------------------------------------------------------

    @Test
    void addressArithmeticAndLoadFuseAtEachEntry() {
        // 0: mov r4, r1; 1: add r4, r3; 2: ldxh r5, [r4+2]; 3: exit
        int[] ops = fusedOps(prog().movx(4, 1).alu64x(ADD, 4, 3).ldx(SIZE_H, 5, 4, 2).exit().program());
        assertEquals(Op.MOV_ADD_LDXH, ops[0]);
        assertEquals(Op.ADD_LDXH, ops[1]); // entered by a jump to slot 1, the add and the load still run as one
        assertEquals(Op.LDXH, ops[2]);
        assertEquals(Op.EXIT, ops[3]);
    }

    @Test
    void nearMissesStaySingle() {
        // a sign-extending load, a 32-bit mov, an add with an immediate: no pattern
        int[] ops = fusedOps(prog().movx(4, 1).alu64x(ADD, 4, 3).insn(LDX | MODE_MEMSX | SIZE_B, 5, 4, 0, 0)
                .insn(ALU | MOV | SRC_X, 4, 1, 0, 0).alu64x(ADD, 4, 3).alu64(ADD, 4, 1).ja(0).exit().program());
        assertEquals(Op.MOV_ADD, ops[0]); // mov; add still fuse, the load after them does not
        assertEquals(Op.ADD64_X, ops[1]);
        assertEquals(Op.MOV32_X, ops[3]);
        assertEquals(Op.ADD64_X, ops[4]);
        assertEquals(Op.ADD_JA, ops[5]);
    }

    @Test
    void contextLoadsAreNotMemoryLoads() throws LoadRejected {
        // an xdp program: mov; add; then r2 = ctx->data, a context load (slot 2), not a memory load
        Program p = prog().movx(3, 2).alu64x(ADD, 3, 4).ldx(SIZE_W, 2, 1, 0).mov(0, 2).exit().program()
                .withType(ProgramType.XDP);
        Validator.validate(p, Helpers.standard());
        Interpreter i = new Interpreter(p, Helpers.standard().toArray(), 100, new ProgramSet(p, 1), true);
        assertEquals(Op.MOV_ADD, i.op(0));
        assertEquals(Op.CTX_LOAD, i.op(2));
    }

    @Test
    void everyFusedOpHasARun() {
        TreeSet<Integer> produced = new TreeSet<>();
        for (int a = 0; a < Op.COUNT; a++) {
            for (int b = 0; b < Op.COUNT; b++) {
                for (int c : new int[] {-1, Op.LDXB, Op.LDXH, Op.LDXW, Op.LDXDW, Op.EXIT}) {
                    int f = Predecoder.fusedOp(a, b, c);
                    if (f >= 0) {
                        produced.add(f);
                    }
                }
            }
        }
        for (int a = 0; a < Op.COUNT; a++) {
            for (int b = 0; b < Op.COUNT; b++) {
                int f = Predecoder.jaOp(a, b);
                if (f >= 0) {
                    produced.add(f);
                }
            }
        }
        for (int op = Op.COUNT; op < Op.ALL; op++) {
            assertTrue(produced.contains(op), "fused op " + op + " is never produced");
        }
        assertTrue(Op.ALL <= 256, "ops must fit the code word's op byte");
    }

    // ---- hand-worked results, trap pcs and budgets --------------------------------------------

    @Test
    void jumpIntoTheMiddleOfARunSkipsItsFirstInstruction() {
        // 0: mov r4, 0; 1: jeq r2, 3, +1 -> 3; 2: mov r4, r1; 3: add r4, r1; 4: ldxb r0, [r4+0]; 5: exit
        // length 3: the jump skips slot 2, so r4 = 0 + r1 and r0 = input[0] = 0x5a.
        // length 4: slots 2..4 run as one, r4 = r1 + r1 = address(2, 0), the zeroed stack frame: r0 = 0.
        Prog p = prog().mov(4, 0).jmp(JEQ, 2, 3, 1).movx(4, 1).alu64x(ADD, 4, 1).ldx(B, 0, 4, 0).exit();
        assertEquals(Op.MOV_ADD_LDXB, fusedOps(p.program())[2]);
        assertEquals(0x5a, returned(p.run(new byte[] {0x5a, 1, 2})).r0());
        assertEquals(0, returned(p.run(new byte[] {0x5a, 1, 2, 3})).r0());
    }

    @Test
    void aFaultingLoadInARunTrapsAtTheLoad() {
        // 0: mov r4, r1; 1: add r4, r2 (the length); 2: ldxb r0, [r4+0]: one past the end; 3: exit
        Prog p = prog().movx(4, 1).alu64x(ADD, 4, 2).ldx(B, 0, 4, 0).exit();
        assertEquals(Op.MOV_ADD_LDXB, fusedOps(p.program())[0]);
        assertTrap(TrapKind.OUT_OF_BOUNDS, 2, p.run(new byte[] {1, 2, 3}));
        // entered at the add (slot 1) by a jump: the same load traps at the same pc
        Prog q = prog().mov(4, 0).ja(1).movx(4, 1).alu64x(ADD, 4, 1).ldx(B, 0, 4, 600).exit();
        assertEquals(Op.ADD_LDXB, fusedOps(q.program())[3]);
        assertTrap(TrapKind.OUT_OF_BOUNDS, 4, q.run(new byte[] {1}));
    }

    /** 0: mov r0, 0; 1: add r0, 1; 2: jlt r0, 3, -2 -> 1; 3: exit. Checks at counts 3 and 5; 8 executed. */
    static Prog countToThree(long budget) {
        return prog().budget(budget).mov(0, 0).alu64(ADD, 0, 1).jmp(JLT, 0, 3, -2).exit();
    }

    @Test
    void aFusedLoopTestChecksTheBudgetAtTheJump() throws LoadRejected {
        assertEquals(Op.ADD_JLT_K, fusedOps(countToThree(5).program())[1]);
        assertEquals(3, countToThree(5).r0());
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 2, countToThree(4).run());
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 2, countToThree(2).run());
        assertEquals(8, InterpreterBackend.countInstructions(countToThree(100).program(), new byte[0]));
    }

    /**
     * 0: mov r0, 0; 1: mov r6, 0; 2: add r0, r6; 3: ja +1 -> 5; 4: mov r0, 99; 5: add r6, 1;
     * 6: jlt r6, 3, -5 -> 2; 7: exit. The ja at 3 goes to the loop's step and test. Three passes
     * of 2, 3, 5, 6 (r0 = 0 + 1 + 2); the budget rule checks the taken jlt at counts 6 and 10.
     */
    static Prog forwardJaToTheLatch(long budget) {
        return prog().budget(budget).mov(0, 0).mov(6, 0).alu64x(ADD, 0, 6).ja(1).mov(0, 99)
                .alu64(ADD, 6, 1).jmp(JLT, 6, 3, -5).exit();
    }

    /**
     * 0: mov r0, 0; 1: mov r6, 0; 2: ja +3 -> 6; 3: add r6, 1; 4: jlt r6, 4, +1 -> 6; 5: exit;
     * 6: add r0, r6; 7: ja -5 -> 3. Enters the body at 6; the ja at 7 goes back to the step and
     * test. Four passes of 6, 7, 3, 4 (r0 = 0 + 1 + 2 + 3); the budget rule checks the ja at 7 (the
     * only backward jump) at counts 5, 9, 13 and 17, and the run ends with count 20.
     */
    static Prog backwardJaToTheLatch(long budget) {
        return prog().budget(budget).mov(0, 0).mov(6, 0).ja(3).alu64(ADD, 6, 1).jmp(JLT, 6, 4, 1).exit()
                .alu64x(ADD, 0, 6).ja(-5);
    }

    @Test
    void aJaToALoopTestCountsTheJaAndChecksTheBudgetWhereItWould() throws LoadRejected {
        int[] fwd = fusedOps(forwardJaToTheLatch(100).program());
        assertEquals(Op.JA_ADD_JLT_K, fwd[3]);
        assertEquals(Op.ADD_JLT_K, fwd[5]);
        assertEquals(3, forwardJaToTheLatch(10).r0());
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 6, forwardJaToTheLatch(9).run()); // the ja counts: 10 at the second check
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 6, forwardJaToTheLatch(5).run());
        assertEquals(15, InterpreterBackend.countInstructions(forwardJaToTheLatch(100).program(), new byte[0]));

        int[] back = fusedOps(backwardJaToTheLatch(100).program());
        assertEquals(Op.JA, back[2]); // its target is no step and test
        assertEquals(Op.JA_ADD_JLT_K, back[7]);
        assertEquals(6, backwardJaToTheLatch(17).r0());
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 7, backwardJaToTheLatch(16).run());
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 7, backwardJaToTheLatch(5).run());
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 7, backwardJaToTheLatch(4).run());
        assertEquals(20, InterpreterBackend.countInstructions(backwardJaToTheLatch(100).program(), new byte[0]));
    }

    @Test
    void aFusedCallChecksTheBudgetAndDepthAtTheCall() {
        // 0: mov r1, r2; 1: call +1 -> 3; 2: exit; 3: mov r0, r1; 4: exit. The call is checked at count 2.
        Prog p = prog().movx(1, 2).callLocal(1).exit().movx(0, 1).exit();
        assertEquals(Op.MOV_CALL, fusedOps(p.program())[0]);
        assertEquals(7, returned(p.run(new byte[7])).r0()); // r2 = the length, 7
        assertTrap(TrapKind.BUDGET_EXHAUSTED, 1, prog().budget(1).movx(1, 2).callLocal(1).exit().movx(0, 1).exit().run());
        // a function that calls itself: mov r1, r1; call -2 fills the eight frames, the ninth traps at the call
        assertTrap(TrapKind.CALL_DEPTH, 1, prog().movx(1, 1).callLocal(-2).exit().run());
    }

    @Test
    void aResultAndItsExitFuseWithTheAluOpKept() {
        // 0: mov r6, 7; 1: mov r1, 5; 2: call 5; 3: sub r0, r6; 4: exit; 5: mov32 r0, -1; 6: exit
        Prog p = prog().mov(6, 7).mov(1, 5).callLocal(2).alu64x(SUB, 0, 6).exit()
                .insn(ALU | MOV | SRC_K, 0, 0, 0, -1).exit();
        int[] ops = fusedOps(p.program());
        assertEquals(Op.ALU_EXIT, ops[3]);
        assertEquals(Op.ALU_EXIT, ops[5]);
        // the function returns 0xffffffff (mov32 zero-extends); its caller's exit returns that less 7
        assertEquals(0xffff_ffffL - 7, p.r0());
    }

    @Test
    void threeAddressArithmeticWithAliasedRegisters() {
        // mov r3, r3; mul r3, r3 (r3 = 7 * 7); mov r4, r3; mod r4, r4 (0); mov r5, r3; sub r5, r5; mov r0, r3; add r0, 2
        Prog p = prog().mov(3, 7).movx(3, 3).alu64x(MUL, 3, 3).movx(4, 3).alu64x(MOD, 4, 4)
                .movx(5, 3).alu64(AND, 5, 0x30).movx(0, 3).alu64(ADD, 0, 2).alu64x(ADD, 0, 4).alu64x(ADD, 0, 5).exit();
        int[] ops = fusedOps(p.program());
        assertEquals(Op.MOV_MUL, ops[1]);
        assertEquals(Op.MOV_MOD, ops[3]);
        assertEquals(Op.MOV_ANDK, ops[5]);
        assertEquals(Op.MOV_ADDK, ops[7]);
        assertEquals(49 + 2 + 0 + (49 & 0x30), p.r0());
    }

    // ---- random programs: fused and unfused runs agree ------------------------------------------

    @Test
    void randomProgramsRunTheSameFusedAndUnfused() throws LoadRejected {
        Random rnd = new Random(20260514);
        int[] seen = new int[Op.ALL];
        java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (int trial = 0; trial < 800; trial++) {
            Program p = randomProgram(rnd);
            for (int op : fusedOps(p)) {
                seen[op]++;
            }
            long budget = rnd.nextBoolean() ? 1 + rnd.nextInt(80) : 1_000_000;
            Interpreter fused = load(p, budget, true);
            Interpreter single = load(p, budget, false);
            for (int run = 0; run < 5; run++) {
                byte[] input = new byte[rnd.nextInt(80)];
                rnd.nextBytes(input);
                Outcome a = fused.run(input.clone());
                Outcome b = single.run(input.clone());
                String where = "trial " + trial + " run " + run + " budget " + budget + "\n" + listing(p);
                assertSame(b, a, where);
                outcomes.merge(b instanceof Outcome.Trapped t ? t.kind().name() : "RETURNED", 1, Integer::sum);
                assertEquals(single.executedInstructions(), fused.executedInstructions(), where);
            }
        }
        // both ends of the comparison: runs that return, loads that fault, budgets that run out
        for (String kind : new String[] {"RETURNED", "OUT_OF_BOUNDS", "BUDGET_EXHAUSTED"}) {
            assertTrue(outcomes.getOrDefault(kind, 0) >= 100, "too few " + kind + " outcomes: " + outcomes);
        }
        for (int op = Op.COUNT; op < Op.ALL; op++) {
            assertTrue(seen[op] >= 5, "fused op " + op + " occurs in only " + seen[op] + " random programs' slots");
        }
    }

    private static void assertSame(Outcome expected, Outcome actual, String where) {
        if (expected instanceof Outcome.Returned e && actual instanceof Outcome.Returned a) {
            assertEquals(e.r0(), a.r0(), where);
            assertArrayEquals(e.memory(), a.memory(), where);
        } else if (expected instanceof Outcome.Trapped e && actual instanceof Outcome.Trapped a) {
            assertEquals(e.kind(), a.kind(), where);
            assertEquals(e.pc(), a.pc(), where);
        } else {
            throw new AssertionError(where + "\nexpected " + expected + "\nbut got " + actual);
        }
    }

    private static String listing(Program p) {
        StringBuilder sb = new StringBuilder();
        for (int pc = 0; pc < p.length(); pc++) {
            sb.append(pc).append(": ").append(Insn.decode(p.slot(pc))).append('\n');
        }
        return sb.toString();
    }

    private static final int[] ALU_X = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR, ARSH};
    private static final int[] ALU_K = {ADD, SUB, MUL, OR, AND, LSH, RSH, XOR};
    private static final int[] LOOP_TESTS = {JLT, JNE, JGT, JLE, JEQ, JSLT};

    /**
     * r1 = the input, r2 = its length, r6..r8 small offsets set once, r9 a loop counter; the body
     * is random runs (fusable ones and near misses) on scratch registers r0, r3, r4, r5, with loads
     * based on r1 or r10 that may or may not fault, closed by a counter step and a test jumping back;
     * sometimes a jump into the middle of a run, a ja to the counter step, a call of a small function.
     */
    static Program randomProgram(Random rnd) {
        Prog p = prog();
        List<Integer> targetsOfForwardJumps = new ArrayList<>();
        List<Integer> jumpsToTheStep = new ArrayList<>();
        p.mov(0, rnd.nextInt(100)).mov(3, rnd.nextInt(1000) - 500).mov(4, rnd.nextInt(40)).mov(5, rnd.nextInt(9));
        p.mov(6, rnd.nextInt(16)).mov(7, rnd.nextInt(24)).mov(8, rnd.nextInt(4)).mov(9, 0);
        p.st(SIZE_DW, 10, -8, rnd.nextInt()).st(SIZE_DW, 10, -16, rnd.nextInt());
        int loopStart = p.length();
        int runs = 2 + rnd.nextInt(6);
        boolean calls = rnd.nextBoolean();
        for (int i = 0; i < runs; i++) {
            int a = scratch(rnd);
            switch (rnd.nextInt(10)) {
                case 0, 1 -> { // address arithmetic and a load
                    boolean stack = rnd.nextInt(3) == 0;
                    int size = new int[] {SIZE_B, SIZE_H, SIZE_W, SIZE_DW}[rnd.nextInt(4)];
                    int off = stack ? -16 - rnd.nextInt(9) : rnd.nextInt(40) - 4;
                    if (rnd.nextInt(4) != 0) {
                        p.movx(a, stack ? 10 : 1);
                    }
                    p.alu64x(ADD, a, 6 + rnd.nextInt(3));
                    if (rnd.nextInt(8) == 0 && size != SIZE_DW) {
                        p.insn(LDX | MODE_MEMSX | size, scratch(rnd), a, off, 0); // not fused
                    } else {
                        p.ldx(size, scratch(rnd), a, off);
                    }
                }
                case 2 -> p.movx(a, anyRegister(rnd)).alu64x(ALU_X[rnd.nextInt(ALU_X.length)], a, anyRegister(rnd));
                case 3 -> p.movx(a, anyRegister(rnd)).alu64(ALU_K[rnd.nextInt(ALU_K.length)], a, rnd.nextInt(70) - 5);
                case 4 -> { // a forward jump over the first instruction of a run: into its middle
                    p.jmp(JSET, 3, 1 << rnd.nextInt(3), 1).movx(a, 1).alu64x(ADD, a, 7).ldx(SIZE_B, 0, a, rnd.nextInt(30));
                }
                case 5 -> p.alu64x(rnd.nextBoolean() ? ADD : XOR, 0, a).alu64(MUL, 3, 3).alu64(ADD, a, 3).ja(0);
                case 7 -> { // an atomic op on a stack slot (r10-8, -16) or a packet word, its operand moved in first
                    int src = scratch(rnd);
                    int slot = rnd.nextInt(4) == 0 ? 1 : 10; // r1: the input, which may be too short (a trap)
                    int off = slot == 10 ? -8 * (1 + rnd.nextInt(2)) : 4 * rnd.nextInt(16);
                    if (rnd.nextInt(3) == 0) {
                        p.movx(0, anyRegister(rnd)); // cmpxchg's expected value: mov; mov; cmpxchg
                    }
                    p.movx(src, anyRegister(rnd));
                    int[] ops = {ATOMIC_ADD, ATOMIC_ADD | FETCH, ATOMIC_XOR, ATOMIC_OR | FETCH, ATOMIC_XCHG, ATOMIC_CMPXCHG};
                    int op = ops[rnd.nextInt(ops.length)];
                    p.atomic(rnd.nextInt(3) == 0 ? SIZE_W : SIZE_DW, op, slot, off, src);
                }
                case 8 -> p.movx(a, anyRegister(rnd)).movx(scratch(rnd), anyRegister(rnd));
                case 6 -> { // sometimes skip the rest of the body: a ja to the loop's step and test
                    p.jmp(JSET, 3, 1 << rnd.nextInt(3), 1);
                    jumpsToTheStep.add(p.length()); // patched below
                    p.ja(0);
                }
                default -> {
                    if (calls) {
                        p.movx(1 + rnd.nextInt(5), anyRegister(rnd));
                        targetsOfForwardJumps.add(p.length()); // patched below: call the function at the end
                        p.callLocal(0);
                    } else {
                        p.alu64(ADD, a, rnd.nextInt(9));
                    }
                }
            }
        }
        int test = LOOP_TESTS[rnd.nextInt(LOOP_TESTS.length)];
        int trips = 1 + rnd.nextInt(6);
        int step = p.length();
        p.alu64(ADD, 9, 1);
        int back = loopStart - (p.length() + 1);
        if (rnd.nextBoolean()) {
            p.jmp(test, 9, test == JEQ ? 0 : trips, back); // JEQ r9, 0 never loops back after the first step
        } else {
            p.mov(5, trips).alu64(ADD, 9, 0);
            p.jmpx(test, 9, 5, back - 2);
        }
        resultThenExit(p, rnd, 3);
        int function = p.length();
        p.alu64x(ADD, 1, 2).movx(0, 1).alu64(AND, 0, 0xff);
        resultThenExit(p, rnd, 2);
        Program program = p.program();
        long[] slots = program.slots();
        for (int at : targetsOfForwardJumps) {
            slots[at] = Insn.encode(CALL_IMM, 0, CALL_LOCAL, 0, function - at - 1);
        }
        for (int at : jumpsToTheStep) {
            slots[at] = Insn.encode(JA_OP, 0, 0, step - at - 1, 0);
        }
        return Program.of("random", slots);
    }

    /** One of the ALU ops {@link Op#ALU_EXIT} fuses (or, sometimes, one it does not) on r0, then exit. */
    private static void resultThenExit(Prog p, Random rnd, int src) {
        int k = rnd.nextInt(2000) - 1000;
        switch (rnd.nextInt(11)) {
            case 0 -> p.mov(0, k);
            case 1 -> p.movx(0, src);
            case 2 -> p.insn(ALU | MOV | SRC_K, 0, 0, 0, k); // mov32
            case 3 -> p.insn(ALU | MOV | SRC_X, 0, src, 0, 0);
            case 4 -> p.alu64(ADD, 0, k);
            case 5 -> p.alu64x(ADD, 0, src);
            case 6 -> p.alu64x(SUB, 0, src);
            case 7 -> p.alu64x(XOR, 0, src);
            case 8 -> p.alu64x(OR, 0, src);
            case 9 -> p.alu64(AND, 0, k);
            default -> p.alu64(SUB, 0, k); // not fused: the exit alone
        }
        p.exit();
    }

    private static int scratch(Random rnd) {
        return new int[] {0, 3, 4, 5}[rnd.nextInt(4)];
    }

    private static int anyRegister(Random rnd) {
        return rnd.nextInt(10);
    }
}
