package dev.bpfh.kernel;

import static dev.bpfh.isa.Insn.encode;

/**
 * How a program written for "r1 = memory, r2 = length" (isa.md §2.7) runs in the kernel, where r1
 * is a context pointer. Both wrappers call the user program as a bpf-to-bpf subprogram (0x85 with
 * src=1): the verifier then gives it a frame of its own, so its r10 and stack are separate from
 * the wrapper's, and r1–r5 pass through as arguments. The user code is appended after the wrapper,
 * so its own relative jumps and local calls need no relocation; a verifier instruction index minus
 * {@link #userStart()} is the user's pc.
 */
public enum Wrapping {
    /**
     * XDP, memory in the packet. Packet = user memory (len bytes), then 8 bytes for r0, padded with
     * zeros to the 14-byte minimum (ETH_HLEN). The prolog proves [data, data+len) to the verifier
     * (not len+8: the user must not be allowed to touch the r0 slot or the padding), sets r1 = data,
     * r2 = len (a constant, so loops bounded by r2 verify), r3–r5 = 0, and calls the user program.
     * The epilog proves [data, data+len+8) and stores the full 64-bit r0 at data+len; it comes back
     * through data_out together with the memory. Of the exact methods in kernel.md §2 this is the
     * cheapest (≈ +25 ns for the data_out copy, against ≈ 290 ns for an extra MAP_LOOKUP syscall).
     * XDP_PASS (2) is the "completed" retval; XDP_DROP (1) means a bounds check failed, which
     * cannot happen because the packet is sized to len+8.
     */
    XDP("xdp", Bpf.PROG_TYPE_XDP, 19),

    /**
     * SCHED_CLS, memory in the value of a one-entry ARRAY map (value_size = len), addressed with
     * {@code lddw r1, map_value(fd)+0} (BPF_PSEUDO_MAP_VALUE, src=2). The verifier accepts bounded
     * variable offsets into a map value, which it refuses on packet pointers, so this is the
     * fallback for programs that index memory with a data-dependent register. r0 goes to a second
     * one-entry map, not after the memory, so that the verifier still refuses any access past the
     * memory's end. Memory goes in with MAP_UPDATE and comes out with MAP_LOOKUP (as does r0).
     * SCHED_CLS also makes repeat cheap (≈ 14 ns per repetition, against ≈ 16 ms per call for XDP
     * with repeat > 1), so in-kernel timing always uses this wrapping. The 14-byte packet is a dummy.
     * Zero bytes of memory become a 1-byte value (an ARRAY value cannot be empty).
     */
    MAP_VALUE("map-value", Bpf.PROG_TYPE_SCHED_CLS, 12),

    /**
     * No wrapper: the user program is the XDP program itself, with r1 = the {@code xdp_md} context.
     * For programs that call {@code bpf_tail_call} (helper 12), which needs the real context in r1
     * (a wrapped program's r1 is a packet pointer, which the verifier refuses there), and for the
     * tail-call targets in a PROG_ARRAY (a tail call enters its target at instruction 0 with r1 =
     * ctx and never returns to the caller's wrapper). r0 is XDP's retval: its low 32 bits,
     * zero-extended. The memory is the packet (padded to 14 bytes) and comes back from data_out, but
     * the program reaches it only through {@code ctx->data}, so such programs should not use it.
     */
    DIRECT("direct", Bpf.PROG_TYPE_XDP, 0);

    /** Linear bytes of an XDP test-run packet (programs.md §4.1). */
    public static final int XDP_MAX_PACKET = 3520;
    /** The longest memory the XDP wrapping handles: 3520 linear packet bytes minus the r0 slot. */
    public static final int XDP_MAX_MEMORY = XDP_MAX_PACKET - 8;
    /** The minimum packet for XDP, SCHED_CLS and SOCKET_FILTER test runs (ETH_HLEN). */
    public static final int MIN_PACKET = 14;
    /** XDP_PASS: the wrapper completed and stored r0. */
    static final int XDP_PASS = 2;

    private final String label;
    private final int progType;
    private final int userStart;

    Wrapping(String label, int progType, int userStart) {
        this.label = label;
        this.progType = progType;
        this.userStart = userStart;
    }

    /** "xdp", "map-value" or "direct", as recorded in {@code info()}. */
    public String label() {
        return label;
    }

    public int progType() {
        return progType;
    }

    /** Slot index of the user program's first instruction in the wrapped program. */
    public int userStart() {
        return userStart;
    }

    /** Bytes of the XDP packet for {@code len} bytes of memory. */
    static int packetSize(int len) {
        return Math.max(MIN_PACKET, len + 8);
    }

    /** Value size of the memory map for {@code len} bytes of memory. */
    static int memoryValueSize(int len) {
        return Math.max(1, len);
    }

    /**
     * The wrapped program: wrapper slots, then {@code user}. The map fds (memory, r0) are used by
     * MAP_VALUE only.
     */
    long[] wrap(long[] user, int len, int memoryMapFd, int resultMapFd) {
        long[] w = switch (this) {
            case XDP -> xdp(len);
            case MAP_VALUE -> mapValue(len, memoryMapFd, resultMapFd);
            case DIRECT -> new long[0];
        };
        if (w.length != userStart) {
            throw new AssertionError("wrapper length " + w.length + " != " + userStart);
        }
        long[] out = new long[w.length + user.length];
        System.arraycopy(w, 0, out, 0, w.length);
        System.arraycopy(user, 0, out, w.length, user.length);
        return out;
    }

    private static long[] xdp(int len) {
        final int fail = 17;
        final int user = 19;
        return new long[] {
            encode(0x61, 6, 1, 0, 0),             //  0: r6 = xdp_md->data
            encode(0x61, 7, 1, 4, 0),             //  1: r7 = xdp_md->data_end
            encode(0xbf, 1, 6, 0, 0),             //  2: r1 = r6
            encode(0x07, 1, 0, 0, len),           //  3: r1 += len
            encode(0x2d, 1, 7, fail - 5, 0),      //  4: if r1 > r7 goto fail  (now r6 has range len)
            encode(0xbf, 1, 6, 0, 0),             //  5: r1 = data
            encode(0xb7, 2, 0, 0, len),           //  6: r2 = len
            encode(0xb7, 3, 0, 0, 0),             //  7: r3 = 0
            encode(0xb7, 4, 0, 0, 0),             //  8: r4 = 0
            encode(0xb7, 5, 0, 0, 0),             //  9: r5 = 0
            encode(0x85, 0, 1, 0, user - 11),     // 10: call local user
            encode(0xbf, 1, 6, 0, 0),             // 11: r1 = r6 (r6-r9 survive the call)
            encode(0x07, 1, 0, 0, len + 8),       // 12: r1 += len + 8
            encode(0x2d, 1, 7, fail - 14, 0),     // 13: if r1 > r7 goto fail  (range len+8)
            encode(0x7b, 6, 0, len, 0),           // 14: *(u64 *)(r6 + len) = r0
            encode(0xb7, 0, 0, 0, XDP_PASS),      // 15: r0 = XDP_PASS
            encode(0x95, 0, 0, 0, 0),             // 16: exit
            encode(0xb7, 0, 0, 0, 1),             // 17: fail: r0 = XDP_DROP
            encode(0x95, 0, 0, 0, 0),             // 18: exit
        };
    }

    private static long[] mapValue(int len, int memoryMapFd, int resultMapFd) {
        final int user = 12;
        return new long[] {
            encode(0x18, 1, 2, 0, memoryMapFd),   //  0: r1 = &memory[0] + 0   (BPF_PSEUDO_MAP_VALUE)
            encode(0x00, 0, 0, 0, 0),             //  1:   (second slot: offset 0)
            encode(0xb7, 2, 0, 0, len),           //  2: r2 = len
            encode(0xb7, 3, 0, 0, 0),             //  3: r3 = 0
            encode(0xb7, 4, 0, 0, 0),             //  4: r4 = 0
            encode(0xb7, 5, 0, 0, 0),             //  5: r5 = 0
            encode(0x85, 0, 1, 0, user - 7),      //  6: call local user
            encode(0x18, 1, 2, 0, resultMapFd),   //  7: r1 = &result[0] + 0
            encode(0x00, 0, 0, 0, 0),             //  8:   (second slot: offset 0)
            encode(0x7b, 1, 0, 0, 0),             //  9: *(u64 *)(r1 + 0) = r0
            encode(0xb7, 0, 0, 0, 0),             // 10: r0 = TC_ACT_OK
            encode(0x95, 0, 0, 0, 0),             // 11: exit
        };
    }
}
