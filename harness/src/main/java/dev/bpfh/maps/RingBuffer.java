package dev.bpfh.maps;

import dev.bpfh.exec.Memory;
import dev.bpfh.exec.Trap;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.TrapKind;
import java.util.ArrayList;
import java.util.List;

/**
 * RINGBUF with the kernel's layout (programs.md §6): a {@code byte[S]} ring of records, each an
 * 8-byte header {@code {u32 len; u32 pg_off}} (bit 31 BUSY, bit 30 DISCARD) and the payload, the next
 * record at {@code pos + round_up(len + 8, 8)}; a record fits when
 * {@code prod + round_up(size + 8, 8) - cons <= S - 1}, so an unconsumed ring stays full across runs.
 *
 * <p>A reservation hands the program a region of exactly the reserved size (so a write past it
 * traps), copied into the ring on submit; at most {@link #RESERVATION_REGIONS} may be open at once.
 */
public final class RingBuffer extends BpfMap {
    static final int RESERVATION_REGIONS = 64;
    private static final int BUSY = 1 << 31;
    private static final int DISCARD = 1 << 30;
    private static final int HEADER = 8;

    private final byte[] ring;
    private final int mask;
    private long producer;
    private long consumer;
    private final int firstRegion;
    /** Per reservation region: the ring position of its header, or -1 when free. */
    private final long[] reservedAt = new long[RESERVATION_REGIONS];

    RingBuffer(MapSpec spec, Memory memory, int firstRegion) {
        super(spec, memory);
        this.ring = new byte[spec.maxEntries()];
        this.mask = spec.maxEntries() - 1;
        this.firstRegion = firstRegion;
        java.util.Arrays.fill(reservedAt, -1);
    }

    private static long recordSize(long payload) {
        return (payload + HEADER + 7) & ~7L;
    }

    /** {@code bpf_ringbuf_reserve}: the payload's address, or 0 when there is no room or flags ≠ 0. */
    public long reserve(long size, long flags) {
        if (flags != 0 || size < 0 || size > ring.length) {
            return 0;
        }
        if (producer + recordSize(size) - consumer > ring.length - 1) {
            return 0;
        }
        int r = freeReservation();
        if (r < 0) {
            return 0;
        }
        writeInt(producer, (int) size | BUSY);
        writeInt(producer + 4, 0);
        reservedAt[r] = producer;
        producer += recordSize(size);
        memory.map(firstRegion + r, new byte[(int) size]);
        return Memory.address(firstRegion + r, 0);
    }

    private int freeReservation() {
        for (int i = 0; i < RESERVATION_REGIONS; i++) {
            if (reservedAt[i] < 0) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code address} is an open reservation of this ring. */
    boolean owns(long address) {
        long r = (address >>> Memory.REGION_SHIFT) - firstRegion;
        return (int) address == 0 && r >= 0 && r < RESERVATION_REGIONS && reservedAt[(int) r] >= 0;
    }

    /** {@code bpf_ringbuf_submit} ({@code discard} false) or {@code bpf_ringbuf_discard}. */
    public void commit(long address, boolean discard, int pc) {
        int r = (int) ((address >>> Memory.REGION_SHIFT) - firstRegion);
        if ((int) address != 0 || r < 0 || r >= RESERVATION_REGIONS || reservedAt[r] < 0) {
            throw new Trap(TrapKind.HELPER_FAILED, pc, "ringbuf " + (discard ? "discard" : "submit")
                    + " of 0x" + Long.toHexString(address) + ", which is not an open reservation of map " + spec.name());
        }
        byte[] payload = memory.region(firstRegion + r);
        long pos = reservedAt[r];
        for (int i = 0; i < payload.length; i++) {
            ring[(int) ((pos + HEADER + i) & mask)] = payload[i];
        }
        writeInt(pos, payload.length | (discard ? DISCARD : 0));
        reservedAt[r] = -1;
        memory.map(firstRegion + r, null);
    }

    /** {@code bpf_ringbuf_output}: 0, -EAGAIN when full, -EINVAL for flags beyond the wakeup bits. */
    public long output(byte[] data, int offset, int size, long flags) {
        if ((flags & ~3L) != 0) {
            return -Errno.EINVAL;
        }
        long p = reserve(size, 0);
        if (p == 0) {
            return -Errno.EAGAIN;
        }
        System.arraycopy(data, offset, memory.region((int) (p >>> Memory.REGION_SHIFT)), 0, size);
        commit(p, false, -1);
        return 0;
    }

    /** {@code bpf_ringbuf_query}: 0 available data, 1 ring size, 2 consumer and 3 producer position. */
    public long query(long flags) {
        return switch ((int) flags) {
            case 0 -> producer - consumer;
            case 1 -> ring.length;
            case 2 -> consumer;
            case 3 -> producer;
            default -> 0;
        };
    }

    @Override
    public List<byte[]> drainRecords() {
        List<byte[]> out = new ArrayList<>();
        while (consumer < producer) {
            int header = readInt(consumer);
            if ((header & BUSY) != 0) {
                break;
            }
            int len = header & 0x3fffffff;
            if ((header & DISCARD) == 0) {
                byte[] payload = new byte[len];
                for (int i = 0; i < len; i++) {
                    payload[i] = ring[(int) ((consumer + HEADER + i) & mask)];
                }
                out.add(payload);
            }
            consumer += recordSize(len);
        }
        return out;
    }

    private void writeInt(long pos, int v) {
        for (int i = 0; i < 4; i++) {
            ring[(int) ((pos + i) & mask)] = (byte) (v >>> (8 * i));
        }
    }

    private int readInt(long pos) {
        int v = 0;
        for (int i = 3; i >= 0; i--) {
            v = (v << 8) | (ring[(int) ((pos + i) & mask)] & 0xff);
        }
        return v;
    }
}
