package dev.bpfh.interp;

import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bpfh.exec.Helpers;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny test DSL: builds programs slot by slot from opcode constants ({@link Insn#encode}) and
 * runs them on the interpreter. Register arguments are register numbers; {@code imm} is the raw
 * 32-bit field.
 */
final class Prog {
    private final List<Long> slots = new ArrayList<>();
    private LoadOptions options = LoadOptions.DEFAULTS;
    private Helpers helpers = Helpers.standard();

    static Prog prog() {
        return new Prog();
    }

    Prog insn(int opcode, int dst, int src, int off, int imm) {
        slots.add(Insn.encode(opcode, dst, src, off, imm));
        return this;
    }

    /** ALU64 with an immediate: {@code op} is the operation code, e.g. {@code ADD}. */
    Prog alu64(int op, int dst, int imm) {
        return insn(ALU64 | op | SRC_K, dst, 0, 0, imm);
    }

    Prog alu64x(int op, int dst, int src) {
        return insn(ALU64 | op | SRC_X, dst, src, 0, 0);
    }

    Prog mov(int dst, int imm) {
        return alu64(MOV, dst, imm);
    }

    Prog movx(int dst, int src) {
        return alu64x(MOV, dst, src);
    }

    Prog lddw(int dst, long value) {
        insn(LDDW, dst, 0, 0, (int) value);
        return insn(0, 0, 0, 0, (int) (value >>> 32));
    }

    Prog ldx(int size, int dst, int src, int off) {
        return insn(LDX | MODE_MEM | size, dst, src, off, 0);
    }

    Prog stx(int size, int dst, int off, int src) {
        return insn(STX | MODE_MEM | size, dst, src, off, 0);
    }

    Prog st(int size, int dst, int off, int imm) {
        return insn(ST | MODE_MEM | size, dst, 0, off, imm);
    }

    Prog atomic(int size, int op, int dst, int off, int src) {
        return insn(STX | MODE_ATOMIC | size, dst, src, off, op);
    }

    /** A conditional 64-bit jump with an immediate ({@code cond} e.g. {@code JEQ}). */
    Prog jmp(int cond, int dst, int imm, int off) {
        return insn(JMP | cond | SRC_K, dst, 0, off, imm);
    }

    Prog jmpx(int cond, int dst, int src, int off) {
        return insn(JMP | cond | SRC_X, dst, src, off, 0);
    }

    Prog ja(int off) {
        return insn(JA_OP, 0, 0, off, 0);
    }

    Prog call(int helperId) {
        return insn(CALL_IMM, 0, CALL_HELPER, 0, helperId);
    }

    Prog callLocal(int disp) {
        return insn(CALL_IMM, 0, CALL_LOCAL, 0, disp);
    }

    Prog callx(int reg) {
        return insn(CALLX, reg, 0, 0, 0);
    }

    Prog exit() {
        return insn(EXIT_OP, 0, 0, 0, 0);
    }

    Prog budget(long instructions) {
        options = options.withInstructionBudget(instructions);
        return this;
    }

    Prog seed(long seed) {
        options = options.withRandomSeed(seed);
        return this;
    }

    Prog helpers(Helpers table) {
        helpers = table;
        return this;
    }

    /** Slots so far: the pc of the next instruction. */
    int length() {
        return slots.size();
    }

    Program program() {
        return Program.of("test", slots.stream().mapToLong(Long::longValue).toArray());
    }

    Executable load() {
        try {
            return InterpreterBackend.compile(program(), options, helpers);
        } catch (LoadRejected e) {
            throw new AssertionError("test program rejected: " + e.getMessage(), e);
        }
    }

    Outcome run(byte[] memory) {
        return load().run(memory);
    }

    Outcome run() {
        return run(new byte[0]);
    }

    /** Runs with no input memory and returns r0, failing the test on a trap. */
    long r0() {
        return returned(run()).r0();
    }

    static Outcome.Returned returned(Outcome o) {
        return assertInstanceOf(Outcome.Returned.class, o, () -> "expected a return, got " + o);
    }

    static void assertTrap(TrapKind kind, int pc, Outcome o) {
        Outcome.Trapped t = assertInstanceOf(Outcome.Trapped.class, o, () -> "expected a trap, got " + o);
        assertEquals(kind, t.kind(), () -> "trap kind of " + t);
        assertEquals(pc, t.pc(), () -> "trap pc of " + t);
    }
}
