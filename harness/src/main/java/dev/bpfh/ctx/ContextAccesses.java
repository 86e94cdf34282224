package dev.bpfh.ctx;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.ProgramType;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Which loads and stores of a typed program touch its context, found before it runs: the part of
 * the kernel verifier that tracks {@code PTR_TO_CTX}. The context pointer starts in r1 and travels by
 * {@code mov}, by 8-byte spills to the stack at constant frame offsets and into subprograms as an
 * argument; every load or store through it must be an access {@link ContextLayout#check} accepts, at
 * a constant offset from the unmodified pointer. Anything else is refused at load with the pc and
 * the verifier's reason, in every userspace engine alike.
 *
 * <p>The engines turn each access found here into a field access ({@link PacketContext#load},
 * {@link PacketContext#store}) that still checks at run time that the base register holds the
 * context pointer, so an imprecision of this analysis can only trap, never read the wrong memory. A
 * context pointer this analysis does not see (reached through memory it does not track) points at
 * an unmapped region and traps like any bad address.
 */
public final class ContextAccesses {
    private static final byte SCALAR = 0;
    private static final byte CTX = 1;
    /** The context pointer plus something: the verifier refuses to dereference it. */
    private static final byte CTX_MODIFIED = 2;
    /** The context on one path, something else on another. */
    private static final byte MIXED = 3;

    private final ContextLayout.Access[] accesses;

    private ContextAccesses(ContextLayout.Access[] accesses) {
        this.accesses = accesses;
    }

    /** The context access at {@code pc}, or null when the instruction there touches no context. */
    public ContextLayout.Access at(int pc) {
        return pc < accesses.length ? accesses[pc] : null;
    }

    /** Analyses {@code program}, whose validity ({@code Validator}) is already established. */
    public static ContextAccesses find(Program program) throws LoadRejected {
        ContextLayout layout = ContextLayout.of(program.type()).orElse(null);
        long[] s = program.slots();
        ContextLayout.Access[] out = new ContextLayout.Access[s.length];
        if (layout == null) {
            return new ContextAccesses(out);
        }
        new Flow(s, layout, program.type(), out).run();
        return new ContextAccesses(out);
    }

    /** Register and stack-slot types at one pc. */
    private record State(byte[] regs, Map<Integer, Byte> stack) {
        State copy() {
            return new State(regs.clone(), new HashMap<>(stack));
        }

        /** Joins {@code o} into this; true when this changed. */
        boolean join(State o) {
            boolean changed = false;
            for (int r = 0; r < regs.length; r++) {
                byte j = joinType(regs[r], o.regs[r]);
                if (j != regs[r]) {
                    regs[r] = j;
                    changed = true;
                }
            }
            for (var e : Map.copyOf(stack).entrySet()) {
                byte other = o.stack.getOrDefault(e.getKey(), SCALAR);
                byte j = joinType(e.getValue(), other);
                if (j != e.getValue()) {
                    stack.put(e.getKey(), j);
                    changed = true;
                }
            }
            for (var e : o.stack.entrySet()) {
                if (!stack.containsKey(e.getKey()) && e.getValue() != SCALAR) {
                    stack.put(e.getKey(), joinType(SCALAR, e.getValue()));
                    changed = true;
                }
            }
            return changed;
        }

        static byte joinType(byte a, byte b) {
            return a == b ? a : (a == SCALAR && b == SCALAR ? SCALAR : MIXED);
        }
    }

    private static final class Flow {
        private final long[] s;
        private final ContextLayout layout;
        private final ProgramType type;
        private final ContextLayout.Access[] out;
        private final State[] in;
        private final Deque<Integer> work = new ArrayDeque<>();
        private final BitSet queued = new BitSet();

        Flow(long[] s, ContextLayout layout, ProgramType type, ContextLayout.Access[] out) {
            this.s = s;
            this.layout = layout;
            this.type = type;
            this.out = out;
            this.in = new State[s.length];
        }

        void run() throws LoadRejected {
            byte[] entry = new byte[11];
            entry[1] = CTX;
            flowTo(0, new State(entry, new HashMap<>()));
            // subprograms reached only as callbacks (lddw src 4) start with nothing known
            for (int pc = 0; pc < s.length; pc++) {
                if (Insn.opcode(s[pc]) == LDDW && Insn.src(s[pc]) == PSEUDO_FUNC) {
                    flowTo(pc + Insn.imm(s[pc]) + 1, new State(new byte[11], new HashMap<>()));
                    pc++;
                }
            }
            while (!work.isEmpty()) {
                int pc = work.poll();
                queued.clear(pc);
                step(pc, in[pc].copy());
            }
        }

        private void flowTo(int pc, State st) {
            if (pc < 0 || pc >= s.length) {
                return; // the validator has refused such programs already
            }
            if (in[pc] == null) {
                in[pc] = st.copy();
            } else if (!in[pc].join(st)) {
                return;
            }
            if (!queued.get(pc)) {
                queued.set(pc);
                work.add(pc);
            }
        }

        private void step(int pc, State st) throws LoadRejected {
            long w = s[pc];
            int op = Insn.opcode(w);
            int dst = Insn.dst(w);
            int src = Insn.src(w);
            int off = Insn.off(w);
            int imm = Insn.imm(w);
            byte[] r = st.regs();
            switch (op & CLASS_MASK) {
                case ALU, ALU64 -> {
                    boolean x = (op & SRC_X) != 0;
                    if ((op & OP_MASK) == MOV && (op & CLASS_MASK) == ALU64 && off == 0) {
                        r[dst] = x ? r[src] : SCALAR;
                    } else if (r[dst] == CTX || r[dst] == CTX_MODIFIED) {
                        r[dst] = (op & CLASS_MASK) == ALU64 ? CTX_MODIFIED : SCALAR;
                    } else if (r[dst] != MIXED) {
                        r[dst] = SCALAR;
                    }
                    flowTo(pc + 1, st);
                }
                case LD -> {
                    if (op == LDDW) {
                        r[dst] = SCALAR;
                        flowTo(pc + 2, st);
                        return;
                    }
                    // LD_ABS / LD_IND: the kernel wants the context in r6, then clobbers r1-r5
                    if (type == ProgramType.XDP) {
                        throw new LoadRejected(pc, "BPF_LD_[ABS|IND] instructions not allowed for this program type", "");
                    }
                    if (r[6] != CTX) {
                        throw new LoadRejected(pc, "at the time of BPF_LD_ABS|IND R6 != pointer to skb", "");
                    }
                    clobberCallerSaved(r);
                    flowTo(pc + 1, st);
                }
                case LDX -> {
                    if (isContext(r[src], src, pc, "load")) {
                        if ((op & MODE_MASK) == MODE_MEMSX) {
                            throw new LoadRejected(pc, "sign-extending load from the context (R" + src + ") is not supported", "");
                        }
                        out[pc] = access(pc, off, sizeOf(op), false);
                        r[dst] = SCALAR;
                    } else if (src == 10 && sizeOf(op) == 8) {
                        r[dst] = st.stack().getOrDefault(off, SCALAR);
                    } else {
                        r[dst] = SCALAR;
                    }
                    flowTo(pc + 1, st);
                }
                case ST, STX -> {
                    boolean atomic = (op & MODE_MASK) == MODE_ATOMIC;
                    if (isContext(r[dst], dst, pc, "store")) {
                        if (atomic) {
                            throw new LoadRejected(pc, "BPF_ATOMIC stores into R" + dst + " ctx is not allowed", "");
                        }
                        out[pc] = access(pc, off, sizeOf(op), true);
                    } else if (dst == 10) {
                        int size = sizeOf(op);
                        // a spill of the context is remembered; any other write over a slot forgets it
                        for (int slot : st.stack().keySet().toArray(new Integer[0])) {
                            if (slot < off + size && off < slot + 8) {
                                st.stack().remove(slot);
                            }
                        }
                        if ((op & CLASS_MASK) == STX && !atomic && size == 8 && r[src] != SCALAR) {
                            st.stack().put(off, r[src]);
                        }
                    }
                    if (atomic && (imm & FETCH) != 0) {
                        r[imm == ATOMIC_CMPXCHG ? 0 : src] = SCALAR;
                    }
                    flowTo(pc + 1, st);
                }
                case JMP, JMP32 -> jump(pc, op, off, imm, src, st);
                default -> throw new LoadRejected(pc, "unknown opcode", "");
            }
        }

        private void jump(int pc, int op, int off, int imm, int src, State st) throws LoadRejected {
            byte[] r = st.regs();
            int code = op & OP_MASK;
            if (code == EXIT) {
                return;
            }
            if (code == CALL) {
                if (src == CALL_LOCAL && (op & SRC_X) == 0) {
                    State callee = new State(new byte[11], new HashMap<>());
                    System.arraycopy(r, 1, callee.regs(), 1, 5);
                    flowTo(pc + imm + 1, callee);
                }
                clobberCallerSaved(r);
                r[0] = SCALAR;
                flowTo(pc + 1, st);
                return;
            }
            if (code == JA) {
                flowTo(pc + 1 + ((op & CLASS_MASK) == JMP32 ? imm : off), st);
                return;
            }
            flowTo(pc + 1, st.copy());
            flowTo(pc + 1 + off, st);
        }

        private static void clobberCallerSaved(byte[] r) {
            for (int i = 0; i <= 5; i++) {
                r[i] = SCALAR;
            }
        }

        /** Whether {@code reg} holds the context; refuses a modified or path-dependent one. */
        private boolean isContext(byte t, int reg, int pc, String what) throws LoadRejected {
            return switch (t) {
                case CTX -> true;
                case CTX_MODIFIED -> throw new LoadRejected(pc,
                        "dereference of modified ctx ptr R" + reg + " disallowed", "");
                case MIXED -> throw new LoadRejected(pc,
                        "R" + reg + " is the context on some paths and not on others: this " + what
                                + " cannot be checked against " + layout.type().word() + "'s context rules", "");
                default -> false;
            };
        }

        private ContextLayout.Access access(int pc, int off, int size, boolean store) throws LoadRejected {
            try {
                return layout.check(off, size, store);
            } catch (IllegalArgumentException e) {
                throw new LoadRejected(pc, e.getMessage(), "");
            }
        }

        private static int sizeOf(int op) {
            return switch (op & SIZE_MASK) {
                case SIZE_B -> 1;
                case SIZE_H -> 2;
                case SIZE_W -> 4;
                default -> 8;
            };
        }
    }
}
