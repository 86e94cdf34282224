package dev.bpfh.kernel;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bpfh.asm.Assembler;
import dev.bpfh.asm.AssemblyException;
import dev.bpfh.asm.SourceLine;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed programs for the context tests: written in assembly (LD_ABS/LD_IND as raw {@code .slot}s,
 * which the assembler has no mnemonic for), loaded into the kernel, run once.
 */
final class Typed {
    private Typed() {}

    static final int XDP_ABORTED = 0, XDP_DROP = 1, XDP_PASS = 2;

    static Program asm(ProgramType type, String text) {
        return asm(type, List.of(), text);
    }

    static Program asm(ProgramType type, List<MapSpec> maps, String text) {
        List<SourceLine> lines = new ArrayList<>();
        String[] raw = text.split("\n");
        for (int i = 0; i < raw.length; i++) {
            lines.add(new SourceLine(i + 1, raw[i]));
        }
        try {
            return Assembler.assemble(type.word() + "_test", lines, maps).withType(type);
        } catch (AssemblyException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** Loads, runs once, closes. */
    static Outcome run(Program p, RunInput in) {
        try (KernelExecutable e = new KernelBackend().load(p, LoadOptions.DEFAULTS)) {
            return e.run(in);
        } catch (LoadRejected r) {
            throw new AssertionError("kernel refused: " + r.getMessage() + "\n" + r.log(), r);
        }
    }

    static Outcome.Returned returned(Program p, RunInput in) {
        return assertInstanceOf(Outcome.Returned.class, run(p, in));
    }

    static Outcome.Returned returned(Program p, byte[] packet) {
        return returned(p, RunInput.of(packet));
    }

    /** LD_ABS ({@code bytes} 1, 2 or 4) at {@code k}: r0 = the big-endian value, as one raw slot. */
    static String ldAbs(int bytes, int k) {
        return slot(0x20 | sizeBits(bytes), 0, k);
    }

    /** LD_IND at {@code src} + {@code k}. */
    static String ldInd(int bytes, int src, int k) {
        return slot(0x40 | sizeBits(bytes), src, k);
    }

    private static int sizeBits(int bytes) {
        return switch (bytes) {
            case 4 -> 0x00;
            case 2 -> 0x08;
            case 1 -> 0x10;
            default -> throw new IllegalArgumentException("LD_ABS/IND size " + bytes);
        };
    }

    private static String slot(int opcode, int src, int imm) {
        long s = opcode | (long) (src & 0xf) << 12 | (imm & 0xffffffffL) << 32;
        return String.format(".slot 0x%016x", s);
    }

    /** An Ethernet frame of {@code len} bytes: dst MAC, src 02:00:00:00:00:02, ethertype, then bytes 14.. = i. */
    static byte[] frame(int len, int ethertype, int... dst) {
        byte[] f = new byte[len];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (i < dst.length ? dst[i] : 0);
        }
        f[6] = 2;
        f[11] = 2;
        f[12] = (byte) (ethertype >>> 8);
        f[13] = (byte) ethertype;
        for (int i = 14; i < len; i++) {
            f[i] = (byte) i;
        }
        return f;
    }

    /** A frame to an ordinary unicast address (02:00:00:00:00:01), IPv4. */
    static byte[] frame(int len) {
        return frame(len, 0x0800, 2, 0, 0, 0, 0, 1);
    }

    static long u32(byte[] b, int off) {
        return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16 | (b[off + 3] & 0xffL) << 24;
    }

    static long u64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }

    static void put32(byte[] b, int off, long v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    static void put64(byte[] b, int off, long v) {
        put32(b, off, v);
        put32(b, off + 4, v >>> 32);
    }

    /** The u32 words of {@code b} from {@code off}, {@code n} of them. */
    static long[] words(byte[] b, int off, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = u32(b, off + 4 * i);
        }
        return out;
    }
}
