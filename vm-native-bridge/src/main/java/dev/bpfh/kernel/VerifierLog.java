package dev.bpfh.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a verifier log (log_level 1): the one-line reason and the instruction it is about.
 *
 * <p>The verifier prints every processed instruction as {@code N: (op) text}, register states,
 * then the error, then statistics ({@code processed N insns ...}). The reason is the last line that
 * is none of those; the instruction is the one named in the reason ({@code at insn N},
 * {@code from insn N}) or else the last instruction printed before it.
 */
public record VerifierLog(String reason, int insn, String tail) {
    private static final Pattern INSN_LINE = Pattern.compile("^(\\d+): \\(");
    private static final Pattern STATE_LINE = Pattern.compile("^(\\d+: R\\d|\\d+: \\(|from \\d+ to \\d+:|R\\d+=|; |\\s)");
    private static final Pattern NAMED_INSN = Pattern.compile("(?:at|from) insn (\\d+)|unreachable insn (\\d+)");
    private static final int TAIL_LINES = 12;

    public static VerifierLog parse(String log) {
        List<String> lines = new ArrayList<>();
        for (String l : log.split("\n")) {
            if (!l.isBlank()) {
                lines.add(l.stripTrailing());
            }
        }
        int reasonAt = -1;
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i);
            if (isNoise(l)) {
                continue;
            }
            reasonAt = i;
            // "infinite loop detected at insn N" is followed by cur/old state lines: prefer it.
            break;
        }
        String reason = reasonAt < 0 ? "" : lines.get(reasonAt);
        for (int i = reasonAt; i >= Math.max(0, reasonAt - 3) && i >= 0; i--) {
            if (NAMED_INSN.matcher(lines.get(i)).find()) {
                reason = lines.get(i);
                reasonAt = i;
                break;
            }
        }
        int insn = -1;
        Matcher named = NAMED_INSN.matcher(reason);
        if (named.find()) {
            insn = Integer.parseInt(named.group(1) != null ? named.group(1) : named.group(2));
        } else {
            for (int i = reasonAt - 1; i >= 0; i--) {
                Matcher m = INSN_LINE.matcher(lines.get(i));
                if (m.find()) {
                    insn = Integer.parseInt(m.group(1));
                    break;
                }
            }
        }
        List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
        return new VerifierLog(reason, insn, String.join("\n", tail));
    }

    private static boolean isNoise(String l) {
        return l.startsWith("processed ") || l.startsWith("stack depth") || l.startsWith("verification time")
                || l.startsWith("max_states") || l.startsWith("cur state:") || l.startsWith("old state:")
                || l.startsWith("mark_precise") || STATE_LINE.matcher(l).find();
    }
}
