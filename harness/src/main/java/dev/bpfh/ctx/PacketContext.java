package dev.bpfh.ctx;

import dev.bpfh.ctx.ContextLayout.Access;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.Trap;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import dev.bpfh.spi.TrapKind;
import java.util.Arrays;
import java.util.Optional;

/**
 * One run's packet and context in the userspace engines, set up as {@code BPF_PROG_TEST_RUN} sets
 * them up (programs.md §4), so that every engine gives the kernel's answer.
 *
 * <p>The packet lives in region 1 ({@link Memory#INPUT_REGION}) as one array whose end is
 * {@code data_end}: a packet pointer past the end traps like any out-of-bounds address. For XDP the
 * array starts as a copy of the packet (metadata first, if ctx_in has some) and becomes the 4096-byte
 * frame cut at data_end, with the packet at offset 256 (the headroom), when a helper moves a bound
 * ({@link #materializeFrame}); a program that may move one ({@link #startsOnFrame}) gets that frame
 * from its start. For tc and socket filters it is a copy of the frame. The context struct is not memory: r1 holds
 * {@link #ctxAddress()}, an unmapped address, and the loads and stores {@link ContextAccesses} found
 * are served by {@link #load} and {@link #store} from a live image of the uapi struct.
 */
public final class PacketContext {
    public static final int ETH_HLEN = 14;
    /** XDP frame geometry (programs.md §4.1): one page, 256 bytes of headroom, 320 reserved at the end. */
    public static final int XDP_FRAME = 4096;
    public static final int XDP_HEADROOM = 256;
    /** The bytes at the frame's start that hold {@code struct xdp_frame}: data_meta never goes below. */
    public static final int XDP_FRAME_HEADER = 40;
    public static final int XDP_MAX_DATA_END = XDP_FRAME - 320;
    public static final int XDP_MAX_LINEAR = 3520;
    public static final int SKB_MAX_DATA = 3712;
    /** The only device of the userspace engines: the loopback interface test_run uses by default. */
    public static final int LOOPBACK_IFINDEX = 1;
    /** LD_ABS/LD_IND's offsets of the network and link-layer headers (SKF_NET_OFF, SKF_LL_OFF). */
    public static final int SKF_NET_OFF = -0x100000;
    public static final int SKF_LL_OFF = -0x200000;

    private static final int QUEUE_MAPPING_OFFSET = 12;
    private static final int TC_INDEX_OFFSET = 44;
    private static final int TC_CLASSID_OFFSET = 72;

    // The fields a run's setup and ctx_out touch, looked up once: a run must not pay for a lookup by
    // name. tc and socket filters share the __sk_buff layout, so the tc layout's fields serve both.
    private static final ContextField XDP_DATA = field(ProgramType.XDP, "data");
    private static final ContextField XDP_DATA_END = field(ProgramType.XDP, "data_end");
    private static final ContextField XDP_INGRESS_IFINDEX = field(ProgramType.XDP, "ingress_ifindex");
    private static final ContextField SKB_LEN = field(ProgramType.SCHED_CLS, "len");
    private static final ContextField SKB_PKT_TYPE = field(ProgramType.SCHED_CLS, "pkt_type");
    private static final ContextField SKB_PROTOCOL = field(ProgramType.SCHED_CLS, "protocol");
    private static final ContextField SKB_IFINDEX = field(ProgramType.SCHED_CLS, "ifindex");
    private static final ContextField SKB_WIRE_LEN = field(ProgramType.SCHED_CLS, "wire_len");
    /** The __sk_buff fields test_run copies back into ctx_out (programs.md §4.3). */
    private static final ContextField[] SKB_OUT = java.util.stream.Stream.of("mark", "priority", "ingress_ifindex",
            "ifindex", "tstamp", "cb0", "cb1", "cb2", "cb3", "cb4", "wire_len", "gso_segs", "hwtstamp")
            .map(n -> field(ProgramType.SCHED_CLS, n)).toArray(ContextField[]::new);
    /** ctx_in's fields that reach the __sk_buff, in the layout's order. */
    private static final ContextField[] SKB_IN = ContextLayout.of(ProgramType.SCHED_CLS).orElseThrow().fields().stream()
            .filter(ContextField::inInput).toArray(ContextField[]::new);

    private static ContextField field(ProgramType type, String name) {
        return ContextLayout.of(type).orElseThrow().field(name).orElseThrow();
    }

    private final ProgramType type;
    private final Memory memory;
    private final long ctxAddress;
    /** ctx_in, zero-extended to the struct's size ({@link #ctxImage}), or null when the run has none. */
    private byte[] ctxIn;
    /** The array ctx_in is copied into, run after run: only ctx_out (a copy) leaves the context. */
    private final byte[] ctxImage;
    /** The fields as the program reads them, in the uapi struct's layout; zeroed at each run's start. */
    private final byte[] live;
    /**
     * The caller's packet ({@code RunInput.data()}) when the run wants data_out, which it is when
     * the run left the packet as it was; else null. Not kept otherwise: a reference stored into
     * this long-lived object costs a GC write barrier per run (see {@link #buffer()}).
     */
    private byte[] input;
    /**
     * Whether the packet array ({@link #buffer()}) is one of {@link #arrays}, which the next run overwrites: then data_out
     * is never that array itself but the input (unchanged) or a copy.
     */
    private boolean bufShared;
    /** Whether this run maps the caller's packet itself ({@link #begin(RunInput, boolean, boolean)}). */
    private boolean inputMapped;
    /**
     * A {@link #reusable} context's packet and frame arrays by length, kept from run to run: region 1
     * must be an array exactly data_end long (its end is the packet's end), and a trace has few
     * lengths, so a run usually copies the packet into an array it already has instead of
     * allocating one (a 1500-byte allocation per packet cost more than the program). Null for a
     * {@link #start}ed context, which allocates as before.
     */
    private final byte[][] arrays;
    /** Bytes held in {@link #arrays}; past {@link #ARRAYS_MAX_BYTES} further lengths are allocated per run. */
    private int arraysBytes;
    private static final int ARRAYS_MAX_BYTES = 1 << 20;
    /**
     * The XDP frame offset of {@code buffer()[0]}: a run starts with just the packet (and its metadata)
     * in region 1, {@code origin} bytes into the 4096-byte frame, and gets the real frame, headroom
     * and all, only when a helper moves its bounds ({@link #materializeFrame}). Most programs never
     * do, and then the packet is copied once in and not at all out. 0 for skb programs.
     */
    private int origin;
    private int data;
    private int dataEnd;
    private int dataMeta;

    private PacketContext(ProgramType type, ContextLayout layout, Memory memory, int ctxRegion, boolean reuse) {
        this.type = type;
        this.arrays = reuse ? new byte[XDP_FRAME + 1][] : null;
        this.memory = memory;
        this.ctxAddress = Memory.address(ctxRegion, 0);
        this.ctxImage = new byte[layout.size()];
        this.live = new byte[layout.size()];
    }

    /**
     * Why test_run would refuse this input (the errno name, then the reason), or why the userspace
     * engines cannot model it; empty when it is fine. Engines call it before they run; runners call
     * it to report a bad test file.
     */
    public static Optional<String> checkInput(ProgramType type, RunInput input) {
        ContextLayout layout = ContextLayout.of(type).orElse(null);
        if (layout == null) {
            return input.ctx() == null ? Optional.empty() : Optional.of("EINVAL: a raw program takes no context");
        }
        int len = input.data().length;
        if (type == ProgramType.XDP) {
            if (len < ETH_HLEN || len > XDP_MAX_LINEAR) {
                return Optional.of(len < ETH_HLEN ? "EINVAL: an XDP packet needs at least 14 bytes, got " + len
                        : "an XDP packet over " + XDP_MAX_LINEAR + " bytes (" + len
                                + ") goes to fragments, which the userspace engines do not model");
            }
        } else if (len < ETH_HLEN || len > SKB_MAX_DATA) {
            return Optional.of("EINVAL: a " + type.word() + " packet must be 14…" + SKB_MAX_DATA + " bytes, got " + len);
        } else {
            // test_run wants the whole network header of an IPv4 or IPv6 frame in the packet (measured on 6.18)
            int ethertype = (input.data()[12] & 0xff) << 8 | input.data()[13] & 0xff;
            int needed = ethertype == 0x0800 ? ETH_HLEN + 20 : ethertype == 0x86dd ? ETH_HLEN + 40 : 0;
            if (len < needed) {
                return Optional.of("EINVAL: an " + (ethertype == 0x0800 ? "IPv4" : "IPv6") + " frame for a " + type.word()
                        + " program needs " + needed + " bytes (the IP header), got " + len);
            }
        }
        if (input.ctx() == null) {
            return Optional.empty();
        }
        Optional<String> shape = layout.checkInput(input.ctx());
        if (shape.isPresent()) {
            return shape;
        }
        byte[] c = Arrays.copyOf(input.ctx(), layout.size());
        return type == ProgramType.XDP ? checkXdpValues(layout, c, len) : checkSkbValues(layout, c, type, len);
    }

    /**
     * The outcome of a run whose input test_run refuses ({@link #checkInput}): every engine gives
     * this same outcome, so a bad packet in a trace is not a disagreement.
     */
    public static dev.bpfh.spi.Outcome inputRefused(String reason) {
        return new dev.bpfh.spi.Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, "test_run input refused: " + reason);
    }

    private static Optional<String> checkXdpValues(ContextLayout l, byte[] c, int len) {
        long meta = get(l, c, "data");
        long end = get(l, c, "data_end");
        if (get(l, c, "data_meta") != 0 || get(l, c, "egress_ifindex") != 0) {
            return Optional.of("EINVAL: ctx_in data_meta and egress_ifindex must be 0");
        }
        if (meta > end || meta % 4 != 0 || meta > XDP_HEADROOM - XDP_FRAME_HEADER) {
            return Optional.of("EINVAL: ctx_in data (the metadata length) " + meta + " must be a multiple of 4, ≤ 216 and ≤ data_end");
        }
        if (end != len) {
            return Optional.of("ctx_in data_end " + end + " is not the packet length " + len
                    + ": the rest would go to fragments, which the userspace engines do not model");
        }
        if (end - meta < ETH_HLEN) {
            return Optional.of("EINVAL: the packet after " + meta + " bytes of metadata is " + (end - meta)
                    + " bytes; test_run wants at least an Ethernet header (14)");
        }
        return checkDevice(l, c, "ingress_ifindex").or(() -> get(l, c, "rx_queue_index") != 0
                ? Optional.of("EINVAL: rx_queue_index must be 0 (lo has one queue)") : Optional.empty());
    }

    private static Optional<String> checkSkbValues(ContextLayout l, byte[] c, ProgramType type, int len) {
        long wire = get(l, c, "wire_len");
        int skbLen = type == ProgramType.SOCKET_FILTER ? len - ETH_HLEN : len;
        if (wire != 0 && (wire < skbLen || wire > 65536)) {
            return Optional.of("EINVAL: ctx_in wire_len " + wire + " must be 0 or " + skbLen + "…65536");
        }
        if (get(l, c, "gso_segs") > 65535) {
            return Optional.of("EINVAL: ctx_in gso_segs must be ≤ 65535");
        }
        return checkDevice(l, c, "ifindex");
    }

    private static Optional<String> checkDevice(ContextLayout l, byte[] c, String field) {
        long ifindex = get(l, c, field);
        return ifindex == 0 || ifindex == LOOPBACK_IFINDEX ? Optional.empty()
                : Optional.of("ENODEV: ctx_in " + field + " " + ifindex
                        + " is not lo (1), the only device of the userspace engines");
    }

    private static long get(ContextLayout l, byte[] c, String name) {
        return ContextLayout.read(c, l.field(name).orElseThrow());
    }

    /**
     * Sets up one run: maps the packet as region 1 of {@code memory} and fills the context.
     * {@code ctxRegion} is a region the engine reserved and never maps, so r1 cannot be dereferenced
     * except through the accesses {@link ContextAccesses} found. The input must pass
     * {@link #checkInput}; it is copied, never modified.
     */
    public static PacketContext start(ProgramType type, RunInput input, Memory memory, int ctxRegion) {
        Optional<String> bad = checkInput(type, input);
        if (bad.isPresent()) {
            throw new IllegalArgumentException(bad.get());
        }
        PacketContext p = new PacketContext(type, ContextLayout.of(type).orElseThrow(), memory, ctxRegion, false);
        p.begin(input);
        return p;
    }

    /**
     * A context for runs of {@code type} on {@code memory}, one after another: {@link #begin} sets up
     * each. An engine keeps one per executable (one run at a time is the executable's contract), so
     * a run allocates only what leaves it: the packet array (data_out) and ctx_out.
     */
    public static PacketContext reusable(ProgramType type, Memory memory, int ctxRegion) {
        return new PacketContext(type, ContextLayout.of(type).orElseThrow(), memory, ctxRegion, true);
    }

    /**
     * Sets up the next run, as {@link #start} does, forgetting the last one. The input must pass
     * {@link #checkInput} (the caller has checked it, as it must report a refusal anyway); it is
     * copied, never modified, and nothing of the last run survives: the context image is zeroed and
     * the packet array holds a copy of the input, all of it.
     */
    public void begin(RunInput input) {
        begin(input, false, false);
    }

    /**
     * {@link #begin(RunInput)}, with what the engine proved of the program it runs.
     * {@code packetReadOnly}: nothing of the run can write region 1 in place (every store and helper
     * call checked: the XDP helpers that move a bound write only the frame {@link #materializeFrame}
     * copies the packet into); the caller's packet array itself is then region 1 and data_out, no
     * copy at all. {@code onFrame} (an XDP program that {@link #startsOnFrame}): the packet is
     * copied straight into the frame at the headroom's end, as {@link #materializeFrame} would at
     * the program's first bound move, one copy instead of two; it overrides {@code packetReadOnly},
     * since packet pointers are then frame offsets from the start, so every engine must decide it
     * the same way, by {@link #startsOnFrame} of the program it runs.
     */
    public void begin(RunInput input, boolean packetReadOnly, boolean onFrame) {
        this.input = input.dataOut() ? input.data() : null;
        boolean frameStart = onFrame && type == ProgramType.XDP;
        this.inputMapped = packetReadOnly && !frameStart; // the frame decides the pointers' values
        byte[] ctx = input.ctx();
        if (ctx == null) {
            ctxIn = null;
        } else {
            System.arraycopy(ctx, 0, ctxImage, 0, ctx.length);
            Arrays.fill(ctxImage, ctx.length, ctxImage.length, (byte) 0);
            ctxIn = ctxImage;
        }
        Arrays.fill(live, (byte) 0);
        if (type == ProgramType.XDP) {
            startXdp(input.data(), frameStart);
        } else {
            startSkb(input.data());
        }
    }

    private void startXdp(byte[] in, boolean onFrame) {
        int meta = ctxIn == null ? 0 : (int) ContextLayout.read(ctxIn, XDP_DATA);
        origin = XDP_HEADROOM - meta; // data_meta's place in the frame: data is at the headroom's end
        dataMeta = 0;
        data = meta;
        dataEnd = in.length;
        if (onFrame) {
            toFrame(in); // maps it
        } else {
            memory.map(Memory.INPUT_REGION, copyIn(in));
        }
        if (ctxIn != null) {
            System.arraycopy(ctxIn, 0, live, 0, live.length);
        }
        // without a context, or with ingress_ifindex 0, the frame arrives on lo's queue 0
        setIfZero(XDP_INGRESS_IFINDEX, LOOPBACK_IFINDEX);
    }

    /**
     * Whether the runs of {@code program} start on the XDP frame ({@link #begin(RunInput, boolean,
     * boolean)}): it is an XDP program that may move a bound of its packet, as it calls
     * bpf_xdp_adjust_head, _meta or _tail, or a helper by register ({@code callx}), which could be
     * any of them. Such a program usually does move one, and then it pays for the frame anyway.
     * The engines decide by this one rule, so their packet pointers stay equal.
     */
    public static boolean startsOnFrame(Program program) {
        if (program.type() != ProgramType.XDP) {
            return false;
        }
        for (int pc : program.instructionPcs()) {
            long w = program.slot(pc);
            int op = Insn.opcode(w);
            if (op == Opcodes.CALLX || op == Opcodes.CALL_IMM && Insn.src(w) == Opcodes.CALL_HELPER
                    && movesBound(Insn.imm(w))) {
                return true;
            }
        }
        return false;
    }

    private static boolean movesBound(int helper) {
        return helper == HelperAvailability.XDP_ADJUST_HEAD || helper == HelperAvailability.XDP_ADJUST_META
                || helper == HelperAvailability.XDP_ADJUST_TAIL;
    }

    private void startSkb(byte[] in) {
        byte[] buf = copyIn(in);
        memory.map(Memory.INPUT_REGION, buf);
        data = type == ProgramType.SOCKET_FILTER ? ETH_HLEN : 0; // a socket filter sees L3 on
        dataEnd = buf.length;
        dataMeta = data;
        if (ctxIn != null) {
            for (ContextField f : SKB_IN) {
                // the kernel keeps kernelWidth bytes (gso_size is a u16 in skb_shared_info): the rest is lost
                long v = ContextLayout.read(ctxIn, f);
                ContextLayout.write(live, f, f.kernelWidth() < 8 ? v & ((1L << 8 * f.kernelWidth()) - 1) : v);
            }
        }
        int skbLen = dataEnd - data;
        ContextLayout.write(live, SKB_LEN, skbLen);
        ContextLayout.write(live, SKB_PKT_TYPE, packetType(buf));
        ContextLayout.write(live, SKB_PROTOCOL, protocol(buf));
        setIfZero(SKB_IFINDEX, LOOPBACK_IFINDEX);
        if (ctxIn != null) {
            setIfZero(SKB_WIRE_LEN, skbLen); // wire_len is 0 without ctx_in (programs.md §4.2)
        }
    }

    /** A copy of the packet: in a kept array of its length ({@link #arrays}) when there is one. */
    private byte[] copyIn(byte[] in) {
        if (inputMapped) {
            bufShared = false;
            return in;
        }
        byte[] a = array(in.length);
        if (a == null) {
            bufShared = false;
            return in.clone();
        }
        System.arraycopy(in, 0, a, 0, in.length);
        bufShared = true;
        return a;
    }

    /**
     * The kept array of {@code length} bytes (contents left from an earlier run), or null for a
     * {@link #start}ed context or when the arrays kept already hold {@link #ARRAYS_MAX_BYTES}.
     */
    private byte[] array(int length) {
        if (arrays == null) {
            return null;
        }
        byte[] a = arrays[length];
        if (a == null && arraysBytes + length <= ARRAYS_MAX_BYTES) {
            a = arrays[length] = new byte[length];
            arraysBytes += length;
        }
        return a;
    }

    /** skb->pkt_type as eth_type_trans sets it on lo, whose own and broadcast addresses are zero. */
    private static int packetType(byte[] frame) {
        boolean zero = true;
        for (int i = 0; i < 6; i++) {
            zero &= frame[i] == 0;
        }
        if (zero) {
            return 0; // PACKET_HOST
        }
        return (frame[0] & 1) != 0 ? 2 : 3; // PACKET_MULTICAST (ff:ff:… too), PACKET_OTHERHOST
    }

    /** skb->protocol (a __be16, read as the bytes lie) as eth_type_trans derives it. */
    private static int protocol(byte[] f) {
        int ethertype = (f[12] & 0xff) << 8 | f[13] & 0xff;
        if (ethertype >= 0x600) {
            return (f[12] & 0xff) | (f[13] & 0xff) << 8;
        }
        boolean rawIpx = f.length >= 16 && (f[14] & 0xff) == 0xff && (f[15] & 0xff) == 0xff;
        return rawIpx ? 0x0100 : 0x0400; // htons(ETH_P_802_3), htons(ETH_P_802_2)
    }

    private void setIfZero(ContextField f, long value) {
        if (ContextLayout.read(live, f) == 0) {
            ContextLayout.write(live, f, value);
        }
    }

    public ProgramType type() {
        return type;
    }

    /** What r1 holds at entry (and what a tail call passes on). */
    public long ctxAddress() {
        return ctxAddress;
    }

    // ---- context accesses ---------------------------------------------------------------------

    /** A context load at {@code pc} through {@code base} (which must be the context pointer). */
    public long load(Access a, long base, int pc) {
        checkBase(a, base, pc);
        ContextField f = a.field();
        switch (f.pointer()) {
            case DATA -> {
                return Memory.address(Memory.INPUT_REGION, data);
            }
            case DATA_END -> {
                return Memory.address(Memory.INPUT_REGION, dataEnd);
            }
            case DATA_META -> {
                return Memory.address(Memory.INPUT_REGION, dataMeta);
            }
            case NONE -> { }
        }
        int bytes = a.bytes();
        if (f.kernelWidth() < f.size() && bytes < f.kernelWidth() || f.kernelWidth() == f.size()) {
            return littleEndian(live, a.offset(), bytes); // the narrow-load quirk: like memory (§4.4)
        }
        return ContextLayout.read(live, f); // a load at least as wide as the kernel's field: all of it
    }

    /** A context store at {@code pc} through {@code base}, with the kernel's per-field rules. */
    public void store(Access a, long base, long value, int pc) {
        checkBase(a, base, pc);
        ContextField f = a.field();
        switch (f.offset()) { // the __sk_buff fields with store rules of their own (programs.md §4.2)
            case QUEUE_MAPPING_OFFSET -> {
                if ((value & 0xffffffffL) < 0xffff) { // a larger value is ignored
                    ContextLayout.write(live, f, value & 0xffff);
                }
            }
            case TC_INDEX_OFFSET, TC_CLASSID_OFFSET -> ContextLayout.write(live, f, value & 0xffff);
            default -> {
                for (int b = 0; b < a.bytes(); b++) {
                    live[a.offset() + b] = (byte) (value >>> (8 * b));
                }
            }
        }
    }

    private void checkBase(Access a, long base, int pc) {
        if (base != ctxAddress) {
            throw new Trap(TrapKind.OUT_OF_BOUNDS, pc, String.format(
                    "context %s of %s through 0x%x, which is not the context pointer", a.store() ? "store" : "load",
                    a.field().name(), base));
        }
    }

    private static long littleEndian(byte[] b, int at, int bytes) {
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xffL);
        }
        return v;
    }

    /**
     * LD_ABS / LD_IND: {@code bytes} (1, 2 or 4) big-endian at {@code offset} from skb->data, or
     * from the link-layer or network header for the SKF_* bases. Returns -1 when out of range: the
     * program then exits at once with r0 = 0 (programs.md §4.2).
     */
    public long loadAbsolute(int offset, int bytes) {
        long pos;
        if (offset >= 0) {
            pos = (long) data + offset;
        } else if (offset >= SKF_NET_OFF) {
            pos = ETH_HLEN + (long) (offset - SKF_NET_OFF);
        } else if (offset >= SKF_LL_OFF) {
            pos = offset - SKF_LL_OFF;
        } else {
            return -1;
        }
        if (pos + bytes > dataEnd) {
            return -1;
        }
        byte[] buf = buffer();
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = (v << 8) | (buf[(int) pos + i] & 0xffL);
        }
        return v;
    }

    // ---- for helpers --------------------------------------------------------------------------

    /**
     * The packet array (region 1). Helpers that resize it call {@link #replaceBuffer}. Read from
     * the memory's table rather than kept in a field: a reference stored into a long-lived object
     * costs a GC write barrier (G1's, with a StoreLoad fence, once the object is in the old
     * generation), and a run already stores this one there.
     */
    public byte[] buffer() {
        return memory.region(Memory.INPUT_REGION);
    }

    public int data() {
        return data;
    }

    public int dataEnd() {
        return dataEnd;
    }

    public int dataMeta() {
        return dataMeta;
    }

    /**
     * Makes {@link #buffer()} the whole XDP frame from offset 0, so that offsets in it are frame
     * offsets (programs.md §4.1's geometry: data at 256, the first 40 bytes reserved, data_end at
     * most 3776) and the headroom exists. The XDP helpers call it before they move a bound; packet
     * pointers the program holds go stale, as the verifier requires them to be reloaded anyway.
     */
    public void materializeFrame() {
        if (origin != 0) {
            toFrame(buffer());
        }
    }

    /** Maps the frame with {@code packet} (data_meta to data_end) at {@link #origin}; bounds become frame offsets. */
    private void toFrame(byte[] packet) {
        byte[] frame = array(origin + packet.length);
        if (frame == null) {
            frame = new byte[origin + packet.length];
            bufShared = false;
        } else {
            Arrays.fill(frame, 0, origin, (byte) 0); // the headroom a run sees is zeros, as in a new frame
            bufShared = true;
        }
        System.arraycopy(packet, 0, frame, origin, packet.length);
        dataMeta += origin;
        data += origin;
        dataEnd += origin;
        origin = 0;
        memory.map(Memory.INPUT_REGION, frame);
    }

    /** Moves the packet's bounds (xdp_adjust_head/meta): offsets in {@link #buffer()}. */
    public void setBounds(int dataMeta, int data) {
        this.dataMeta = dataMeta;
        this.data = data;
    }

    /** Replaces the packet array (xdp_adjust_tail): its length is the new data_end. */
    public void replaceBuffer(byte[] newBuf) {
        bufShared = false;
        dataEnd = newBuf.length;
        memory.map(Memory.INPUT_REGION, newBuf);
    }

    // ---- results ------------------------------------------------------------------------------

    /** test_run's retval: the low 32 bits of r0. */
    public static long retval(long r0) {
        return r0 & 0xffffffffL;
    }

    /**
     * test_run's data_out, once the run is over: the packet array itself when it is exactly the
     * output and no later run reuses it (no copy), the caller's own input array when a reused
     * packet array came out unchanged (no copy either: runs never write either one again), else a
     * copy of the part that is the output. The context is not used after this, and not called for
     * a run that wants no data_out ({@link RunInput#dataOut()} false).
     */
    public byte[] dataOut() {
        byte[] buf = buffer();
        if (type == ProgramType.XDP && (dataMeta != 0 || dataEnd != buf.length)) {
            int n = dataEnd - dataMeta;
            // a run on the frame that left the packet as it came: the caller's own array, as below
            if (n == input.length && Arrays.equals(buf, dataMeta, dataEnd, input, 0, n)) {
                return input;
            }
            return Arrays.copyOfRange(buf, dataMeta, dataEnd);
        }
        if (type == ProgramType.SOCKET_FILTER) {
            byte[] out = bufShared || buf == input ? buf.clone() : buf;
            Arrays.fill(out, 0, ETH_HLEN, (byte) 0); // the pulled Ethernet header comes back as zeros
            return out;
        }
        if (!bufShared) {
            return buf; // a fresh copy, or the caller's packet that nothing could write
        }
        // buf is the next run's too: the caller's own packet when the run left it as it was (most
        // programs only read it; neither array is written again), else a copy
        return Arrays.equals(buf, input) ? input : buf.clone();
    }

    /** test_run's ctx_out, or null when the run was given no context. */
    public byte[] ctxOut() {
        if (ctxIn == null) {
            return null;
        }
        byte[] out = ctxIn.clone();
        if (type == ProgramType.XDP) {
            ContextLayout.write(out, XDP_DATA, data - dataMeta);
            ContextLayout.write(out, XDP_DATA_END, dataEnd - dataMeta);
            return out;
        }
        for (ContextField f : SKB_OUT) {
            ContextLayout.write(out, f, ContextLayout.read(live, f));
        }
        return out;
    }
}
