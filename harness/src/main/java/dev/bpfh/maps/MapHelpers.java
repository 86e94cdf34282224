package dev.bpfh.maps;

import dev.bpfh.exec.Helpers;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.RunContext;
import dev.bpfh.exec.Trap;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.TrapKind;

/**
 * The map, tail-call, ring buffer and loop helpers of the userspace engines, by Linux id
 * (programs.md §3.2). Arguments are read from program memory in place and checked like any
 * access: a key pointer past its region traps OUT_OF_BOUNDS at the call.
 */
public final class MapHelpers {
    private MapHelpers() {}

    public static final int MAP_LOOKUP_ELEM = 1;
    public static final int MAP_UPDATE_ELEM = 2;
    public static final int MAP_DELETE_ELEM = 3;
    public static final int TAIL_CALL = 12;
    public static final int RINGBUF_OUTPUT = 130;
    public static final int RINGBUF_RESERVE = 131;
    public static final int RINGBUF_SUBMIT = 132;
    public static final int RINGBUF_DISCARD = 133;
    public static final int RINGBUF_QUERY = 134;
    public static final int LOOP = 181;

    /** bpf_loop's limit on iterations (BPF_MAX_LOOPS). */
    public static final long MAX_LOOPS = 1L << 23;

    /** Adds these helpers to {@code helpers} and returns it. */
    public static Helpers registerAll(Helpers helpers) {
        return helpers
                .register(MAP_LOOKUP_ELEM, "bpf_map_lookup_elem", (c, map, key, a, b, d, pc) -> {
                    BpfMap m = c.maps().byHandle(map, pc);
                    return m.lookupFromProgram(key(c, m, key, pc), (int) key);
                })
                .register(MAP_UPDATE_ELEM, "bpf_map_update_elem", (c, map, key, value, flags, d, pc) -> {
                    BpfMap m = c.maps().byHandle(map, pc);
                    byte[] k = key(c, m, key, pc);
                    byte[] v = c.memory().target(value, m.spec().valueSize(), pc, false);
                    return m.updateFromProgram(k, (int) key, v, (int) value, flags);
                })
                .register(MAP_DELETE_ELEM, "bpf_map_delete_elem", (c, map, key, a, b, d, pc) -> {
                    BpfMap m = c.maps().byHandle(map, pc);
                    return m.deleteFromProgram(key(c, m, key, pc), (int) key);
                })
                .register(TAIL_CALL, "bpf_tail_call", MapHelpers::tailCall)
                .register(RINGBUF_OUTPUT, "bpf_ringbuf_output", (c, map, data, size, flags, d, pc) -> {
                    RingBuffer rb = ring(c, map, pc);
                    if (size < 0 || size > Integer.MAX_VALUE) {
                        return -Errno.E2BIG;
                    }
                    byte[] src = c.memory().target(data, (int) size, pc, false);
                    return rb.output(src, (int) data, (int) size, flags);
                })
                .register(RINGBUF_RESERVE, "bpf_ringbuf_reserve",
                        (c, map, size, flags, a, b, pc) -> ring(c, map, pc).reserve(size, flags))
                .register(RINGBUF_SUBMIT, "bpf_ringbuf_submit", (c, p, flags, a, b, d, pc) -> {
                    reservationOwner(c, p, pc).commit(p, false, pc);
                    return 0;
                })
                .register(RINGBUF_DISCARD, "bpf_ringbuf_discard", (c, p, flags, a, b, d, pc) -> {
                    reservationOwner(c, p, pc).commit(p, true, pc);
                    return 0;
                })
                .register(RINGBUF_QUERY, "bpf_ringbuf_query", (c, map, flags, a, b, d, pc) -> ring(c, map, pc).query(flags))
                .register(LOOP, "bpf_loop", MapHelpers::loop);
    }

    private static byte[] key(RunContext c, BpfMap m, long key, int pc) {
        return c.memory().target(key, m.spec().keySize(), pc, false);
    }

    private static RingBuffer ring(RunContext c, long map, int pc) {
        if (c.maps().byHandle(map, pc) instanceof RingBuffer rb) {
            return rb;
        }
        throw new Trap(TrapKind.HELPER_FAILED, pc, "ring buffer helper on map '" + c.maps().byHandle(map, pc).spec().name()
                + "', which is not a ringbuf");
    }

    /** The ring buffer whose reservation {@code p} is (the helper gets only the pointer). */
    private static RingBuffer reservationOwner(RunContext c, long p, int pc) {
        for (var v : c.maps().views()) {
            if (v instanceof RingBuffer rb && rb.owns(p)) {
                return rb;
            }
        }
        throw new Trap(TrapKind.HELPER_FAILED, pc, "ringbuf submit/discard of 0x" + Long.toHexString(p)
                + ", which is not an open reservation");
    }

    /**
     * bpf_tail_call(ctx, prog_array, index): falls through (returns, r0 unspecified: we leave 0)
     * when the index is past the end, 33 tail calls were already made in this run, or the slot is
     * empty — checked in that order, as kernel/bpf/core.c does; otherwise asks the engine to
     * continue with the slot's program.
     */
    private static long tailCall(RunContext c, long ctx, long map, long index, long a, long b, int pc) {
        if (!(c.maps().byHandle(map, pc) instanceof ProgramArray array)) {
            throw new Trap(TrapKind.HELPER_FAILED, pc, "bpf_tail_call on map '" + c.maps().byHandle(map, pc).spec().name()
                    + "', which is not a prog_array");
        }
        if ((index & 0xffffffffL) >= array.spec().maxEntries() || c.tailCalls() >= MapSet.MAX_TAIL_CALLS) {
            return 0;
        }
        Executable target = array.slot(index);
        if (target == null) {
            c.countFailedTailCall();
            return 0;
        }
        c.requestTailCall(target);
        return 0;
    }

    /**
     * bpf_loop(n, callback, ctx, flags): calls {@code callback(i, ctx)} for i = 0..n-1 until it
     * returns non-zero, and returns the number of calls. With flags 0 the kernel's verifier inlines
     * the loop (programs.md §3.3): n is compared in all 64 bits and -E2BIG is a 32-bit move,
     * {@code 0x00000000FFFFFFF9}. We take a zero at run time for the verifier's known zero (the form
     * every compiler emits); with flags ≠ 0 the real helper runs and returns the 64-bit -EINVAL.
     */
    private static long loop(RunContext c, long n, long callback, long ctx, long flags, long r5, int pc) {
        if (flags != 0) {
            return -Errno.EINVAL;
        }
        if (Long.compareUnsigned(n, MAX_LOOPS) > 0) {
            return -Errno.E2BIG & 0xffffffffL;
        }
        long count = n;
        if (callback >>> Memory.REGION_SHIFT != Memory.CODE_REGION || !c.maps().isFunction((int) callback)) {
            throw new Trap(TrapKind.HELPER_FAILED, pc, "bpf_loop callback 0x" + Long.toHexString(callback)
                    + " is not a function address (lddw src=4)");
        }
        int target = (int) callback;
        for (long i = 0; i < count; i++) {
            if (c.functionCaller().call(target, i, ctx, 0, 0, 0, pc) != 0) {
                return i + 1;
            }
        }
        return count;
    }
}
