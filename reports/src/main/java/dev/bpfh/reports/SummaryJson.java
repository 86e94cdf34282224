package dev.bpfh.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code summary.json}: {@code {"environment":{...}, "runs":[{"program","backend","nsPerRun","error",
 * "samples":[...]}], "roundTrips":[...], "loads":[...], "latencies":[{"program","backend",
 * "percentiles":{...}}], "failures":["one line", ...], "leftOut":["one line", ...] (pairs a backend
 * does not support; absent in older summaries), "facts":[{"program","programInsns","instructions","helperCalls","loopFactor","jit":{"bytecodeBytes","methods","maxMethodBytes","fallback"},"kernel":{"jitedBytes",
 * "xlatedInsns","verifiedInsns","wrapping"}}], "throughput":[{"program","backend","instructions",
 * "nsPerRun","mInsnPerSec"}], "ratios":[{"program","jitOverKernel","interpOverJit"}], "goals":{...}}}.
 * "fingerprint":{"id":"16 hex digits","fields":{"cpu.model":...}} ({@link Fingerprint}; absent when empty).
 * Non-finite numbers are written as JMH writes them ("NaN", "+INF", "-INF") so that strict JSON
 * parsers accept the file.
 *
 * <p>"throughput", "ratios" and "goals" are {@link Derived} figures, written for readers and other
 * tools; reading ignores them and recomputes them from "runs" and "facts".
 */
public final class SummaryJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SummaryJson() {}

    public static void write(Summary s, Path file) throws IOException {
        Files.writeString(file, toJson(s) + "\n");
    }

    public static String toJson(Summary s) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode env = root.putObject("environment");
        s.environment().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> env.put(e.getKey(), e.getValue()));
        if (!s.fingerprint().isEmpty()) {
            ObjectNode fp = root.putObject("fingerprint").put("id", s.fingerprint().id());
            ObjectNode fields = fp.putObject("fields");
            s.fingerprint().fields().forEach(fields::put);
        }
        runs(root.putArray("runs"), s.runs());
        runs(root.putArray("roundTrips"), s.roundTrips());
        runs(root.putArray("loads"), s.loads());
        ArrayNode failures = root.putArray("failures");
        s.failures().forEach(failures::add);
        ArrayNode leftOut = root.putArray("leftOut");
        s.leftOut().forEach(leftOut::add);
        facts(root.putArray("facts"), s.facts());
        derived(root, s);
        ArrayNode lat = root.putArray("latencies");
        for (Latency l : s.latencies()) {
            ObjectNode o = lat.addObject().put("program", l.program()).put("backend", l.backend());
            ObjectNode p = o.putObject("percentiles");
            l.percentiles().entrySet().stream()
                    .sorted((a, b) -> Double.compare(Double.parseDouble(a.getKey()), Double.parseDouble(b.getKey())))
                    .forEach(e -> number(p, e.getKey(), e.getValue()));
        }
        return MAPPER.writeValueAsString(root);
    }

    public static Summary read(Path file) throws IOException {
        return parse(MAPPER.readTree(file.toFile()), file.toString());
    }

    public static Summary parse(String json) throws IOException {
        return parse(MAPPER.readTree(json), "<string>");
    }

    private static Summary parse(JsonNode root, String where) throws IOException {
        if (root == null || !root.isObject() || !root.has("runs")) {
            throw new IOException(where + ": not a bpfh summary (no \"runs\" array)");
        }
        Map<String, String> env = new LinkedHashMap<>();
        root.path("environment").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        List<Latency> latencies = new ArrayList<>();
        for (JsonNode l : root.path("latencies")) {
            Map<String, Double> p = new LinkedHashMap<>();
            l.path("percentiles").properties().forEach(e -> p.put(e.getKey(), JmhJson.number(e.getValue())));
            latencies.add(new Latency(l.path("program").asText(), l.path("backend").asText(), p));
        }
        List<String> failures = new ArrayList<>();
        root.path("failures").forEach(f -> failures.add(f.asText()));
        List<String> leftOut = new ArrayList<>();
        root.path("leftOut").forEach(f -> leftOut.add(f.asText()));
        Map<String, String> fp = new LinkedHashMap<>();
        root.path("fingerprint").path("fields").properties().forEach(e -> fp.put(e.getKey(), e.getValue().asText()));
        return new Summary(env, runs(root.path("runs")), runs(root.path("roundTrips")), runs(root.path("loads")),
                latencies, failures, facts(root.path("facts")), new Fingerprint(fp), leftOut);
    }

    private static void facts(ArrayNode out, List<WorkloadFacts> facts) {
        for (WorkloadFacts f : facts) {
            ObjectNode o = out.addObject().put("program", f.program()).put("programInsns", f.programInsns())
                    .put("instructions", f.instructions()).put("helperCalls", f.helperCalls());
            number(o, "loopFactor", f.loopFactor());
            if (f.jit() != null) {
                o.putObject("jit").put("bytecodeBytes", f.jit().bytecodeBytes()).put("methods", f.jit().methods())
                        .put("maxMethodBytes", f.jit().maxMethodBytes()).put("fallback", f.jit().fallback());
            }
            if (f.kernel() != null) {
                o.putObject("kernel").put("jitedBytes", f.kernel().jitedBytes())
                        .put("xlatedInsns", f.kernel().xlatedInsns()).put("verifiedInsns", f.kernel().verifiedInsns())
                        .put("wrapping", f.kernel().wrapping());
            }
        }
    }

    private static List<WorkloadFacts> facts(JsonNode array) {
        List<WorkloadFacts> out = new ArrayList<>();
        for (JsonNode f : array) {
            JsonNode j = f.path("jit");
            JsonNode k = f.path("kernel");
            out.add(new WorkloadFacts(f.path("program").asText(), f.path("programInsns").asInt(),
                    f.path("instructions").asLong(-1),
                    j.isObject() ? new WorkloadFacts.Jit(j.path("bytecodeBytes").asInt(), j.path("methods").asInt(),
                            j.path("maxMethodBytes").asInt(), j.path("fallback").asText()) : null,
                    k.isObject() ? new WorkloadFacts.Kernel(k.path("jitedBytes").asInt(), k.path("xlatedInsns").asInt(),
                            k.path("verifiedInsns").asInt(), k.path("wrapping").asText()) : null,
                    f.path("helperCalls").asInt(-1)));
        }
        return out;
    }

    private static void derived(ObjectNode root, Summary s) {
        ArrayNode tp = root.putArray("throughput");
        for (Derived.Throughput t : Derived.throughput(s)) {
            ObjectNode o = tp.addObject().put("program", t.program()).put("backend", t.backend())
                    .put("instructions", t.instructions());
            number(o, "nsPerRun", t.nsPerRun());
            number(o, "mInsnPerSec", t.mInsnPerSec());
        }
        ArrayNode ratios = root.putArray("ratios");
        for (Derived.Ratios r : Derived.ratios(s)) {
            ObjectNode o = ratios.addObject().put("program", r.program());
            number(o, "jitOverKernel", r.jitOverKernel());
            number(o, "interpOverJit", r.interpOverJit());
        }
        Derived.Goals g = Derived.goals(s);
        ObjectNode goals = root.putObject("goals");
        Derived.JitGoals jit = g.jit();
        ObjectNode j = goals.putObject("jit");
        number(j, "overKernelGeomean", jit.geomean());
        j.put("workloads", jit.count());
        j.put("geomeanGoal", Derived.JIT_KERNEL_GEOMEAN_GOAL);
        j.put("geomeanGoalMet", jit.geomeanGoalMet());
        figures(j.putArray("loopHeavyOverKernel"), jit.loops());
        j.put("loopGoal", Derived.JIT_KERNEL_LOOP_GOAL);
        j.put("loopGoalMet", jit.loopGoalMet());
        number(j, "fixedCostNs", jit.fixedCostNs());
        j.put("fixedCostGoalNs", Derived.JIT_FIXED_COST_GOAL_NS);
        j.put("fixedCostGoalMet", jit.fixedCostGoalMet());
        Derived.InterpGoal ig = g.interp();
        ObjectNode i = goals.putObject("interp");
        figures(i.putArray("loopHeavyMInsnPerSec"), ig.workloads());
        number(i, "geomean", ig.geomean());
        i.put("goal", Derived.INTERP_GOAL_M_INSN_PER_S);
        i.put("floor", Derived.INTERP_FLOOR_M_INSN_PER_S);
        i.put("loopHeavyFactor", Derived.LOOP_HEAVY_FACTOR);
        i.put("met", ig.met());
        number(goals, "interpOverJitGeomean", g.interpOverJitGeomean());
        goals.put("interpOverJitWorkloads", g.interpOverJitCount());
    }

    private static void figures(ArrayNode out, List<Derived.Figure> figures) {
        for (Derived.Figure f : figures) {
            number(out.addObject().put("program", f.program()), "value", f.value());
        }
    }

    private static void runs(ArrayNode out, List<BenchRun> runs) {
        for (BenchRun r : runs) {
            ObjectNode o = out.addObject().put("program", r.program()).put("backend", r.backend());
            number(o, "nsPerRun", r.nsPerRun());
            number(o, "error", r.error());
            ArrayNode samples = o.putArray("samples");
            r.samples().forEach(x -> {
                if (Double.isFinite(x)) {
                    samples.add(x);
                } else {
                    samples.add(nonFinite(x));
                }
            });
        }
    }

    private static List<BenchRun> runs(JsonNode array) {
        List<BenchRun> out = new ArrayList<>();
        for (JsonNode r : array) {
            List<Double> samples = new ArrayList<>();
            r.path("samples").forEach(x -> samples.add(JmhJson.number(x)));
            out.add(new BenchRun(r.path("program").asText(), r.path("backend").asText(),
                    JmhJson.number(r.path("nsPerRun")), JmhJson.number(r.path("error")), samples));
        }
        return out;
    }

    private static void number(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.put(field, nonFinite(v));
        }
    }

    private static String nonFinite(double v) {
        return Double.isNaN(v) ? "NaN" : v > 0 ? "+INF" : "-INF";
    }
}
