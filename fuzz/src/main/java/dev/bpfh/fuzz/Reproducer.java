package dev.bpfh.fuzz;

import dev.bpfh.asm.Disassembler;
import dev.bpfh.ctx.ContextField;
import dev.bpfh.ctx.ContextLayout;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.RunInput;
import java.util.HexFormat;
import java.util.List;
import java.util.StringJoiner;

/**
 * The {@code .data} text of a minimised disagreement, which {@code bpfh diff} and
 * {@code bpfh conformance} run as it is. Comments say who disagreed, how the case was found, and
 * what every engine did. The expectation is the kernel's result when the kernel ran the program
 * (the only independent oracle here); otherwise the file says {@code -- error} {@value #NO_ORACLE},
 * which no engine produces, so {@code conformance} fails it on every engine until a person decides
 * the right result, while {@code diff} (which ignores expectations) shows the disagreement.
 */
public final class Reproducer {
    private Reproducer() {}

    public static final String NO_ORACLE = "no oracle: the engines disagree and the kernel did not run this program; see bpfh diff";

    /**
     * @param found how the case was found, e.g. {@code "bpfh fuzz --profile safe --seed 0x1 (program #7, input 2)"}
     * @param backends the engines, in the order of {@code seen}
     * @param seen what each engine did on the minimised program
     */
    public static String text(Program program, RunInput input, Oracle.Disagreement d, String found, int originalInstructions,
            List<String> backends, List<Observed> seen) {
        byte[] memory = input.data();
        StringBuilder out = new StringBuilder();
        out.append("# bpfh fuzz: ").append(d.a()).append(" and ").append(d.b()).append(" disagree (")
                .append(d.category().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')).append(")\n");
        out.append("# ").append(oneLine(d.detail())).append('\n');
        out.append("# found by ").append(found).append("; minimised from ").append(originalInstructions).append(" to ")
                .append(Slots.starts(program.slots()).length).append(" instructions\n");
        Observed kernel = null;
        for (int i = 0; i < backends.size(); i++) {
            out.append("# ").append(backends.get(i)).append(": ").append(oneLine(seen.get(i).describe())).append('\n');
            if (backends.get(i).equals("kernel")) {
                kernel = seen.get(i);
            }
        }
        out.append("# run: bpfh diff FILE (every engine); bpfh conformance FILE (against the expectation below)\n");
        ContextLayout layout = ContextLayout.of(program.type()).orElse(null);
        if (layout != null) {
            out.append("-- program-type\n").append(program.type().word()).append('\n');
        }
        for (MapSpec m : program.maps()) {
            out.append("-- map ").append(m.name()).append('\n').append(m.describe()).append('\n');
        }
        out.append("-- asm\n").append(Disassembler.disassemble(program));
        if (memory.length > 0) {
            out.append("-- mem\n").append(hexBytes(memory)).append('\n');
        }
        if (layout != null) {
            if (input.ctx() != null) {
                out.append("-- ctx\n").append(fields(layout, input.ctx(), false));
            }
            typedExpectation(out, layout, input, kernel);
            return out.toString();
        }
        switch (kernel) {
            case Observed.Returned r -> out.append("# expected: the kernel's r0\n-- result\n0x").append(Long.toHexString(r.r0())).append('\n');
            case Observed.Trapped t -> out.append("# expected: the kernel's failure\n-- error\ntrap ").append(t.kind()).append('\n');
            case null, default -> out.append("-- error\n").append(NO_ORACLE).append('\n');
        }
        return out.toString();
    }

    /** A typed program's expectation: the kernel's retval, data_out and ctx_out. */
    private static void typedExpectation(StringBuilder out, ContextLayout layout, RunInput input, Observed kernel) {
        switch (kernel) {
            case Observed.Returned r -> {
                out.append("# expected: the kernel's retval, data_out").append(r.ctx() != null ? " and ctx_out" : "")
                        .append("\n-- result\n0x").append(Long.toHexString(r.r0())).append('\n');
                out.append("-- data-out\n").append(r.memory().length == 0 ? "" : hexBytes(r.memory()) + "\n");
                if (r.ctx() != null && input.ctx() != null) {
                    out.append("-- ctx-out\n").append(fields(layout, r.ctx(), true));
                }
            }
            case Observed.Trapped t -> out.append("# expected: the kernel's failure\n-- error\ntrap ").append(t.kind()).append('\n');
            case null, default -> out.append("-- error\n").append(NO_ORACLE).append('\n');
        }
    }

    /** A context image as {@code field=value} lines: the fields test_run takes (all, or only the non-zero ones). */
    private static String fields(ContextLayout layout, byte[] ctx, boolean all) {
        StringBuilder b = new StringBuilder();
        for (ContextField f : layout.fields()) {
            long v = ContextLayout.read(ctx, f);
            if (f.inInput() && (all || v != 0)) {
                b.append(f.name()).append("=0x").append(Long.toHexString(v)).append('\n');
            }
        }
        return b.toString();
    }

    private static String hexBytes(byte[] bytes) {
        StringJoiner mem = new StringJoiner(" ");
        for (byte x : bytes) {
            mem.add(HexFormat.of().toHexDigits(x));
        }
        return mem.toString();
    }

    /** What makes two minimised programs "the same": their opcode sequence (registers and constants aside). */
    public static String shape(Program program) {
        StringJoiner j = new StringJoiner("-");
        for (int pc : Slots.starts(program.slots())) {
            j.add(HexFormat.of().toHexDigits((byte) Insn.opcode(program.slot(pc))));
        }
        return j.toString();
    }

    private static String oneLine(String s) {
        String t = s.replace('\n', ' ').replace('#', ' ');
        return t.length() > 400 ? t.substring(0, 400) + "..." : t;
    }
}
