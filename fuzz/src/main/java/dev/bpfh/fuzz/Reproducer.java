package dev.bpfh.fuzz;

import dev.bpfh.asm.Disassembler;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
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
    public static String text(Program program, byte[] memory, Oracle.Disagreement d, String found, int originalInstructions,
            List<String> backends, List<Observed> seen) {
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
        out.append("-- asm\n").append(Disassembler.disassemble(program));
        if (memory.length > 0) {
            StringJoiner mem = new StringJoiner(" ");
            for (byte b : memory) {
                mem.add(HexFormat.of().toHexDigits(b));
            }
            out.append("-- mem\n").append(mem).append('\n');
        }
        switch (kernel) {
            case Observed.Returned r -> out.append("# expected: the kernel's r0\n-- result\n0x").append(Long.toHexString(r.r0())).append('\n');
            case Observed.Trapped t -> out.append("# expected: the kernel's failure\n-- error\ntrap ").append(t.kind()).append('\n');
            case null, default -> out.append("-- error\n").append(NO_ORACLE).append('\n');
        }
        return out.toString();
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
