package dev.bpfh.maps;

import static dev.bpfh.spi.MapSpec.*;

import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The kernel's {@code BPF_MAP_CREATE} checks (programs.md §1.1–§1.2, measured on 6.18): the one
 * place the userspace engines decide whether a map definition is valid, so a definition the kernel
 * refuses is refused by every engine, with the kernel's errno.
 */
public final class MapRules {
    private MapRules() {}

    /** map_name: up to 15 of these characters; empty means no name (bpf_obj_name_cpy). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]{0,15}");
    /** HASH: key + value must stay at or below this many bytes, else E2BIG. */
    static final long HASH_KEY_VALUE_LIMIT = 4_194_255;
    /** Per-CPU maps: round_up(value_size, 8) at most this. */
    static final int PERCPU_VALUE_LIMIT = 32_768;
    static final int RINGBUF_PAGE = 4096;

    /** Why the kernel would refuse {@code spec} ("EINVAL: ..."), or empty when it would create it. */
    public static Optional<String> refusal(MapSpec spec) {
        String why = check(spec);
        return why == null ? Optional.empty() : Optional.of(why);
    }

    /**
     * In the kernel's order (map_create on 6.18, measured): the type's own checks, then the name,
     * which the kernel copies only after allocating the map.
     */
    private static String check(MapSpec m) {
        long key = m.keySize() & 0xffffffffL;
        long value = m.valueSize() & 0xffffffffL;
        long max = m.maxEntries() & 0xffffffffL;
        int flags = m.flags();
        String why = switch (m.type()) {
            case HASH, PERCPU_HASH, LRU_HASH -> hash(m.type(), key, value, max, flags);
            case ARRAY, PERCPU_ARRAY -> array(m.type(), key, value, max, flags);
            case PROG_ARRAY -> max == 0 ? einval("max_entries must be at least 1")
                    : key != 4 || value != 4 ? einval("prog_array needs key_size 4 and value_size 4")
                    : flags != 0 ? einval("prog_array takes no flags") : null;
            case RINGBUF -> ringbuf(key, value, max, flags);
        };
        if (why == null && !NAME.matcher(m.name()).matches()) {
            return einval("map_name must be at most 15 characters of [A-Za-z0-9_.]");
        }
        return why;
    }

    private static String hash(MapType type, long key, long value, long max, int flags) {
        if (type == MapType.LRU_HASH && (flags & F_NO_PREALLOC) != 0) {
            return "ENOTSUPP: lru_hash maps are always preallocated (BPF_F_NO_PREALLOC)"; // before any size check
        }
        if (max == 0) {
            return einval("max_entries must be at least 1");
        }
        if (key < 1 || value < 1) {
            return einval("hash maps need key_size and value_size of at least 1");
        }
        if (type == MapType.PERCPU_HASH && roundUp8(value) > PERCPU_VALUE_LIMIT) {
            return "E2BIG: per-CPU value_size rounded up to 8 must be at most " + PERCPU_VALUE_LIMIT;
        }
        if (key + value > HASH_KEY_VALUE_LIMIT) {
            return "E2BIG: key_size + value_size must be at most " + HASH_KEY_VALUE_LIMIT;
        }
        if (max >= 1L << 31) {
            return "E2BIG: max_entries must be below 2^31";
        }
        int allowed = F_NO_PREALLOC | F_ZERO_SEED | F_RDONLY_PROG | F_WRONLY_PROG
                | (type == MapType.LRU_HASH ? F_NO_COMMON_LRU : 0);
        if ((flags & ~allowed) != 0) {
            return einval("flags 0x" + Integer.toHexString(flags & ~allowed) + " are not valid for " + type.word());
        }
        return rdwr(flags);
    }

    private static String array(MapType type, long key, long value, long max, int flags) {
        if (max == 0) {
            return einval("max_entries must be at least 1");
        }
        if (key != 4) {
            return einval(type.word() + " maps need key_size 4");
        }
        if (value < 1) {
            return einval(type.word() + " maps need value_size of at least 1");
        }
        if (value >= 1L << 31) {
            return "E2BIG: value_size must be below 2^31";
        }
        if (type == MapType.PERCPU_ARRAY && roundUp8(value) > PERCPU_VALUE_LIMIT) {
            return "E2BIG: per-CPU value_size rounded up to 8 must be at most " + PERCPU_VALUE_LIMIT;
        }
        int allowed = (type == MapType.ARRAY ? F_MMAPABLE : 0) | F_RDONLY_PROG | F_WRONLY_PROG;
        if ((flags & ~allowed) != 0) {
            return einval("flags 0x" + Integer.toHexString(flags & ~allowed) + " are not valid for " + type.word());
        }
        return rdwr(flags);
    }

    private static String ringbuf(long key, long value, long max, int flags) {
        if (key != 0 || value != 0) {
            return einval("ringbuf maps need key_size 0 and value_size 0");
        }
        if (Long.bitCount(max) != 1 || max % RINGBUF_PAGE != 0) {
            return einval("ringbuf max_entries must be a power of 2 and a multiple of " + RINGBUF_PAGE);
        }
        return flags != 0 ? einval("ringbuf maps take no flags") : null;
    }

    private static String rdwr(int flags) {
        return (flags & F_RDONLY_PROG) != 0 && (flags & F_WRONLY_PROG) != 0
                ? einval("BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other") : null;
    }

    static long roundUp8(long v) {
        return (v + 7L) & ~7L;
    }

    private static String einval(String why) {
        return "EINVAL: " + why;
    }
}
