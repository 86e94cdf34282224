package dev.bpfh.jit;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.ctx.ContextAccesses;
import dev.bpfh.ctx.ContextField;
import dev.bpfh.ctx.ContextLayout;
import dev.bpfh.ctx.PacketContext;
import dev.bpfh.isa.Insn;
import dev.bpfh.jit.RegisterFacts.Fact;

/**
 * What a typed program's context loads and packet loads leave in their destination register, on
 * top of {@link RegisterFacts#step} (which sees them as plain loads).
 *
 * <p>A load of {@code data}, {@code data_end} or {@code data_meta} is a pointer into region 1 (the
 * packet, {@link PacketContext}) at an offset in {@code [0, XDP_FRAME]}: every packet array is at
 * most one XDP frame long. Region 1 stays region 1 whatever a helper does to the packet, so the
 * fact stays true across helper calls; only the array behind it changes, which the generated code
 * re-reads after every call ({@link PacketCode#reloadInput}). The lower bound 0 is what makes the
 * array index of an access through such a pointer non-negative (the fast input path); every access
 * is still checked against the current array's length, which is {@code data_end}.
 */
final class TypedFacts {
    private TypedFacts() {}

    static void step(Fact[] r, long[] slots, int pc, ContextAccesses ctx) {
        long w = slots[pc];
        int op = Insn.opcode(w);
        if (opClass(op) == LD && op != LDDW) {
            r[0] = Fact.scalar(0, 0xffffffffL); // LD_ABS/IND: at most 4 bytes, or the program has exited
            return;
        }
        ContextLayout.Access a = ctx.at(pc);
        if (a != null && !a.store()) {
            r[Insn.dst(w)] = loaded(a);
        }
    }

    /** The value a context load gives, as {@link PacketContext#load} computes it. */
    static Fact loaded(ContextLayout.Access a) {
        ContextField f = a.field();
        if (f.pointer() != ContextField.PacketPointer.NONE) {
            return new Fact(RegisterFacts.INPUT, 0, PacketContext.XDP_FRAME);
        }
        if (a.bytes() == 8) {
            return Fact.TOP;
        }
        // A load at least as wide as a narrower kernel field returns the whole (at most 4-byte)
        // field; any other load returns exactly its own bytes.
        boolean wholeField = f.kernelWidth() < f.size() && a.bytes() >= f.kernelWidth();
        int bytes = wholeField ? f.size() : a.bytes();
        return bytes < 8 ? Fact.scalar(0, (1L << (8 * bytes)) - 1) : Fact.TOP;
    }
}
