package dev.bpfh.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where every random choice comes from. Case {@code i} of a campaign depends only on the seed and
 * {@code i}, never on which thread, shard or machine made it, so any case can be regenerated alone.
 */
public final class Seeds {
    private Seeds() {}

    /** The default seed of {@code bpfh fuzz}. */
    public static final long DEFAULT = 0xb0f_f022L;

    /** A generator for case {@code index}: the seed and index mixed by SplitMix64's finaliser. */
    public static SplittableRandom forCase(long seed, long index) {
        long z = seed + (index + 1) * 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return new SplittableRandom(z ^ (z >>> 31));
    }

    /**
     * {@code count} inputs of {@code len} bytes: random bytes, and every other input made of the
     * values where signed and unsigned readings part (0x00, 0x7f, 0x80, 0xff).
     */
    public static List<byte[]> inputs(SplittableRandom rnd, int len, int count) {
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] m = new byte[len];
            if (i % 2 == 0) {
                rnd.nextBytes(m);
            } else {
                for (int b = 0; b < len; b++) {
                    m[b] = (byte) new int[] {0x00, 0x7f, 0x80, 0xff, rnd.nextInt(256)}[rnd.nextInt(5)];
                }
            }
            out.add(m);
        }
        return out;
    }
}
