package dev.bpfh.maps;

import dev.bpfh.exec.Memory;
import dev.bpfh.spi.MapSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * ARRAY and PERCPU_ARRAY (one CPU: CPU 0). Elements start zeroed; element {@code i} is region
 * {@code firstRegion + i}, mapped the first time anything touches it, so a huge array costs
 * nothing until used. Rules (programs.md §1.3): lookup past the end is NULL; update checks flags
 * (&gt; EXIST, or F_LOCK without a spin lock: -EINVAL), then the index (-E2BIG), then NOEXIST
 * (-EEXIST, every element always exists); delete is always -EINVAL.
 */
public final class ArrayMap extends BpfMap {
    private static final long F_LOCK = 4;
    private final int firstRegion;

    ArrayMap(MapSpec spec, Memory memory, int firstRegion) {
        super(spec, memory);
        this.firstRegion = firstRegion;
    }

    /**
     * The region of element 0: element {@code i} is region {@code firstRegion() + i}. For engines
     * that compute a lookup's value pointer themselves (the JIT's inline lookup, as the kernel's
     * verifier inlines array lookups); reading it maps nothing.
     */
    public int firstRegion() {
        return firstRegion;
    }

    /** The element's bytes, mapped on first use. */
    byte[] element(int index) {
        int region = firstRegion + index;
        byte[] v = memory.region(region);
        return v != null ? v : mapValue(region);
    }

    private boolean inRange(int index) {
        return Integer.compareUnsigned(index, spec.maxEntries()) < 0;
    }

    /** The address of element 0 plus {@code offset}: {@code lddw src=2} (BPF_PSEUDO_MAP_VALUE). */
    public long valueAddress(int offset) {
        element(0);
        return Memory.address(firstRegion, offset);
    }

    @Override
    public long lookupFromProgram(byte[] key, int keyOffset) {
        int index = readIndex(key, keyOffset);
        if (!inRange(index)) {
            return 0;
        }
        element(index);
        return Memory.address(firstRegion + index, 0);
    }

    @Override
    public long updateFromProgram(byte[] key, int keyOffset, byte[] value, int valueOffset, long flags) {
        int index = readIndex(key, keyOffset);
        long check = checkUpdate(index, flags);
        if (check != 0) {
            return check;
        }
        System.arraycopy(value, valueOffset, element(index), 0, spec.valueSize());
        return 0;
    }

    private long checkUpdate(int index, long flags) {
        if ((flags & ~F_LOCK) > EXIST) {
            return -Errno.EINVAL;
        }
        if (!inRange(index)) {
            return -Errno.E2BIG;
        }
        if ((flags & NOEXIST) != 0) {
            return -Errno.EEXIST;
        }
        if ((flags & F_LOCK) != 0) {
            return -Errno.EINVAL; // no bpf_spin_lock in the value
        }
        return 0;
    }

    @Override
    public long deleteFromProgram(byte[] key, int keyOffset) {
        return -Errno.EINVAL;
    }

    @Override
    public byte[] lookup(byte[] key) {
        if (badLength(key, 4) || !inRange(readIndex(key, 0))) {
            return null;
        }
        return element(readIndex(key, 0)).clone();
    }

    @Override
    public int update(byte[] key, byte[] value, long flags) {
        if (badLength(key, 4) || badLength(value, spec.valueSize())) {
            return -Errno.EINVAL;
        }
        if (frozen) {
            return -Errno.EPERM;
        }
        return (int) updateFromProgram(key, 0, value, 0, flags);
    }

    @Override
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(spec.maxEntries());
        for (int i = 0; i < spec.maxEntries(); i++) {
            byte[] v = memory.region(firstRegion + i);
            byte[] key = {(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24)};
            out.add(new Entry(key, v == null ? new byte[spec.valueSize()] : v.clone()));
        }
        return out;
    }
}
