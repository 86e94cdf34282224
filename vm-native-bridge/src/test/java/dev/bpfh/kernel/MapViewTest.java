package dev.bpfh.kernel;

import static dev.bpfh.kernel.Asm.code;
import static dev.bpfh.kernel.Asm.exit;
import static dev.bpfh.kernel.Asm.movImm;
import static dev.bpfh.kernel.KernelMapsTest.u32;
import static dev.bpfh.kernel.KernelMapsTest.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import dev.bpfh.spi.MapView;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The userspace side: the same sequence of map syscalls through the kernel's {@link MapView} and
 * the interpreter's gives the same results, and those are programs.md §1.3's errnos.
 */
class MapViewTest {
    @BeforeEach
    void kernel() {
        KernelAssumptions.requireKernel();
    }

    private static BothEngines withMap(MapSpec spec) throws LoadRejected {
        return BothEngines.load(new Program("views", code(movImm(0, 0), exit()), List.of(spec)), 0);
    }

    /** Applies {@code op} to both views; the results must be equal; returns the kernel's. */
    private static Object same(BothEngines b, Function<MapView, Object> op, String what) {
        MapView[] v = b.views(0);
        Object k = show(op.apply(v[0]));
        Object i = show(op.apply(v[1]));
        assertEquals(k, i, what + " (kernel, interp)");
        return k;
    }

    private static Object show(Object o) {
        return o instanceof byte[] bytes ? HexFormat.of().formatHex(bytes) : o;
    }

    @Test
    void hashMapsFromUserspace() throws LoadRejected {
        for (MapType t : List.of(MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH)) {
            try (BothEngines b = withMap(new MapSpec("h", t, 4, 8, 2, 0))) {
                String n = t.word() + ": ";
                assertEquals(0, same(b, v -> v.update(u32(1), u64(5), 0), n + "ANY"));
                assertEquals(-17, same(b, v -> v.update(u32(1), u64(6), 1), n + "NOEXIST on a present key"));
                assertEquals(-2, same(b, v -> v.update(u32(2), u64(6), 2), n + "EXIST on a missing key"));
                assertEquals(-22, same(b, v -> v.update(u32(1), u64(6), 3), n + "flags 3"));
                assertEquals(-22, same(b, v -> v.update(u32(1), u64(6), 4), n + "BPF_F_LOCK"));
                assertEquals(-22, same(b, v -> v.update(u32(1), new byte[7], 0), n + "short value"));
                assertEquals(0, same(b, v -> v.update(u32(1), u64(6), 2), n + "EXIST on a present key"));
                assertEquals("0600000000000000", same(b, v -> v.lookup(u32(1)), n + "lookup"));
                assertNull(same(b, v -> v.lookup(u32(2)), n + "lookup of a missing key"));
                assertEquals(-2, same(b, v -> v.delete(u32(2)), n + "delete of a missing key"));
                assertEquals(0, same(b, v -> v.update(u32(2), u64(7), 0), n + "second key"));
                Object full = same(b, v -> v.update(u32(3), u64(8), 0), n + "insert into a full map");
                assertEquals(t == MapType.LRU_HASH ? 0 : -7, full, n + "full: -E2BIG, LRU evicts");
                assertEquals(0, same(b, v -> v.update(u32(2), u64(9), 0), n + "replace in a full map"));
                if (t != MapType.LRU_HASH) {
                    assertEquals(new HashSet<>(b.kernel.maps().get(0).entries()), new HashSet<>(b.interp.maps().get(0).entries()));
                    assertEquals(2, b.kernel.maps().get(0).entries().size());
                }
                assertEquals(0, same(b, v -> v.delete(u32(2)), n + "delete"));
                assertNull(same(b, v -> v.lookup(u32(2)), n + "lookup after delete"));
            }
        }
    }

    @Test
    void lruHashKeepsTheNewKeyWithinMaxEntries() throws LoadRejected {
        try (BothEngines b = withMap(new MapSpec("lru", MapType.LRU_HASH, 4, 8, 8, 0))) {
            for (int k = 1; k <= 9; k++) {
                int key = k;
                assertEquals(0, same(b, v -> v.update(u32(key), u64(key), 0), "insert " + k));
            }
            for (MapView v : b.views(0)) {
                List<MapView.Entry> e = v.entries();
                assertTrue(e.size() <= 8, v + ": " + e.size() + " entries");
                assertTrue(e.contains(new MapView.Entry(u32(9), u64(9))), v + " keeps the newest key");
            }
        }
    }

    @Test
    void arrayMapsFromUserspace() throws LoadRejected {
        for (MapType t : List.of(MapType.ARRAY, MapType.PERCPU_ARRAY)) {
            try (BothEngines b = withMap(new MapSpec("a", t, 4, 4, 3, 0))) {
                String n = t.word() + ": ";
                assertEquals("00000000", same(b, v -> v.lookup(u32(2)), n + "elements start zeroed"));
                assertNull(same(b, v -> v.lookup(u32(3)), n + "lookup past the end"));
                assertEquals(0, same(b, v -> v.update(u32(1), u32(0xabcd), 0), n + "ANY"));
                assertEquals(0, same(b, v -> v.update(u32(1), u32(0xabce), 2), n + "EXIST"));
                assertEquals(-17, same(b, v -> v.update(u32(1), u32(1), 1), n + "NOEXIST"));
                assertEquals(-7, same(b, v -> v.update(u32(3), u32(1), 0), n + "index >= max_entries"));
                assertEquals(-22, same(b, v -> v.update(u32(0), u32(1), 3), n + "flags 3"));
                assertEquals(-22, same(b, v -> v.delete(u32(1)), n + "delete"));
                assertEquals(-22, same(b, v -> v.update(new byte[8], u32(1), 0), n + "long key"));
                b.assertSameEntries(0);
                assertArrayEquals(u32(0xabce), b.kernel.maps().get(0).entries().get(1).value());
            }
        }
    }

    @Test
    void progArrayAndRingbufRefuseElementSyscalls() throws LoadRejected {
        try (BothEngines b = withMap(new MapSpec("p", MapType.PROG_ARRAY, 4, 4, 2, 0))) {
            assertEquals(-2, same(b, v -> v.delete(u32(0)), "delete of an empty slot"));
            assertEquals(-7, same(b, v -> v.delete(u32(2)), "delete past the end"));
            assertNull(same(b, v -> v.lookup(u32(0)), "lookup of an empty slot"));
            assertEquals(-22, same(b, v -> v.update(u32(0), u32(0), 0), "update with a raw value"));
            assertEquals(List.of(), same(b, MapView::entries, "entries"));
        }
        try (BothEngines b = withMap(new MapSpec("r", MapType.RINGBUF, 0, 0, 4096, 0))) {
            assertNull(same(b, v -> v.lookup(new byte[0]), "lookup"));
            assertEquals(-22, same(b, v -> v.update(new byte[0], new byte[0], 0), "update"));
            assertEquals(-22, same(b, v -> v.delete(new byte[0]), "delete"));
            assertEquals(List.of(), same(b, MapView::entries, "entries"));
            assertEquals(List.of(), same(b, v -> BothEngines.hex(v.drainRecords()), "records"));
        }
    }
}
