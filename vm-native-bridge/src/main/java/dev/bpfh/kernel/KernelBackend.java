package dev.bpfh.kernel;

import static dev.bpfh.isa.Opcodes.CALLX;
import static dev.bpfh.isa.Opcodes.LDDW;
import static dev.bpfh.isa.Opcodes.PSEUDO_FUNC;
import static dev.bpfh.isa.Opcodes.PSEUDO_MAP_FD;
import static dev.bpfh.isa.Opcodes.PSEUDO_MAP_VALUE;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadRejected;
import java.util.ArrayList;
import java.util.List;

/**
 * The real Linux kernel as an engine: BPF_MAP_CREATE for the program's maps, BPF_PROG_LOAD (the
 * verifier and the JIT decide) and BPF_PROG_TEST_RUN, through {@link Bpf}. XDP, tc and socket-filter
 * programs load as their own program type and run with test_run's packet and context; raw programs
 * are wrapped ({@link Wrapping}). Helper ids are the
 * kernel's own (1–3 map elements, 5 ktime_get_ns, 7 prandom, 8 smp_processor_id, 12 tail_call,
 * 130–134 ring buffer, 181 loop), so results of time and random helpers differ from the userspace
 * engines by nature; {@link LoadOptions} do not apply (the kernel has no instruction budget and no
 * seed).
 */
public final class KernelBackend implements Backend {
    /**
     * The memory length {@link #load(Program, LoadOptions)} verifies with when it does not know the
     * real one. Refusals that depend on the length are deferred to the first run.
     */
    public static final int NOMINAL_MEMORY_LENGTH = 64;

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public String description() {
        return "Linux kernel: verifier + JIT via bpf(BPF_PROG_LOAD), runs via BPF_PROG_TEST_RUN (FFM, no JNI)";
    }

    @Override
    public Availability probe() {
        return KernelProbe.availability();
    }

    /**
     * Loads for {@link LoadOptions#memoryLengthHint()} bytes when the hint is given (every verifier
     * refusal is then a {@link LoadRejected} here). For an unknown length the program is verified
     * with {@link #NOMINAL_MEMORY_LENGTH} bytes, and loaded again for each real length on first run.
     */
    @Override
    public KernelExecutable load(Program program, LoadOptions options) throws LoadRejected {
        if (options.memoryLengthHint() >= 0) {
            return load(program, options, options.memoryLengthHint());
        }
        checkUserProgram(program);
        requireAvailable();
        return loadWithOwnMaps(program, NOMINAL_MEMORY_LENGTH, false);
    }

    /**
     * Loads for memory of exactly {@code memoryLength} bytes, so that every verifier refusal,
     * including out-of-bounds accesses, is a {@link LoadRejected} here. Runs with other lengths
     * still work (each loads its own copy).
     */
    public KernelExecutable load(Program program, LoadOptions options, int memoryLength) throws LoadRejected {
        if (memoryLength < 0) {
            throw new IllegalArgumentException("memory length must not be negative: " + memoryLength);
        }
        checkUserProgram(program);
        requireAvailable();
        return loadWithOwnMaps(program, memoryLength, true);
    }

    private static KernelExecutable loadWithOwnMaps(Program program, int memoryLength, boolean strict)
            throws LoadRejected {
        KernelMapSet maps = KernelMapSet.create(program.maps());
        try {
            return KernelExecutable.load(program, maps, memoryLength, strict);
        } finally {
            maps.closeIfUnheld();
        }
    }

    /**
     * Loads programs that share one set of kernel maps, as libbpf loads an object: the maps are
     * created once and every program's {@code lddw}s get the same fds, so a PROG_ARRAY slot filled
     * with a sibling ({@link dev.bpfh.spi.MapView#setProgram}) tail-calls into it with the same
     * maps. The maps close with the last of the executables. {@link LoadOptions#memoryLengthHint()}
     * applies to raw programs as in {@link #load(Program, LoadOptions)}. The first refusal closes
     * everything and throws, naming the program.
     */
    @Override
    public List<Executable> loadAll(List<Program> programs, LoadOptions options) throws LoadRejected {
        if (programs.isEmpty()) {
            return List.of();
        }
        Program first = programs.get(0);
        for (Program p : programs) {
            if (!p.maps().equals(first.maps())) {
                throw new LoadRejected("program '" + p.name() + "' declares other maps than '" + first.name()
                        + "': programs loaded together share one map set");
            }
            try {
                checkUserProgram(p);
            } catch (LoadRejected r) {
                throw named(p, r);
            }
        }
        requireAvailable();
        boolean strict = options.memoryLengthHint() >= 0;
        int length = strict ? options.memoryLengthHint() : NOMINAL_MEMORY_LENGTH;
        KernelMapSet maps = KernelMapSet.create(first.maps());
        List<Executable> loaded = new ArrayList<>();
        try {
            for (Program p : programs) {
                try {
                    loaded.add(KernelExecutable.load(p, maps, length, strict));
                } catch (LoadRejected r) {
                    throw named(p, r);
                }
            }
            List<Executable> done = List.copyOf(loaded);
            loaded.clear();
            return done;
        } finally {
            loaded.forEach(Executable::close);
            maps.closeIfUnheld();
        }
    }

    /** The same refusal with the program's name in front (a collection has several programs). */
    private static LoadRejected named(Program p, LoadRejected r) {
        String reason = "program '" + p.name() + "': " + r.reason();
        return r.unsupported() ? LoadRejected.unsupported(r.pc(), reason) : new LoadRejected(r.pc(), reason, r.log());
    }

    private static void requireAvailable() {
        Availability a = KernelProbe.availability();
        if (!a.available()) {
            throw new IllegalStateException("kernel backend unavailable: " + a.reason());
        }
    }

    /**
     * What the kernel cannot express, refused before it is asked: callx (0x8d) does not exist in
     * Linux; {@code lddw} src 1 and 2 must name one of the program's maps by index (the backend
     * turns it into the map's fd); src 4 (a function address) goes to the kernel as is; other
     * pseudo sources (BTF ids, fd_array indexes) would name kernel objects the author cannot know.
     */
    static void checkUserProgram(Program program) throws LoadRejected {
        if (program.length() == 0) {
            throw new LoadRejected("empty program");
        }
        for (int pc = 0; pc < program.length(); pc++) {
            long slot = program.slot(pc);
            int op = Insn.opcode(slot);
            if (op == CALLX) {
                throw LoadRejected.unsupported(pc, "kernel has no callx");
            }
            if (op == LDDW) {
                int src = Insn.src(slot);
                if (src == PSEUDO_MAP_FD || src == PSEUDO_MAP_VALUE) {
                    int index = Insn.imm(slot);
                    if (index < 0 || index >= program.maps().size()) {
                        throw new LoadRejected(pc, "lddw src=" + src + " names map #" + index + ", but the program has "
                                + program.maps().size() + " maps", "");
                    }
                } else if (src != 0 && src != PSEUDO_FUNC) {
                    throw new LoadRejected(pc, "lddw with pseudo source src=" + src
                            + " is not supported by the kernel backend (only constants, maps and function addresses)", "");
                }
                pc++; // the second slot is data
            }
        }
    }
}
