package dev.bpfh.ctx;

import dev.bpfh.spi.ProgramType;
import java.util.Map;
import java.util.Set;

/**
 * Which helpers and instructions each program type may use (programs.md §3.1, Linux 6.18 as root):
 * the kernel refuses a call to a helper its type lacks ("unknown func"), and so do the userspace
 * engines. Raw programs are our own convention, not a kernel type: they may call every helper an
 * engine has that needs no packet.
 */
public final class HelperAvailability {
    private HelperAvailability() {}

    public static final int SKB_STORE_BYTES = 9;
    public static final int L3_CSUM_REPLACE = 10;
    public static final int L4_CSUM_REPLACE = 11;
    public static final int SKB_LOAD_BYTES = 26;
    public static final int CSUM_DIFF = 28;
    public static final int XDP_ADJUST_HEAD = 44;
    public static final int XDP_ADJUST_META = 54;
    public static final int XDP_ADJUST_TAIL = 65;

    /** The helpers that need a packet, and the types that have each. */
    private static final Map<Integer, Set<ProgramType>> PACKET_HELPERS = Map.of(
            SKB_STORE_BYTES, Set.of(ProgramType.SCHED_CLS),
            L3_CSUM_REPLACE, Set.of(ProgramType.SCHED_CLS),
            L4_CSUM_REPLACE, Set.of(ProgramType.SCHED_CLS),
            SKB_LOAD_BYTES, Set.of(ProgramType.SCHED_CLS, ProgramType.SOCKET_FILTER),
            CSUM_DIFF, Set.of(ProgramType.SCHED_CLS, ProgramType.XDP),
            XDP_ADJUST_HEAD, Set.of(ProgramType.XDP),
            XDP_ADJUST_META, Set.of(ProgramType.XDP),
            XDP_ADJUST_TAIL, Set.of(ProgramType.XDP));

    /** Whether a {@code type} program may call helper {@code id} (if the engine has it at all). */
    public static boolean available(ProgramType type, int id) {
        Set<ProgramType> types = PACKET_HELPERS.get(id);
        if (types == null) {
            return true;
        }
        return types.contains(type) || (type == ProgramType.RAW && id == CSUM_DIFF);
    }

    /** Whether LD_ABS and LD_IND are valid: socket filters and tc, which have an skb in r6. */
    public static boolean takesPacketLoads(ProgramType type) {
        return type == ProgramType.SOCKET_FILTER || type == ProgramType.SCHED_CLS;
    }
}
