package dev.bpfh.ctx;

import static dev.bpfh.ctx.ContextField.B1;
import static dev.bpfh.ctx.ContextField.B4;
import static dev.bpfh.ctx.ContextField.B8;
import static dev.bpfh.ctx.ContextField.NARROW;

import dev.bpfh.ctx.ContextField.PacketPointer;
import dev.bpfh.spi.ProgramType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The context struct of a program type and the kernel's rules for touching it: which loads and
 * stores the verifier accepts (programs.md §4.1, §4.2, measured on 6.18) and which bytes of
 * test_run's ctx_in may be non-zero. The one place these rules live: the access check
 * ({@link ContextAccesses}), the engines' run-time state ({@link PacketContext}) and the
 * {@code .data} parser all read them here.
 */
public final class ContextLayout {
    /** {@code struct xdp_md}. */
    public static final int XDP_MD_SIZE = 24;
    /** {@code struct __sk_buff}. */
    public static final int SK_BUFF_SIZE = 192;
    /** The two 8-byte windows of {@code cb[]} the verifier accepts (cb[0..1] and cb[2..3]). */
    private static final int CB_OFFSET = 48;

    private final ProgramType type;
    private final int size;
    private final List<ContextField> fields;
    /** By name: engines look fields up at the start of every run. */
    private final java.util.Map<String, ContextField> byName = new java.util.HashMap<>();

    private ContextLayout(ProgramType type, int size, List<ContextField> fields) {
        this.type = type;
        this.size = size;
        this.fields = List.copyOf(fields);
        fields.forEach(f -> byName.put(f.name(), f));
    }

    /** The layout of {@code type}'s context; empty for {@link ProgramType#RAW}. */
    public static Optional<ContextLayout> of(ProgramType type) {
        return switch (type) {
            case RAW -> Optional.empty();
            case XDP -> Optional.of(XDP);
            case SCHED_CLS -> Optional.of(TC);
            case SOCKET_FILTER -> Optional.of(SOCKET_FILTER);
        };
    }

    public ProgramType type() {
        return type;
    }

    /** The struct's size in bytes: the most ctx_in may hold, and ctx_out's size. */
    public int size() {
        return size;
    }

    public List<ContextField> fields() {
        return fields;
    }

    public Optional<ContextField> field(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** A context access the verifier accepts: {@code bytes} at {@code offset}, inside {@code field}. */
    public record Access(ContextField field, int offset, int bytes, boolean store) {}

    /**
     * Checks one load or store of {@code bytes} at {@code offset} of the context, as the verifier's
     * {@code is_valid_access} does for this type. Returns the access, or throws
     * {@link IllegalArgumentException} with the reason (the kernel's words: "invalid bpf_context
     * access off=O size=S").
     */
    public Access check(int offset, int bytes, boolean store) {
        String denied = "invalid bpf_context access off=" + offset + " size=" + bytes;
        if (offset < 0 || offset + bytes > size || offset % bytes != 0) {
            throw new IllegalArgumentException(denied);
        }
        if (type != ProgramType.XDP && bytes == B8 && (offset == CB_OFFSET || offset == CB_OFFSET + 8)) {
            // cb[] is five u32s, but the verifier also takes 8-byte accesses at cb[0] and cb[2]
            return new Access(fieldAt(offset).orElseThrow(), offset, bytes, store);
        }
        ContextField f = fieldAt(offset).orElseThrow(() -> new IllegalArgumentException(denied));
        if (f.name().equals("sk")) {
            throw new IllegalArgumentException(denied + " (sk: the userspace engines do not model sockets)");
        }
        if (offset + bytes > f.offset() + f.size()) {
            throw new IllegalArgumentException(denied);
        }
        if (store ? !f.storable(bytes) : !f.loadable(bytes)) {
            throw new IllegalArgumentException(denied + " (" + f.name() + (store ? " is not writable" : " cannot be loaded")
                    + (store && f.storeSizes() != 0 ? " with this size" : "") + " in a " + type.word() + " program)");
        }
        return new Access(f, offset, bytes, store);
    }

    /** The field that holds byte {@code offset}, if any. */
    public Optional<ContextField> fieldAt(int offset) {
        for (ContextField f : fields) {
            if (f.contains(offset)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * Checks a ctx_in as test_run does before it runs anything: at most {@link #size()} bytes, and
     * non-zero bytes only in fields test_run accepts. Returns the reason it fails (the kernel's
     * errno name first), or empty. Value checks that depend on the packet (XDP's data_end) are
     * {@link PacketContext}'s.
     */
    public Optional<String> checkInput(byte[] ctx) {
        if (ctx.length == 0) {
            return Optional.of("EINVAL: an empty ctx_in (give none, or at least the struct's first bytes)");
        }
        if (ctx.length > size) {
            return Optional.of("E2BIG: ctx_in is " + ctx.length + " bytes, struct is " + size);
        }
        for (int i = 0; i < ctx.length; i++) {
            if (ctx[i] != 0) {
                int at = i;
                Optional<ContextField> f = fieldAt(i);
                if (f.isEmpty() || !f.get().inInput()) {
                    return Optional.of("EINVAL: ctx_in byte " + at + (f.isEmpty() ? "" : " (" + f.get().name() + ")")
                            + " must be zero: test_run does not take it");
                }
            }
        }
        return Optional.empty();
    }

    /** Reads field {@code f} from a context image (zero where the image is short), zero-extended. */
    public static long read(byte[] ctx, ContextField f) {
        long v = 0;
        for (int b = f.size() - 1; b >= 0; b--) {
            int i = f.offset() + b;
            v = (v << 8) | (i < ctx.length ? ctx[i] & 0xffL : 0);
        }
        return v;
    }

    /** Writes the low {@code f.size()} bytes of {@code value} into a context image. */
    public static void write(byte[] ctx, ContextField f, long value) {
        for (int b = 0; b < f.size(); b++) {
            ctx[f.offset() + b] = (byte) (value >>> (8 * b));
        }
    }

    // ---- the tables (programs.md §4.1 and §4.2) ----------------------------------------------

    private static final ContextLayout XDP = new ContextLayout(ProgramType.XDP, XDP_MD_SIZE, List.of(
            // only aligned 4-byte loads; no stores; egress_ifindex only for devmap programs
            field("data", 0, 4, 4, B4, 0, PacketPointer.DATA, true),
            field("data_end", 4, 4, 4, B4, 0, PacketPointer.DATA_END, true),
            field("data_meta", 8, 4, 4, B4, 0, PacketPointer.DATA_META, true),
            field("ingress_ifindex", 12, 4, 4, B4, 0, PacketPointer.NONE, true),
            field("rx_queue_index", 16, 4, 4, B4, 0, PacketPointer.NONE, true),
            field("egress_ifindex", 20, 4, 4, 0, 0, PacketPointer.NONE, true)));

    private static final ContextLayout TC = skb(ProgramType.SCHED_CLS);
    private static final ContextLayout SOCKET_FILTER = skb(ProgramType.SOCKET_FILTER);

    private static ContextLayout skb(ProgramType type) {
        boolean tc = type == ProgramType.SCHED_CLS;
        int w4 = tc ? B4 : 0; // fields a tc program may write and a socket filter may not
        List<ContextField> f = new ArrayList<>();
        f.add(field("len", 0, 4, 4, NARROW, 0, PacketPointer.NONE, false));
        f.add(field("pkt_type", 4, 4, 1, NARROW, 0, PacketPointer.NONE, false));
        f.add(field("mark", 8, 4, 4, NARROW, w4, PacketPointer.NONE, true));
        f.add(field("queue_mapping", 12, 4, 2, NARROW, w4, PacketPointer.NONE, false));
        f.add(field("protocol", 16, 4, 2, NARROW, 0, PacketPointer.NONE, false));
        f.add(field("vlan_present", 20, 4, 4, NARROW, 0, PacketPointer.NONE, false));
        f.add(field("vlan_tci", 24, 4, 2, NARROW, 0, PacketPointer.NONE, false));
        f.add(field("vlan_proto", 28, 4, 2, NARROW, 0, PacketPointer.NONE, false));
        f.add(field("priority", 32, 4, 4, NARROW, w4, PacketPointer.NONE, true));
        f.add(field("ingress_ifindex", 36, 4, 4, NARROW, 0, PacketPointer.NONE, true));
        f.add(field("ifindex", 40, 4, 4, NARROW, 0, PacketPointer.NONE, true));
        f.add(field("tc_index", 44, 4, 2, NARROW, w4, PacketPointer.NONE, false));
        for (int i = 0; i < 5; i++) {
            f.add(field("cb" + i, CB_OFFSET + 4 * i, 4, 4, NARROW, NARROW, PacketPointer.NONE, true));
        }
        f.add(field("hash", 68, 4, 4, NARROW, 0, PacketPointer.NONE, false));
        f.add(field("tc_classid", 72, 4, 2, tc ? NARROW : 0, w4, PacketPointer.NONE, false));
        f.add(field("data", 76, 4, 4, tc ? B4 : 0, 0, PacketPointer.DATA, false));
        f.add(field("data_end", 80, 4, 4, tc ? B4 : 0, 0, PacketPointer.DATA_END, false));
        f.add(field("napi_id", 84, 4, 4, NARROW, 0, PacketPointer.NONE, false));
        f.add(field("data_meta", 140, 4, 4, tc ? B4 : 0, 0, PacketPointer.DATA_META, false));
        f.add(field("tstamp", 152, 8, 8, tc ? B8 : 0, tc ? B8 : 0, PacketPointer.NONE, true));
        f.add(field("wire_len", 160, 4, 4, tc ? NARROW : 0, 0, PacketPointer.NONE, true));
        f.add(field("gso_segs", 164, 4, 2, NARROW, 0, PacketPointer.NONE, true));
        // sk (168) is a socket pointer the userspace engines do not model: no access is accepted
        f.add(field("sk", 168, 8, 8, 0, 0, PacketPointer.NONE, false));
        f.add(field("gso_size", 176, 4, 2, NARROW, 0, PacketPointer.NONE, true));
        f.add(field("tstamp_type", 180, 1, 1, tc ? B1 : 0, 0, PacketPointer.NONE, false));
        f.add(field("hwtstamp", 184, 8, 8, tc ? B8 : 0, 0, PacketPointer.NONE, true));
        return new ContextLayout(type, SK_BUFF_SIZE, f);
    }

    private static ContextField field(String name, int offset, int size, int width, int loads, int stores,
            PacketPointer pointer, boolean inInput) {
        return new ContextField(name, offset, size, width, loads, stores, pointer, inInput);
    }
}
