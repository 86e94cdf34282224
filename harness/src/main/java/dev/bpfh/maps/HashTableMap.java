package dev.bpfh.maps;

import dev.bpfh.exec.Memory;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * HASH, PERCPU_HASH (one CPU) and LRU_HASH. Like the kernel's preallocated maps it has exactly
 * {@code max_entries} element slots; slot {@code s} keeps its key at {@code keys[s * keySize]} and
 * its value in region {@code firstRegion + s}. An open-addressing index (linear probing, tombstones)
 * finds a key by hashing it where it lies, so a program's lookup allocates nothing.
 *
 * <p>Rules (programs.md §1.3): flags above EXIST (or F_LOCK) are -EINVAL; NOEXIST on a present
 * key is -EEXIST; EXIST on a missing key is -ENOENT; inserting into a full HASH is -E2BIG (replacing
 * a present key still works); a full LRU_HASH evicts instead. A deleted element's value region stays
 * mapped, as a kernel element stays readable until RCU frees it.
 *
 * <p>LRU eviction approximates the kernel's lists (§1.5): program lookups set a reference bit;
 * when full, up to {@code clamp(max / possibleCpus / 2, 1, 128)} elements are evicted from the
 * least-recently-inserted end, referenced ones getting a second chance. Like the kernel, an update
 * takes a new node first: replacing a key in a full map evicts, and the key becomes the newest. Tests may rely only on what
 * §1.5 says they may: the insert succeeds, the new key is present, the count stays within max.
 */
public final class HashTableMap extends BpfMap {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long F_LOCK = 4;
    private static final int EMPTY = 0;
    private static final int TOMBSTONE = -1;
    /** The kernel's possible CPUs are 2 on the machines bpfh is measured on; LRU batch sizes use it. */
    static final int LRU_POSSIBLE_CPUS = 2;

    private final int keySize;
    private final int firstRegion;
    private final byte[] keys;
    /** index → slot + 1, EMPTY or TOMBSTONE. Length is a power of two, at least twice max_entries. */
    private int[] index;
    private int tombstones;
    private final int[] freeSlots;
    private int freeCount;
    private int count;
    private final boolean lru;
    /** LRU: slots in insertion order (a doubly linked list, oldest at head), and reference bits. */
    private final int[] prev;
    private final int[] next;
    private final boolean[] referenced;
    private int head = -1;
    private int tail = -1;
    private final int lruBatch;

    HashTableMap(MapSpec spec, Memory memory, int firstRegion) {
        super(spec, memory);
        this.keySize = spec.keySize();
        this.firstRegion = firstRegion;
        int max = spec.maxEntries();
        this.keys = new byte[Math.multiplyExact(max, keySize)];
        this.index = new int[tableSize(max)];
        this.freeSlots = new int[max];
        for (int s = 0; s < max; s++) {
            freeSlots[s] = max - 1 - s; // pop from the end: slot 0 first
        }
        this.freeCount = max;
        this.lru = spec.type() == MapType.LRU_HASH;
        this.prev = lru ? new int[max] : null;
        this.next = lru ? new int[max] : null;
        this.referenced = lru ? new boolean[max] : null;
        this.lruBatch = Math.clamp(max / LRU_POSSIBLE_CPUS / 2, 1, 128);
    }

    private static int tableSize(int max) {
        int n = 16;
        while (n < 2L * max) {
            n <<= 1;
        }
        return n;
    }

    /**
     * Any well-mixed hash will do: nothing observable depends on the index's order (entries() and
     * the kernel-visible behaviour go by slot). 4- and 8-byte keys, the common cases, are read as
     * one word and compared as one word; a byte loop would cost each helper call a few ns.
     */
    private int hash(byte[] key, int off) {
        long h;
        if (keySize == 4) {
            h = (int) INT.get(key, off);
        } else if (keySize == 8) {
            h = (long) LONG.get(key, off);
        } else {
            h = 0xcbf29ce484222325L;
            for (int i = 0; i < keySize; i++) {
                h = (h ^ (key[off + i] & 0xff)) * 0x100000001b3L;
            }
        }
        h *= 0x9e3779b97f4a7c15L; // Fibonacci hashing: the high bits are well mixed
        return (int) (h >>> 32) ^ (int) h;
    }

    private boolean keyEquals(int slot, byte[] key, int off) {
        int at = slot * keySize;
        if (keySize == 4) {
            return (int) INT.get(keys, at) == (int) INT.get(key, off);
        }
        if (keySize == 8) {
            return (long) LONG.get(keys, at) == (long) LONG.get(key, off);
        }
        return Arrays.equals(keys, at, at + keySize, key, off, off + keySize);
    }

    /** The slot holding {@code key}, or -1. */
    private int find(byte[] key, int off) {
        int mask = index.length - 1;
        for (int i = hash(key, off) & mask; ; i = (i + 1) & mask) {
            int e = index[i];
            if (e == EMPTY) {
                return -1;
            }
            if (e > 0 && keyEquals(e - 1, key, off)) {
                return e - 1;
            }
        }
    }

    private void insertIndex(int slot) {
        int mask = index.length - 1;
        for (int i = hash(keys, slot * keySize) & mask; ; i = (i + 1) & mask) {
            if (index[i] <= EMPTY) {
                if (index[i] == TOMBSTONE) {
                    tombstones--;
                }
                index[i] = slot + 1;
                return;
            }
        }
    }

    private void removeIndex(int slot) {
        int mask = index.length - 1;
        for (int i = hash(keys, slot * keySize) & mask; ; i = (i + 1) & mask) {
            if (index[i] == slot + 1) {
                index[i] = TOMBSTONE;
                tombstones++;
                break;
            }
        }
        if (tombstones > index.length / 4) {
            rebuildIndex();
        }
    }

    private void rebuildIndex() {
        int[] old = index;
        index = new int[old.length];
        tombstones = 0;
        for (int e : old) {
            if (e > 0) {
                insertIndex(e - 1);
            }
        }
    }

    @Override
    public long lookupFromProgram(byte[] key, int keyOffset) {
        int slot = find(key, keyOffset);
        if (slot < 0) {
            return 0;
        }
        if (lru) {
            referenced[slot] = true;
        }
        return Memory.address(firstRegion + slot, 0);
    }

    @Override
    public long updateFromProgram(byte[] key, int keyOffset, byte[] value, int valueOffset, long flags) {
        if ((flags & ~F_LOCK) > EXIST || (flags & F_LOCK) != 0) {
            return -Errno.EINVAL;
        }
        if (lru && freeCount == 0) {
            // The kernel's LRU update takes a free node before it looks at the key, so even a
            // replacement evicts when the map is full (htab_lru_map_update_elem; measured: a full
            // 4-entry map replacing key 2 evicts key 1).
            evict();
        }
        int slot = find(key, keyOffset);
        if (slot >= 0 && flags == NOEXIST) {
            return -Errno.EEXIST;
        }
        if (slot < 0 && flags == EXIST) {
            return -Errno.ENOENT;
        }
        if (slot < 0) {
            if (freeCount == 0 && (!lru || !evict())) {
                return -Errno.E2BIG;
            }
            slot = freeSlots[--freeCount];
            System.arraycopy(key, keyOffset, keys, slot * keySize, keySize);
            insertIndex(slot);
            count++;
            if (lru) {
                linkNewest(slot);
            }
        } else if (lru) {
            unlink(slot); // the replacement is a new node: the newest
            linkNewest(slot);
        }
        byte[] v = memory.region(firstRegion + slot);
        if (v == null) {
            v = mapValue(firstRegion + slot);
        }
        System.arraycopy(value, valueOffset, v, 0, spec.valueSize());
        return 0;
    }

    @Override
    public long deleteFromProgram(byte[] key, int keyOffset) {
        int slot = find(key, keyOffset);
        if (slot < 0) {
            return -Errno.ENOENT;
        }
        remove(slot);
        return 0;
    }

    private void remove(int slot) {
        removeIndex(slot);
        if (lru) {
            unlink(slot);
        }
        freeSlots[freeCount++] = slot;
        count--;
    }

    // ---- LRU list --------------------------------------------------------------------------

    private void linkNewest(int slot) {
        referenced[slot] = false;
        prev[slot] = tail;
        next[slot] = -1;
        if (tail >= 0) {
            next[tail] = slot;
        } else {
            head = slot;
        }
        tail = slot;
    }

    private void unlink(int slot) {
        if (prev[slot] >= 0) {
            next[prev[slot]] = next[slot];
        } else {
            head = next[slot];
        }
        if (next[slot] >= 0) {
            prev[next[slot]] = prev[slot];
        } else {
            tail = prev[slot];
        }
    }

    /** Frees up to one batch of the oldest unreferenced elements; referenced ones move to the new end. */
    private boolean evict() {
        int evicted = 0;
        int scanned = 0;
        while (evicted < lruBatch && head >= 0 && scanned < 2 * count + 2) {
            int s = head;
            scanned++;
            if (referenced[s]) {
                unlink(s);
                linkNewest(s);
            } else {
                remove(s);
                evicted++;
            }
        }
        return evicted > 0;
    }

    // ---- userspace side ----------------------------------------------------------------------

    @Override
    public byte[] lookup(byte[] key) {
        if (badLength(key, keySize)) {
            return null;
        }
        int slot = find(key, 0);
        return slot < 0 ? null : memory.region(firstRegion + slot).clone(); // no reference bit: §1.5
    }

    @Override
    public int update(byte[] key, byte[] value, long flags) {
        if (badLength(key, keySize) || badLength(value, spec.valueSize())) {
            return -Errno.EINVAL;
        }
        if (frozen) {
            return -Errno.EPERM;
        }
        return (int) updateFromProgram(key, 0, value, 0, flags);
    }

    @Override
    public int delete(byte[] key) {
        if (badLength(key, keySize)) {
            return -Errno.EINVAL;
        }
        return (int) deleteFromProgram(key, 0);
    }

    @Override
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(count);
        for (int e : index) {
            if (e > 0) {
                int s = e - 1;
                out.add(new Entry(Arrays.copyOfRange(keys, s * keySize, s * keySize + keySize),
                        memory.region(firstRegion + s).clone()));
            }
        }
        return out;
    }

    /** How many keys are present. */
    public int size() {
        return count;
    }
}
