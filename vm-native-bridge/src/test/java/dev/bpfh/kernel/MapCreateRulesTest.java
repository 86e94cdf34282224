package dev.bpfh.kernel;

import static dev.bpfh.kernel.Asm.code;
import static dev.bpfh.kernel.Asm.exit;
import static dev.bpfh.kernel.Asm.movImm;
import static dev.bpfh.spi.MapSpec.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfh.isa.Program;
import dev.bpfh.maps.MapRules;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * BPF_MAP_CREATE in the kernel decides, for good and bad definitions of every map type, the same as
 * harness {@link MapRules} (the userspace engines' copy of the kernel's rules, programs.md §1.2):
 * created or refused, and with the same errno.
 */
class MapCreateRulesTest {
    private static final int MAX = Integer.MIN_VALUE; // 2^31 as an unsigned max_entries

    @BeforeEach
    void kernel() {
        KernelAssumptions.requireKernel();
    }

    static List<MapSpec> definitions() {
        List<MapSpec> d = new ArrayList<>();
        for (MapType t : List.of(MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH)) {
            d.add(spec(t, 4, 8, 16, 0));
            if (t != MapType.LRU_HASH) {
                d.add(spec(t, 4, 8, MAX, F_NO_PREALLOC));
            }
            d.add(spec(t, 0, 8, 16, 0));
            d.add(spec(t, 4, 0, 16, 0));
            d.add(spec(t, 4, 8, 0, 0));
            d.add(spec(t, 513, 8, 4, 0));
            d.add(spec(t, 4, 8, 16, F_NO_PREALLOC));
            d.add(spec(t, 4, 8, 16, F_NO_COMMON_LRU));
            d.add(spec(t, 4, 8, 16, F_MMAPABLE));
            d.add(spec(t, 4, 8, 16, F_ZERO_SEED));
            d.add(spec(t, 4, 8, 16, F_RDONLY_PROG));
            d.add(spec(t, 4, 8, 16, F_RDONLY_PROG | F_WRONLY_PROG));
            d.add(spec(t, 4, 8, 16, 0x8000));
        }
        d.add(spec(MapType.HASH, 1, 4_194_254, 1, F_NO_PREALLOC));   // key + value = 4194255: the limit
        d.add(spec(MapType.HASH, 1, 4_194_255, 1, F_NO_PREALLOC));   // one more: E2BIG
        d.add(spec(MapType.PERCPU_HASH, 4, 32_768, 1, F_NO_PREALLOC));
        d.add(spec(MapType.PERCPU_HASH, 4, 32_769, 1, F_NO_PREALLOC));
        for (MapType t : List.of(MapType.ARRAY, MapType.PERCPU_ARRAY)) {
            d.add(spec(t, 4, 8, 4, 0));
            d.add(spec(t, 8, 8, 4, 0));
            d.add(spec(t, 4, 0, 4, 0));
            d.add(spec(t, 4, 8, 0, 0));
            d.add(spec(t, 4, 8, 4, F_NO_PREALLOC));
            d.add(spec(t, 4, 8, 4, F_MMAPABLE)); // ARRAY only: PERCPU_ARRAY refuses it
            d.add(spec(t, 4, 8, 4, F_RDONLY_PROG));
            d.add(spec(t, 4, 8, 4, F_WRONLY_PROG));
            d.add(spec(t, 4, 8, 4, F_RDONLY_PROG | F_WRONLY_PROG));
            d.add(spec(t, 4, 8, 4, F_ZERO_SEED));
        }
        d.add(spec(MapType.PERCPU_ARRAY, 4, 32_768, 1, 0));
        d.add(spec(MapType.PERCPU_ARRAY, 4, 32_769, 1, 0));
        d.add(spec(MapType.PROG_ARRAY, 4, 4, 4, 0));
        d.add(spec(MapType.PROG_ARRAY, 4, 8, 4, 0));
        d.add(spec(MapType.PROG_ARRAY, 8, 4, 4, 0));
        d.add(spec(MapType.PROG_ARRAY, 4, 4, 0, 0));
        d.add(spec(MapType.PROG_ARRAY, 4, 4, 4, F_RDONLY_PROG));
        d.add(spec(MapType.PROG_ARRAY, 4, 4, 4, F_NO_PREALLOC));
        d.add(spec(MapType.RINGBUF, 0, 0, 4096, 0));
        d.add(spec(MapType.RINGBUF, 0, 0, 1 << 16, 0));
        d.add(spec(MapType.RINGBUF, 0, 0, 2048, 0));
        d.add(spec(MapType.RINGBUF, 0, 0, 12288, 0));
        d.add(spec(MapType.RINGBUF, 4, 0, 4096, 0));
        d.add(spec(MapType.RINGBUF, 0, 4, 4096, 0));
        d.add(spec(MapType.RINGBUF, 0, 0, 4096, F_MMAPABLE));
        d.add(spec(MapType.HASH, 0, 8, 16, F_MMAPABLE));
        d.add(spec(MapType.PERCPU_HASH, 4, 32_769, MAX, F_NO_PREALLOC));
        d.add(spec(MapType.ARRAY, 4, 8, 4, 0x800));                  // BPF_F_PRESERVE_ELEMS
        d.add(spec(MapType.PROG_ARRAY, 4, 4, 4, 0x800));
        d.add(spec(MapType.PROG_ARRAY, 4, 4, 4, F_MMAPABLE));
        d.add(spec(MapType.RINGBUF, 0, 0, 0, 0));
        d.add(spec(MapType.RINGBUF, 0, 0, 4096, F_NO_PREALLOC));
        d.add(new MapSpec("a-b", MapType.ARRAY, 4, 8, 1, 0));
        d.add(new MapSpec("a-b", MapType.ARRAY, 4, 8, 1, F_NO_PREALLOC));
        d.add(new MapSpec("sixteen_chars_xx", MapType.ARRAY, 4, 8, 1, 0));
        d.add(new MapSpec("fifteen_chars.x", MapType.ARRAY, 4, 8, 1, 0));
        d.add(new MapSpec(".rodata", MapType.ARRAY, 4, 8, 1, F_RDONLY_PROG));
        // The kernel's order and widths: LRU+NO_PREALLOC is ENOTSUPP before any size or max check;
        // sizes are u32 (2^31 and more is E2BIG); the name is checked after the type's own checks,
        // and an empty name means no name.
        d.add(spec(MapType.LRU_HASH, 4, 8, MAX, F_NO_PREALLOC));
        d.add(spec(MapType.LRU_HASH, 0, 8, 16, F_NO_PREALLOC));
        d.add(spec(MapType.LRU_HASH, 4, 8, 0, F_NO_PREALLOC));
        d.add(spec(MapType.ARRAY, 4, Integer.MIN_VALUE, 1, 0));
        d.add(spec(MapType.HASH, 4, Integer.MIN_VALUE, 1, F_NO_PREALLOC));
        d.add(spec(MapType.HASH, Integer.MIN_VALUE, 4, 1, F_NO_PREALLOC));
        d.add(new MapSpec("a-b", MapType.PERCPU_ARRAY, 4, 32_769, 1, 0));
        d.add(new MapSpec("", MapType.ARRAY, 4, 8, 1, 0));
        return d;
    }

    private static MapSpec spec(MapType type, int key, int value, int max, int flags) {
        return new MapSpec("m", type, key, value, max, flags);
    }

    /** "OK" or the errno name the kernel refused {@code spec} with. */
    private static String kernelDecision(MapSpec spec) {
        Program p = new Program("create", code(movImm(0, 0), exit()), List.of(spec));
        try (var e = new KernelBackend().load(p, LoadOptions.DEFAULTS, 0)) {
            return "OK";
        } catch (LoadRejected r) {
            String prefix = "map '" + spec.name() + "': BPF_MAP_CREATE failed: ";
            assertEquals(true, r.getMessage().startsWith(prefix), r.getMessage());
            return r.getMessage().substring(prefix.length());
        }
    }

    private static String rulesDecision(MapSpec spec) {
        return MapRules.refusal(spec).map(why -> why.substring(0, why.indexOf(':'))).orElse("OK");
    }

    @Test
    void theKernelAndMapRulesAgreeOnEveryDefinition() {
        List<String> differences = new ArrayList<>();
        for (MapSpec s : definitions()) {
            String kernel = kernelDecision(s);
            String rules = rulesDecision(s);
            if (!kernel.equals(rules)) {
                differences.add("'" + s.name() + "' " + s.describe() + ": kernel " + kernel + ", MapRules " + rules);
            }
        }
        assertEquals(List.of(), differences);
    }

}
