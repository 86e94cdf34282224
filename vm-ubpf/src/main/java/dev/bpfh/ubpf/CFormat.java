package dev.bpfh.ubpf;

import java.lang.foreign.MemorySegment;

/**
 * Enough of C's printf to render uBPF's error messages from raw 64-bit argument words:
 * conversions d i u x X o p s c and %%, length modifiers hh h l ll z j t, flags, width and
 * precision (width and precision are parsed and ignored: the messages are read, not aligned).
 * An int-sized conversion uses the low 32 bits of its word, as the callee of a C variadic call would.
 */
final class CFormat {
    private CFormat() {}

    static String format(String fmt, long[] args) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        int i = 0;
        while (i < fmt.length()) {
            char c = fmt.charAt(i++);
            if (c != '%') {
                out.append(c);
                continue;
            }
            while (i < fmt.length() && "-+ #0".indexOf(fmt.charAt(i)) >= 0) {
                i++;
            }
            while (i < fmt.length() && (Character.isDigit(fmt.charAt(i)) || fmt.charAt(i) == '.')) {
                i++;
            }
            boolean wide = false;
            while (i < fmt.length() && "hlzjt".indexOf(fmt.charAt(i)) >= 0) {
                wide |= fmt.charAt(i) != 'h';
                i++;
            }
            if (i >= fmt.length()) {
                out.append('%');
                break;
            }
            char conv = fmt.charAt(i++);
            if (conv == '%') {
                out.append('%');
                continue;
            }
            if (next >= args.length) {
                out.append('?');
                continue;
            }
            long a = args[next++];
            switch (conv) {
                case 'd', 'i' -> out.append(wide ? a : (long) (int) a);
                case 'u' -> out.append(wide ? Long.toUnsignedString(a) : Long.toString(a & 0xffffffffL));
                case 'x' -> out.append(Long.toHexString(wide ? a : a & 0xffffffffL));
                case 'X' -> out.append(Long.toHexString(wide ? a : a & 0xffffffffL).toUpperCase());
                case 'o' -> out.append(Long.toOctalString(wide ? a : a & 0xffffffffL));
                case 'p' -> out.append("0x").append(Long.toHexString(a));
                case 'c' -> out.append((char) (a & 0xff));
                case 's' -> out.append(a == 0 ? "(null)"
                        : MemorySegment.ofAddress(a).reinterpret(Integer.MAX_VALUE).getString(0));
                default -> out.append('%').append(conv);
            }
        }
        return out.toString();
    }
}
