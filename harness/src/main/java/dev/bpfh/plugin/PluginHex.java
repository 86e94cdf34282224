package dev.bpfh.plugin;

import java.io.ByteArrayOutputStream;

/**
 * The hex text of bpf_conformance's plugin protocol (isa.md §6.1): each byte as two lowercase hex
 * digits followed by two spaces, e.g. {@code "b4  00  00  00  "}. Parsing splits on any whitespace
 * and ignores empty tokens, so single-spaced and multi-line input is accepted too.
 */
public final class PluginHex {
    private PluginHex() {}

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    public static String format(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 4);
        for (byte b : bytes) {
            sb.append(DIGITS[(b >> 4) & 0xf]).append(DIGITS[b & 0xf]).append("  ");
        }
        return sb.toString();
    }

    /**
     * Parses whitespace-separated byte tokens. Each token is one or two hex digits, optionally
     * prefixed by {@code 0x}. A token that is not a byte is an error naming the token and its index.
     */
    public static byte[] parse(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int index = 0;
        for (String token : text.trim().split("\\s+")) {
            if (token.isEmpty()) {
                continue;
            }
            String digits = token.startsWith("0x") || token.startsWith("0X") ? token.substring(2) : token;
            if (digits.isEmpty() || digits.length() > 2) {
                throw new IllegalArgumentException("hex byte " + index + " is not one byte: '" + token + "'");
            }
            int v = 0;
            for (int i = 0; i < digits.length(); i++) {
                int d = Character.digit(digits.charAt(i), 16);
                if (d < 0) {
                    throw new IllegalArgumentException("hex byte " + index + " is not hex: '" + token + "'");
                }
                v = v * 16 + d;
            }
            out.write(v);
            index++;
        }
        return out.toByteArray();
    }
}
