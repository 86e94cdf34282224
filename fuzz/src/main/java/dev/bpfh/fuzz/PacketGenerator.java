package dev.bpfh.fuzz;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.ctx.ContextField;
import dev.bpfh.ctx.ContextLayout;
import dev.bpfh.ctx.ContextLayout.Access;
import dev.bpfh.ctx.HelperAvailability;
import dev.bpfh.ctx.PacketContext;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The {@code packet} profile: XDP, tc and socket filter programs the kernel verifier accepts, made
 * of the pieces real packet programs are made of, run on random frames ({@link PacketInputs}) with
 * and without a ctx_in. Every result is a function of the packet, the context and the maps, so the
 * kernel is the oracle for retval, data_out and ctx_out.
 *
 * <p>Registers keep one role for the whole program, which is what keeps it verifiable without a
 * model of the verifier: r6 = the context (LD_ABS needs it there), r7 = the accumulator every value
 * read is folded into (the result), r8 = the last value read (map keys and branch conditions come
 * from it), r9 = a scratch scalar; r0-r5 are scratch inside one piece. The 80 bytes under r10 are
 * zeroed first (helper buffer at -64, map key at -72, map value at -80), so no stack read sees the
 * kernel's uninitialised stack. Packet pointers are loaded from the context at the start of every
 * piece that uses them, as the verifier requires after a helper that may move the packet.
 *
 * <p>Pieces: context loads of every readable field at every size and byte offset the layout allows
 * (the narrow-load quirks, programs.md §4.4), stores to the writable fields (with the values whose
 * handling differs: queue_mapping ≥ 0xffff, tc_classid over 16 bits) read back, bounds-checked
 * direct packet loads and stores (data and data_meta), byte loops over the packet, LD_ABS/LD_IND
 * (in and out of range, the SKF_NET_OFF/SKF_LL_OFF bases), the packet helpers with valid and
 * invalid arguments (errno results are compared like any value), and array/hash maps keyed by
 * packet bytes. A piece may be guarded by a branch on r8, and the program may exit early.
 */
public final class PacketGenerator {

    static final ProgramType[] TYPES = {ProgramType.XDP, ProgramType.SCHED_CLS, ProgramType.SOCKET_FILTER};
    static final int CTX = 6, ACC = 7, LAST = 8, TMP = 9;
    static final int BUF = -64, KEY = -72, VALUE = -80;
    /** Map 0 is an ARRAY, map 1 a HASH; both keyed by u32, holding u64. */
    static final List<MapSpec> MAPS = List.of(new MapSpec("arr", MapType.ARRAY, 4, 8, 16, 0),
            new MapSpec("hash", MapType.HASH, 4, 8, 32, 0));

    /** The context accesses the verifier accepts, per type: loads of values, and stores. */
    private record Accesses(List<Access> loads, List<Access> stores) {}

    private static final Map<ProgramType, Accesses> ACCESSES = new EnumMap<>(ProgramType.class);

    static {
        for (ProgramType t : TYPES) {
            ContextLayout l = ContextLayout.of(t).orElseThrow();
            List<Access> loads = new ArrayList<>();
            List<Access> stores = new ArrayList<>();
            for (int bytes = 1; bytes <= 8; bytes *= 2) {
                for (int off = 0; off + bytes <= l.size(); off += bytes) {
                    add(l, off, bytes, false, loads);
                    add(l, off, bytes, true, stores);
                }
            }
            ACCESSES.put(t, new Accesses(List.copyOf(loads), List.copyOf(stores)));
        }
    }

    private static void add(ContextLayout l, int off, int bytes, boolean store, List<Access> to) {
        try {
            Access a = l.check(off, bytes, store);
            if (a.field().pointer() == ContextField.PacketPointer.NONE) {
                to.add(a);
            }
        } catch (IllegalArgumentException refused) {
            // not an access the verifier accepts
        }
    }

    private final SplittableRandom rnd;
    private final ProgramType type;
    private final ContextLayout layout;
    private final Accesses accesses;
    private final List<Long> code = new ArrayList<>();
    private boolean usesMaps;

    private PacketGenerator(SplittableRandom rnd, ProgramType type) {
        this.rnd = rnd;
        this.type = type;
        this.layout = ContextLayout.of(type).orElseThrow();
        this.accesses = ACCESSES.get(type);
    }

    /** Case {@code index} of the campaign seeded {@code seed}, with {@code inputs} packets. */
    public static FuzzCase generate(long seed, long index, int inputs) {
        SplittableRandom rnd = Seeds.forCase(seed, index);
        ProgramType type = TYPES[rnd.nextInt(TYPES.length)];
        Program program = new PacketGenerator(rnd, type).program("packet-" + index);
        List<RunInput> in = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            in.add(PacketInputs.random(rnd, type));
        }
        return new FuzzCase(index, "packet", program, in, true, true);
    }

    private Program program(String name) {
        emit(ALU64 | MOV | SRC_X, CTX, 1, 0, 0);
        emit(ALU64 | MOV | SRC_K, ACC, 0, 0, imm());
        emit(ALU64 | MOV | SRC_K, LAST, 0, 0, 0);
        emit(ALU64 | MOV | SRC_K, TMP, 0, 0, 0);
        for (int off = -8; off >= VALUE; off -= 8) {
            emit(ST | MODE_MEM | SIZE_DW, 10, 0, off, 0);
        }
        int pieces = rnd.nextInt(2, 14);
        for (int i = 0; i < pieces; i++) {
            int roll = rnd.nextInt(100);
            if (roll < 15) {
                guarded();
            } else if (roll < 19) {
                earlyExit();
            } else {
                piece();
            }
        }
        exit();
        long[] slots = new long[code.size()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = code.get(i);
        }
        return new Program(name, slots, usesMaps ? MAPS : List.of(), type);
    }

    // ---- structure ---------------------------------------------------------------------------------

    private static final int[] CONDITIONS = {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE};

    /** {@code if r8 <cond> imm goto skip; piece; skip:} */
    private void guarded() {
        int cls = rnd.nextBoolean() ? JMP : JMP32;
        int jump = pc();
        emit(cls | CONDITIONS[rnd.nextInt(CONDITIONS.length)] | SRC_K, LAST, 0, 0, smallImm());
        piece();
        aim(jump, pc());
    }

    private void earlyExit() {
        int jump = pc();
        emit(JMP | CONDITIONS[rnd.nextInt(CONDITIONS.length)] | SRC_K, LAST, 0, 0, smallImm());
        exit();
        aim(jump, pc());
    }

    private void exit() {
        emit(ALU64 | MOV | SRC_X, 0, ACC, 0, 0);
        switch (rnd.nextInt(4)) {
            case 0 -> emit(ALU64 | AND | SRC_K, 0, 0, 0, type == ProgramType.XDP ? 3 : 0xff); // a plausible verdict
            case 1 -> emit(ALU64 | RSH | SRC_K, 0, 0, 0, rnd.nextInt(1, 40));
            default -> { }
        }
        emit(EXIT_OP, 0, 0, 0, 0);
    }

    private void piece() {
        boolean direct = layout.field("data").orElseThrow().loadable(4);
        boolean absolute = HelperAvailability.takesPacketLoads(type);
        for (int tries = 0; tries < 20; tries++) {
            switch (rnd.nextInt(16)) {
                case 0, 1 -> {
                    ctxLoad();
                    return;
                }
                case 2 -> {
                    if (!accesses.stores().isEmpty()) {
                        ctxStore();
                        return;
                    }
                }
                case 3, 4 -> {
                    if (direct) {
                        packetAccess();
                        return;
                    }
                }
                case 5 -> {
                    if (direct) {
                        byteLoop();
                        return;
                    }
                }
                case 6, 7 -> {
                    if (absolute) {
                        loadAbsolute();
                        return;
                    }
                }
                case 8 -> {
                    if (available(HelperAvailability.SKB_LOAD_BYTES)) {
                        skbLoadBytes();
                        return;
                    }
                }
                case 9 -> {
                    if (available(HelperAvailability.SKB_STORE_BYTES)) {
                        skbStoreBytes();
                        return;
                    }
                }
                case 10 -> {
                    if (available(HelperAvailability.CSUM_DIFF)) {
                        csumDiff();
                        return;
                    }
                }
                case 11 -> {
                    if (available(HelperAvailability.L3_CSUM_REPLACE)) {
                        csumReplace();
                        return;
                    }
                }
                case 12, 13 -> {
                    if (type == ProgramType.XDP) {
                        xdpAdjust();
                        return;
                    }
                }
                case 14 -> {
                    map();
                    return;
                }
                default -> {
                    accumulate();
                    return;
                }
            }
        }
        ctxLoad();
    }

    private boolean available(int helper) {
        return HelperAvailability.available(type, helper);
    }

    // ---- context ----------------------------------------------------------------------------------

    private void ctxLoad() {
        Access a = accesses.loads().get(rnd.nextInt(accesses.loads().size()));
        int dst = rnd.nextInt(6);
        emit(LDX | MODE_MEM | size(a.bytes()), dst, CTX, a.offset(), 0);
        fold(dst);
    }

    private void ctxStore() {
        Access a = accesses.stores().get(rnd.nextInt(accesses.stores().size()));
        switch (rnd.nextInt(4)) {
            case 0 -> emit(ALU64 | MOV | SRC_X, TMP, ACC, 0, 0);
            case 1 -> emit(ALU64 | MOV | SRC_X, TMP, LAST, 0, 0);
            default -> {
                long v = fieldValue();
                emit(LDDW, TMP, 0, 0, (int) v);
                emit(0, 0, 0, 0, (int) (v >>> 32));
            }
        }
        emit(STX | MODE_MEM | size(a.bytes()), CTX, TMP, a.offset(), 0);
        if (rnd.nextInt(3) != 0) { // read it back: what the kernel kept of the value
            List<Access> same = accesses.loads().stream().filter(l -> l.field().equals(a.field())).toList();
            if (!same.isEmpty()) {
                Access l = same.get(rnd.nextInt(same.size()));
                emit(LDX | MODE_MEM | size(l.bytes()), 0, CTX, l.offset(), 0);
                fold(0);
            }
        }
    }

    /** Values around the limits of the fields the kernel truncates or ignores. */
    private long fieldValue() {
        return switch (rnd.nextInt(4)) {
            case 0 -> new long[] {0, 1, 0xfffe, 0xffff, 0x10000, 0x1ffff, 0x7fffffff, 0x80000000L, 0xffffffffL,
                -1L, 0x100000000L, 0x123456789abcdefL}[rnd.nextInt(12)];
            case 1 -> rnd.nextLong();
            case 2 -> rnd.nextInt(0, 0x20000);
            default -> rnd.nextInt() & 0xffffffffL;
        };
    }

    // ---- direct packet access ------------------------------------------------------------------------

    /** Loads the packet pointers: data (or data_meta) into r2, data_end (or data) into r3. */
    private void pointers(boolean meta) {
        if (meta) {
            emit(LDX | MODE_MEM | SIZE_W, 2, CTX, offset("data_meta"), 0);
            emit(LDX | MODE_MEM | SIZE_W, 3, CTX, offset("data"), 0);
        } else {
            emit(LDX | MODE_MEM | SIZE_W, 2, CTX, offset("data"), 0);
            emit(LDX | MODE_MEM | SIZE_W, 3, CTX, offset("data_end"), 0);
        }
    }

    private int offset(String field) {
        return layout.field(field).orElseThrow().offset();
    }

    /** {@code r4 = r2 + K; if r4 > r3 goto out;} then loads and stores at {@code [r2 + k]}, k + size ≤ K. */
    private void packetAccess() {
        boolean meta = rnd.nextInt(5) == 0;
        pointers(meta);
        int span = switch (rnd.nextInt(6)) {
            case 0 -> rnd.nextInt(1, 9);
            case 1, 2 -> rnd.nextInt(8, 65);
            case 3 -> new int[] {14, 20, 34, 38, 42, 54, 60, 64}[rnd.nextInt(8)];
            case 4 -> rnd.nextInt(64, 600);
            default -> rnd.nextInt(600, 1600);
        };
        emit(ALU64 | MOV | SRC_X, 4, 2, 0, 0);
        emit(ALU64 | ADD | SRC_K, 4, 0, 0, span);
        int check = pc();
        if (rnd.nextBoolean()) {
            emit(JMP | JGT | SRC_X, 4, 3, 0, 0);
        } else {
            emit(JMP | JLT | SRC_X, 3, 4, 0, 0);
        }
        int ops = rnd.nextInt(1, 6);
        for (int i = 0; i < ops; i++) {
            int bytes = 1 << rnd.nextInt(Math.min(4, 32 - Integer.numberOfLeadingZeros(span)));
            if (bytes > span) {
                bytes = 1;
            }
            int at = rnd.nextInt(0, span - bytes + 1);
            if (rnd.nextInt(3) == 0) {
                if (rnd.nextBoolean()) {
                    emit(ST | MODE_MEM | size(bytes), 2, 0, at, imm());
                } else {
                    emit(STX | MODE_MEM | size(bytes), 2, rnd.nextBoolean() ? ACC : LAST, at, 0);
                }
            } else {
                emit(LDX | MODE_MEM | size(bytes), 5, 2, at, 0);
                fold(5);
            }
        }
        aim(check, pc());
    }

    /** A loop over the packet, {@code stride} bytes a step, at most {@code trips} steps, each bounds-checked. */
    private void byteLoop() {
        int stride = new int[] {1, 1, 2, 4}[rnd.nextInt(4)];
        int trips = new int[] {4, 16, 40, 100, 400, 1600}[rnd.nextInt(6)] / stride;
        pointers(false);
        if (rnd.nextBoolean()) {
            emit(ALU64 | ADD | SRC_K, 2, 0, 0, rnd.nextInt(0, 40)); // start past the Ethernet header
        }
        emit(ALU64 | MOV | SRC_K, 5, 0, 0, 0);
        int head = pc();
        emit(ALU64 | MOV | SRC_X, 4, 2, 0, 0);
        emit(ALU64 | ADD | SRC_K, 4, 0, 0, stride);
        int check = pc();
        emit(JMP | JGT | SRC_X, 4, 3, 0, 0);
        emit(LDX | MODE_MEM | size(stride), 0, 2, 0, 0);
        emit(ALU64 | MUL | SRC_K, ACC, 0, 0, 31);
        emit(ALU64 | ADD | SRC_X, ACC, 0, 0, 0);
        emit(ALU64 | ADD | SRC_K, 2, 0, 0, stride);
        emit(ALU64 | ADD | SRC_K, 5, 0, 0, 1);
        emit(JMP | JLT | SRC_K, 5, 0, head - (pc() + 1), trips);
        aim(check, pc());
        fold(5);
    }

    // ---- LD_ABS / LD_IND -----------------------------------------------------------------------------

    private void loadAbsolute() {
        int size = new int[] {SIZE_B, SIZE_H, SIZE_W}[rnd.nextInt(3)];
        int off = switch (rnd.nextInt(8)) {
            case 0, 1 -> rnd.nextInt(0, 60);
            case 2 -> rnd.nextInt(0, 1600);
            case 3 -> PacketContext.SKF_NET_OFF + rnd.nextInt(0, 48);
            case 4 -> PacketContext.SKF_LL_OFF + rnd.nextInt(0, 64);
            case 5 -> new int[] {-1, -4, PacketContext.SKF_LL_OFF - 1, PacketContext.SKF_NET_OFF - 1, 0x7fffffff,
                Integer.MIN_VALUE}[rnd.nextInt(6)];
            default -> rnd.nextInt(0, 20) + 12;
        };
        if (rnd.nextBoolean()) {
            emit(LD | MODE_ABS | size, 0, 0, 0, off);
        } else {
            switch (rnd.nextInt(3)) {
                case 0 -> emit(ALU64 | MOV | SRC_K, TMP, 0, 0, rnd.nextInt(0, 64));
                case 1 -> { // a header length read from the packet: ihl * 4
                    emit(ALU64 | MOV | SRC_X, TMP, LAST, 0, 0);
                    emit(ALU64 | AND | SRC_K, TMP, 0, 0, 0xf);
                    emit(ALU64 | LSH | SRC_K, TMP, 0, 0, 2);
                }
                default -> {
                    emit(ALU64 | MOV | SRC_X, TMP, LAST, 0, 0);
                    emit(ALU64 | AND | SRC_K, TMP, 0, 0, rnd.nextBoolean() ? 0x3f : 0x7ff);
                }
            }
            emit(LD | MODE_IND | size, 0, TMP, 0, rnd.nextInt(4) == 0 ? off : rnd.nextInt(0, 40));
        }
        fold(0);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private void call(int helper) {
        emit(CALL_IMM, 0, CALL_HELPER, 0, helper);
    }

    /** r{reg} = r10 + off */
    private void stackPointer(int reg, int off) {
        emit(ALU64 | MOV | SRC_X, reg, 10, 0, 0);
        emit(ALU64 | ADD | SRC_K, reg, 0, 0, off);
    }

    /** A packet offset for a helper: in the headers, anywhere, past the end, or from r8. */
    private void packetOffset(int reg) {
        if (rnd.nextInt(4) == 0) {
            emit(ALU64 | MOV | SRC_X, reg, LAST, 0, 0);
            emit(ALU64 | AND | SRC_K, reg, 0, 0, 0x7ff);
            return;
        }
        int off = switch (rnd.nextInt(6)) {
            case 0, 1 -> rnd.nextInt(0, 64);
            case 2 -> rnd.nextInt(0, 1600);
            case 3 -> new int[] {-1, -14, 0x7fffffff, Integer.MIN_VALUE, 65535}[rnd.nextInt(5)];
            default -> new int[] {12, 14, 23, 24, 26, 30, 34, 36, 40, 50, 54, 56}[rnd.nextInt(12)];
        };
        emit(ALU64 | MOV | SRC_K, reg, 0, 0, off);
    }

    private void skbLoadBytes() {
        int len = rnd.nextInt(1, 65);
        emit(ALU64 | MOV | SRC_X, 1, CTX, 0, 0);
        packetOffset(2);
        stackPointer(3, BUF);
        emit(ALU64 | MOV | SRC_K, 4, 0, 0, len);
        call(HelperAvailability.SKB_LOAD_BYTES);
        fold(0);
        for (int i = rnd.nextInt(1, 3); i > 0; i--) {
            int at = rnd.nextInt(0, (len + 7) / 8) * 8;
            emit(LDX | MODE_MEM | SIZE_DW, 0, 10, BUF + at, 0);
            fold(0);
        }
    }

    private void skbStoreBytes() {
        emit(STX | MODE_MEM | SIZE_DW, 10, ACC, BUF + 8 * rnd.nextInt(0, 8), 0);
        emit(ALU64 | MOV | SRC_X, 1, CTX, 0, 0);
        packetOffset(2);
        stackPointer(3, BUF);
        emit(ALU64 | MOV | SRC_K, 4, 0, 0, rnd.nextInt(1, 65));
        emit(ALU64 | MOV | SRC_K, 5, 0, 0, new int[] {0, 0, 1, 2, 3, 4, 0x10}[rnd.nextInt(7)]);
        call(HelperAvailability.SKB_STORE_BYTES);
        fold(0);
    }

    private void csumDiff() {
        emit(STX | MODE_MEM | SIZE_DW, 10, ACC, BUF + 8 * rnd.nextInt(0, 8), 0);
        int[] sizes = {0, 4, 8, 12, 16, 20, 28, 32, 2, 5, 30};
        int from = sizes[rnd.nextInt(sizes.length)];
        int to = sizes[rnd.nextInt(sizes.length)];
        if (from == 0 && rnd.nextBoolean()) {
            emit(ALU64 | MOV | SRC_K, 1, 0, 0, 0);
        } else {
            stackPointer(1, BUF);
        }
        emit(ALU64 | MOV | SRC_K, 2, 0, 0, from);
        stackPointer(3, BUF + 32);
        emit(ALU64 | MOV | SRC_K, 4, 0, 0, to);
        if (rnd.nextBoolean()) {
            emit(ALU64 | MOV | SRC_X, 5, ACC, 0, 0);
        } else {
            emit(ALU64 | MOV | SRC_K, 5, 0, 0, imm());
        }
        call(HelperAvailability.CSUM_DIFF);
        fold(0);
    }

    /** l3_csum_replace or l4_csum_replace, with valid and invalid sizes and flags. */
    private void csumReplace() {
        boolean l4 = rnd.nextBoolean();
        emit(ALU64 | MOV | SRC_X, 1, CTX, 0, 0);
        packetOffset(2);
        emit(ALU64 | MOV | SRC_X, 3, LAST, 0, 0);
        if (rnd.nextInt(4) == 0) {
            emit(ALU64 | MOV | SRC_K, 3, 0, 0, 0); // size 0 wants from = 0 (a diff in to)
        }
        emit(ALU64 | MOV | SRC_X, 4, ACC, 0, 0);
        int size = new int[] {0, 2, 4, 2, 4, 1, 3, 8}[rnd.nextInt(8)];
        int flags = size;
        if (l4 && rnd.nextBoolean()) {
            flags |= new int[] {0x10, 0x20, 0x40, 0x30, 0x80, 0x100}[rnd.nextInt(6)];
        } else if (rnd.nextInt(6) == 0) {
            flags |= 0x10;
        }
        emit(ALU64 | MOV | SRC_K, 5, 0, 0, flags);
        call(l4 ? HelperAvailability.L4_CSUM_REPLACE : HelperAvailability.L3_CSUM_REPLACE);
        fold(0);
    }

    private void xdpAdjust() {
        int helper = new int[] {HelperAvailability.XDP_ADJUST_HEAD, HelperAvailability.XDP_ADJUST_META,
            HelperAvailability.XDP_ADJUST_TAIL}[rnd.nextInt(3)];
        int delta = switch (helper) {
            case HelperAvailability.XDP_ADJUST_HEAD -> rnd.nextInt(4) == 0
                    ? new int[] {-256, -257, -216, -217, 1500, 4000, Integer.MIN_VALUE}[rnd.nextInt(7)] : rnd.nextInt(-64, 80);
            case HelperAvailability.XDP_ADJUST_META -> rnd.nextInt(4) == 0
                    ? new int[] {-256, -216, -220, -3, 2, 5, 64}[rnd.nextInt(7)] : -4 * rnd.nextInt(0, 12) + (rnd.nextInt(8) == 0 ? 4 : 0);
            default -> rnd.nextInt(4) == 0
                    ? new int[] {-1514, -1500, 2000, 3000, Integer.MIN_VALUE, 0x7fffffff}[rnd.nextInt(6)] : rnd.nextInt(-200, 300);
        };
        emit(ALU64 | MOV | SRC_X, 1, CTX, 0, 0);
        emit(ALU64 | MOV | SRC_K, 2, 0, 0, delta);
        call(helper);
        fold(0);
        if (rnd.nextBoolean()) {
            packetAccess(); // the pointers re-loaded after the packet moved
        }
    }

    // ---- maps -----------------------------------------------------------------------------------

    /** A key from the last value read (packet or context bytes), then a lookup, an update or a delete. */
    private void map() {
        usesMaps = true;
        int map = rnd.nextInt(MAPS.size());
        emit(ALU64 | MOV | SRC_X, TMP, LAST, 0, 0);
        emit(ALU64 | AND | SRC_K, TMP, 0, 0, rnd.nextBoolean() ? 0xf : 0x3f);
        emit(STX | MODE_MEM | SIZE_W, 10, TMP, KEY, 0);
        emit(LDDW, 1, PSEUDO_MAP_FD, 0, map);
        emit(0, 0, 0, 0, 0);
        stackPointer(2, KEY);
        switch (rnd.nextInt(4)) {
            case 0, 1 -> {
                call(1);
                int check = pc();
                emit(JMP | JEQ | SRC_K, 0, 0, 0, 0);
                emit(LDX | MODE_MEM | SIZE_DW, 3, 0, 0, 0);
                fold(3);
                if (rnd.nextBoolean()) {
                    emit(ATOMIC_DW, 0, ACC, 0, ATOMIC_ADD);
                } else {
                    emit(STX | MODE_MEM | SIZE_DW, 0, ACC, 0, 0);
                }
                aim(check, pc());
            }
            case 2 -> {
                emit(STX | MODE_MEM | SIZE_DW, 10, ACC, VALUE, 0);
                stackPointer(3, VALUE);
                emit(ALU64 | MOV | SRC_K, 4, 0, 0, new int[] {0, 0, 1, 2, 4}[rnd.nextInt(5)]);
                call(2);
                fold(0);
            }
            default -> {
                call(3);
                fold(0);
            }
        }
    }

    // ---- values --------------------------------------------------------------------------------------

    /** r7 = r7 * FNV prime ^ r{reg}; now and then r8 = r{reg}. */
    private void fold(int reg) {
        emit(ALU64 | MUL | SRC_K, ACC, 0, 0, 0x01000193);
        emit(ALU64 | (rnd.nextBoolean() ? XOR : ADD) | SRC_X, ACC, reg, 0, 0);
        if (rnd.nextInt(3) != 0) {
            emit(ALU64 | MOV | SRC_X, LAST, reg, 0, 0);
        }
    }

    private static final int[] ACC_OPS = {ADD, SUB, MUL, OR, AND, XOR, LSH, RSH, ARSH};

    private void accumulate() {
        int op = ACC_OPS[rnd.nextInt(ACC_OPS.length)];
        int cls = rnd.nextBoolean() ? ALU64 : ALU;
        if (op == LSH || op == RSH || op == ARSH) {
            emit(cls | op | SRC_K, ACC, 0, 0, rnd.nextInt(cls == ALU64 ? 64 : 32));
        } else if (rnd.nextBoolean()) {
            emit(cls | op | SRC_X, ACC, LAST, 0, 0);
        } else {
            emit(cls | op | SRC_K, ACC, 0, 0, imm());
        }
    }

    private int imm() {
        return switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt(-16, 65);
            case 1 -> rnd.nextInt();
            case 2 -> new int[] {0, 1, -1, 0x7f, 0x80, 0xff, 0xffff, 0x8000, Integer.MIN_VALUE, Integer.MAX_VALUE}[rnd.nextInt(10)];
            default -> rnd.nextInt(0, 256);
        };
    }

    private int smallImm() {
        return rnd.nextInt(3) == 0 ? imm() : rnd.nextInt(0, 256);
    }

    private static int size(int bytes) {
        return switch (bytes) {
            case 1 -> SIZE_B;
            case 2 -> SIZE_H;
            case 4 -> SIZE_W;
            default -> SIZE_DW;
        };
    }

    // ---- emission ------------------------------------------------------------------------------------

    private int pc() {
        return code.size();
    }

    private void emit(int opcode, int dst, int src, int off, int imm) {
        code.add(Insn.encode(opcode, dst, src, off, imm));
    }

    /** Aims the jump at {@code at} at {@code target}. */
    private void aim(int at, int target) {
        code.set(at, Slots.withDisplacement(code.get(at), target - (at + 1)));
    }
}
