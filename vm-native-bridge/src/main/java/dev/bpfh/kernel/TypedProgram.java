package dev.bpfh.kernel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.bpfh.ctx.ContextLayout;
import dev.bpfh.ctx.PacketContext;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import dev.bpfh.spi.TrapKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * An XDP, tc (SCHED_CLS) or socket-filter program loaded as itself (its own prog type, no wrapper,
 * license "GPL", expected_attach_type 0) and run by BPF_PROG_TEST_RUN with test_run's own inputs and
 * outputs (programs.md §4): data_in/data_out, and ctx_in/ctx_out when the run has a context.
 * Buffers live in its own confined arena, so the thread that loaded it must run it.
 */
final class TypedProgram implements AutoCloseable {
    /**
     * data_out room for XDP: the packet comes back from data_meta to data_end, both inside one
     * 4096-byte frame (data_meta ≥ 40, data_end ≤ 3776), and inputs that would spill into
     * fragments are refused before the run ({@link PacketContext#checkInput}).
     */
    static final int XDP_DATA_OUT = PacketContext.XDP_FRAME;
    /**
     * data_out room for skb programs: the packet is skb->len bytes after the run, and tc programs
     * can grow it (bpf_skb_change_tail, change_head): measured up to 16064 bytes on 6.18 with 4 KiB
     * pages (SKB_MAX_ALLOC, not lo's MTU). 64 KiB plus a page leaves room for larger pages; a
     * packet beyond it is an ENOSPC outcome, never a truncated data_out.
     */
    static final int SKB_DATA_OUT = 65536 + 4096;

    private final Arena arena = Arena.ofConfined();
    final ProgramType type;
    final Fd prog;
    final Bpf.ProgInfo info;
    final long loadNanos;
    private final int structSize;
    private final MemorySegment dataIn;
    private final MemorySegment dataOut;
    private final MemorySegment ctxIn;
    private final MemorySegment ctxOut;
    private final Bpf.PreparedTestRun testRun;

    private TypedProgram(Bpf bpf, ProgramType type, LoadedProgram.Verified v) {
        this.type = type;
        this.prog = v.prog();
        this.info = v.info();
        this.loadNanos = v.nanos();
        this.structSize = ContextLayout.of(type).orElseThrow().size();
        this.dataIn = arena.allocate(Math.max(PacketContext.XDP_MAX_LINEAR, PacketContext.SKB_MAX_DATA), 8);
        this.dataOut = arena.allocate(type == ProgramType.XDP ? XDP_DATA_OUT : SKB_DATA_OUT, 8);
        this.ctxIn = arena.allocate(structSize, 8);
        this.ctxOut = arena.allocate(structSize, 8);
        this.testRun = bpf.prepareTestRun(arena, prog.value(), dataIn, dataOut, 1);
    }

    /** Loads {@code insns} (map references already patched to fds) as a program of {@code type}. */
    static TypedProgram load(Bpf bpf, String name, ProgramType type, long[] insns) throws Refusal {
        LoadedProgram.Verified v = LoadedProgram.verify(bpf, name, type.linuxId(), insns, 0, null, type);
        try {
            return new TypedProgram(bpf, type, v);
        } catch (RuntimeException e) {
            v.prog().close();
            throw e;
        }
    }

    /**
     * One run (repeat 1: XDP with repeat > 1 costs ≈ 17 ms). An input that test_run would refuse, or
     * that the userspace engines cannot model, is refused before the kernel sees it, in the words of
     * {@link PacketContext#checkInput} (the same outcome every engine gives); an errno from the
     * kernel itself is reported with its name. Never throws for a bad input.
     */
    Outcome run(RunInput input) {
        Optional<String> bad = PacketContext.checkInput(type, input);
        if (bad.isPresent()) {
            return inputRefused(bad.get());
        }
        int errno = invoke(input);
        if (errno != 0) {
            return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, "BPF_PROG_TEST_RUN failed: " + Errno.name(errno)
                    + (errno == Errno.ENOSPC ? " (data_out of " + testRun.dataSizeOut() + " bytes)" : ""));
        }
        byte[] out = input.dataOut() ? dataOut.asSlice(0, testRun.dataSizeOut()).toArray(JAVA_BYTE) : null;
        byte[] ctx = input.ctx() == null ? null
                : ctxOut.asSlice(0, Math.min(structSize, testRun.ctxSizeOut())).toArray(JAVA_BYTE);
        return new Outcome.Returned(Integer.toUnsignedLong(testRun.retval()), out, ctx);
    }

    /**
     * What the kernel itself says of {@code input}, with no check of ours first: 0 or the errno of
     * BPF_PROG_TEST_RUN. For tests that hold {@link PacketContext#checkInput} to the kernel.
     */
    int errnoWithoutChecks(RunInput input) {
        return invoke(input);
    }

    /** The outcome of a run whose input is refused before it runs: {@code reason} starts with the errno name. */
    static Outcome inputRefused(String reason) {
        return PacketContext.inputRefused(reason);
    }

    private int invoke(RunInput input) {
        byte[] data = input.data();
        MemorySegment.copy(data, 0, dataIn, JAVA_BYTE, 0, data.length);
        testRun.setData(data.length, input.dataOut() ? dataOut : null);
        byte[] ctx = input.ctx();
        if (ctx == null) {
            testRun.setContext(null, 0, null);
        } else {
            MemorySegment.copy(ctx, 0, ctxIn, JAVA_BYTE, 0, ctx.length);
            ctxOut.fill((byte) 0);
            testRun.setContext(ctxIn, ctx.length, ctxOut);
        }
        return testRun.invoke();
    }

    /**
     * Mean in-kernel ns per repetition over {@code repeat} repetitions (tc and socket filters only:
     * XDP's repeat costs ≈ 17 ms per call). State persists across repetitions.
     */
    int kernelNanos(RunInput input, int repeat) {
        if (type == ProgramType.XDP && repeat > 1) {
            throw new IllegalStateException("repeat-based timing must not use XDP (≈17 ms per call)");
        }
        Optional<String> bad = PacketContext.checkInput(type, input);
        if (bad.isPresent()) {
            throw new IllegalArgumentException("test_run input refused: " + bad.get());
        }
        testRun.setRepeat(repeat);
        try {
            int errno = invoke(input);
            if (errno != 0) {
                throw new BpfException("BPF_PROG_TEST_RUN", errno);
            }
            return testRun.durationNanos();
        } finally {
            testRun.setRepeat(1);
        }
    }

    @Override
    public void close() {
        prog.close();
        try {
            arena.close();
        } catch (WrongThreadException e) {
            // see LoadedProgram.close()
        }
    }
}
