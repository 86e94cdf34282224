package dev.bpfh.spi;

import java.util.Objects;

/**
 * One map a program uses, as {@code BPF_MAP_CREATE} takes it. A program's {@code lddw} with
 * src 1 ({@code BPF_PSEUDO_MAP_FD}) or src 2 ({@code BPF_PSEUDO_MAP_VALUE}) names a map by its
 * index in {@link dev.bpfh.isa.Program#maps()}; each engine turns that index into its own handle
 * (the kernel backend into a file descriptor).
 *
 * <p>The record holds what the user declared; whether the kernel would create such a map is decided
 * by {@link dev.bpfh.maps.MapRules}, so a bad definition is a load refusal, not a constructor error.
 *
 * @param name at most 15 characters of {@code [A-Za-z0-9_.]} in the kernel ({@code map_name})
 * @param flags {@code map_flags}, e.g. {@code BPF_F_RDONLY_PROG} (0x80) for {@code .rodata}
 */
public record MapSpec(String name, MapType type, int keySize, int valueSize, int maxEntries, int flags) {

    public static final int F_NO_PREALLOC = 0x1;
    public static final int F_NO_COMMON_LRU = 0x2;
    public static final int F_ZERO_SEED = 0x40;
    public static final int F_RDONLY_PROG = 0x80;
    public static final int F_WRONLY_PROG = 0x100;
    public static final int F_MMAPABLE = 0x400;

    public MapSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    /** Whether programs may only read the values (stores through a value pointer are refused). */
    public boolean readOnlyForPrograms() {
        return (flags & F_RDONLY_PROG) != 0;
    }

    /** The declaration line of the {@code .data} format. */
    public String describe() {
        return "type=" + type.word() + " key=" + keySize + " value=" + valueSize + " entries=" + maxEntries
                + (flags != 0 ? " flags=0x" + Integer.toHexString(flags) : "");
    }
}
