package dev.bpfh.ctx;

import static dev.bpfh.ctx.HelperAvailability.CSUM_DIFF;
import static dev.bpfh.ctx.HelperAvailability.L3_CSUM_REPLACE;
import static dev.bpfh.ctx.HelperAvailability.L4_CSUM_REPLACE;
import static dev.bpfh.ctx.HelperAvailability.SKB_LOAD_BYTES;
import static dev.bpfh.ctx.HelperAvailability.SKB_STORE_BYTES;
import static dev.bpfh.ctx.HelperAvailability.XDP_ADJUST_HEAD;
import static dev.bpfh.ctx.HelperAvailability.XDP_ADJUST_META;
import static dev.bpfh.ctx.HelperAvailability.XDP_ADJUST_TAIL;

import dev.bpfh.exec.Helpers;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.RunContext;
import dev.bpfh.exec.Trap;
import dev.bpfh.maps.Errno;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.TrapKind;
import java.util.Arrays;

/**
 * The packet helpers of the userspace engines (programs.md §3.2, §3.4, §4.1; the checks and their
 * order are net/core/filter.c's in Linux 6.18). They work on the run's {@link PacketContext}
 * ({@link RunContext#packet()}): r1 must be its context pointer, else the call traps
 * {@code HELPER_FAILED} (the kernel's verifier would have refused the program). Pointer arguments
 * are checked like any memory access, and every packet access is bounded by the packet.
 *
 * <p>test_run builds a linear skb with {@code ip_summed == CHECKSUM_NONE} and no hash, so the
 * flags that only touch {@code skb->csum} or the hash (BPF_F_RECOMPUTE_CSUM, BPF_F_INVALIDATE_HASH,
 * BPF_F_PSEUDO_HDR, BPF_F_IPV6) are validated but change nothing a program or test_run can see.
 */
public final class PacketHelpers {
    private PacketHelpers() {}

    public static final long F_RECOMPUTE_CSUM = 1;
    public static final long F_INVALIDATE_HASH = 2;
    /** The low 4 bits of the csum_replace flags: the size of the changed field (0, 2 or 4). */
    public static final long F_HDR_FIELD_MASK = 0xf;
    public static final long F_PSEUDO_HDR = 0x10;
    public static final long F_MARK_MANGLED_0 = 0x20;
    public static final long F_MARK_ENFORCE = 0x40;
    /** Accepted by l4_csum_replace since 6.16. */
    public static final long F_IPV6 = 0x80;
    /** What a checksum that came out 0 is written as under BPF_F_MARK_MANGLED_0 (UDP's "no checksum" is 0). */
    static final int CSUM_MANGLED_0 = 0xffff;

    /** Adds these helpers to {@code helpers} and returns it. */
    public static Helpers registerAll(Helpers helpers) {
        return helpers
                .register(XDP_ADJUST_HEAD, "bpf_xdp_adjust_head",
                        (c, ctx, delta, a, b, d, pc) -> adjustHead(xdp(c, ctx, pc, "bpf_xdp_adjust_head"), (int) delta))
                .register(XDP_ADJUST_META, "bpf_xdp_adjust_meta",
                        (c, ctx, delta, a, b, d, pc) -> adjustMeta(xdp(c, ctx, pc, "bpf_xdp_adjust_meta"), (int) delta))
                .register(XDP_ADJUST_TAIL, "bpf_xdp_adjust_tail",
                        (c, ctx, delta, a, b, d, pc) -> adjustTail(xdp(c, ctx, pc, "bpf_xdp_adjust_tail"), (int) delta))
                .register(SKB_LOAD_BYTES, "bpf_skb_load_bytes", PacketHelpers::skbLoadBytes)
                .register(SKB_STORE_BYTES, "bpf_skb_store_bytes", PacketHelpers::skbStoreBytes)
                .register(CSUM_DIFF, "bpf_csum_diff", PacketHelpers::csumDiff)
                .register(L3_CSUM_REPLACE, "bpf_l3_csum_replace", PacketHelpers::l3CsumReplace)
                .register(L4_CSUM_REPLACE, "bpf_l4_csum_replace", PacketHelpers::l4CsumReplace);
    }

    // ---- the context argument -----------------------------------------------------------------

    private static PacketContext packet(RunContext c, long ctx, int pc, String helper) {
        PacketContext p = c.packet();
        if (p == null) {
            throw new Trap(TrapKind.HELPER_FAILED, pc, helper + " needs a packet: a raw program has none");
        }
        if (ctx != p.ctxAddress()) {
            throw new Trap(TrapKind.HELPER_FAILED, pc, String.format(
                    "%s: r1 = 0x%x is not the context pointer 0x%x", helper, ctx, p.ctxAddress()));
        }
        return p;
    }

    private static PacketContext xdp(RunContext c, long ctx, int pc, String helper) {
        return ofType(packet(c, ctx, pc, helper), pc, helper, ProgramType.XDP);
    }

    /** A tc or socket filter packet (an skb). */
    private static PacketContext skb(RunContext c, long ctx, int pc, String helper) {
        PacketContext p = packet(c, ctx, pc, helper);
        if (p.type() == ProgramType.XDP) {
            throw new Trap(TrapKind.HELPER_FAILED, pc, helper + " is not an xdp helper");
        }
        return p;
    }

    private static PacketContext tc(RunContext c, long ctx, int pc, String helper) {
        return ofType(packet(c, ctx, pc, helper), pc, helper, ProgramType.SCHED_CLS);
    }

    private static PacketContext ofType(PacketContext p, int pc, String helper, ProgramType wanted) {
        if (p.type() != wanted) {
            throw new Trap(TrapKind.HELPER_FAILED, pc, helper + " is not a " + p.type().word() + " helper");
        }
        return p;
    }

    // ---- XDP: moving data, data_meta and data_end (programs.md §4.1) ---------------------------

    private static long adjustHead(PacketContext p, int delta) {
        p.materializeFrame(); // the rules below are in frame offsets
        int metalen = p.data() - p.dataMeta();
        long data = (long) p.data() + delta;
        if (data < PacketContext.XDP_FRAME_HEADER + metalen || data > p.dataEnd() - PacketContext.ETH_HLEN) {
            return -Errno.EINVAL;
        }
        byte[] buf = p.buffer();
        if (metalen > 0) {
            System.arraycopy(buf, p.dataMeta(), buf, p.dataMeta() + delta, metalen); // the metadata moves along
        }
        p.setBounds(p.dataMeta() + delta, (int) data);
        return 0;
    }

    private static long adjustMeta(PacketContext p, int delta) {
        p.materializeFrame();
        long meta = (long) p.dataMeta() + delta;
        if (meta < PacketContext.XDP_FRAME_HEADER || meta > p.data()) {
            return -Errno.EINVAL;
        }
        long metalen = p.data() - meta;
        if (metalen % 4 != 0 || metalen > 255) { // skb_shared_info.meta_len is a u8
            return -Errno.EACCES;
        }
        p.setBounds((int) meta, p.data());
        return 0;
    }

    private static long adjustTail(PacketContext p, int delta) {
        p.materializeFrame();
        long end = (long) p.dataEnd() + delta;
        if (end > PacketContext.XDP_MAX_DATA_END || end < (long) p.data() + PacketContext.ETH_HLEN) {
            return -Errno.EINVAL;
        }
        p.replaceBuffer(Arrays.copyOf(p.buffer(), (int) end)); // grown bytes are zero
        return 0;
    }

    // ---- skb: bytes at skb->data + offset (tc: L2, socket filter: L3) --------------------------

    private static long skbLoadBytes(RunContext c, long ctx, long offset, long to, long len, long r5, int pc) {
        PacketContext p = skb(c, ctx, pc, "bpf_skb_load_bytes");
        int n = size(len, pc);
        byte[] dst = c.memory().target(to, n, pc, true);
        long off = offset & 0xffffffffL;
        if (off > Integer.MAX_VALUE || off + n > p.dataEnd() - p.data()) {
            Arrays.fill(dst, (int) to, (int) to + n, (byte) 0);
            return -Errno.EFAULT;
        }
        System.arraycopy(p.buffer(), (int) (p.data() + off), dst, (int) to, n);
        return 0;
    }

    private static long skbStoreBytes(RunContext c, long ctx, long offset, long from, long len, long flags, int pc) {
        PacketContext p = tc(c, ctx, pc, "bpf_skb_store_bytes");
        int n = size(len, pc);
        byte[] src = c.memory().target(from, n, pc, false);
        if ((flags & ~(F_RECOMPUTE_CSUM | F_INVALIDATE_HASH)) != 0) {
            return -Errno.EINVAL;
        }
        long off = offset & 0xffffffffL;
        if (off > Integer.MAX_VALUE || off + n > p.dataEnd() - p.data()) {
            return -Errno.EFAULT;
        }
        System.arraycopy(src, (int) from, p.buffer(), (int) (p.data() + off), n); // arraycopy allows overlap
        return 0;
    }

    // ---- checksums --------------------------------------------------------------------------

    /**
     * bpf_csum_diff(from, from_size, to, to_size, seed), programs.md §3.4: the kernel's 32-bit
     * csum_partial of each buffer, combined in 32 bits, folded to 16 bits only at the end.
     */
    private static long csumDiff(RunContext c, long from, long fromSize, long to, long toSize, long seed, int pc) {
        int fs = size(fromSize, pc);
        int ts = size(toSize, pc);
        long s = seed & 0xffffffffL;
        Memory m = c.memory();
        if (fs > 0 && ts > 0) {
            long pTo = Checksums.partial32(m.target(to, ts, pc, false), (int) to, ts, s);
            long pFrom = Checksums.partial32(m.target(from, fs, pc, false), (int) from, fs, 0);
            return Checksums.fold(Checksums.sub32(pTo, pFrom));
        }
        if (ts > 0) {
            return Checksums.fold(Checksums.partial32(m.target(to, ts, pc, false), (int) to, ts, s));
        }
        if (fs > 0) {
            long pFrom = Checksums.partial32(m.target(from, fs, pc, false), (int) from, fs, ~s & 0xffffffffL);
            return Checksums.fold(~pFrom & 0xffffffffL);
        }
        return Checksums.fold(s);
    }

    private static long l3CsumReplace(RunContext c, long ctx, long offset, long from, long to, long flags, int pc) {
        PacketContext p = tc(c, ctx, pc, "bpf_l3_csum_replace");
        if ((flags & ~F_HDR_FIELD_MASK) != 0) {
            return -Errno.EINVAL;
        }
        int at = checksumField(p, offset);
        if (at < 0) {
            return -Errno.EFAULT;
        }
        return replace(p.buffer(), at, flags, from, to);
    }

    private static long l4CsumReplace(RunContext c, long ctx, long offset, long from, long to, long flags, int pc) {
        PacketContext p = tc(c, ctx, pc, "bpf_l4_csum_replace");
        if ((flags & ~(F_MARK_MANGLED_0 | F_MARK_ENFORCE | F_PSEUDO_HDR | F_HDR_FIELD_MASK | F_IPV6)) != 0) {
            return -Errno.EINVAL;
        }
        int at = checksumField(p, offset);
        if (at < 0) {
            return -Errno.EFAULT;
        }
        byte[] buf = p.buffer();
        boolean mangledZero = (flags & F_MARK_MANGLED_0) != 0;
        if (mangledZero && (flags & F_MARK_ENFORCE) == 0 && le16(buf, at) == 0) {
            return 0; // a UDP checksum of 0 means "none": leave it alone
        }
        long r = replace(buf, at, flags, from, to);
        if (r == 0 && mangledZero && le16(buf, at) == 0) {
            putLe16(buf, at, CSUM_MANGLED_0);
        }
        return r;
    }

    /** Where the 16-bit checksum at skb->data + offset is in the buffer, or -1 (EFAULT). */
    private static int checksumField(PacketContext p, long offset) {
        long off = offset & 0xffffffffL;
        if (off > 0xffff || (off & 1) != 0 || off + 2 > p.dataEnd() - p.data()) {
            return -1;
        }
        return (int) (p.data() + off);
    }

    private static long replace(byte[] buf, int at, long flags, long from, long to) {
        int sum = le16(buf, at);
        switch ((int) (flags & F_HDR_FIELD_MASK)) {
            case 0 -> {
                if (from != 0) {
                    return -Errno.EINVAL;
                }
                sum = Checksums.replaceByDiff(sum, to);
            }
            case 2 -> sum = Checksums.replace2(sum, from, to);
            case 4 -> sum = Checksums.replace4(sum, from, to);
            default -> {
                return -Errno.EINVAL;
            }
        }
        putLe16(buf, at, sum);
        return 0;
    }

    private static int le16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static void putLe16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }

    /** A u32 size argument; one the address space cannot hold traps like the access it would be. */
    private static int size(long len, int pc) {
        long n = len & 0xffffffffL;
        if (n > Integer.MAX_VALUE - 8) {
            throw new Trap(TrapKind.OUT_OF_BOUNDS, pc, "helper size argument " + n + " is larger than any memory");
        }
        return (int) n;
    }
}
