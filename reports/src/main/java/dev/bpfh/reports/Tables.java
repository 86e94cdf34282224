package dev.bpfh.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text tables for the terminal; the HTML report renders the same rows. */
public final class Tables {
    private Tables() {}

    /**
     * Header and rows of the main table: ns per run, million eBPF instructions per second (when the
     * summary has instruction counts), and ratios to the kernel and the interpreter.
     */
    public static List<List<String>> runRows(Summary s) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("workload", "backend", "ns/run", "± (99.9%)", "overhead", "M insn/s", "× kernel", "× interp"));
        for (String p : s.programs()) {
            BenchRun kernel = s.run(p, "kernel");
            BenchRun interp = s.run(p, "interp");
            for (String b : s.backends()) {
                BenchRun r = s.run(p, b);
                if (r == null) {
                    continue;
                }
                rows.add(List.of(p, b, ns(r.nsPerRun()), ns(r.error()), overhead(s, r),
                        rate(Derived.mInsnPerSec(s, p, b)), ratio(r, kernel), ratio(r, interp)));
            }
        }
        return rows;
    }

    /**
     * Per workload: executed instructions (and whether loop-heavy), what the JIT generated, what the
     * kernel verified and JITed. Only the header when the summary has no facts.
     */
    public static List<List<String>> factsRows(Summary s) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("workload", "insns", "executed", "loop ×", "jit bytecode B", "jit methods", "jit max method B",
                "jit fallback", "kernel jited B", "kernel xlated", "kernel verified"));
        for (WorkloadFacts f : s.facts()) {
            WorkloadFacts.Jit j = f.jit();
            WorkloadFacts.Kernel k = f.kernel();
            rows.add(List.of(f.program(), Integer.toString(f.programInsns()),
                    f.instructions() < 0 ? "n/a" : Long.toString(f.instructions()),
                    Double.isNaN(f.loopFactor()) ? "" : String.format(Locale.ROOT, "%.1f%s", f.loopFactor(),
                            f.loopFactor() >= Derived.LOOP_HEAVY_FACTOR ? " loop" : ""),
                    j == null ? "" : Integer.toString(j.bytecodeBytes()), j == null ? "" : Integer.toString(j.methods()),
                    j == null ? "" : Integer.toString(j.maxMethodBytes()), j == null ? "" : j.fellBack() ? j.fallback() : "no",
                    k == null ? "" : Integer.toString(k.jitedBytes()), k == null ? "" : Integer.toString(k.xlatedInsns()),
                    k == null ? "" : Integer.toString(k.verifiedInsns())));
        }
        return rows;
    }

    /**
     * Per workload: jit/kernel time, interp/jit time, the interpreter's M insn/s and whether the
     * workload is loop-heavy ("yes, helpers" when it also calls helpers, which keeps it out of the
     * interpreter's goal), then a row of geometric means (the interpreter's over its goal's workloads).
     */
    public static List<List<String>> ratioRows(Summary s) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("workload", "jit/kernel", "interp/jit", "interp M insn/s", "loop-heavy"));
        for (Derived.Ratios r : Derived.ratios(s)) {
            String loop = !Derived.loopHeavy(s, r.program()) ? "" : s.facts(r.program()).helperFree() ? "yes" : "yes, helpers";
            rows.add(List.of(r.program(), times(r.jitOverKernel()), times(r.interpOverJit()),
                    rate(Derived.mInsnPerSec(s, r.program(), "interp")), loop));
        }
        Derived.Goals g = Derived.goals(s);
        rows.add(List.of("geomean", times(g.jit().geomean()), times(g.interpOverJitGeomean()),
                rate(g.interp().geomean()), g.interp().workloads().size() + " in interp goal"));
        return rows;
    }

    /** One line per goal: its figure, the target, and MET / NOT MET / n/a. */
    public static List<String> goalLines(Summary s) {
        Derived.Goals g = Derived.goals(s);
        Derived.JitGoals jit = g.jit();
        String loops = jit.loops().isEmpty() ? "n/a (needs jit and kernel times of loop-heavy workloads)"
                : String.format(Locale.ROOT, "%d of %d at or under, worst %s: %s",
                        jit.loops().size() - jit.loopsOverGoal().size(), jit.loops().size(),
                        figures(jit.loopsOverGoal().isEmpty() ? List.of(worst(jit.loops())) : jit.loopsOverGoal(), "%.2f"),
                        jit.loopGoalMet() ? "MET" : "NOT MET");
        String geomean = jit.count() == 0 ? "n/a (needs jit and kernel times)"
                : String.format(Locale.ROOT, "%.2f over %d workloads: %s", jit.geomean(), jit.count(),
                        jit.geomeanGoalMet() ? "MET" : "NOT MET");
        String fixed = !(jit.fixedCostNs() > 0) ? "n/a (needs the " + Derived.OVERHEAD_PROBE + " probe on jit)"
                : String.format(Locale.ROOT, "%.1f ns: %s", jit.fixedCostNs(), jit.fixedCostGoalMet() ? "MET" : "NOT MET");
        Derived.InterpGoal ig = g.interp();
        String interp = ig.workloads().isEmpty() ? "n/a (needs interp times and instruction counts)"
                : String.format(Locale.ROOT, "geomean %.0f over %d workloads, slowest %s, %d of %d at or above %.0f: %s",
                        ig.geomean(), ig.workloads().size(), figures(List.of(ig.slowest()), "%.0f"),
                        ig.atOrAboveFloor(), ig.workloads().size(), Derived.INTERP_FLOOR_M_INSN_PER_S,
                        ig.met() ? "MET" : "NOT MET");
        return List.of(
                String.format(Locale.ROOT, "Goal: jit <= %.1fx the kernel on every loop-heavy workload: ",
                        Derived.JIT_KERNEL_LOOP_GOAL) + loops,
                String.format(Locale.ROOT, "Goal: jit/kernel geomean <= %.1f: ", Derived.JIT_KERNEL_GEOMEAN_GOAL) + geomean,
                String.format(Locale.ROOT, "Goal: jit fixed cost per run (%s) <= %.0f ns: ", Derived.OVERHEAD_PROBE,
                        Derived.JIT_FIXED_COST_GOAL_NS) + fixed,
                String.format(Locale.ROOT, "Goal: interp >= %.0f M insn/s geomean, none below %.0f, on loop-heavy "
                        + "workloads without helper calls: ", Derived.INTERP_GOAL_M_INSN_PER_S,
                        Derived.INTERP_FLOOR_M_INSN_PER_S) + interp);
    }

    private static Derived.Figure worst(List<Derived.Figure> figures) {
        return figures.stream().max(java.util.Comparator.comparingDouble(Derived.Figure::value)).orElseThrow();
    }

    /** "name 1.07, other 1.02" in the given number format. */
    private static String figures(List<Derived.Figure> figures, String format) {
        return String.join(", ", figures.stream()
                .map(f -> f.program() + " " + String.format(Locale.ROOT, format, f.value())).toList());
    }

    /** The other figures: Java round trips, load times, latency percentiles. */
    public static List<List<String>> extraRows(Summary s) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("figure", "workload", "backend", "ns", "±"));
        for (BenchRun r : s.roundTrips()) {
            rows.add(List.of("round trip per run", r.program(), r.backend(), ns(r.nsPerRun()), ns(r.error())));
        }
        for (BenchRun r : s.loads()) {
            rows.add(List.of(r.backend().equals("kernel") ? "load + verify" : "load (compile)", r.program(),
                    r.backend(), ns(r.nsPerRun()), ns(r.error())));
        }
        for (Latency l : s.latencies()) {
            for (String pct : List.of("50.0", "90.0", "99.0", "99.9")) {
                Double v = l.percentiles().get(pct);
                if (v != null) {
                    rows.add(List.of("latency p" + pct.replace(".0", ""), l.program(), l.backend(), ns(v), ""));
                }
            }
        }
        return rows;
    }

    public static List<List<String>> comparisonRows(List<Comparison.Row> rows) {
        List<List<String>> out = new ArrayList<>();
        out.add(List.of("workload", "backend", "base ns", "new ns", "new/base", "95% CI", "MWU p", "verdict"));
        for (Comparison.Row r : rows) {
            String ci = r.ratio() == null ? "" : String.format(Locale.ROOT, "[%.3f, %.3f]", r.ratio().low(), r.ratio().high());
            String ratio = r.ratio() == null ? "" : String.format(Locale.ROOT, "%.3f", r.ratio().estimate());
            String p = Double.isNaN(r.mannWhitneyP()) ? "" : String.format(Locale.ROOT, "%.3g", r.mannWhitneyP());
            out.add(List.of(r.program(), r.backend(), ns(r.baseNs()), ns(r.newNs()), ratio, ci, p, r.verdict().name()));
        }
        return out;
    }

    /** Aligned columns, first row as header underlined with dashes. */
    public static String format(List<List<String>> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        int[] width = new int[rows.getFirst().size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                boolean numeric = i >= 2;
                sb.append(numeric ? " ".repeat(width[i] - cell.length()) + cell : cell + " ".repeat(width[i] - cell.length()));
                sb.append(i + 1 < row.size() ? "  " : "");
            }
            sb.append('\n');
            if (r == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                sb.append("-".repeat(total - 2)).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * The backend's fixed cost per run (its {@link #OVERHEAD_PROBE} time) as a share of this run:
     * how much of a ratio between engines is entry and exit rather than the program. Empty when the
     * probe was not measured.
     */
    private static String overhead(Summary s, BenchRun r) {
        BenchRun probe = s.run(OVERHEAD_PROBE, r.backend());
        if (probe == null || r.program().equals(OVERHEAD_PROBE) || !(r.nsPerRun() > 0)) {
            return "";
        }
        return String.format(Locale.ROOT, "%s (%.0f%%)", ns(probe.nsPerRun()), 100 * probe.nsPerRun() / r.nsPerRun());
    }

    /** The workload whose time is an engine's fixed per-run cost: {@link Derived#OVERHEAD_PROBE}. */
    public static final String OVERHEAD_PROBE = Derived.OVERHEAD_PROBE;

    static String ns(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (v >= 100_000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    /** A rate in M insn/s: whole numbers, blank when unknown. */
    static String rate(double mInsnPerSec) {
        if (!(mInsnPerSec > 0) || !Double.isFinite(mInsnPerSec)) {
            return "";
        }
        return String.format(Locale.ROOT, mInsnPerSec >= 10 ? "%,.0f" : "%.2f", mInsnPerSec);
    }

    /** A ratio with two decimals, blank when unknown. */
    static String times(double ratio) {
        return ratio > 0 && Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2f", ratio) : "";
    }

    private static String ratio(BenchRun r, BenchRun reference) {
        if (reference == null || !(reference.nsPerRun() > 0) || Double.isNaN(r.nsPerRun())) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2f", r.nsPerRun() / reference.nsPerRun());
    }
}
