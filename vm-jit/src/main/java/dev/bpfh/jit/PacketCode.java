package dev.bpfh.jit;

import static dev.bpfh.isa.Opcodes.*;
import static java.lang.constant.ConstantDescs.*;

import dev.bpfh.exec.Memory;
import dev.bpfh.isa.Insn;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * The code of a typed program's context and packet instructions, for {@link MethodGen}: the
 * per-run recipe of CTX-DESIGN.md as bytecode.
 *
 * <ul>
 *   <li>A load or store that {@link dev.bpfh.ctx.ContextAccesses} found is a call to the run's
 *       {@link dev.bpfh.ctx.PacketContext#load} / {@code store} with the access as a class-data
 *       constant and the base register's value, which the context checks (a base that is not the
 *       context pointer traps there, at this pc).</li>
 *   <li>{@code LD_ABS} / {@code LD_IND} call {@code loadAbsolute}; out of range (-1), the function
 *       returns r0 = 0 at once, as the kernel's rewrite of the instruction does (a {@code mov32 r0,
 *       0; exit} in place). The instructions of the block after it, already charged to the budget
 *       at the block's entry, are given back first, so a caller continues with the interpreter's
 *       count.</li>
 *   <li>After every helper or local call the method re-reads region 1 into its input-array local
 *       ({@link #reloadInput}): {@code bpf_xdp_adjust_tail} maps a new packet array there, and the
 *       local must never serve an access from the old one (a read past the new end must trap, a
 *       grown tail must read the new zeros).</li>
 * </ul>
 */
final class PacketCode {
    static final ClassDesc CD_PACKET = ClassDesc.of("dev.bpfh.ctx.PacketContext");
    static final ClassDesc CD_ACCESS = ClassDesc.of("dev.bpfh.ctx.ContextLayout$Access");

    private final Compiler comp;
    private final MethodGen gen;
    private final CodeBuilder c;

    PacketCode(Compiler comp, MethodGen gen, CodeBuilder c) {
        this.comp = comp;
        this.gen = gen;
        this.c = c;
    }

    /** Emits the instruction at {@code pc} if it is a context access or a packet load; false otherwise. */
    boolean insn(int pc, long w) {
        int op = Insn.opcode(w);
        if (opClass(op) == LD && op != LDDW) {
            absolute(pc, op, Insn.src(w), Insn.imm(w));
            return true;
        }
        var access = comp.ctx.at(pc);
        if (access == null) {
            return false;
        }
        pushPacket();
        c.ldc(Compiler.classData(comp.accessConstant(pc), CD_ACCESS));
        if (access.store()) {
            gen.get(Insn.dst(w));
            if (opClass(op) == ST) {
                c.loadConstant((long) Insn.imm(w));
            } else {
                gen.get(Insn.src(w));
            }
            c.loadConstant(pc).invokevirtual(CD_PACKET, "store",
                    MethodTypeDesc.of(CD_void, CD_ACCESS, CD_long, CD_long, CD_int));
        } else {
            gen.get(Insn.src(w));
            c.loadConstant(pc).invokevirtual(CD_PACKET, "load", MethodTypeDesc.of(CD_long, CD_ACCESS, CD_long, CD_int));
            gen.put(Insn.dst(w));
        }
        return true;
    }

    /** Pushes the run's {@code PacketContext}: {@code linkage.context().packet()}. */
    private void pushPacket() {
        c.ldc(Compiler.classData(0, Compiler.CD_LINKAGE))
                .invokevirtual(Compiler.CD_LINKAGE, "context", MethodTypeDesc.of(Compiler.CD_CONTEXT))
                .invokevirtual(Compiler.CD_CONTEXT, "packet", MethodTypeDesc.of(CD_PACKET));
    }

    /** LD_ABS (offset imm) or LD_IND (offset (int) (src + imm)) of 1, 2 or 4 big-endian bytes into r0. */
    private void absolute(int pc, int op, int src, int imm) {
        pushPacket();
        if ((op & MODE_MASK) == MODE_IND) {
            gen.getInt(src);
            if (imm != 0) {
                c.loadConstant(imm).iadd();
            }
        } else {
            c.loadConstant(imm);
        }
        c.loadConstant(sizeBytes(op)).invokevirtual(CD_PACKET, "loadAbsolute", MethodTypeDesc.of(CD_long, CD_int, CD_int));
        Label inRange = c.newLabel();
        c.dup2().lconst_0().lcmp().ifge(inRange);
        c.pop2();
        gen.refund(insnsAfter(pc));
        c.lconst_0();
        gen.put(0);
        gen.exit();
        c.labelBinding(inRange);
        gen.put(0);
    }

    /** Instructions of {@code pc}'s block after {@code pc} (an lddw counts once). */
    private int insnsAfter(int pc) {
        Cfg cfg = comp.cfg;
        int start = pc;
        while (cfg.blockAt[start] < 0) {
            start--;
        }
        int end = cfg.blocks.get(cfg.blockAt[start]).end();
        int n = 0;
        for (int p = pc + 1; p < end; p += Insn.opcode(cfg.slots[p]) == LDDW ? 2 : 1) {
            n++;
        }
        return n;
    }

    /** Re-reads region 1 (the packet array, which a helper may have replaced) into the input local. */
    void reloadInput(int memLocal, int inputLocal) {
        c.aload(memLocal).loadConstant(Memory.INPUT_REGION)
                .invokevirtual(Compiler.CD_MEMORY, "region", MethodTypeDesc.of(MethodGen.CD_BYTES, CD_int))
                .astore(inputLocal);
    }
}
