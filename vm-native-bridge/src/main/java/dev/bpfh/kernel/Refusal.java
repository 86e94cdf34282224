package dev.bpfh.kernel;

import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.ProgramType;

/**
 * The kernel refused a program: the errno of the log-less load, the parsed verifier log, and the
 * user pc the failing instruction maps to (-1 when it is in the wrapper or unknown). A raw program
 * has its {@link #wrapping}; a typed one (loaded as itself) its {@link #type} and no wrapping.
 */
final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;

    final int errno;
    final int pc;
    final String reason;
    final String log;
    final Wrapping wrapping;
    final ProgramType type;

    Refusal(int errno, int pc, String reason, String log, Wrapping wrapping, ProgramType type) {
        super(reason, null, false, false);
        this.errno = errno;
        this.pc = pc;
        this.reason = reason;
        this.log = log;
        this.wrapping = wrapping;
        this.type = type;
    }

    /** "verifier: R5 !read_ok (EACCES)". */
    String oneLine() {
        return "verifier: " + (reason.isEmpty() ? "rejected" : reason) + " (" + Errno.name(errno) + ")";
    }

    /**
     * True when the refusal is about where memory is accessed (packet or map-value bounds,
     * variable offsets) or how much work the verifier had to do: those depend on the memory
     * length and the wrapping, unlike a bad register or opcode.
     */
    boolean dependsOnMemory() {
        String r = reason.toLowerCase(java.util.Locale.ROOT);
        // In the XDP wrapping the memory is the packet: a map-value refusal there is about one of
        // the program's own maps, whose size does not depend on the memory length.
        boolean memoryIsMapValue = wrapping == Wrapping.MAP_VALUE
                && (r.contains("map value") || r.contains("map_value") || r.contains("outside of the allowed memory range"));
        return errno == Errno.E2BIG || r.contains("packet") || r.contains("pkt") || memoryIsMapValue
                || r.contains("too large");
    }

    /** True when the XDP refusal is the packet-pointer limitation that the map-value wrapping lifts. */
    boolean isPacketAccess() {
        String r = reason.toLowerCase(java.util.Locale.ROOT);
        return wrapping == Wrapping.XDP && errno == Errno.EACCES && (r.contains("packet") || r.contains("pkt"));
    }

    /** For a typed program (loaded as its own type, no wrapper). */
    LoadRejected toLoadRejected() {
        return new LoadRejected(pc, oneLine(), "program type " + (type == null ? "?" : type.word())
                + ", verifier log tail:\n" + log);
    }

    LoadRejected toLoadRejected(int memoryLength) {
        return new LoadRejected(pc, oneLine(), "wrapping " + wrapping.label() + ", memory length "
                + memoryLength + ", verifier log tail:\n" + log);
    }
}
