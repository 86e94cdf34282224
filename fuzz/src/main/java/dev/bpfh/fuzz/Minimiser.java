package dev.bpfh.fuzz;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.ctx.PacketContext;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Delta debugging of one disagreement: removes instructions (chunks of halving size, ddmin style),
 * then simplifies immediates and the input bytes, as long as the same two engines still disagree in
 * the same way on the smaller program.
 *
 * <p>A candidate counts only if every engine that ran the original still runs it (so where the kernel
 * is a backend, the minimised program is one its verifier accepts) and if it is still comparable: a
 * disagreement with the kernel or a plugin needs {@link Determinism#deterministic}, one between
 * interp and jit a program that does not read the clock. Otherwise removing the instruction that
 * overwrites a helper's random result would "reproduce" any r0 disagreement with the kernel.
 */
public final class Minimiser {

    /** The smallest program found, its input, what every engine did on it, and how many candidates were run. */
    public record Result(Program program, RunInput input, Trial.Result trial, Oracle.Disagreement disagreement, int tests) {}

    private final FuzzCase origin;
    private final Oracle.Disagreement target;
    private final List<Backend> backends;
    private final Set<String> mustRun;
    private final LoadOptions load;
    private final int maxTests;
    private int tests;
    private Trial.Result lastTrial;
    private Oracle.Disagreement lastDisagreement;

    /**
     * @param mustRun engines that ran the original program and must keep running every candidate
     * @param maxTests how many candidate programs to try at most
     */
    public Minimiser(FuzzCase origin, Oracle.Disagreement target, List<Backend> backends, Set<String> mustRun,
            LoadOptions load, int maxTests) {
        this.origin = origin;
        this.target = target;
        this.backends = backends;
        this.mustRun = mustRun;
        this.load = load;
        this.maxTests = maxTests;
    }

    public Result minimise(RunInput input) {
        long[] best = origin.program().slots();
        RunInput mem = input.copy();
        if (!holds(best, mem, false)) {
            // Not reproducible on its own (it should be: engines are deterministic); keep the original.
            return new Result(origin.program(), mem, lastTrial, target, tests);
        }
        boolean changed = true;
        while (changed && tests < maxTests) {
            changed = false;
            long[] smaller = removeInstructions(best, mem);
            if (smaller != best) {
                best = smaller;
                changed = true;
            }
            long[] simpler = simplifyImmediates(best, mem);
            if (simpler != best) {
                best = simpler;
                changed = true;
            }
            long[] folded = propagateConstants(best, mem);
            if (folded != best) {
                best = folded;
                changed = true;
            }
            long[] fewerRegisters = simplifyRegisters(best, mem);
            if (fewerRegisters != best) {
                best = fewerRegisters;
                changed = true;
            }
        }
        mem = simplifyInput(best, mem);
        // holds() is true exactly for the candidates that were kept, so the last true one is the result.
        return new Result(program(origin.program().name() + "-min", best), mem, lastTrial, lastDisagreement, tests);
    }

    /** Whether the target disagreement still shows on this program and input. */
    boolean holds(long[] slots, RunInput input) {
        return holds(slots, input, true);
    }

    /** The candidate as a program of the original's type, with its maps. */
    private Program program(String name, long[] slots) {
        return new Program(name, slots, origin.program().maps(), origin.program().type());
    }

    /** {@code check}: whether to check that the pair may be compared (the original case says so itself). */
    private boolean holds(long[] slots, RunInput input, boolean check) {
        if (tests >= maxTests) {
            return false;
        }
        tests++;
        Program p = program(origin.program().name(), slots);
        boolean userspacePair = Oracle.isUserspace(target.a()) && Oracle.isUserspace(target.b());
        boolean clockFree = !check ? origin.clockFree() : Determinism.clockFree(p);
        boolean deterministic = !check ? origin.deterministic() : !userspacePair && Determinism.deterministic(p);
        if (userspacePair ? !clockFree : !deterministic) {
            return false;
        }
        FuzzCase c = new FuzzCase(origin.index(), origin.origin(), p, List.of(input), deterministic, clockFree);
        Trial.Result r = Trial.run(c, backends, load);
        for (int b = 0; b < r.backends().size(); b++) {
            if (mustRun.contains(r.backends().get(b)) && r.seen()[b][0] instanceof Observed.Refused) {
                return false;
            }
        }
        for (Trial.Finding f : r.findings()) {
            Oracle.Disagreement d = f.disagreement();
            if (d.a().equals(target.a()) && d.b().equals(target.b()) && sameClass(d.category(), target.category())) {
                lastTrial = r;
                lastDisagreement = d;
                return true;
            }
        }
        return false;
    }

    /**
     * The category must stay, except that a wrong memory may turn into a wrong r0 and back as the
     * program shrinks (both engines still return; the value that shows the bug moves).
     */
    private static boolean sameClass(Oracle.Category a, Oracle.Category b) {
        boolean valueA = a == Oracle.Category.R0 || a == Oracle.Category.MEMORY || a == Oracle.Category.CONTEXT;
        boolean valueB = b == Oracle.Category.R0 || b == Oracle.Category.MEMORY || b == Oracle.Category.CONTEXT;
        return valueA && valueB || a == b;
    }

    /**
     * Register operands replaced by the constant last moved into that register ({@code mov r3, -79;
     * mov r6, r3} becomes {@code mov r6, -79}), which frees the first move for removal.
     */
    private long[] propagateConstants(long[] slots, RunInput mem) {
        long[] best = slots;
        int[] starts = Slots.starts(best);
        for (int i = 0; i < starts.length && tests < maxTests; i++) {
            long s = best[starts[i]];
            int op = Insn.opcode(s);
            int cls = opClass(op);
            if (cls != ALU && cls != ALU64 || (op & SRC_X) == 0 || (op & OP_MASK) == END || Insn.off(s) != 0) {
                continue;
            }
            for (int j = i - 1; j >= 0; j--) {
                long w = best[starts[j]];
                if (Insn.dst(w) != Insn.src(s) || opClass(Insn.opcode(w)) != ALU && opClass(Insn.opcode(w)) != ALU64) {
                    continue;
                }
                if ((Insn.opcode(w) & (OP_MASK | SRC_X)) == MOV) {
                    long k = Insn.encode(op & ~SRC_X, Insn.dst(s), 0, 0, Insn.imm(w));
                    long[] c = Slots.replace(best, starts[i], k);
                    if (holds(c, mem)) {
                        best = c;
                    }
                }
                break;
            }
        }
        return best;
    }

    /** On small programs: each register field replaced by every other register. */
    private long[] simplifyRegisters(long[] slots, RunInput mem) {
        long[] best = slots;
        if (Slots.starts(best).length > SMALL) {
            return best;
        }
        for (int pc : Slots.starts(best)) {
            for (int field = 0; field < 2 && tests < maxTests; field++) {
                long s = best[pc];
                int current = field == 0 ? Insn.dst(s) : Insn.src(s);
                for (int r = 0; r <= 10 && tests < maxTests; r++) {
                    if (r == current || Insn.opcode(s) == LDDW || Insn.opcode(s) == CALL_IMM) {
                        continue;
                    }
                    long candidate = field == 0 ? (s & ~0xf00L) | ((long) r << 8) : (s & ~0xf000L) | ((long) r << 12);
                    long[] c = Slots.replace(best, pc, candidate);
                    if (holds(c, mem)) {
                        best = c;
                        break;
                    }
                }
            }
        }
        return best;
    }

    /** Programs up to this many instructions get the register search. */
    static final int SMALL = 16;

    private long[] removeInstructions(long[] slots, RunInput mem) {
        long[] best = slots;
        for (int chunk = Math.max(1, Slots.starts(best).length / 2); chunk >= 1; chunk /= 2) {
            boolean progress = true;
            while (progress && tests < maxTests) {
                progress = false;
                int[] starts = Slots.starts(best);
                // From the end: later code depends on earlier code more often than the reverse.
                for (int i = starts.length - chunk; i >= 0 && tests < maxTests; i -= chunk) {
                    int from = starts[i];
                    int to = i + chunk < starts.length ? starts[i + chunk] : best.length;
                    long[] candidate = Slots.delete(best, from, to - from);
                    if (candidate != null && candidate.length > 0 && holds(candidate, mem)) {
                        best = candidate;
                        progress = true;
                    }
                }
            }
        }
        return best;
    }

    private long[] simplifyImmediates(long[] slots, RunInput mem) {
        long[] best = slots;
        for (int pc : Slots.starts(best)) {
            if (tests >= maxTests) {
                break;
            }
            long s = best[pc];
            int op = Insn.opcode(s);
            if (Slots.isRelative(s) && Slots.displacementInImm(s) || op == CALL_IMM || op == EXIT_OP) {
                continue;
            }
            if (op == LDDW && pc + 1 < best.length) {
                long value = Insn.wideImm(s, best[pc + 1]);
                for (long v : new long[] {0, 1, -1, value >>> 32, value & 0xffffffffL, value >> 1}) {
                    if (!simpler(v, value)) {
                        continue;
                    }
                    long[] candidate = Arrays.copyOf(best, best.length);
                    candidate[pc] = withImm(s, (int) v);
                    candidate[pc + 1] = withImm(best[pc + 1], (int) (v >>> 32));
                    if (holds(candidate, mem)) {
                        best = candidate;
                        break;
                    }
                }
                continue;
            }
            int imm = Insn.imm(s);
            for (int v : new int[] {0, 1, -1, imm >> 1, imm / 16}) {
                if (!simpler(v, imm)) {
                    continue;
                }
                long[] candidate = Slots.replace(best, pc, withImm(s, v));
                if (holds(candidate, mem)) {
                    best = candidate;
                    break;
                }
            }
        }
        return best;
    }

    /**
     * The input made simpler: a typed program's packet cut shorter and its ctx_in dropped or zeroed,
     * then bytes of the memory or packet (and of ctx_in) zeroed in halving chunks.
     */
    private RunInput simplifyInput(long[] slots, RunInput in) {
        RunInput best = in;
        if (origin.program().type() != ProgramType.RAW) {
            int len = best.data().length;
            for (int cut : new int[] {PacketContext.ETH_HLEN, 34, 54, 64, len / 2}) {
                if (cut >= PacketContext.ETH_HLEN && cut < best.data().length && tests < maxTests) {
                    RunInput c = new RunInput(Arrays.copyOf(best.data(), cut), best.ctx());
                    if (holds(slots, c)) {
                        best = c;
                        break;
                    }
                }
            }
            if (best.ctx() != null) {
                RunInput none = new RunInput(best.data(), null);
                if (holds(slots, none)) {
                    best = none;
                } else {
                    byte[] packet = best.data();
                    byte[] ctx = zeroChunks(best.ctx(), c -> holds(slots, new RunInput(packet, c)));
                    best = new RunInput(packet, ctx);
                }
            }
        }
        RunInput current = best;
        byte[] data = zeroChunks(best.data(), d -> holds(slots, new RunInput(d, current.ctx())));
        return new RunInput(data, best.ctx());
    }

    /** {@code bytes} with as many bytes zeroed as {@code keeps} allows (all at once, then halving chunks). */
    private byte[] zeroChunks(byte[] bytes, java.util.function.Predicate<byte[]> keeps) {
        byte[] best = bytes;
        byte[] zero = new byte[bytes.length];
        if (!Arrays.equals(zero, bytes) && keeps.test(zero)) {
            return zero;
        }
        for (int chunk = Math.max(1, bytes.length / 2); chunk >= 1 && tests < maxTests; chunk /= 2) {
            for (int i = 0; i < best.length && tests < maxTests; i += chunk) {
                byte[] candidate = best.clone();
                Arrays.fill(candidate, i, Math.min(best.length, i + chunk), (byte) 0);
                if (!Arrays.equals(candidate, best) && keeps.test(candidate)) {
                    best = candidate;
                }
            }
        }
        return best;
    }

    /** Whether {@code v} is a smaller magnitude than {@code old} (0, then 1 and -1, count as simplest). */
    private static boolean simpler(long v, long old) {
        return v != old && magnitude(v) < magnitude(old);
    }

    private static long magnitude(long x) {
        return x < 0 ? -(x + 1) : x; // no overflow at Long.MIN_VALUE
    }

    private static long withImm(long slot, int imm) {
        return (slot & 0xffffffffL) | ((long) imm << 32);
    }
}
