package dev.bpfh.spi;

import java.util.Locale;
import java.util.Optional;

/**
 * The map types bpfh runs, with their Linux ids ({@code enum bpf_map_type} in
 * include/uapi/linux/bpf.h) and the word the {@code .data} format uses for them.
 */
public enum MapType {
    HASH(1),
    ARRAY(2),
    PROG_ARRAY(3),
    PERCPU_HASH(5),
    PERCPU_ARRAY(6),
    LRU_HASH(9),
    RINGBUF(27);

    private final int linuxId;

    MapType(int linuxId) {
        this.linuxId = linuxId;
    }

    public int linuxId() {
        return linuxId;
    }

    /** The {@code .data} spelling: {@code hash}, {@code percpu_array}, ... */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isHash() {
        return this == HASH || this == PERCPU_HASH || this == LRU_HASH;
    }

    public boolean isArray() {
        return this == ARRAY || this == PERCPU_ARRAY;
    }

    public boolean isPerCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY;
    }

    public static Optional<MapType> fromWord(String word) {
        for (MapType t : values()) {
            if (t.word().equals(word)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
