package dev.bpfh.jit;

import dev.bpfh.exec.Memory;
import dev.bpfh.maps.ArrayMap;

/**
 * The slow path of an inlined array lookup ({@link ArrayLookups}): the element's region is not
 * mapped yet, which happens once per element. The map's own lookup maps it (read-only for a
 * {@code .rodata}-like map), exactly as the helper would; the generated code then forms the same
 * pointer and keeps the array. Public because hidden classes call it.
 */
public final class JitMaps {
    private JitMaps() {}

    /** Maps element {@code index} (in range) of {@code map} and returns its array. */
    public static byte[] mapElement(ArrayMap map, Memory memory, int index) {
        byte[] key = {(byte) index, (byte) (index >>> 8), (byte) (index >>> 16), (byte) (index >>> 24)};
        long value = map.lookupFromProgram(key, 0);
        return memory.region((int) (value >>> Memory.REGION_SHIFT));
    }
}
