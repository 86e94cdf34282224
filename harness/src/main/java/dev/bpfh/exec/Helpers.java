package dev.bpfh.exec;

import java.util.Map;
import java.util.TreeMap;

/**
 * The helper table of the userspace engines, keyed by Linux helper id.
 *
 * <p>{@link #standard()} has the helpers whose behaviour the kernel also has on every machine
 * (ids from include/uapi/linux/bpf.h): 5 {@code bpf_ktime_get_ns}, 7 {@code bpf_get_prandom_u32}
 * (seeded per run, see {@link dev.bpfh.spi.LoadOptions#randomSeed()}), 8
 * {@code bpf_get_smp_processor_id} (always 0: one thread), and the map, tail-call, ring buffer and
 * loop helpers of {@link dev.bpfh.maps.MapHelpers}, and the packet helpers of
 * {@link dev.bpfh.ctx.PacketHelpers} (which program types may call them is
 * {@link dev.bpfh.ctx.HelperAvailability}'s rule). More can be registered for embedders.
 */
public final class Helpers {
    public static final int KTIME_GET_NS = 5;
    public static final int GET_PRANDOM_U32 = 7;
    public static final int GET_SMP_PROCESSOR_ID = 8;

    private record Entry(String name, Helper helper) {}

    private final Map<Integer, Entry> byId = new TreeMap<>();

    public static Helpers standard() {
        return dev.bpfh.ctx.PacketHelpers.registerAll(dev.bpfh.maps.MapHelpers.registerAll(basic()));
    }

    /** Only 5, 7 and 8: the helpers that need no maps. */
    public static Helpers basic() {
        return new Helpers()
                .register(KTIME_GET_NS, "bpf_ktime_get_ns", (c, a, b, d, e, f, pc) -> System.nanoTime())
                .register(GET_PRANDOM_U32, "bpf_get_prandom_u32",
                        (c, a, b, d, e, f, pc) -> c.random().nextInt() & 0xffffffffL)
                .register(GET_SMP_PROCESSOR_ID, "bpf_get_smp_processor_id", (c, a, b, d, e, f, pc) -> 0L);
    }

    public Helpers register(int id, String name, Helper helper) {
        if (id < 0) {
            throw new IllegalArgumentException("helper id must not be negative: " + id);
        }
        byId.put(id, new Entry(name, helper));
        return this;
    }

    public boolean has(int id) {
        return byId.containsKey(id);
    }

    /** The helper with this id, or null. */
    public Helper get(int id) {
        Entry e = byId.get(id);
        return e == null ? null : e.helper();
    }

    public String name(int id) {
        Entry e = byId.get(id);
        return e == null ? "unknown#" + id : e.name();
    }

    /**
     * A dense array indexed by id (null where none), for engines that dispatch on the id at run
     * time; its length is one past the largest id.
     */
    public Helper[] toArray() {
        int max = byId.isEmpty() ? -1 : ((TreeMap<Integer, Entry>) byId).lastKey();
        Helper[] out = new Helper[max + 1];
        byId.forEach((id, e) -> out[id] = e.helper());
        return out;
    }
}
