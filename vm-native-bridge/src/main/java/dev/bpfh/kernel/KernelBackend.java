package dev.bpfh.kernel;

import static dev.bpfh.isa.Opcodes.CALLX;
import static dev.bpfh.isa.Opcodes.LDDW;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;

/**
 * The real Linux kernel as an engine: BPF_PROG_LOAD (the verifier and the JIT decide) and
 * BPF_PROG_TEST_RUN, through {@link Bpf}. Helper ids are the kernel's own (5 ktime_get_ns, 7
 * prandom, 8 smp_processor_id), so results of time and random helpers differ from the userspace
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
     * Loads for an unknown memory length: the program is verified with
     * {@link #NOMINAL_MEMORY_LENGTH} bytes, and loaded again for each real length on first run.
     * Prefer {@link #load(Program, LoadOptions, int)} when the memory is known.
     */
    @Override
    public KernelExecutable load(Program program, LoadOptions options) throws LoadRejected {
        checkUserProgram(program);
        requireAvailable();
        return KernelExecutable.load(program, NOMINAL_MEMORY_LENGTH, false);
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
        return KernelExecutable.load(program, memoryLength, true);
    }

    private static void requireAvailable() {
        Availability a = KernelProbe.availability();
        if (!a.available()) {
            throw new IllegalStateException("kernel backend unavailable: " + a.reason());
        }
    }

    /**
     * What the kernel cannot express, refused before it is asked: callx (0x8d) does not exist in
     * Linux, and lddw with a pseudo source (map fds, BTF ids, function pointers) would name kernel
     * objects the program's author cannot know.
     */
    static void checkUserProgram(Program program) throws LoadRejected {
        if (program.length() == 0) {
            throw new LoadRejected("empty program");
        }
        for (int pc = 0; pc < program.length(); pc++) {
            long slot = program.slot(pc);
            int op = Insn.opcode(slot);
            if (op == CALLX) {
                throw new LoadRejected(pc, "kernel has no callx", "");
            }
            if (op == LDDW) {
                if (Insn.src(slot) != 0) {
                    throw new LoadRejected(pc, "lddw with pseudo source src=" + Insn.src(slot)
                            + " is not supported by the kernel backend (only plain 64-bit constants)", "");
                }
                pc++; // the second slot is data
            }
        }
    }
}
