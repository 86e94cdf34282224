package dev.bpfh.plugin;

import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one-line failure messages of {@code bpfh plugin}, written by {@link PluginServer} and read
 * back by {@link PluginBackend}, kept in one place so that the two cannot drift apart:
 *
 * <ul>
 *   <li>{@code rejected: <reason> at pc <N>} (or {@code rejected: <reason>} when the refusal names no
 *       instruction): the engine refused to load the program;
 *   <li>{@code trap <KIND> at pc <N>: <message>}: the run trapped; KIND is a {@link TrapKind} name and
 *       N may be -1 (the kernel backend's {@code RUNTIME_ERROR} names no pc).
 * </ul>
 *
 * Any other line (another plugin's {@code Failed to load code: ...}, our own {@code error: ...}) is
 * {@link Opaque}: a message that only exact comparison can judge.
 */
public final class FailureLine {
    private FailureLine() {}

    static final String REJECTED = "rejected:";
    static final String TRAP = "trap ";

    /** What a plugin's failure line says. */
    public sealed interface Parsed {}

    /** The program was refused; {@code rejection.log()} holds the plugin's whole output. */
    public record Rejection(LoadRejected rejection) implements Parsed {}

    public record Trap(Outcome.Trapped trapped) implements Parsed {}

    public record Opaque(String message) implements Parsed {}

    /** {@code rejected: <message>}, the message being {@code reason at pc N} or the reason. */
    public static String of(LoadRejected rejection) {
        return REJECTED + " " + PluginServer.oneLine(rejection.getMessage());
    }

    /** {@code trap KIND at pc N: message}. */
    public static String of(Outcome.Trapped trapped) {
        return TRAP + trapped.kind() + " at pc " + trapped.pc() + ": " + PluginServer.oneLine(trapped.message());
    }

    /** pc: at most 9 digits, so that it always fits an int; -1 only for traps. */
    private static final Pattern AT_PC = Pattern.compile("(.*) at pc (\\d{1,9})");

    private static final Pattern TRAP_LINE = Pattern.compile("trap ([A-Z_]+) at pc (-1|\\d{1,9}):(?: (.*))?");

    /**
     * Reads one failure line (already reduced to one line as isa.md §5.2 step 7 does: cut at the
     * first {@code \r}, trailing whitespace stripped). {@code output} is kept as the rejection's log.
     */
    public static Parsed parse(String line, String output) {
        if (line.equals(REJECTED) || line.startsWith(REJECTED + " ")) {
            String message = line.substring(REJECTED.length()).strip();
            Matcher m = AT_PC.matcher(message);
            return m.matches()
                    ? new Rejection(new LoadRejected(Integer.parseInt(m.group(2)), m.group(1), output))
                    : new Rejection(new LoadRejected(-1, message, output));
        }
        Matcher m = TRAP_LINE.matcher(line);
        if (m.matches()) {
            try {
                TrapKind kind = TrapKind.valueOf(m.group(1));
                String message = m.group(3) == null ? "" : m.group(3);
                return new Trap(new Outcome.Trapped(kind, Integer.parseInt(m.group(2)), message));
            } catch (IllegalArgumentException notAKind) {
                return new Opaque(line);
            }
        }
        return new Opaque(line);
    }
}
