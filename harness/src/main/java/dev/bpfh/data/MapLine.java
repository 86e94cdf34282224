package dev.bpfh.data;

import java.util.HexFormat;

/**
 * One {@code KEY_HEX : VALUE_HEX} line of a {@code -- map-init} or {@code -- map-expect} section:
 * the bytes as they are in memory. In a PROG_ARRAY's {@code -- map-init} the value may be the word
 * {@code self} (the program itself): then {@code value} is null and {@code self} is true.
 *
 * @param line the line of the {@code .data} file, for messages
 */
public record MapLine(byte[] key, byte[] value, boolean self, int line) {

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public byte[] value() {
        return value == null ? null : value.clone();
    }

    @Override
    public String toString() {
        HexFormat h = HexFormat.ofDelimiter(" ");
        return h.formatHex(key) + " : " + (self ? "self" : h.formatHex(value));
    }
}
