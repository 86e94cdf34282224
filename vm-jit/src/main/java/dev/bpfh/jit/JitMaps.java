package dev.bpfh.jit;

import dev.bpfh.exec.Memory;
import dev.bpfh.maps.ArrayMap;

/**
 * The element caches of inlined array lookups ({@link ArrayLookups}) and their slow path. A cache is
 * a {@code byte[max_entries][]} in the compiled class's data, one per map: entry {@code i} is the
 * array Memory maps at element {@code i}'s region, once it is mapped. An array element's region is
 * mapped once, on first use, and never remapped or unmapped ({@code ArrayMap}: every later update
 * copies into the same array), so a cached entry stays the region's array for the executable's
 * life. A cache costs one reference per element, as each of Memory's two region tables already
 * does. Public because hidden classes call it.
 */
public final class JitMaps {
    private JitMaps() {}

    /**
     * Element {@code index} (in range) of {@code map}, mapped as the helper maps it (through the
     * map's own lookup: read-only for a {@code .rodata}-like map), and remembered in {@code cache}.
     */
    public static byte[] element(ArrayMap map, Memory memory, byte[][] cache, int index) {
        byte[] key = {(byte) index, (byte) (index >>> 8), (byte) (index >>> 16), (byte) (index >>> 24)};
        long value = map.lookupFromProgram(key, 0);
        byte[] array = memory.region((int) (value >>> Memory.REGION_SHIFT));
        cache[index] = array;
        return array;
    }
}
