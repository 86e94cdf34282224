package dev.bpfh.reports;

import java.util.ArrayList;
import java.util.List;

/**
 * Figures derived from a {@link Summary}'s times and facts: instruction throughput, the ratios the
 * project's goals are stated in, their geometric means, and whether the goals are met. Pure
 * functions of the summary, so {@code summary.json} stores them for readers but they are recomputed,
 * never parsed back.
 *
 * <p>The goals:
 * <ul>
 *   <li>jit within {@value #JIT_KERNEL_GOAL}× of the kernel: the geometric mean over workloads of
 *       jit ns / kernel ns (the kernel's in-kernel time) is at most {@value #JIT_KERNEL_GOAL};
 *   <li>the interpreter runs at least {@value #INTERP_GOAL_M_INSN_PER_S} million eBPF instructions
 *       per second on loop-heavy workloads: the geometric mean of its M insn/s over the workloads
 *       that are loop-heavy (each executes at least {@value #LOOP_HEAVY_FACTOR}× its own size,
 *       {@link WorkloadFacts#loopFactor()}) is at least {@value #INTERP_GOAL_M_INSN_PER_S}.
 * </ul>
 * A geometric mean, not an arithmetic one, because the figures are ratios and rates of very
 * different magnitudes: each workload then weighs the same.
 */
public final class Derived {
    public static final double JIT_KERNEL_GOAL = 1.5;

    public static final double INTERP_GOAL_M_INSN_PER_S = 500;

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

    /**
     * The goals' figures. Counts say over how many workloads each geometric mean was taken; a goal
     * with nothing to measure (count 0) is neither met nor failed: {@link #jitGoalMet} and
     * {@link #interpGoalMet} are then false and the reports print "n/a".
     */
    public record Goals(double jitOverKernelGeomean, int jitOverKernelCount, double interpOverJitGeomean,
            int interpOverJitCount, double interpLoopHeavyGeomean, double interpLoopHeavyMin, int loopHeavyCount,
            int loopHeavyMeetingGoal) {

        public boolean jitGoalMet() {
            return jitOverKernelCount > 0 && jitOverKernelGeomean <= JIT_KERNEL_GOAL;
        }

        public boolean interpGoalMet() {
            return loopHeavyCount > 0 && interpLoopHeavyGeomean >= INTERP_GOAL_M_INSN_PER_S;
        }
    }

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
        List<Double> loopHeavy = new ArrayList<>();
        for (String p : s.programs()) {
            double m = mInsnPerSec(s, p, "interp");
            if (loopHeavy(s, p) && usable(m)) {
                loopHeavy.add(m);
            }
        }
        int meeting = (int) loopHeavy.stream().filter(m -> m >= INTERP_GOAL_M_INSN_PER_S).count();
        double min = loopHeavy.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        return new Goals(geomean(jk), jk.size(), geomean(ij), ij.size(), geomean(loopHeavy), min, loopHeavy.size(),
                meeting);
    }

    private static boolean usable(double v) {
        return v > 0 && Double.isFinite(v);
    }
}
