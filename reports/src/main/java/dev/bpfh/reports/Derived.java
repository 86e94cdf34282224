package dev.bpfh.reports;

import java.util.ArrayList;
import java.util.List;

/**
 * Figures derived from a {@link Summary}'s times and facts: instruction throughput, the ratios the
 * project's goals are stated in, their geometric means, and whether the goals are met. Pure
 * functions of the summary, so {@code summary.json} stores them for readers but they are recomputed,
 * never parsed back.
 *
 * <p>The goals (issue #14, "Speed"):
 * <ul>
 *   <li>the jit takes at most {@value #JIT_KERNEL_LOOP_GOAL}× the kernel's in-kernel time on every
 *       loop-heavy workload (map workloads included), and at most {@value #JIT_KERNEL_GEOMEAN_GOAL}×
 *       as the geometric mean over all workloads;
 *   <li>the jit's fixed cost per run, the {@value #OVERHEAD_PROBE} probe's time, is at most
 *       {@value #JIT_FIXED_COST_GOAL_NS} ns;
 *   <li>the interpreter runs at least {@value #INTERP_GOAL_M_INSN_PER_S} million eBPF instructions
 *       per second as the geometric mean over the loop-heavy workloads that call no helper, none
 *       below {@value #INTERP_FLOOR_M_INSN_PER_S}. A workload is loop-heavy when it executes at least
 *       {@value #LOOP_HEAVY_FACTOR}× its own size ({@link WorkloadFacts#loopFactor()}); helper calls
 *       are left out of the interpreter's goal because their time is the helper's (a hash map's
 *       lookup), not the interpreter's dispatch, which M insn/s measures.
 * </ul>
 * A geometric mean, not an arithmetic one, because the figures are ratios and rates of very
 * different magnitudes: each workload then weighs the same.
 */
public final class Derived {
    public static final double JIT_KERNEL_LOOP_GOAL = 1.0;

    public static final double JIT_KERNEL_GEOMEAN_GOAL = 0.8;

    public static final double JIT_FIXED_COST_GOAL_NS = 10;

    public static final double INTERP_GOAL_M_INSN_PER_S = 600;

    public static final double INTERP_FLOOR_M_INSN_PER_S = 500;

    /**
     * A workload is loop-heavy when one run executes at least this many times its static size: then
     * the loop body, not set-up code, dominates. The straight-line workload executes each
     * instruction once (factor 1) and parsers with a few short loops stay below it.
     */
    public static final double LOOP_HEAVY_FACTOR = 4;

    private Derived() {}

    /** Millions of eBPF instructions per second of one backend on one workload. */
    public record Throughput(String program, String backend, long instructions, double nsPerRun, double mInsnPerSec) {}

    /**
     * Per workload: jit time / kernel time (below 1: the JIT is faster) and interp time / jit time
     * (the JIT's speedup over the interpreter); NaN where a time is missing.
     */
    public record Ratios(String program, double jitOverKernel, double interpOverJit) {}

    /** One workload's figure against a goal. */
    public record Figure(String program, double value) {}

    /**
     * The jit's goals. {@code loops} are the loop-heavy workloads with a jit and a kernel time, their
     * jit/kernel ratio; {@code fixedCostNs} is the probe's jit time (NaN when it did not run). A goal
     * with nothing to measure is neither met nor failed: its {@code ...Met()} is false and reports print "n/a".
     */
    public record JitGoals(double geomean, int count, List<Figure> loops, double fixedCostNs) {
        public JitGoals {
            loops = List.copyOf(loops);
        }

        /** The loop-heavy workloads above {@link #JIT_KERNEL_LOOP_GOAL}. */
        public List<Figure> loopsOverGoal() {
            return loops.stream().filter(f -> f.value() > JIT_KERNEL_LOOP_GOAL).toList();
        }

        public boolean loopGoalMet() {
            return !loops.isEmpty() && loopsOverGoal().isEmpty();
        }

        public boolean geomeanGoalMet() {
            return count > 0 && geomean <= JIT_KERNEL_GEOMEAN_GOAL;
        }

        public boolean fixedCostGoalMet() {
            return fixedCostNs > 0 && fixedCostNs <= JIT_FIXED_COST_GOAL_NS;
        }
    }

    /**
     * The interpreter's goal over the loop-heavy, helper-free workloads: their M insn/s
     * ({@code workloads}), geometric mean and slowest.
     */
    public record InterpGoal(List<Figure> workloads) {
        public InterpGoal {
            workloads = List.copyOf(workloads);
        }

        public double geomean() {
            return Derived.geomean(workloads.stream().map(Figure::value).toList());
        }

        /** The slowest workload, or null when there is none. */
        public Figure slowest() {
            return workloads.stream().min(java.util.Comparator.comparingDouble(Figure::value)).orElse(null);
        }

        public int atOrAboveFloor() {
            return (int) workloads.stream().filter(f -> f.value() >= INTERP_FLOOR_M_INSN_PER_S).count();
        }

        public boolean met() {
            return !workloads.isEmpty() && geomean() >= INTERP_GOAL_M_INSN_PER_S
                    && atOrAboveFloor() == workloads.size();
        }
    }

    /** All goals, and the interpreter's slowdown against the jit (a figure, not a goal). */
    public record Goals(JitGoals jit, InterpGoal interp, double interpOverJitGeomean, int interpOverJitCount) {}

    /** {@code instructions / nsPerRun} in millions per second; NaN when either is unknown. */
    public static double mInsnPerSec(long instructions, double nsPerRun) {
        return instructions > 0 && nsPerRun > 0 ? instructions / nsPerRun * 1000 : Double.NaN;
    }

    /** Geometric mean of the finite positive values; NaN when there are none. */
    public static double geomean(List<Double> values) {
        double logSum = 0;
        int n = 0;
        for (double v : values) {
            if (v > 0 && Double.isFinite(v)) {
                logSum += Math.log(v);
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(logSum / n);
    }

    /** a / b for two runs; NaN when either is missing or not positive. */
    static double ratio(BenchRun a, BenchRun b) {
        return a == null || b == null || !(a.nsPerRun() > 0) || !(b.nsPerRun() > 0) ? Double.NaN
                : a.nsPerRun() / b.nsPerRun();
    }

    /** M insn/s for every run whose workload has an instruction count, in the summary's order. */
    public static List<Throughput> throughput(Summary s) {
        List<Throughput> out = new ArrayList<>();
        for (String p : s.programs()) {
            WorkloadFacts f = s.facts(p);
            if (f == null || f.instructions() <= 0) {
                continue;
            }
            for (String b : s.backends()) {
                BenchRun r = s.run(p, b);
                if (r != null) {
                    out.add(new Throughput(p, b, f.instructions(), r.nsPerRun(), mInsnPerSec(f.instructions(), r.nsPerRun())));
                }
            }
        }
        return out;
    }

    /** The M insn/s of {@code program} on {@code backend}, or NaN. */
    public static double mInsnPerSec(Summary s, String program, String backend) {
        WorkloadFacts f = s.facts(program);
        BenchRun r = s.run(program, backend);
        return f == null || r == null ? Double.NaN : mInsnPerSec(f.instructions(), r.nsPerRun());
    }

    /**
     * The workload whose time is an engine's fixed per-run cost (one instruction and exit): shown
     * next to every workload, left out of the ratios and goals, which are about programs.
     */
    public static final String OVERHEAD_PROBE = "ret42";

    public static List<Ratios> ratios(Summary s) {
        List<Ratios> out = new ArrayList<>();
        for (String p : s.programs()) {
            if (p.equals(OVERHEAD_PROBE)) {
                continue;
            }
            BenchRun jit = s.run(p, "jit");
            out.add(new Ratios(p, ratio(jit, s.run(p, "kernel")), ratio(s.run(p, "interp"), jit)));
        }
        return out;
    }

    /** Whether {@code program} counts as loop-heavy ({@link #LOOP_HEAVY_FACTOR}); false when unknown. */
    public static boolean loopHeavy(Summary s, String program) {
        WorkloadFacts f = s.facts(program);
        return f != null && f.loopFactor() >= LOOP_HEAVY_FACTOR;
    }

    public static Goals goals(Summary s) {
        List<Ratios> ratios = ratios(s);
        List<Double> jk = ratios.stream().map(Ratios::jitOverKernel).filter(Derived::usable).toList();
        List<Double> ij = ratios.stream().map(Ratios::interpOverJit).filter(Derived::usable).toList();
        List<Figure> loops = ratios.stream().filter(r -> loopHeavy(s, r.program()) && usable(r.jitOverKernel()))
                .map(r -> new Figure(r.program(), r.jitOverKernel())).toList();
        BenchRun probe = s.run(OVERHEAD_PROBE, "jit");
        double fixedCost = probe == null ? Double.NaN : probe.nsPerRun();
        List<Figure> interp = new ArrayList<>();
        for (String p : s.programs()) {
            double m = mInsnPerSec(s, p, "interp");
            if (loopHeavy(s, p) && s.facts(p).helperFree() && usable(m)) {
                interp.add(new Figure(p, m));
            }
        }
        return new Goals(new JitGoals(geomean(jk), jk.size(), loops, fixedCost), new InterpGoal(interp),
                geomean(ij), ij.size());
    }

    private static boolean usable(double v) {
        return v > 0 && Double.isFinite(v);
    }
}
