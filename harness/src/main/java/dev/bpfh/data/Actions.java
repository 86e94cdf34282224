package dev.bpfh.data;

import dev.bpfh.spi.ProgramType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The symbolic values {@code -- result} takes for typed programs: the uapi names of XDP actions
 * and tc actions (programs.md §4.1, §4.2), as the 32-bit retval test_run reports. TC_ACT_UNSPEC is
 * -1, i.e. retval 0xffffffff. Socket filters return a byte count and have no names.
 */
public final class Actions {
    private Actions() {}

    private static final Map<String, Long> XDP = names("XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT");

    private static final Map<String, Long> TC = tc();

    private static Map<String, Long> names(String... inOrder) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < inOrder.length; i++) {
            m.put(inOrder[i], (long) i);
        }
        return m;
    }

    private static Map<String, Long> tc() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("TC_ACT_UNSPEC", 0xffff_ffffL);
        m.putAll(names("TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT", "TC_ACT_PIPE", "TC_ACT_STOLEN",
                "TC_ACT_QUEUED", "TC_ACT_REPEAT", "TC_ACT_REDIRECT", "TC_ACT_TRAP"));
        return m;
    }

    /** The names a program of {@code type} may return, with their values (empty for raw and socket filters). */
    public static Map<String, Long> of(ProgramType type) {
        return switch (type) {
            case XDP -> XDP;
            case SCHED_CLS -> TC;
            case RAW, SOCKET_FILTER -> Map.of();
        };
    }

    /** The type whose action {@code name} is, if any. */
    static Optional<ProgramType> typeOf(String name) {
        return XDP.containsKey(name) ? Optional.of(ProgramType.XDP)
                : TC.containsKey(name) ? Optional.of(ProgramType.SCHED_CLS) : Optional.empty();
    }

    /**
     * How a run's result reads for {@code type}: the action's name ("XDP_DROP"), a socket filter's
     * "keep N bytes" (0: "drop"), a raw program's r0 in hex; a value no name has, in hex.
     */
    public static String describe(ProgramType type, long r0) {
        for (Map.Entry<String, Long> e : of(type).entrySet()) {
            if (e.getValue() == r0) {
                return e.getKey();
            }
        }
        return switch (type) {
            case SOCKET_FILTER -> r0 == 0 ? "drop" : "keep " + r0;
            default -> "0x" + Long.toHexString(r0);
        };
    }
}
