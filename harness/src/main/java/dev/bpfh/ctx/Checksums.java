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

    /** A 32-bit sum folded to 16 bits, not inverted (programs.md §3.4's fold; the kernel's csum_from32to16). */
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
     * x86-64's 32-bit csum_partial(buf, len, seed) as 6.18 computes it: seed plus each little-endian
     * u64 of the bytes (the trailing 1..7 zero-padded), with end-around carry in 64 bits, then the
     * two halves added with end-around carry. The address does not matter: the odd-address rotation
     * of older kernels is gone (CsumDiffKernelTest: 269 odd-address cases on 6.18). Folding early to 16 bits would give the same value modulo 0xffff but not the same
     * representative: this sum is 0 only when the seed and every byte are 0, and bpf_csum_diff's
     * complement and final fold turn the difference between 0 and 0xffffffff into 0 vs 0xffff.
     */
    static long partial32(byte[] b, int at, int len, long seed) {
        long sum = seed & 0xffffffffL;
        for (int i = 0; i < len; i += 8) {
            long word = 0;
            for (int j = Math.min(8, len - i) - 1; j >= 0; j--) {
                word = word << 8 | (b[at + i + j] & 0xff);
            }
            sum += word;
            if (Long.compareUnsigned(sum, word) < 0) {
                sum++; // the carry out of bit 63 comes back in at bit 0
            }
        }
        return add32(sum >>> 32, sum & 0xffffffffL);
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
