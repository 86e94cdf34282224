package dev.bpfh.kernel;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.isa.Program;
import dev.bpfh.ctx.PacketContext;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import dev.bpfh.spi.TrapKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A program loaded into the kernel.
 *
 * <p>A typed program (XDP, tc, socket filter) is loaded once as itself ({@link TypedProgram}) and
 * run with test_run's packet and context ({@link #run(RunInput)}).
 *
 * <p>A {@link ProgramType#RAW} program is wrapped. The wrapper bakes the memory length into the
 * program (the verifier must see the bounds as constants), so there is one kernel program per
 * memory length, loaded on first use and cached ({@link #MAX_CACHED} lengths, least recently used
 * evicted). A raw program that calls {@code bpf_tail_call} is loaded once, unwrapped
 * ({@link Wrapping#DIRECT}).
 *
 * <p>Maps ({@link KernelMapSet}) are created once, before any program, and every cached variant
 * uses the same ones (their fds are patched into {@code lddw} src 1 and 2), so their contents
 * persist across runs and lengths; the programs of one {@link KernelBackend#loadAll} share them.
 * Runs of a program with maps (or that asks for its CPU) are pinned to CPU 0, and
 * {@code BPF_F_RDONLY_PROG} maps are frozen before the first run, once the runner has written them.
 *
 * <p>Native buffers are confined to the thread that loaded the program. A run from another thread
 * still works, through a temporary load of its own (slow, but correct).
 *
 * <p>For benchmarks: {@link #kernelNanosPerRun} is the kernel's own {@code duration} over many
 * repetitions (SCHED_CLS, map-value wrapping, never XDP), separate from the Java round trip of
 * {@link #run}; {@link #info()} has the JIT image size, translated and verified instruction counts
 * and the load (verify + JIT) time.
 */
public final class KernelExecutable implements Executable {
    /** Memory lengths kept loaded at once. */
    public static final int MAX_CACHED = 8;

    /** bpf_tail_call: a program calling it needs r1 = ctx, so it loads unwrapped. */
    static final int HELPER_TAIL_CALL = 12;
    /** bpf_get_smp_processor_id: its result depends on the CPU, so runs are pinned. */
    static final int HELPER_SMP_PROCESSOR_ID = 8;

    private final String name;
    private final ProgramType type;
    /** The user program with map indexes replaced by fds. */
    private final long[] user;
    private final Thread owner = Thread.currentThread();
    private final Bpf bpf = new Bpf();
    private final KernelMapSet mapSet;
    private final boolean direct;
    private final boolean pinToCpu0;
    private CpuPin pin;
    /** The loaded program of a typed executable; null for RAW. */
    private TypedProgram typed;
    /** The unwrapped program: the only one when {@link #direct}, else loaded for PROG_ARRAY slots. */
    private LoadedProgram directProgram;
    private final Map<Integer, LoadedProgram> runVariants = lru();
    private final Map<Integer, LoadedProgram> timingVariants = lru();
    /** XDP until a packet-access refusal shows this program needs the map-value wrapping. */
    private Wrapping preferred = Wrapping.XDP;
    private String fallbackReason = "";
    private String deferredReason = "";
    private LoadedProgram last;
    private boolean closed;

    /** Holds {@code mapSet} from here on; {@link #close()} lets go of it. */
    private KernelExecutable(Program program, KernelMapSet mapSet) {
        this.name = program.name();
        this.type = program.type();
        this.mapSet = mapSet;
        mapSet.hold();
        this.user = mapSet.patch(program.slots());
        this.direct = type == ProgramType.RAW && callsHelper(user, HELPER_TAIL_CALL);
        this.pinToCpu0 = !mapSet.isEmpty() || callsHelper(user, HELPER_SMP_PROCESSOR_ID);
    }

    private static boolean callsHelper(long[] slots, int helper) {
        for (int pc = 0; pc < slots.length; pc++) {
            int op = Insn.opcode(slots[pc]);
            if (op == Opcodes.CALL_IMM && Insn.src(slots[pc]) == Opcodes.CALL_HELPER && Insn.imm(slots[pc]) == helper) {
                return true;
            }
            if (op == Opcodes.LDDW) {
                pc++;
            }
        }
        return false;
    }

    /**
     * Loads for {@code memoryLength} bytes of memory. With {@code strict}, any refusal is a
     * {@link LoadRejected}; without, a refusal that depends on the memory length (bounds, verifier
     * work) is deferred to the first run with a real length, where it becomes a
     * {@link TrapKind#RUNTIME_ERROR} if it persists.
     */
    static KernelExecutable load(Program program, KernelMapSet maps, int memoryLength, boolean strict)
            throws LoadRejected {
        KernelExecutable e = new KernelExecutable(program, maps);
        try {
            if (e.type != ProgramType.RAW) {
                e.typed = TypedProgram.load(e.bpf, e.name, e.type, e.user);
            } else if (e.direct) {
                e.directProgram = LoadedProgram.load(e.bpf, e.name, e.user, Wrapping.DIRECT, 0);
                e.last = e.directProgram;
            } else {
                e.last = e.variant(e.bpf, memoryLength);
            }
            return e;
        } catch (Refusal r) {
            if (e.type == ProgramType.RAW && !e.direct && !strict && r.dependsOnMemory()) {
                e.deferredReason = r.oneLine() + " for nominal memory length " + memoryLength;
                return e;
            }
            e.close();
            throw e.type == ProgramType.RAW ? r.toLoadRejected(memoryLength) : r.toLoadRejected();
        } catch (RuntimeException x) {
            e.close();
            throw x;
        }
    }

    /**
     * A raw program: {@code memory} is its memory (r1, r2), updated in place. A typed program: the
     * packet, without a context ({@link #run(RunInput)}).
     */
    @Override
    public Outcome run(byte[] memory) {
        if (type != ProgramType.RAW) {
            return run(RunInput.of(memory));
        }
        checkOpen();
        try {
            mapSet.freezeReadOnlyMaps();
            if (Thread.currentThread() != owner) {
                return runFromOtherThread(memory);
            }
            LoadedProgram v = direct ? directProgram : variant(bpf, memory.length);
            last = v;
            return onCpu0(() -> v.run(bpf, memory));
        } catch (Refusal r) {
            return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, r.pc,
                    r.oneLine() + " for memory length " + memory.length);
        } catch (RuntimeException x) {
            return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, String.valueOf(x.getMessage()));
        }
    }

    /**
     * A typed program: one BPF_PROG_TEST_RUN with {@code input}'s packet as data_in and its context
     * (if any) as ctx_in; {@link Outcome.Returned} has retval, data_out and ctx_out (null without a
     * context). An input test_run would refuse (or that the userspace engines cannot model,
     * {@link PacketContext#checkInput}) is a {@link TrapKind#RUNTIME_ERROR} at pc -1 whose message
     * starts "test_run input refused: " and the errno name, never an exception. A raw program takes
     * no context.
     */
    @Override
    public Outcome run(RunInput input) {
        if (type == ProgramType.RAW) {
            Optional<String> bad = PacketContext.checkInput(type, input);
            return bad.isPresent() ? TypedProgram.inputRefused(bad.get()) : input.reported(run(input.data()));
        }
        checkOpen();
        try {
            mapSet.freezeReadOnlyMaps();
            if (Thread.currentThread() != owner) {
                try (Bpf own = new Bpf(); TypedProgram p = TypedProgram.load(own, name, type, user)) {
                    return onCpu0(() -> p.run(input));
                } catch (Refusal r) {
                    return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, r.pc, r.oneLine());
                }
            }
            return onCpu0(() -> typed.run(input));
        } catch (RuntimeException x) {
            return new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, String.valueOf(x.getMessage()));
        }
    }

    /**
     * Runs {@code run} on CPU 0 when the program's results can depend on the CPU (per-CPU maps,
     * smp_processor_id). The owner thread is pinned at its first run and stays on CPU 0 until the
     * executable closes: moving it there and back around every run made each run wait for the
     * scheduler (≈100 µs per run on a loaded 2-core machine, where a test_run costs ≈1.5 µs). Another
     * thread gets a pin of its own for the one run.
     */
    private <T> T onCpu0(Supplier<T> run) {
        if (!pinToCpu0) {
            return run.get();
        }
        if (Thread.currentThread() != owner) {
            try (CpuPin p = new CpuPin()) {
                p.pin();
                return run.get();
            }
        }
        if (pin == null) {
            pin = new CpuPin();
        }
        pin.pin(); // a no-op while pinned
        return run.get();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("executable is closed");
        }
    }

    private Outcome runFromOtherThread(byte[] memory) throws Refusal {
        try (Bpf own = new Bpf();
             LoadedProgram v = direct ? LoadedProgram.load(own, name, user, Wrapping.DIRECT, 0) : loadFor(own, memory.length)) {
            return onCpu0(() -> v.run(own, memory));
        }
    }

    /**
     * The program fd a PROG_ARRAY slot gets for this executable: a typed program's own; for a raw
     * one the unwrapped program (a tail call enters its target at instruction 0 with r1 = ctx and
     * never returns to a wrapper). A raw program that does not itself tail-call is loaded unwrapped
     * for this on first use; if the verifier refuses it so (it uses r1 as memory), this throws
     * {@link BpfException} with the errno.
     */
    int tailCallTargetFd() {
        checkOpen();
        if (typed != null) {
            return typed.prog.value();
        }
        if (directProgram == null) {
            checkOwner();
            try {
                directProgram = LoadedProgram.load(bpf, name, user, Wrapping.DIRECT, 0);
            } catch (Refusal r) {
                throw new BpfException("BPF_PROG_LOAD of '" + name + "' as a tail-call target", r.errno, r.oneLine());
            }
        }
        return directProgram.prog.value();
    }

    @Override
    public List<MapView> maps() {
        return List.copyOf(mapSet.maps());
    }

    private LoadedProgram variant(Bpf b, int len) throws Refusal {
        LoadedProgram v = runVariants.get(len);
        if (v == null) {
            v = loadFor(b, len);
            runVariants.put(len, v);
        }
        return v;
    }

    /**
     * XDP first; on a packet-access refusal (or memory beyond one XDP frame) the map-value wrapping.
     * Zero bytes of memory always stay XDP: an ARRAY value has at least one byte, so the map-value
     * wrapping would let the program read a byte that does not exist.
     */
    private LoadedProgram loadFor(Bpf b, int len) throws Refusal {
        if (len == 0 || (preferred == Wrapping.XDP && len <= Wrapping.XDP_MAX_MEMORY)) {
            try {
                return LoadedProgram.load(b, name, user, Wrapping.XDP, len);
            } catch (Refusal r) {
                if (!r.isPacketAccess() || len == 0) {
                    throw r;
                }
                LoadedProgram m = LoadedProgram.load(b, name, user, Wrapping.MAP_VALUE, len);
                preferred = Wrapping.MAP_VALUE;
                fallbackReason = "XDP refused: " + r.oneLine();
                return m;
            }
        }
        if (len > Wrapping.XDP_MAX_MEMORY && fallbackReason.isEmpty()) {
            fallbackReason = len + " bytes of memory exceed one XDP frame (" + Wrapping.XDP_MAX_MEMORY + ")";
        }
        return LoadedProgram.load(b, name, user, Wrapping.MAP_VALUE, len);
    }

    /**
     * The kernel's own ns for one run of a typed program on {@code input} ({@code duration} of one
     * PROG_TEST_RUN with repeat 1, which XDP allows without the ≈17 ms of repeat > 1). State carries
     * over from run to run as with {@link #run(RunInput)}: this is one packet of a trace.
     *
     * @throws LoadRejected for a raw program (time it with {@link #kernelNanosPerRun(byte[], int)})
     */
    public long kernelNanosPerPacket(RunInput input) throws LoadRejected {
        checkOwner();
        if (typed == null) {
            throw LoadRejected.unsupported(-1, "per-packet timing of a raw program");
        }
        mapSet.freezeReadOnlyMaps();
        return Integer.toUnsignedLong(onCpu0(() -> typed.kernelNanos(input, 1)));
    }

    /**
     * Mean ns per run as the kernel measures it ({@code duration} of one PROG_TEST_RUN with
     * {@code repeat} repetitions). A raw program runs as a SCHED_CLS copy in the map-value wrapping
     * (XDP with repeat > 1 costs ≈ 16 ms of wall time per call), which adds the wrapper's few
     * instructions; a tc or socket-filter program runs as itself with {@code memory} as the packet;
     * XDP programs are refused. Repetitions share the memory (and context): writes of one are seen
     * by the next.
     *
     * @throws LoadRejected if the kernel refuses the map-value copy, or for XDP
     * @throws BpfException if the run fails
     */
    public long kernelNanosPerRun(byte[] memory, int repeat) throws LoadRejected {
        checkOwner();
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be positive: " + repeat);
        }
        if (typed != null) {
            if (type == ProgramType.XDP) {
                throw LoadRejected.unsupported(-1, "in-kernel timing of an XDP program (repeat costs ≈ 17 ms per call)");
            }
            mapSet.freezeReadOnlyMaps();
            return Integer.toUnsignedLong(onCpu0(() -> typed.kernelNanos(RunInput.of(memory), repeat)));
        }
        if (direct) {
            throw LoadRejected.unsupported(-1, "in-kernel timing of a tail-calling program (it runs unwrapped as XDP, "
                    + "whose repeat costs ≈ 16 ms per call)");
        }
        mapSet.freezeReadOnlyMaps();
        LoadedProgram v = runVariants.get(memory.length);
        if (v == null || v.wrapping != Wrapping.MAP_VALUE) {
            v = timingVariants.get(memory.length);
            if (v == null) {
                try {
                    v = LoadedProgram.load(bpf, name, user, Wrapping.MAP_VALUE, memory.length);
                } catch (Refusal r) {
                    throw r.toLoadRejected(memory.length);
                }
                timingVariants.put(memory.length, v);
            }
        }
        LoadedProgram timed = v;
        return Integer.toUnsignedLong(onCpu0(() -> timed.kernelNanos(bpf, memory, repeat)));
    }

    /** Mean Java wall ns of {@link #run} (one PROG_TEST_RUN with repeat 1, plus copies) over {@code runs} calls. */
    public double roundTripNanos(byte[] memory, int runs) {
        checkOwner();
        run(memory);
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            run(memory);
        }
        return (System.nanoTime() - t0) / (double) runs;
    }

    /** Wall ns of the PROG_LOAD that produced the program last run (verify + JIT); -1 if none. */
    public long loadNanos() {
        return typed != null ? typed.loadNanos : last == null ? -1 : last.loadNanos;
    }

    /** bpf_prog_info of the program last run (with the JIT image if asked), or null if none. */
    public Bpf.ProgInfo progInfo(boolean withJitedImage) {
        checkOwner();
        Fd fd = typed != null ? typed.prog : last == null ? null : last.prog;
        return fd == null ? null : bpf.progInfo(fd.value(), withJitedImage);
    }

    /** The wrapping of the raw program last run; null for a typed program or if none is loaded yet. */
    public Wrapping wrapping() {
        return last == null ? null : last.wrapping;
    }

    /** The program's type: RAW programs are wrapped, the others run as themselves. */
    public ProgramType programType() {
        return type;
    }

    /**
     * "wrapping" (xdp | map-value | direct, raw programs only), "programType", "memoryLength" (raw),
     * "jitedBytes", "xlatedInsns", "verifiedInsns", "loadNanos" of the program last run; "fallback"
     * when the map-value wrapping was needed; "deferred" when the load refusal at the nominal length
     * was deferred to run time.
     */
    @Override
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (typed != null) {
            m.put("programType", type.word());
            m.put("jitedBytes", typed.info.jitedProgLen());
            m.put("xlatedInsns", typed.info.xlatedInsns());
            m.put("verifiedInsns", typed.info.verifiedInsns());
            m.put("loadNanos", typed.loadNanos);
        }
        if (last != null) {
            m.put("wrapping", last.wrapping.label());
            m.put("programType", last.wrapping.progType() == Bpf.PROG_TYPE_XDP ? "XDP" : "SCHED_CLS");
            m.put("memoryLength", last.memoryLength);
            m.put("jitedBytes", last.info.jitedProgLen());
            m.put("xlatedInsns", last.info.xlatedInsns());
            m.put("verifiedInsns", last.info.verifiedInsns());
            m.put("wrapperInsns", last.wrapping.userStart());
            m.put("loadNanos", last.loadNanos);
        }
        if (!fallbackReason.isEmpty()) {
            m.put("fallback", fallbackReason);
        }
        if (!deferredReason.isEmpty()) {
            m.put("deferred", deferredReason);
        }
        return Collections.unmodifiableMap(m);
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("use a KernelExecutable from the thread that loaded it");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        runVariants.values().forEach(LoadedProgram::close);
        timingVariants.values().forEach(LoadedProgram::close);
        runVariants.clear();
        timingVariants.clear();
        if (directProgram != null) {
            directProgram.close();
            directProgram = null;
        }
        if (typed != null) {
            typed.close();
            typed = null;
        }
        last = null;
        mapSet.release();
        if (pin != null) {
            try {
                pin.close();
            } catch (WrongThreadException e) {
                // as below
            }
        }
        try {
            bpf.close();
        } catch (WrongThreadException e) {
            // See LoadedProgram.close(): fds are closed, the attr buffer stays.
        }
    }

    private static Map<Integer, LoadedProgram> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, LoadedProgram> eldest) {
                if (size() > MAX_CACHED) {
                    eldest.getValue().close();
                    return true;
                }
                return false;
            }
        };
    }
}
