package dev.bpfh.maps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bpfh.exec.Memory;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A HASH map behaves as a bounded key → value dictionary for every key size: the one-word fast
 * paths (4- and 8-byte keys) and the byte loop agree with {@link java.util.HashMap} as the model,
 * through inserts, replacements, deletes (tombstones and index rebuilds) and a full map.
 */
class HashTableMapTest {
    private static final int MAX = 64;
    private static final int VALUE = 8;

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 8, 12})
    void agreesWithADictionaryModel(int keySize) {
        var spec = new MapSpec("m", MapType.HASH, keySize, VALUE, MAX, 0);
        var memory = new Memory();
        var map = BpfMap.create(spec, memory, memory.allocateRegions(BpfMap.regionsNeeded(spec)));
        Map<String, Long> model = new HashMap<>();
        var random = new SplittableRandom(keySize);
        // keys from a small space (so deletes and replacements hit), packed at an offset of 3 in a
        // larger array, as a program's stack slot would be
        int keySpace = keySize == 1 ? 256 : 200;
        for (int step = 0; step < 20_000; step++) {
            byte[] buffer = new byte[keySize + 6];
            byte[] key = key(keySize, random.nextInt(keySpace));
            System.arraycopy(key, 0, buffer, 3, keySize);
            String k = HexFormat.of().formatHex(key);
            int op = random.nextInt(3);
            if (op == 0) {
                long v = random.nextLong();
                byte[] value = ByteBuffer.allocate(VALUE).putLong(v).array();
                long expected = model.containsKey(k) || model.size() < MAX ? 0 : -Errno.E2BIG;
                assertEquals(expected, map.updateFromProgram(buffer, 3, value, 0, BpfMap.ANY), "update " + k + " at " + step);
                if (expected == 0) {
                    model.put(k, v);
                }
            } else if (op == 1) {
                long expected = model.remove(k) != null ? 0 : -Errno.ENOENT;
                assertEquals(expected, map.deleteFromProgram(buffer, 3), "delete " + k + " at " + step);
            } else {
                byte[] found = map.lookup(key);
                Long v = model.get(k);
                if (v == null) {
                    assertNull(found, "lookup " + k + " at " + step);
                    assertEquals(0, map.lookupFromProgram(buffer, 3));
                } else {
                    assertArrayEquals(ByteBuffer.allocate(VALUE).putLong(v).array(), found, "lookup " + k + " at " + step);
                }
            }
        }
        assertEquals(model.size(), map.entries().size());
    }

    /**
     * Distinct keys for distinct n (n < 256 for 1-byte keys). Keys come in pairs that differ only
     * in their last byte, so a comparison that skips any part of the key is caught.
     */
    private static byte[] key(int keySize, int n) {
        byte[] key = new byte[keySize];
        if (keySize == 1) {
            key[0] = (byte) n;
            return key;
        }
        new SplittableRandom(n / 2).nextBytes(key);
        key[keySize - 1] = (byte) ((key[keySize - 1] & ~1) | (n & 1));
        return key;
    }
}
