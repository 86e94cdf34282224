package dev.bpfh.kernel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One user program wrapped for one memory length and loaded into the kernel, with the buffers and
 * the pre-filled PROG_TEST_RUN attr it runs with. Its buffers live in its own confined arena (so the
 * thread that loaded it must run it); {@link #close()} frees them and closes the program and map fds.
 */
final class LoadedProgram implements AutoCloseable {
    /** First log buffer for a refused program: the rotating log keeps the tail, where the error is. */
    static final int LOG_MIN = 64 * 1024;
    /** Largest log buffer we grow to (a 100k-insn program logs ≈ 5 MB at level 1). */
    static final int LOG_MAX = 16 * 1024 * 1024;


    /** Buffers of this program only, so that dropping it from a cache frees them. */
    private final Arena arena;
    final Wrapping wrapping;
    final int memoryLength;
    final Fd prog;
    /** MAP_VALUE: the memory map and the r0 map; null for XDP. */
    final Fd map;
    final Fd resultMap;
    final Bpf.ProgInfo info;
    final long loadNanos;
    private final Bpf.PreparedTestRun testRun;
    private final MemorySegment dataIn;
    private final MemorySegment dataOut;
    private final MemorySegment key;
    private final MemorySegment value;
    private final MemorySegment result;

    private LoadedProgram(Bpf bpf, Wrapping wrapping, int len, Fd prog, Fd map, Fd resultMap, long loadNanos,
                          Bpf.ProgInfo info) {
        this.arena = Arena.ofConfined();
        this.wrapping = wrapping;
        this.memoryLength = len;
        this.prog = prog;
        this.map = map;
        this.resultMap = resultMap;
        this.loadNanos = loadNanos;
        this.info = info;
        if (wrapping == Wrapping.XDP || wrapping == Wrapping.DIRECT) {
            int packet = wrapping == Wrapping.XDP ? Wrapping.packetSize(len) : Wrapping.XDP_MAX_PACKET;
            dataIn = alloc(packet);
            dataOut = alloc(packet);
            key = null;
            value = null;
            result = null;
        } else {
            dataIn = alloc(Wrapping.MIN_PACKET);
            dataOut = null;
            key = alloc(4);
            value = alloc(Wrapping.memoryValueSize(len));
            result = alloc(8);
        }
        testRun = bpf.prepareTestRun(arena, prog.value(), dataIn, dataOut, 1);
    }

    private MemorySegment alloc(long bytes) {
        return arena.allocate(Math.max(1, bytes), 8);
    }

    /**
     * Wraps, loads ({@link #verify}) and reads bpf_prog_info. {@code user} has its map references
     * already patched to fds.
     */
    static LoadedProgram load(Bpf bpf, String name, long[] user, Wrapping wrapping, int len) throws Refusal {
        Fd map = null;
        Fd resultMap = null;
        try {
            if (wrapping == Wrapping.MAP_VALUE) {
                map = bpf.mapCreate(Bpf.MAP_TYPE_ARRAY, 4, Wrapping.memoryValueSize(len), 1, 0);
                resultMap = bpf.mapCreate(Bpf.MAP_TYPE_ARRAY, 4, 8, 1, 0);
            }
            long[] insns = wrapping.wrap(user, len, map == null ? 0 : map.value(),
                    resultMap == null ? 0 : resultMap.value());
            Verified v = verify(bpf, name, wrapping.progType(), insns, wrapping.userStart(), wrapping, null);
            LoadedProgram p = new LoadedProgram(bpf, wrapping, len, v.prog(), map, resultMap, v.nanos(), v.info());
            map = null;
            resultMap = null;
            return p;
        } catch (BpfException e) {
            throw new Refusal(e.errno(), -1, e.getMessage(), "", wrapping, null);
        } finally {
            if (map != null) {
                map.close();
            }
            if (resultMap != null) {
                resultMap.close();
            }
        }
    }

    /** A program the kernel accepted: its fd, bpf_prog_info and the wall time of the load. */
    record Verified(Fd prog, Bpf.ProgInfo info, long nanos) {}

    /**
     * BPF_PROG_LOAD of {@code insns} as {@code progType} (log-less first; with a log only on
     * refusal), then bpf_prog_info. A program that takes a function's address gets the synthetic
     * BTF of {@link Btf} (its fd is closed once the program holds it); others load without BTF.
     * {@code userStart} is where the user's code starts (verifier pcs are mapped back by it);
     * {@code wrapping} (null for a typed program) and {@code type} say how it was loaded.
     */
    static Verified verify(Bpf bpf, String name, int progType, long[] insns, int userStart, Wrapping wrapping,
                           dev.bpfh.spi.ProgramType type) throws Refusal {
        Fd btf = null;
        try {
            Bpf.FuncInfo funcs = null;
            if (Btf.needsFuncInfo(insns)) {
                int[] starts = Btf.subprogramStarts(insns);
                btf = bpf.btfLoad(Btf.blob(starts));
                funcs = new Bpf.FuncInfo(btf.value(), Btf.funcInfo(starts));
            }
            Bpf.LoadAttempt a = bpf.progLoad(progType, insns, name, 0, 0, funcs);
            if (!a.ok()) {
                throw refusal(bpf, name, insns, progType, userStart, wrapping, type, a.errno(), funcs);
            }
            try {
                return new Verified(a.fd(), bpf.progInfo(a.fd().value()), a.nanos());
            } catch (BpfException e) {
                a.fd().close();
                throw e;
            }
        } catch (BpfException e) {
            throw new Refusal(e.errno(), -1, e.getMessage(), "", wrapping, type);
        } finally {
            if (btf != null) {
                btf.close();
            }
        }
    }

    /**
     * Reloads a refused program with log_level 1 to learn why. A too-small buffer makes even a
     * valid load fail with ENOSPC on 6.18, so the buffer grows to log_true_size (attr+140) up to
     * {@link #LOG_MAX}; beyond that the rotating log's tail still holds the error.
     */
    private static Refusal refusal(Bpf bpf, String name, long[] insns, int progType, int start, Wrapping wrapping,
                                   dev.bpfh.spi.ProgramType type, int errno, Bpf.FuncInfo funcs) {
        int size = LOG_MIN;
        Bpf.LoadAttempt a;
        while (true) {
            a = bpf.progLoad(progType, insns, name, 1, size, funcs);
            if (a.ok()) {
                a.fd().close(); // accepted with a log although refused without: report the first errno
                break;
            }
            if (a.errno() != Errno.ENOSPC || a.logTrueSize() <= size || size >= LOG_MAX) {
                break;
            }
            size = Math.min(LOG_MAX, a.logTrueSize() + 1);
        }
        VerifierLog v = VerifierLog.parse(a.log());
        int pc = v.insn() >= start ? v.insn() - start : -1;
        if (v.reason().startsWith("last insn is not an exit")) {
            pc = insns.length - start - 1;
        }
        return new Refusal(errno, pc, toUserPcs(v.reason(), start), v.tail(), wrapping, type);
    }

    /** "insn 20", and the target in "from insn 20 to 26". */
    private static final Pattern INSN_NUMBER = Pattern.compile("\\b(insn|to) (\\d+)");

    /**
     * Rewrites instruction numbers in a verifier reason ("infinite loop detected at insn 20") from
     * the wrapped program's numbering to the user's pcs; numbers inside the wrapper stay as they are.
     */
    static String toUserPcs(String reason, int userStart) {
        Matcher m = INSN_NUMBER.matcher(reason);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int n = Integer.parseInt(m.group(2));
            m.appendReplacement(out, m.group(1) + " " + (n >= userStart ? n - userStart : n));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Runs once (repeat 1) on {@code memory}, updating it in place. Never throws for a kernel error. */
    Outcome run(Bpf bpf, byte[] memory) {
        if (wrapping == Wrapping.DIRECT) {
            return runDirect(memory);
        }
        int len = memoryLength;
        if (wrapping == Wrapping.XDP) {
            MemorySegment.copy(memory, 0, dataIn, JAVA_BYTE, 0, len);
            int errno = testRun.invoke();
            if (errno != 0) {
                return failed("BPF_PROG_TEST_RUN", errno);
            }
            if (testRun.retval() != Wrapping.XDP_PASS) {
                return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1,
                        "XDP wrapper returned " + testRun.retval() + " (packet bounds check failed)");
            }
            MemorySegment.copy(dataOut, JAVA_BYTE, 0, memory, 0, len);
            return new Outcome.Returned(dataOut.get(LE_LONG, len), memory);
        }
        MemorySegment.copy(memory, 0, value, JAVA_BYTE, 0, len);
        try {
            bpf.mapUpdate(map.value(), key, value, 0);
            int errno = testRun.invoke();
            if (errno != 0) {
                return failed("BPF_PROG_TEST_RUN", errno);
            }
            bpf.mapLookup(map.value(), key, value);
            bpf.mapLookup(resultMap.value(), key, result);
        } catch (BpfException e) {
            return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, e.getMessage());
        }
        MemorySegment.copy(value, JAVA_BYTE, 0, memory, 0, len);
        return new Outcome.Returned(result.get(LE_LONG, 0), memory);
    }

    /**
     * The unwrapped program: the memory is the packet (padded with zeros to 14 bytes), r0 is the
     * retval zero-extended (XDP returns 32 bits), the memory comes back from data_out.
     */
    private Outcome runDirect(byte[] memory) {
        int len = memory.length;
        if (len > Wrapping.XDP_MAX_PACKET) {
            return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, "memory of " + len
                    + " bytes exceeds one XDP frame (" + Wrapping.XDP_MAX_PACKET + "), the limit of a tail-calling program");
        }
        int packet = Math.max(Wrapping.MIN_PACKET, len);
        dataIn.asSlice(0, packet).fill((byte) 0);
        MemorySegment.copy(memory, 0, dataIn, JAVA_BYTE, 0, len);
        testRun.setDataSize(packet);
        int errno = testRun.invoke();
        if (errno != 0) {
            return failed("BPF_PROG_TEST_RUN", errno);
        }
        int out = Math.min(len, testRun.dataSizeOut());
        MemorySegment.copy(dataOut, JAVA_BYTE, 0, memory, 0, out);
        return new Outcome.Returned(Integer.toUnsignedLong(testRun.retval()), memory);
    }

    /** Mean in-kernel ns per repetition over {@code repeat} repetitions (memory is not copied back). */
    int kernelNanos(Bpf bpf, byte[] memory, int repeat) {
        if (wrapping != Wrapping.MAP_VALUE) {
            throw new IllegalStateException("repeat-based timing must not use XDP (≈16 ms per call)");
        }
        MemorySegment.copy(memory, 0, value, JAVA_BYTE, 0, memoryLength);
        bpf.mapUpdate(map.value(), key, value, 0);
        testRun.setRepeat(repeat);
        try {
            int errno = testRun.invoke();
            if (errno != 0) {
                throw new BpfException("BPF_PROG_TEST_RUN", errno);
            }
            return testRun.durationNanos();
        } finally {
            testRun.setRepeat(1);
        }
    }

    private static Outcome failed(String what, int errno) {
        return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, what + " failed: " + Errno.name(errno));
    }

    private static final java.lang.foreign.ValueLayout.OfLong LE_LONG =
            JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void close() {
        prog.close();
        try {
            arena.close();
        } catch (WrongThreadException e) {
            // Closed from a thread that did not load it: the fds are closed, the few buffer bytes
            // stay allocated (a confined arena can only be freed by its owner).
        }
        if (map != null) {
            map.close();
            resultMap.close();
        }
    }
}
