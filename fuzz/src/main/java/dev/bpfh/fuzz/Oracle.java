package dev.bpfh.fuzz;

import dev.bpfh.plugin.PluginBackend;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Decides whether two engines disagree on one run. The rules are those of {@code bpfh diff}
 * ({@link dev.bpfh.conformance.BackendDiff}), plus what a fuzzer must also catch:
 *
 * <ul>
 *   <li>a crash (an exception, a refusal without reason or pc) is always a finding;
 *   <li>our userspace engines share one validator, so one refusing what the other runs is a finding;
 *       a refusal by the kernel verifier or a plugin is counted, never a disagreement;
 *   <li>both returned: r0, and the memory after the run unless a plugin is involved (plugins report
 *       r0 only); for a typed program retval, data_out and ctx_out;
 *   <li>both trapped: the trap kind (not for plugins, which report every failure alike) and, between
 *       userspace engines, the pc;
 *   <li>one returned, the other trapped.
 * </ul>
 *
 * Values are compared only when the case allows it: between interp and jit unless it may read the
 * clock, with the kernel or a plugin only when it is {@linkplain FuzzCase#deterministic() deterministic}.
 */
public final class Oracle {
    private Oracle() {}

    public enum Category { CRASH, REFUSAL, OUTCOME, R0, MEMORY, CONTEXT, TRAP_KIND, TRAP_PC }

    /** Engines {@code a} and {@code b} disagree: {@code detail} says how, for people. */
    public record Disagreement(String a, String b, Category category, String detail) {
        /** The pair and category: what the minimiser keeps and duplicates are counted by. */
        public String key() {
            return a + "/" + b + "/" + category;
        }
    }

    static boolean isUserspace(String backend) {
        return !backend.equals("kernel") && !backend.startsWith(PluginBackend.PREFIX);
    }

    static boolean isPlugin(String backend) {
        return backend.startsWith(PluginBackend.PREFIX);
    }

    /** Whether values of {@code a} and {@code b} may be compared on {@code c}. */
    static boolean comparable(FuzzCase c, String a, String b) {
        return isUserspace(a) && isUserspace(b) ? c.clockFree() : c.deterministic();
    }

    public static Optional<Disagreement> compare(FuzzCase c, String an, Observed a, String bn, Observed b) {
        if (a instanceof Observed.Crashed x) {
            return Optional.of(new Disagreement(an, bn, Category.CRASH, an + " " + x.describe()));
        }
        if (b instanceof Observed.Crashed y) {
            return Optional.of(new Disagreement(an, bn, Category.CRASH, bn + " " + y.describe()));
        }
        boolean userspace = isUserspace(an) && isUserspace(bn);
        if (a instanceof Observed.Refused || b instanceof Observed.Refused) {
            boolean ranA = a instanceof Observed.Returned || a instanceof Observed.Trapped;
            boolean ranB = b instanceof Observed.Returned || b instanceof Observed.Trapped;
            if (userspace && (ranA || ranB)) {
                return Optional.of(new Disagreement(an, bn, Category.REFUSAL, an + " " + a.describe() + "; " + bn + " " + b.describe()));
            }
            return Optional.empty();
        }
        if (!comparable(c, an, bn)) {
            return Optional.empty();
        }
        boolean plugins = isPlugin(an) || isPlugin(bn);
        return switch (a) {
            case Observed.Returned ra when b instanceof Observed.Returned rb -> {
                if (ra.r0() != rb.r0()) {
                    yield Optional.of(new Disagreement(an, bn, Category.R0,
                            "r0: " + an + " 0x" + Long.toHexString(ra.r0()) + ", " + bn + " 0x" + Long.toHexString(rb.r0())));
                }
                if (!plugins && !Arrays.equals(ra.memory(), rb.memory())) {
                    yield Optional.of(new Disagreement(an, bn, Category.MEMORY, "memory after the run: " + an + " "
                            + HexFormat.of().formatHex(ra.memory()) + ", " + bn + " " + HexFormat.of().formatHex(rb.memory())));
                }
                if (!plugins && !Arrays.equals(ra.ctx(), rb.ctx())) {
                    yield Optional.of(new Disagreement(an, bn, Category.CONTEXT, "ctx_out: " + an + " "
                            + hex(ra.ctx()) + ", " + bn + " " + hex(rb.ctx())));
                }
                yield Optional.empty();
            }
            case Observed.Trapped ta when b instanceof Observed.Trapped tb -> {
                if (!plugins && ta.kind() != tb.kind()) {
                    yield Optional.of(new Disagreement(an, bn, Category.TRAP_KIND, "trap kind: " + an + " " + ta.kind() + ", " + bn + " " + tb.kind()));
                }
                if (userspace && ta.pc() != tb.pc()) {
                    yield Optional.of(new Disagreement(an, bn, Category.TRAP_PC, "trap pc: " + an + " " + ta.pc() + ", " + bn + " " + tb.pc()));
                }
                yield Optional.empty();
            }
            case Observed.Returned ra when b instanceof Observed.Trapped tb ->
                    Optional.of(new Disagreement(an, bn, Category.OUTCOME, an + " " + ra.describe() + "; " + bn + " " + tb.describe()));
            case Observed.Trapped ta when b instanceof Observed.Returned rb ->
                    Optional.of(new Disagreement(an, bn, Category.OUTCOME, an + " " + ta.describe() + "; " + bn + " " + rb.describe()));
            default -> Optional.empty(); // Other: counted, not compared
        };
    }

    private static String hex(byte[] b) {
        return b == null ? "(none)" : HexFormat.of().formatHex(b);
    }
}
