package dev.bpfh.ctx;

/**
 * The Internet checksum arithmetic of the kernel's packet helpers (programs.md §3.4; the csum_*
 * operations of include/net/checksum.h as x86-64 computes them), on unsigned values held in ints
 * and longs. A checksum field is read from the packet as the bytes lie (a little-endian u16 on
 * this model): the arithmetic is byte-order independent, so nothing is swapped.
 */
final class Checksums {
    private Checksums() {}

    /** Ones'-complement 16-bit add with end-around carry. */
    static int add16(int a, int b) {
        int s = (a & 0xffff) + (b & 0xffff);
        return (s & 0xffff) + (s >>> 16);
    }

    /** A 32-bit sum folded to 16 bits, not inverted (programs.md §3.4's fold). */
    static int fold(long x32) {
        return add16((int) (x32 & 0xffff), (int) ((x32 >>> 16) & 0xffff));
    }

    /** csum_add: 32-bit ones'-complement add. */
    static long add32(long a, long b) {
        long s = (a + b) & 0xffffffffL;
        return s < (b & 0xffffffffL) ? s + 1 : s;
    }

    /** csum_sub. */
    static long sub32(long a, long b) {
        return add32(a, ~b & 0xffffffffL);
    }

    /** csum_fold: the folded, inverted 16-bit checksum. */
    static int csumFold(long x32) {
        return ~fold(x32) & 0xffff;
    }

    /**
     * §3.4's P(bytes, seed): fold(seed), then each little-endian u16 of {@code b[at, at+len)}
     * added with end-around carry; an odd last byte counts as a low byte.
     */
    static int partial(byte[] b, int at, int len, long seed) {
        int sum = fold(seed);
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum = add16(sum, (b[at + i] & 0xff) | (b[at + i + 1] & 0xff) << 8);
        }
        if (i < len) {
            sum = add16(sum, b[at + i] & 0xff);
        }
        return sum;
    }

    /** csum_replace4: a 32-bit field changed from {@code from} to {@code to} under checksum {@code sum}. */
    static int replace4(int sum, long from, long to) {
        long tmp = sub32(~(sum & 0xffffL) & 0xffffffffL, from & 0xffffffffL);
        return csumFold(add32(tmp, to & 0xffffffffL));
    }

    /** csum_replace2, in the kernel's 16-bit arithmetic (csum16_add / csum16_sub). */
    static int replace2(int sum, long from, long to) {
        int r = add16Kernel(add16Kernel(~sum & 0xffff, ~from & 0xffff), to & 0xffff);
        return ~r & 0xffff;
    }

    /** csum_replace_by_diff: {@code diff} is a 32-bit partial sum to add. */
    static int replaceByDiff(int sum, long diff) {
        return csumFold(add32(diff & 0xffffffffL, ~(sum & 0xffffL) & 0xffffffffL));
    }

    /** csum16_add: u16 add, plus one if it wrapped. */
    private static int add16Kernel(int a, long b) {
        int res = (a + (int) (b & 0xffff)) & 0xffff;
        return (res + (res < (b & 0xffff) ? 1 : 0)) & 0xffff;
    }
}
