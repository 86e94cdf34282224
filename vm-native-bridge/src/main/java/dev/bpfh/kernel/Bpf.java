package dev.bpfh.kernel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Typed wrappers for the bpf() commands the backend uses. Offsets are those of
 * {@code union bpf_attr} in include/uapi/linux/bpf.h (measured in shared/notes/kernel.md §1).
 *
 * <p>One instance owns a confined {@link Arena} for the attr union, the errno capture slot and
 * scratch buffers, so it must be used by the thread that created it. Failures throw
 * {@link BpfException} with the errno name; nothing here can crash the JVM because the kernel only
 * ever reads and writes memory this arena allocated with the sizes it is told.
 */
public final class Bpf implements AutoCloseable {
    // Commands.
    public static final int MAP_CREATE = 0;
    public static final int MAP_LOOKUP_ELEM = 1;
    public static final int MAP_UPDATE_ELEM = 2;
    public static final int MAP_DELETE_ELEM = 3;
    public static final int MAP_GET_NEXT_KEY = 4;
    public static final int PROG_LOAD = 5;
    public static final int PROG_TEST_RUN = 10;
    public static final int OBJ_GET_INFO_BY_FD = 15;
    public static final int BTF_LOAD = 18;
    public static final int MAP_FREEZE = 22;

    // Program and map types.
    public static final int PROG_TYPE_SOCKET_FILTER = 1;
    public static final int PROG_TYPE_SCHED_CLS = 3;
    public static final int PROG_TYPE_XDP = 6;
    public static final int MAP_TYPE_HASH = 1;
    public static final int MAP_TYPE_ARRAY = 2;

    /** sizeof(union bpf_attr) in the 6.1 uapi headers; newer kernels accept it (tail must be zero). */
    public static final int ATTR_SIZE = 144;
    /** sizeof(struct bpf_prog_info) in the 6.1 uapi headers. */
    public static final int PROG_INFO_SIZE = 232;

    // PROG_LOAD.
    static final long LOAD_PROG_TYPE = 0, LOAD_INSN_CNT = 4, LOAD_INSNS = 8, LOAD_LICENSE = 16,
            LOAD_LOG_LEVEL = 24, LOAD_LOG_SIZE = 28, LOAD_LOG_BUF = 32, LOAD_PROG_NAME = 48,
            LOAD_LOG_TRUE_SIZE = 140, LOAD_PROG_BTF_FD = 72, LOAD_FUNC_INFO_REC_SIZE = 76, LOAD_FUNC_INFO = 80,
            LOAD_FUNC_INFO_CNT = 88;
    // BTF_LOAD.
    static final long BTF_DATA = 0, BTF_LOG_BUF = 8, BTF_SIZE = 16, BTF_LOG_SIZE = 20, BTF_LOG_LEVEL = 24;
    // PROG_TEST_RUN (attr.test).
    static final long TEST_PROG_FD = 0, TEST_RETVAL = 4, TEST_DATA_SIZE_IN = 8, TEST_DATA_SIZE_OUT = 12,
            TEST_DATA_IN = 16, TEST_DATA_OUT = 24, TEST_REPEAT = 32, TEST_DURATION = 36, TEST_CTX_SIZE_IN = 40,
            TEST_CTX_SIZE_OUT = 44, TEST_CTX_IN = 48, TEST_CTX_OUT = 56;
    // MAP_CREATE.
    static final long MAP_TYPE = 0, MAP_KEY_SIZE = 4, MAP_VALUE_SIZE = 8, MAP_MAX_ENTRIES = 12, MAP_FLAGS = 16,
            MAP_NAME = 28;
    // MAP_*_ELEM.
    static final long ELEM_MAP_FD = 0, ELEM_KEY = 8, ELEM_VALUE = 16, ELEM_FLAGS = 24;
    // OBJ_GET_INFO_BY_FD and struct bpf_prog_info.
    static final long INFO_FD = 0, INFO_LEN = 4, INFO_PTR = 8;
    static final long PI_TYPE = 0, PI_ID = 4, PI_JITED_LEN = 16, PI_XLATED_LEN = 20, PI_JITED_INSNS = 24,
            PI_XLATED_INSNS = 32, PI_RUN_TIME_NS = 192, PI_RUN_CNT = 200, PI_VERIFIED_INSNS = 216;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment capture = arena.allocate(LibC.CAPTURE_LAYOUT);
    private final MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
    private final MemorySegment license = arena.allocateFrom("GPL");

    public Bpf() {
        String why = LibC.unavailableReason();
        if (why != null) {
            arena.close();
            throw new IllegalStateException("bpf() unavailable: " + why);
        }
    }

    /** Raw bpf(cmd, attr, size): the result, or -errno. */
    long call(int cmd, MemorySegment a, long size) {
        long r = LibC.bpf(capture, cmd, a, size);
        return r < 0 ? -LibC.errno(capture) : r;
    }

    private long callOrThrow(String name, int cmd, MemorySegment a, long size) {
        long r = call(cmd, a, size);
        if (r < 0) {
            throw new BpfException(name, (int) -r);
        }
        return r;
    }

    // ---------------------------------------------------------------- PROG_LOAD

    /**
     * One PROG_LOAD attempt. On success {@code fd} is open and errno is 0; on failure fd is null.
     * {@code log} is the verifier log (empty at level 0), {@code logTrueSize} the size the whole log
     * needed (kernel ≥ 6.4, else 0), {@code nanos} the wall time of the syscall (verify + JIT).
     */
    public record LoadAttempt(Fd fd, int errno, String log, int logTrueSize, long nanos) {
        public boolean ok() {
            return fd != null;
        }
    }

    /**
     * Loads {@code insns} (8-byte slots) as a program of {@code progType} with license "GPL".
     * {@code logLevel} 0 passes no buffer (the kernel refuses a buffer at level 0); otherwise a
     * {@code logSize}-byte buffer from a temporary confined arena. Never throws for a refused program.
     */
    public LoadAttempt progLoad(int progType, long[] insns, String name, int logLevel, int logSize) {
        return progLoad(progType, insns, name, logLevel, logSize, null);
    }

    /**
     * As {@link #progLoad(int, long[], String, int, int)}, with BTF func_info when {@code funcs} is
     * not null (needed by programs that pass callbacks, {@code lddw src=4}).
     */
    public LoadAttempt progLoad(int progType, long[] insns, String name, int logLevel, int logSize, FuncInfo funcs) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ins = a.allocate(8L * Math.max(1, insns.length), 8);
            MemorySegment.copy(insns, 0, ins, JAVA_LONG, 0, insns.length);
            MemorySegment log = logLevel > 0 && logSize > 0 ? a.allocate(logSize) : MemorySegment.NULL;
            attr.fill((byte) 0);
            attr.set(JAVA_INT, LOAD_PROG_TYPE, progType);
            attr.set(JAVA_INT, LOAD_INSN_CNT, insns.length);
            attr.set(JAVA_LONG, LOAD_INSNS, ins.address());
            attr.set(JAVA_LONG, LOAD_LICENSE, license.address());
            attr.set(JAVA_INT, LOAD_LOG_LEVEL, logLevel);
            attr.set(JAVA_INT, LOAD_LOG_SIZE, (int) log.byteSize());
            attr.set(JAVA_LONG, LOAD_LOG_BUF, log.address());
            byte[] n = progName(name);
            MemorySegment.copy(n, 0, attr, JAVA_BYTE, LOAD_PROG_NAME, n.length);
            if (funcs != null) {
                int[] recs = funcs.records();
                MemorySegment info = a.allocate(4L * recs.length, 4);
                MemorySegment.copy(recs, 0, info, JAVA_INT, 0, recs.length);
                attr.set(JAVA_INT, LOAD_PROG_BTF_FD, funcs.btfFd());
                attr.set(JAVA_INT, LOAD_FUNC_INFO_REC_SIZE, 8);
                attr.set(JAVA_LONG, LOAD_FUNC_INFO, info.address());
                attr.set(JAVA_INT, LOAD_FUNC_INFO_CNT, recs.length / 2);
            }
            long t0 = System.nanoTime();
            long r = call(PROG_LOAD, attr, ATTR_SIZE);
            long nanos = System.nanoTime() - t0;
            int trueSize = attr.get(JAVA_INT, LOAD_LOG_TRUE_SIZE);
            String text = log.byteSize() > 0 ? log.getString(0) : "";
            return r >= 0 ? new LoadAttempt(new Fd((int) r), 0, text, trueSize, nanos)
                    : new LoadAttempt(null, (int) -r, text, trueSize, nanos);
        }
    }

    /**
     * BTF func_info for PROG_LOAD: the loaded BTF's fd and {@code {insn_off, type_id}} pairs, one per
     * subprogram, in instruction order.
     */
    public record FuncInfo(int btfFd, int[] records) {}

    /** BPF_BTF_LOAD of {@code blob}; on refusal the kernel's BTF log is in the exception message. */
    public Fd btfLoad(byte[] blob) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment data = a.allocate(blob.length, 8);
            MemorySegment.copy(blob, 0, data, JAVA_BYTE, 0, blob.length);
            MemorySegment log = a.allocate(4096);
            attr.fill((byte) 0);
            attr.set(JAVA_LONG, BTF_DATA, data.address());
            attr.set(JAVA_INT, BTF_SIZE, blob.length);
            long r = call(BTF_LOAD, attr, ATTR_SIZE);
            if (r >= 0) {
                return new Fd((int) r);
            }
            attr.set(JAVA_LONG, BTF_LOG_BUF, log.address());
            attr.set(JAVA_INT, BTF_LOG_SIZE, (int) log.byteSize());
            attr.set(JAVA_INT, BTF_LOG_LEVEL, 1);
            long again = call(BTF_LOAD, attr, ATTR_SIZE);
            if (again >= 0) {
                LibC.close((int) again);
            }
            throw new BpfException("BPF_BTF_LOAD", (int) -r, log.getString(0).strip().replace('\n', ' '));
        }
    }

    /** The kernel accepts [A-Za-z0-9_.] in prog_name, at most 15 bytes plus NUL; others become '_'. */
    static byte[] progName(String name) {
        int len = Math.min(15, name.length());
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            char c = name.charAt(i);
            boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.');
            out[i] = (byte) (ok ? c : '_');
        }
        return out;
    }

    // ---------------------------------------------------------------- PROG_TEST_RUN

    /** What one PROG_TEST_RUN reported: retval (u32), data_size_out, duration (mean ns per repetition). */
    public record TestRun(int retval, int dataSizeOut, int durationNanos) {}

    /**
     * Runs {@code prog} {@code repeat} times on {@code dataIn} (the kernel copies it); the packet
     * after the run is copied into {@code dataOut} when it is not null. Throws on failure.
     */
    public TestRun progTestRun(int prog, MemorySegment dataIn, MemorySegment dataOut, int repeat) {
        attr.fill((byte) 0);
        PreparedTestRun p = fillTestRun(attr, prog, dataIn, dataOut, repeat);
        int errno = p.invoke();
        if (errno != 0) {
            throw new BpfException("BPF_PROG_TEST_RUN", errno);
        }
        return new TestRun(p.retval(), p.dataSizeOut(), p.durationNanos());
    }

    /**
     * A PROG_TEST_RUN attr filled once and reused: between calls the kernel writes only retval,
     * data_size_out, duration and ctx_size_out, so only data_size_out needs resetting. This saves
     * about 20 ns per run against refilling the union (kernel.md §4b).
     */
    public PreparedTestRun prepareTestRun(int prog, MemorySegment dataIn, MemorySegment dataOut, int repeat) {
        return prepareTestRun(arena, prog, dataIn, dataOut, repeat);
    }

    /** As {@link #prepareTestRun(int, MemorySegment, MemorySegment, int)}, with the attr from {@code owner}. */
    public PreparedTestRun prepareTestRun(Arena owner, int prog, MemorySegment dataIn, MemorySegment dataOut,
                                          int repeat) {
        return fillTestRun(owner.allocate(ATTR_SIZE, 8), prog, dataIn, dataOut, repeat);
    }

    private PreparedTestRun fillTestRun(MemorySegment a, int prog, MemorySegment dataIn, MemorySegment dataOut,
                                        int repeat) {
        a.set(JAVA_INT, TEST_PROG_FD, prog);
        a.set(JAVA_INT, TEST_DATA_SIZE_IN, (int) dataIn.byteSize());
        a.set(JAVA_LONG, TEST_DATA_IN, dataIn.address());
        int outSize = dataOut == null ? 0 : (int) dataOut.byteSize();
        a.set(JAVA_LONG, TEST_DATA_OUT, dataOut == null ? 0 : dataOut.address());
        a.set(JAVA_INT, TEST_REPEAT, repeat);
        return new PreparedTestRun(this, a, outSize);
    }

    /** See {@link #prepareTestRun}. Valid while its {@link Bpf} is open. */
    public static final class PreparedTestRun {
        private final Bpf bpf;
        private final MemorySegment attr;
        private int outSize;
        private int ctxOutSize;

        private PreparedTestRun(Bpf bpf, MemorySegment attr, int outSize) {
            this.bpf = bpf;
            this.attr = attr;
            this.outSize = outSize;
        }

        /** Runs on the first {@code bytes} of the data buffers (which must be at least that long). */
        public void setDataSize(int bytes) {
            attr.set(JAVA_INT, TEST_DATA_SIZE_IN, bytes);
            if (outSize > 0) {
                outSize = bytes;
            }
        }

        public void setRepeat(int repeat) {
            attr.set(JAVA_INT, TEST_REPEAT, repeat);
        }

        /**
         * The data of the next runs: {@code inBytes} of data_in, and data_out {@code out} with all
         * of it as room (the kernel reports ENOSPC beyond it), or none when {@code out} is null
         * (data_out NULL: the kernel copies nothing back; data_size_out still reports the size).
         */
        public void setData(int inBytes, MemorySegment out) {
            attr.set(JAVA_INT, TEST_DATA_SIZE_IN, inBytes);
            attr.set(JAVA_LONG, TEST_DATA_OUT, out == null ? 0 : out.address());
            outSize = out == null ? 0 : (int) out.byteSize();
        }

        /**
         * ctx_in ({@code inBytes} of {@code in}) and ctx_out ({@code out}, all of it) for the next
         * runs; {@code in} null clears both (the run then has no context, which is not the same as
         * a zero context: programs.md §4.3).
         */
        public void setContext(MemorySegment in, int inBytes, MemorySegment out) {
            boolean none = in == null;
            attr.set(JAVA_LONG, TEST_CTX_IN, none ? 0 : in.address());
            attr.set(JAVA_INT, TEST_CTX_SIZE_IN, none ? 0 : inBytes);
            attr.set(JAVA_LONG, TEST_CTX_OUT, none ? 0 : out.address());
            ctxOutSize = none ? 0 : (int) out.byteSize();
        }

        /** One PROG_TEST_RUN; 0 on success, else the errno. */
        public int invoke() {
            attr.set(JAVA_INT, TEST_DATA_SIZE_OUT, outSize);
            attr.set(JAVA_INT, TEST_CTX_SIZE_OUT, ctxOutSize);
            long r = bpf.call(PROG_TEST_RUN, attr, ATTR_SIZE);
            return r < 0 ? (int) -r : 0;
        }

        public int retval() {
            return attr.get(JAVA_INT, TEST_RETVAL);
        }

        public int dataSizeOut() {
            return attr.get(JAVA_INT, TEST_DATA_SIZE_OUT);
        }

        /** Bytes the kernel wrote to ctx_out (0 when the run had no context). */
        public int ctxSizeOut() {
            return attr.get(JAVA_INT, TEST_CTX_SIZE_OUT);
        }

        /** Mean ns per repetition as the kernel measured it (u32). */
        public int durationNanos() {
            return attr.get(JAVA_INT, TEST_DURATION);
        }
    }

    // ---------------------------------------------------------------- maps

    public Fd mapCreate(int mapType, int keySize, int valueSize, int maxEntries, int flags) {
        return mapCreate(mapType, keySize, valueSize, maxEntries, flags, "");
    }

    /**
     * BPF_MAP_CREATE with {@code map_name}; the name goes to the kernel as given (it refuses more
     * than 15 characters or characters outside [A-Za-z0-9_.] with EINVAL, and that is the point).
     */
    public Fd mapCreate(int mapType, int keySize, int valueSize, int maxEntries, int flags, String name) {
        attr.fill((byte) 0);
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        MemorySegment.copy(n, 0, attr, JAVA_BYTE, MAP_NAME, Math.min(n.length, 16));
        attr.set(JAVA_INT, MAP_TYPE, mapType);
        attr.set(JAVA_INT, MAP_KEY_SIZE, keySize);
        attr.set(JAVA_INT, MAP_VALUE_SIZE, valueSize);
        attr.set(JAVA_INT, MAP_MAX_ENTRIES, maxEntries);
        attr.set(JAVA_INT, MAP_FLAGS, flags);
        return new Fd((int) callOrThrow("BPF_MAP_CREATE", MAP_CREATE, attr, ATTR_SIZE));
    }

    /** -errno or 0: the element commands share one attr layout. */
    private long elem(int cmd, int map, MemorySegment key, MemorySegment valueOrNext, long flags) {
        attr.fill((byte) 0);
        attr.set(JAVA_INT, ELEM_MAP_FD, map);
        attr.set(JAVA_LONG, ELEM_KEY, key == null ? 0 : key.address());
        attr.set(JAVA_LONG, ELEM_VALUE, valueOrNext == null ? 0 : valueOrNext.address());
        attr.set(JAVA_LONG, ELEM_FLAGS, flags);
        return call(cmd, attr, ATTR_SIZE);
    }

    /** Copies the value of {@code key} into {@code value}; false when there is no such key (ENOENT). */
    public boolean mapLookup(int map, MemorySegment key, MemorySegment value) {
        return found("BPF_MAP_LOOKUP_ELEM", elem(MAP_LOOKUP_ELEM, map, key, value, 0));
    }

    /** {@code flags}: 0 BPF_ANY, 1 BPF_NOEXIST, 2 BPF_EXIST. */
    public void mapUpdate(int map, MemorySegment key, MemorySegment value, long flags) {
        long r = elem(MAP_UPDATE_ELEM, map, key, value, flags);
        if (r < 0) {
            throw new BpfException("BPF_MAP_UPDATE_ELEM", (int) -r);
        }
    }

    /** False when there is no such key (ENOENT). An ARRAY map refuses deletion with EINVAL. */
    public boolean mapDelete(int map, MemorySegment key) {
        return found("BPF_MAP_DELETE_ELEM", elem(MAP_DELETE_ELEM, map, key, null, 0));
    }

    /** The key after {@code key} (null: the first key) into {@code next}; false at the end (ENOENT). */
    public boolean mapGetNextKey(int map, MemorySegment key, MemorySegment next) {
        return found("BPF_MAP_GET_NEXT_KEY", elem(MAP_GET_NEXT_KEY, map, key, next, 0));
    }

    private static boolean found(String name, long r) {
        if (r == -Errno.ENOENT) {
            return false;
        }
        if (r < 0) {
            throw new BpfException(name, (int) -r);
        }
        return true;
    }

    /**
     * One element command ({@code cmd} 1 lookup, 2 update, 3 delete, 4 get_next_key, 22 freeze
     * with key and value null) with attr and errno slot from {@code scratch}, so that it works from
     * any thread: 0 (or the result) or -errno.
     */
    static long elem(Arena scratch, int cmd, int map, MemorySegment key, MemorySegment valueOrNext, long flags) {
        MemorySegment a = scratch.allocate(ATTR_SIZE, 8);
        a.set(JAVA_INT, ELEM_MAP_FD, map);
        a.set(JAVA_LONG, ELEM_KEY, key == null ? 0 : key.address());
        a.set(JAVA_LONG, ELEM_VALUE, valueOrNext == null ? 0 : valueOrNext.address());
        a.set(JAVA_LONG, ELEM_FLAGS, flags);
        MemorySegment capture = scratch.allocate(LibC.CAPTURE_LAYOUT);
        long r = LibC.bpf(capture, cmd, a, ATTR_SIZE);
        return r < 0 ? -LibC.errno(capture) : r;
    }

    /** Allocates from this instance's arena (lives until {@link #close()}). */
    public MemorySegment allocate(long bytes) {
        return arena.allocate(Math.max(1, bytes), 8);
    }

    // ---------------------------------------------------------------- OBJ_GET_INFO_BY_FD

    /**
     * What the kernel says about a loaded program. {@code xlatedProgLen} is in bytes (8 per
     * instruction after the verifier's rewrites); {@code jitedProgLen} is in bytes of machine code;
     * {@code verifiedInsns} is the number of instructions the verifier processed.
     */
    public record ProgInfo(int type, int id, int jitedProgLen, int xlatedProgLen, int verifiedInsns,
                           long runTimeNs, long runCnt, byte[] jitedImage) {
        public int xlatedInsns() {
            return xlatedProgLen / 8;
        }
    }

    /** bpf_prog_info without the images. */
    public ProgInfo progInfo(int prog) {
        return progInfo(prog, false);
    }

    /**
     * bpf_prog_info; with {@code withJitedImage} a second call fetches the machine code
     * (jited_prog_insns), for disassembly in reports.
     */
    public ProgInfo progInfo(int prog, boolean withJitedImage) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(PROG_INFO_SIZE, 8);
            infoByFd(prog, info);
            int jited = info.get(JAVA_INT, PI_JITED_LEN);
            byte[] image = new byte[0];
            if (withJitedImage && jited > 0) {
                MemorySegment code = a.allocate(jited);
                info.fill((byte) 0);
                info.set(JAVA_INT, PI_JITED_LEN, jited);
                info.set(JAVA_LONG, PI_JITED_INSNS, code.address());
                infoByFd(prog, info);
                image = code.asSlice(0, Math.min(jited, info.get(JAVA_INT, PI_JITED_LEN))).toArray(JAVA_BYTE);
            }
            return new ProgInfo(info.get(JAVA_INT, PI_TYPE), info.get(JAVA_INT, PI_ID), jited,
                    info.get(JAVA_INT, PI_XLATED_LEN), info.get(JAVA_INT, PI_VERIFIED_INSNS),
                    info.get(JAVA_LONG, PI_RUN_TIME_NS), info.get(JAVA_LONG, PI_RUN_CNT), image);
        }
    }

    private void infoByFd(int fd, MemorySegment info) {
        attr.fill((byte) 0);
        attr.set(JAVA_INT, INFO_FD, fd);
        attr.set(JAVA_INT, INFO_LEN, (int) info.byteSize());
        attr.set(JAVA_LONG, INFO_PTR, info.address());
        callOrThrow("BPF_OBJ_GET_INFO_BY_FD", OBJ_GET_INFO_BY_FD, attr, ATTR_SIZE);
    }

    @Override
    public void close() {
        arena.close();
    }
}
