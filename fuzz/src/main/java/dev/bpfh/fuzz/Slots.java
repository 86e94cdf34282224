package dev.bpfh.fuzz;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Instruction-level edits of a program's slots that keep its control flow: deleting or inserting
 * instructions moves every jump and local call so that it still reaches the same instruction. The
 * minimiser and the mutator edit programs only through this class.
 */
public final class Slots {
    private Slots() {}

    /** The slot index where each instruction starts (an {@code lddw} and its second slot are one instruction). */
    public static int[] starts(long[] slots) {
        List<Integer> starts = new ArrayList<>();
        for (int pc = 0; pc < slots.length; pc++) {
            starts.add(pc);
            if (Insn.opcode(slots[pc]) == LDDW && pc + 1 < slots.length) {
                pc++;
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether the slot moves control by a pc-relative displacement (a jump or a local call). */
    static boolean isRelative(long slot) {
        int op = Insn.opcode(slot);
        int cls = opClass(op);
        if (cls != JMP && cls != JMP32) {
            return false;
        }
        int code = op & OP_MASK;
        if (code == EXIT) {
            return false;
        }
        if (code == CALL) {
            return op == CALL_IMM && Insn.src(slot) == CALL_LOCAL;
        }
        return true;
    }

    /** The displacement is in imm for ja32 and local calls, in offset otherwise. */
    static boolean displacementInImm(long slot) {
        int op = Insn.opcode(slot);
        return op == JA32_OP || op == CALL_IMM;
    }

    static long displacement(long slot) {
        return displacementInImm(slot) ? Insn.imm(slot) : Insn.off(slot);
    }

    /** The slot with a new displacement, or null when it does not fit its field. */
    static Long withDisplacement(long slot, long disp) {
        Insn i = Insn.decode(slot);
        if (displacementInImm(slot)) {
            if (disp < Integer.MIN_VALUE || disp > Integer.MAX_VALUE) {
                return null;
            }
            return Insn.encode(i.opcode(), i.dst(), i.src(), i.off(), (int) disp);
        }
        if (disp < Short.MIN_VALUE || disp > Short.MAX_VALUE) {
            return null;
        }
        return Insn.encode(i.opcode(), i.dst(), i.src(), (int) disp, i.imm());
    }

    /**
     * Removes slots {@code [from, from + count)}. A jump into the removed range lands on the first
     * instruction after it. Returns null when a displacement no longer fits its field.
     */
    public static long[] delete(long[] slots, int from, int count) {
        long[] out = new long[slots.length - count];
        for (int pc = 0, o = 0; pc < slots.length; pc++) {
            if (pc >= from && pc < from + count) {
                continue;
            }
            long s = slots[pc];
            if (isRelative(s)) {
                long target = pc + 1 + displacement(s);
                long moved = target < from ? target : target >= from + count ? target - count : from;
                Long w = withDisplacement(s, moved - (o + 1));
                if (w == null) {
                    return null;
                }
                s = w;
            }
            out[o++] = s;
        }
        return out;
    }

    /**
     * Inserts {@code added} before slot {@code at}. Jumps outside the insert that target slot
     * {@code at} or later still reach the same instruction (they skip the inserted ones); the
     * inserted slots' own displacements are kept as given. Returns null when one no longer fits.
     */
    public static long[] insert(long[] slots, int at, long... added) {
        long[] out = new long[slots.length + added.length];
        for (int pc = 0; pc < slots.length; pc++) {
            int o = pc < at ? pc : pc + added.length;
            long s = slots[pc];
            if (isRelative(s)) {
                long target = pc + 1 + displacement(s);
                long moved = target < at ? target : target + added.length;
                Long w = withDisplacement(s, moved - (o + 1));
                if (w == null) {
                    return null;
                }
                s = w;
            }
            out[o] = s;
        }
        System.arraycopy(added, 0, out, at, added.length);
        return out;
    }

    /** A copy with slot {@code pc} replaced. */
    public static long[] replace(long[] slots, int pc, long slot) {
        long[] out = Arrays.copyOf(slots, slots.length);
        out[pc] = slot;
        return out;
    }
}
