package dev.bpfh.kernel;

import static dev.bpfh.kernel.Typed.asm;
import static dev.bpfh.kernel.Typed.frame;
import static dev.bpfh.kernel.Typed.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.interp.InterpreterBackend;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * bpf_csum_diff (helper 28, programs.md §3.4) in the kernel against the userspace model, run as
 * the interpreter runs it: one tc program makes many calls, each with constant sizes (the verifier
 * wants them constant) and buffers on the stack or in the packet, at even and odd offsets, and
 * stores each r0 into the packet. The kernel's packet after the run is the reference.
 */
class CsumDiffKernelTest {
    /** Where a buffer argument points: NULL, the 128-byte stack area r10-128.., or packet data. */
    enum Where { NULL, STACK, PACKET }

    record Buf(Where where, int offset, int size) {
        /** r10 is 8-aligned, so a stack offset's parity is the address's; the packet area starts at an even offset. */
        boolean isOdd() {
            return where != Where.NULL && size > 0 && offset % 2 == 1;
        }

        String load(int reg) {
            return switch (where) {
                case NULL -> "mov %r" + reg + ", 0\n";
                case STACK -> "mov %r" + reg + ", %r10\nadd %r" + reg + ", " + (offset - AREA) + "\n";
                case PACKET -> "mov %r" + reg + ", %r7\nadd %r" + reg + ", " + (PKT_AREA + offset) + "\n";
            };
        }
    }

    record Case(Buf from, Buf to, long seed) {
        @Override
        public String toString() {
            return String.format("from %s@%d+%d, to %s@%d+%d, seed 0x%x", from.where, from.offset, from.size,
                    to.where, to.offset, to.size, seed);
        }
    }

    /** Bytes of each buffer area; sizes go to AREA (mostly to 40), offsets to AREA - size. */
    static final int AREA = 128, PER_PROGRAM = 60, RESULTS = 14, STACK_SRC = RESULTS + 8 * PER_PROGRAM,
            PKT_AREA = STACK_SRC + AREA, FRAME = PKT_AREA + AREA;
    static final long[] SEEDS = {0, 0xffff, 0xffff0000L, 0xffffffffL, 0xfffe, 0x10000, 0xfffeffffL, 1,
            0xffffffff_0000ffffL}; // the last: r5's high half must not matter

    @BeforeEach
    void kernel() {
        KernelAssumptions.requireKernel();
    }

    @Test
    void theFuzzerReproducerAFromOnlyZeroByteAtAnOddStackAddressWithSeedFfff() {
        // r10-1 is stack area byte 127: zero in the frame below.
        List<Case> one = List.of(new Case(new Buf(Where.STACK, AREA - 1, 1), new Buf(Where.NULL, 0, 0), 0xffff));
        long[] kernel = compare(one, new Random(1));
        assertEquals(0xffff, kernel[0], "measured on 6.18 by the fuzzer");
    }

    @Test
    void everySizeShapeSeedAndParityMatchesTheKernel() {
        Random rnd = new Random(0x28c5d1ffL);
        List<Case> cases = new ArrayList<>();
        Where[] buffers = {Where.STACK, Where.PACKET};
        int k = 0;
        for (int size = 0; size <= 40; size++) {           // systematic: each size in each shape
            for (int shape = 0; shape < 3; shape++, k++) {
                Where w = buffers[k % 2];
                int off = (AREA - size - 1) & ~1 | (k / 2) % 2;  // even, then odd offsets
                long seed = SEEDS[k % SEEDS.length];
                Buf b = new Buf(w, Math.max(0, Math.min(off, AREA - size)), size);
                Buf other = randomBuf(rnd, size == 0 ? 0 : 1 + rnd.nextInt(40));
                cases.add(switch (shape) {
                    case 0 -> new Case(b, new Buf(Where.NULL, 0, 0), seed);
                    case 1 -> new Case(new Buf(Where.NULL, 0, 0), b, seed);
                    default -> new Case(other, b, seed);
                });
            }
        }
        for (long seed : SEEDS) {                          // neither buffer: the seed alone
            cases.add(new Case(new Buf(Where.NULL, 0, 0), new Buf(Where.NULL, 0, 0), seed));
            cases.add(new Case(new Buf(Where.STACK, 3, 0), new Buf(Where.PACKET, 5, 0), seed)); // size 0, real pointers
        }
        while (cases.size() < 600) {                       // seeded random
            int shape = rnd.nextInt(4);
            // Mostly 0..40; one in eight up to 128, for csum_partial's 64-byte loop.
            int max = rnd.nextInt(8) == 0 ? AREA + 1 : 41;
            Buf from = shape == 1 || shape == 3 ? randomBuf(rnd, rnd.nextInt(max)) : new Buf(Where.NULL, 0, 0);
            Buf to = shape == 2 || shape == 3 ? randomBuf(rnd, rnd.nextInt(max)) : new Buf(Where.NULL, 0, 0);
            long seed = rnd.nextInt(3) == 0 ? SEEDS[rnd.nextInt(SEEDS.length)] : rnd.nextLong();
            cases.add(new Case(from, to, seed));
        }
        // The kernel would byte-swap sums over odd addresses if it still rotated for them (before
        // 6.8): enough such cases make "the address parity does not matter" a measured fact.
        long odd = cases.stream().filter(c -> c.from.isOdd() || c.to.isOdd()).count();
        assertTrue(odd >= 200, odd + " cases with an odd address");
        int compared = 0;
        for (int i = 0; i < cases.size(); i += PER_PROGRAM) {
            compared += compare(cases.subList(i, Math.min(cases.size(), i + PER_PROGRAM)), rnd).length;
        }
        assertEquals(cases.size(), compared);
        System.out.println("csum_diff: " + compared + " cases matched the kernel, " + odd + " with an odd address");
    }

    static Buf randomBuf(Random rnd, int size) {
        Where w = rnd.nextBoolean() ? Where.STACK : Where.PACKET;
        return new Buf(w, rnd.nextInt(AREA - size + 1), size);
    }

    /**
     * Runs {@code cases} in one program in the kernel and the interpreter on the same random frame;
     * asserts every r0 equal (naming the case) and returns the kernel's.
     */
    static long[] compare(List<Case> cases, Random rnd) {
        byte[] packet = frame(FRAME);
        for (int i = RESULTS; i < FRAME; i++) {
            packet[i] = (byte) rnd.nextInt();
        }
        // Runs of zeros and of ff in both areas: the sums where 0 and ffff (or ffffffff) meet.
        java.util.Arrays.fill(packet, STACK_SRC + 48, STACK_SRC + 88, (byte) 0xff);
        java.util.Arrays.fill(packet, STACK_SRC + 88, STACK_SRC + AREA, (byte) 0);
        java.util.Arrays.fill(packet, PKT_AREA, PKT_AREA + 40, (byte) 0);
        java.util.Arrays.fill(packet, PKT_AREA + 40, PKT_AREA + 80, (byte) 0xff);
        Program p = program(cases);
        Outcome.Returned k = run(p, packet, true);
        Outcome.Returned in = run(p, packet, false);
        assertEquals(0, k.r0(), "kernel: the packet bounds check passed");
        assertEquals(0, in.r0(), "interp: the packet bounds check passed");
        long[] kernel = new long[cases.size()];
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            kernel[i] = u64(k.memory(), RESULTS + 8 * i);
            long interp = u64(in.memory(), RESULTS + 8 * i);
            assertTrue(kernel[i] >= 0 && kernel[i] <= 0xffff, "6.18 folds to 16 bits: " + cases.get(i));
            if (kernel[i] != interp) {
                differences.add(cases.get(i) + ": kernel 0x" + Long.toHexString(kernel[i]) + ", interp 0x"
                        + Long.toHexString(interp));
            }
        }
        assertEquals(List.of(), differences, differences.size() + " of " + cases.size() + " differ");
        return kernel;
    }

    /** r9 = ctx, r7 = data; packet bytes STACK_SRC.. copied to r10-128 by skb_load_bytes; one call per case. */
    static Program program(List<Case> cases) {
        StringBuilder s = new StringBuilder(String.join("\n",
                "mov %r9, %r1",
                "ldxw %r7, [%r9+76]",
                "ldxw %r8, [%r9+80]",
                "mov %r5, %r7",
                "add %r5, " + FRAME,
                "jgt %r5, %r8, short",
                "mov %r1, %r9",
                "mov %r2, " + STACK_SRC,
                "mov %r3, %r10",
                "add %r3, -" + AREA,
                "mov %r4, " + AREA,
                "call 26",
                ""));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            s.append(c.from.load(1)).append("mov %r2, ").append(c.from.size).append('\n')
                    .append(c.to.load(3)).append("mov %r4, ").append(c.to.size).append('\n')
                    .append(String.format("lddw %%r5, 0x%x%n", c.seed))
                    .append("call 28\n")
                    .append("stxdw [%r7+").append(RESULTS + 8 * i).append("], %r0\n");
        }
        s.append("mov %r0, 0\nexit\nshort:\nmov %r0, 2\nexit");
        return asm(ProgramType.SCHED_CLS, s.toString());
    }

    static Outcome.Returned run(Program p, byte[] packet, boolean inKernel) {
        try (Executable e = inKernel ? new KernelBackend().load(p, LoadOptions.DEFAULTS)
                : new InterpreterBackend().load(p, LoadOptions.DEFAULTS)) {
            return assertInstanceOf(Outcome.Returned.class, e.run(RunInput.of(packet.clone())),
                    inKernel ? "kernel" : "interp");
        } catch (LoadRejected r) {
            throw new AssertionError((inKernel ? "kernel" : "interp") + " refused: " + r.getMessage() + "\n" + r.log(), r);
        }
    }
}
