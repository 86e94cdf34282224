package dev.bpfh.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the kernel verifier knows at one point of a {@link SafeGenerator} function: the kind of
 * every register and the state of every byte of the function's stack frame. Only the facts the
 * generator needs are kept, and where two paths meet ({@link #meet}) only what holds on both.
 */
final class Frame {
    static final byte UNINIT = 0;
    static final byte SCALAR = 1;
    /** A pointer into the input at {@code off[r]}. */
    static final byte PKT = 2;
    /** A pointer into this function's stack frame at r10 + {@code off[r]}. */
    static final byte STK = 3;
    /** A pointer into the input at {@code off[r]} plus a variable amount in [0, {@code mask[r]}]. */
    static final byte PKT_VAR = 4;

    private static final byte WRITTEN = 1;
    private static final byte SPILLED = 2;
    private static final int FRAME = 512;

    final byte[] kind = new byte[11];
    final int[] off = new int[11];
    final int[] mask = new int[11];
    final boolean[] frozen = new boolean[11];
    /** Bytes of the frame this function uses, from r10 - stackLimit to r10. */
    final int stackLimit;
    /** Per byte, index FRAME + offset from r10: UNINIT, WRITTEN or SPILLED. */
    private final byte[] stack = new byte[FRAME];
    /** Per 8-byte slot (index (FRAME + offset) / 8): the register kind and offset of a spilled pointer. */
    private final byte[] spillKind = new byte[FRAME / 8];
    private final int[] spillOff = new int[FRAME / 8];

    Frame(int stackLimit) {
        this.stackLimit = stackLimit;
        kind[10] = STK;
        frozen[10] = true;
    }

    Frame copy() {
        Frame c = new Frame(stackLimit);
        System.arraycopy(kind, 0, c.kind, 0, kind.length);
        System.arraycopy(off, 0, c.off, 0, off.length);
        System.arraycopy(mask, 0, c.mask, 0, mask.length);
        System.arraycopy(frozen, 0, c.frozen, 0, frozen.length);
        System.arraycopy(stack, 0, c.stack, 0, stack.length);
        System.arraycopy(spillKind, 0, c.spillKind, 0, spillKind.length);
        System.arraycopy(spillOff, 0, c.spillOff, 0, spillOff.length);
        return c;
    }

    /** What holds on both paths. */
    Frame meet(Frame o) {
        Frame m = copy();
        for (int r = 0; r < 10; r++) {
            boolean same = kind[r] == o.kind[r] && off[r] == o.off[r] && mask[r] == o.mask[r];
            if (!same) {
                m.kind[r] = kind[r] == SCALAR && o.kind[r] == SCALAR ? SCALAR : UNINIT;
            }
        }
        for (int i = 0; i < FRAME; i++) {
            if (stack[i] != o.stack[i]) {
                m.stack[i] = UNINIT;
            }
        }
        for (int slot = 0; slot < spillKind.length; slot++) {
            if (spillKind[slot] != o.spillKind[slot] || spillOff[slot] != o.spillOff[slot]) {
                for (int i = slot * 8; i < slot * 8 + 8; i++) {
                    if (m.stack[i] == SPILLED) {
                        m.stack[i] = UNINIT;
                    }
                }
            }
        }
        return m;
    }

    /** Registers r0-r9 of the given kinds. */
    List<Integer> regs(byte... kinds) {
        List<Integer> out = new ArrayList<>();
        for (int r = 0; r < 10; r++) {
            for (byte k : kinds) {
                if (kind[r] == k) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** Whether {@code r} is the one register left that points into the input at a known offset. */
    boolean isOnlyInputPointer(int r) {
        return kind[r] == PKT && regs(PKT).size() == 1;
    }

    void copy(int src, int dst) {
        kind[dst] = kind[src];
        off[dst] = off[src];
        mask[dst] = mask[src];
    }

    void copyTo(int r, Frame other) {
        other.kind[r] = kind[r];
        other.off[r] = off[r];
        other.mask[r] = mask[r];
    }

    /** After a call: r0 holds the result, r1-r5 are clobbered. */
    void clobberCall() {
        kind[0] = SCALAR;
        for (int r = 1; r <= 5; r++) {
            kind[r] = UNINIT;
        }
    }

    void freezePointers() {
        for (int r = 0; r < 10; r++) {
            if (kind[r] == PKT || kind[r] == STK || kind[r] == PKT_VAR) {
                frozen[r] = true;
            }
        }
    }

    /** Takes the frozen registers of {@code outer} (leaving a loop). */
    void thaw(Frame outer) {
        System.arraycopy(outer.frozen, 0, frozen, 0, frozen.length);
    }

    /** {@code bytes} bytes written at r10 + {@code at}; a pointer spilled there is cut up, so its other bytes are unreadable. */
    void written(int at, int bytes) {
        for (int i = FRAME + at; i < FRAME + at + bytes; i++) {
            if (stack[i] == SPILLED) {
                int slot = i / 8;
                for (int j = slot * 8; j < slot * 8 + 8; j++) {
                    stack[j] = UNINIT;
                }
                spillKind[slot] = 0;
                spillOff[slot] = 0;
            }
        }
        Arrays.fill(stack, FRAME + at, FRAME + at + bytes, WRITTEN);
    }

    void spill(int at, int src) {
        int slot = (FRAME + at) / 8;
        Arrays.fill(stack, FRAME + at, FRAME + at + 8, SPILLED);
        spillKind[slot] = kind[src];
        spillOff[slot] = off[src];
    }

    /** Offsets (from r10) of the 8-byte slots holding a spilled pointer. */
    List<Integer> spills() {
        List<Integer> out = new ArrayList<>();
        for (int at = -stackLimit; at <= -8; at += 8) {
            if (stack[FRAME + at] == SPILLED) {
                out.add(at);
            }
        }
        return out;
    }

    void fill(int at, int dst) {
        int slot = (FRAME + at) / 8;
        kind[dst] = spillKind[slot];
        off[dst] = spillOff[slot];
        mask[dst] = 0;
    }

    /** Offsets (from r10), aligned to {@code bytes}, whose {@code bytes} bytes were all written with data. */
    List<Integer> writtenSlots(int bytes) {
        List<Integer> out = new ArrayList<>();
        for (int at = -stackLimit; at <= -bytes; at += bytes) {
            boolean ok = true;
            for (int i = FRAME + at; i < FRAME + at + bytes && ok; i++) {
                ok = stack[i] == WRITTEN;
            }
            if (ok) {
                out.add(at);
            }
        }
        return out;
    }
}
