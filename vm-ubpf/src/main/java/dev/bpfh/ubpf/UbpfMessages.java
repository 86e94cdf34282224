package dev.bpfh.ubpf;

import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns uBPF's own words into our outcomes. A load error becomes a {@link LoadRejected} with uBPF's
 * message (its "at PC N" as the pc). A run-time error becomes a trap whose kind is the one uBPF
 * names (out-of-bounds access, nested-call limit, instruction limit) and whose pc is the one it
 * prints; any other message is {@link TrapKind#RUNTIME_ERROR}. The message is always uBPF's text.
 */
final class UbpfMessages {
    private UbpfMessages() {}

    private static final Pattern AT_PC = Pattern.compile("\\s*\\bat PC (\\d+)", Pattern.CASE_INSENSITIVE);

    static LoadRejected rejected(String what, String message) {
        String text = message == null || message.isBlank() ? what + " failed without a message" : message.strip();
        Matcher m = AT_PC.matcher(text);
        if (m.find()) {
            String reason = (text.substring(0, m.start()) + text.substring(m.end())).strip();
            return new LoadRejected(Integer.parseInt(m.group(1)), "uBPF: " + reason, text);
        }
        return new LoadRejected(-1, "uBPF: " + text, text);
    }

    static Outcome.Trapped trapped(String message) {
        if (message.isEmpty()) {
            return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, "uBPF: ubpf_exec failed and printed no reason");
        }
        Matcher m = AT_PC.matcher(message);
        int pc = m.find() ? Integer.parseInt(m.group(1)) : -1;
        return new Outcome.Trapped(kind(message), pc, "uBPF: " + message);
    }

    static TrapKind kind(String message) {
        String s = message.toLowerCase(java.util.Locale.ROOT);
        if (s.contains("out of bounds") || s.contains("address overflow") || s.contains("address underflow")
                || s.contains("negative size") || s.contains("integer overflow in") || s.contains("region end overflow")) {
            return TrapKind.OUT_OF_BOUNDS;
        }
        if (s.contains("nested functions calls")) {
            return TrapKind.CALL_DEPTH;
        }
        if (s.contains("instruction limit exceeded")) {
            return TrapKind.BUDGET_EXHAUSTED;
        }
        return TrapKind.RUNTIME_ERROR;
    }
}
