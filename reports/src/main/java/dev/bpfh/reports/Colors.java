package dev.bpfh.reports;

import java.awt.Color;
import java.util.List;

/**
 * One color per backend in every chart, whatever else the chart shows (XChart would otherwise hand
 * out its palette in series order, so a chart without the interpreter shifted every color).
 */
public final class Colors {
    private Colors() {}

    /** A colour-blind-safe palette (Okabe–Ito, without black and yellow). */
    public static final List<Color> PALETTE = List.of(
            new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xCC79A7),
            new Color(0x56B4E9), new Color(0xD55E00));

    /** interp blue, jit orange, kernel green; any other backend a fixed colour derived from its name. */
    public static Color backend(String name) {
        return switch (name) {
            case "interp" -> PALETTE.get(0);
            case "jit" -> PALETTE.get(1);
            case "kernel" -> PALETTE.get(2);
            default -> PALETTE.get(3 + Math.floorMod(name.hashCode(), PALETTE.size() - 3));
        };
    }

    /** The i-th colour of the palette, cycling. */
    public static Color nth(int i) {
        return PALETTE.get(Math.floorMod(i, PALETTE.size()));
    }
}
