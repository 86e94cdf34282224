package dev.bpfh.isa;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The conformance groups with bpf_conformance's bit values (isa.md §3.1–§3.2). {@code callx} is not
 * an RFC 9669 group; bpf_conformance adds it for opcode 0x8d.
 */
public enum Group {
    BASE32(0x01),
    BASE64(0x02),
    ATOMIC32(0x04),
    ATOMIC64(0x08),
    DIVMUL32(0x10),
    DIVMUL64(0x20),
    PACKET(0x40),
    CALLX(0x80);

    /** bpf_conformance's default: everything but packet and callx. */
    public static final int DEFAULT_MASK = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20;

    /** Every group. */
    public static final int ALL_MASK = 0xff;

    private final int bit;

    Group(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    /** This group's bit plus the bits of the groups it includes (base64 includes base32, ...). */
    public int withIncluded() {
        return switch (this) {
            case BASE64 -> BASE64.bit | BASE32.bit;
            case ATOMIC64 -> ATOMIC64.bit | ATOMIC32.bit;
            case DIVMUL64 -> DIVMUL64.bit | DIVMUL32.bit;
            default -> bit;
        };
    }

    /** The lower-case name used on command lines, e.g. {@code divmul64}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a comma-separated list of group names into a bitmask, expanding each name to include
     * the groups it includes; {@code all} is every group and {@code none} is 0. Blank input is 0.
     *
     * @throws IllegalArgumentException {@code Invalid group: X} for an unknown name
     */
    public static int parseMask(String commaList) {
        int mask = 0;
        if (commaList == null || commaList.isBlank()) {
            return 0;
        }
        for (String raw : commaList.split(",", -1)) {
            String name = raw.trim().toLowerCase(Locale.ROOT);
            mask |= switch (name) {
                case "all" -> ALL_MASK;
                case "none" -> 0;
                default -> byLabel(name).withIncluded();
            };
        }
        return mask;
    }

    private static Group byLabel(String name) {
        for (Group g : values()) {
            if (g.label().equals(name)) {
                return g;
            }
        }
        throw new IllegalArgumentException("Invalid group: " + name);
    }

    /** The groups in a mask, in bit order; empty for 0. Bits above 0x80 are ignored. */
    public static List<Group> of(int mask) {
        List<Group> out = new ArrayList<>();
        for (Group g : values()) {
            if ((mask & g.bit) != 0) {
                out.add(g);
            }
        }
        return out;
    }

    /** The names in a mask as a comma-separated list ({@code base32,base64}), or {@code none}. */
    public static String names(int mask) {
        List<String> names = of(mask).stream().map(Group::label).toList();
        return names.isEmpty() ? "none" : String.join(",", names);
    }
}
