package dev.bpfh.isa;

import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.ProgramType;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An eBPF program: its 8-byte slots (as little-endian 64-bit words), a name for reports, and the
 * maps it uses ({@code lddw} with src 1 or 2 names a map by its index in {@link #maps()}), and its
 * type, which decides its context and result ({@link ProgramType#RAW}: r1 = memory, r2 = length).
 *
 * <p>The slot array is never shared: the compact constructor and {@link #slots()} copy it, so a
 * backend may keep the program without defensive copies of its own.
 */
public record Program(String name, long[] slots, List<MapSpec> maps, ProgramType type) {

    public static final int SLOT_BYTES = 8;

    public Program {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        slots = slots.clone();
        maps = List.copyOf(maps);
    }

    /** A RAW program that uses no maps. */
    public Program(String name, long[] slots) {
        this(name, slots, List.of(), ProgramType.RAW);
    }

    /** A RAW program with maps. */
    public Program(String name, long[] slots, List<MapSpec> maps) {
        this(name, slots, maps, ProgramType.RAW);
    }

    /** The same instructions with these maps. */
    public Program withMaps(List<MapSpec> maps) {
        return new Program(name, slots, maps, type);
    }

    /** The same program as another type. */
    public Program withType(ProgramType type) {
        return new Program(name, slots, maps, type);
    }

    /** The index of the map called {@code name}, or -1. */
    public int mapIndex(String mapName) {
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i).name().equals(mapName)) {
                return i;
            }
        }
        return -1;
    }

    public static Program of(String name, long... slots) {
        return new Program(name, slots);
    }

    /** Reads little-endian slots from raw bytes; the length must be a multiple of 8. */
    public static Program fromBytes(String name, byte[] bytes) {
        if (bytes.length % SLOT_BYTES != 0) {
            throw new IllegalArgumentException(
                    "program length " + bytes.length + " is not a multiple of 8 bytes");
        }
        long[] slots = new long[bytes.length / SLOT_BYTES];
        for (int i = 0; i < slots.length; i++) {
            long w = 0;
            for (int b = 7; b >= 0; b--) {
                w = (w << 8) | (bytes[i * SLOT_BYTES + b] & 0xffL);
            }
            slots[i] = w;
        }
        return new Program(name, slots);
    }

    public byte[] toBytes() {
        byte[] out = new byte[slots.length * SLOT_BYTES];
        for (int i = 0; i < slots.length; i++) {
            for (int b = 0; b < SLOT_BYTES; b++) {
                out[i * SLOT_BYTES + b] = (byte) (slots[i] >>> (8 * b));
            }
        }
        return out;
    }

    @Override
    public long[] slots() {
        return slots.clone();
    }

    /** Number of slots ({@code lddw} counts two). */
    public int length() {
        return slots.length;
    }

    public long slot(int pc) {
        return slots[pc];
    }

    /**
     * The pcs at which an instruction starts, in order: every slot but the second of each
     * {@code lddw}, which holds the constant's upper half. The one walk that analyses of the
     * instructions share, so none of them mistakes that half for an instruction. A trailing
     * {@code lddw} without its second slot (the {@link Validator} refuses it) still starts at its pc.
     */
    public int[] instructionPcs() {
        int[] pcs = new int[slots.length];
        int n = 0;
        for (int pc = 0; pc < slots.length; pc++) {
            pcs[n++] = pc;
            if (Insn.opcode(slots[pc]) == Opcodes.LDDW) {
                pc++;
            }
        }
        return Arrays.copyOf(pcs, n);
    }

    public Insn insn(int pc) {
        return Insn.decode(slots[pc]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Program p && name.equals(p.name) && Arrays.equals(slots, p.slots) && maps.equals(p.maps) && type == p.type;
    }

    @Override
    public int hashCode() {
        return ((name.hashCode() * 31 + Arrays.hashCode(slots)) * 31 + maps.hashCode()) * 31 + type.hashCode();
    }

    @Override
    public String toString() {
        return "Program[" + name + ", " + slots.length + " slots" + (maps.isEmpty() ? "" : ", " + maps.size() + " maps") + "]";
    }
}
