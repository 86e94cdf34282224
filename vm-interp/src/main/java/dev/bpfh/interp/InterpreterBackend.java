package dev.bpfh.interp;

import dev.bpfh.exec.Helper;
import dev.bpfh.exec.Helpers;
import dev.bpfh.isa.Program;
import dev.bpfh.isa.Validator;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * The interpreter backend {@code interp}: validates a program, pre-decodes it once into compact
 * arrays, and runs it with a switch-on-int dispatch loop. Pure Java, so it is always available.
 *
 * <p>Other engines can reuse it through {@link #compile}: the JIT falls back to it for programs it
 * cannot translate, and gets identical semantics, traps and budget accounting.
 */
public final class InterpreterBackend implements Backend {

    public static final String NAME = "interp";

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public InterpreterBackend() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "interp: pre-decoded switch interpreter, every memory access checked";
    }

    @Override
    public Availability probe() {
        return Availability.yes();
    }

    @Override
    public Executable load(Program program, LoadOptions options) throws LoadRejected {
        return compile(program, options, Helpers.standard());
    }

    /**
     * Loads programs that share one address space and map set (an ELF object's programs): a
     * PROG_ARRAY slot filled with one of the returned executables tail-calls into it with the same
     * memory, maps, stack frame and context. Every program must declare the same maps.
     */
    @Override
    public List<Executable> loadAll(List<Program> programs, LoadOptions options) throws LoadRejected {
        if (programs.isEmpty()) {
            return List.of();
        }
        Helpers helpers = Helpers.standard();
        Program first = programs.get(0);
        for (Program p : programs) {
            if (!p.maps().equals(first.maps())) {
                throw new LoadRejected(p.name() + ": declares other maps than " + first.name()
                        + " (programs loaded together share one map set)");
            }
            try {
                Validator.validate(p, helpers);
            } catch (LoadRejected e) {
                throw named(p, e);
            }
        }
        ProgramSet set = new ProgramSet(first, options.randomSeed());
        Helper[] table = helpers.toArray();
        List<Executable> out = new ArrayList<>(programs.size());
        for (Program p : programs) {
            try {
                out.add(new Interpreter(p, table, options.instructionBudget(), set));
            } catch (LoadRejected e) {
                throw named(p, e);
            }
        }
        return List.copyOf(out);
    }

    private static LoadRejected named(Program p, LoadRejected e) {
        return e.pc() >= 0 ? new LoadRejected(e.pc(), p.name() + ": " + e.reason(), e.log())
                : new LoadRejected(p.name() + ": " + e.reason());
    }

    /**
     * Prepares {@code program} for the interpreter with a given helper table: runs
     * {@link Validator#validate} (so a static {@code call N} must name a helper in {@code helpers}),
     * pre-decodes, and returns an executable that reports the same outcomes, trap kinds and trap
     * pcs as the backend itself. The helper table is snapshotted; later registrations are not seen.
     *
     * @throws LoadRejected if the validator refuses the program (reason and pc)
     */
    public static Executable compile(Program program, LoadOptions options, Helpers helpers) throws LoadRejected {
        Validator.validate(program, helpers);
        return new Interpreter(program, helpers.toArray(), options.instructionBudget(), options.randomSeed());
    }

    /**
     * The number of eBPF instructions one run of {@code program} on {@code memory} executes, counted
     * as architecture.md's budget rule counts them: every executed instruction once (an {@code lddw}
     * once although it occupies two slots), the instructions of called functions included, the
     * final {@code exit} included. Deterministic for a given program and input (helpers such as
     * {@code bpf_ktime_get_ns} aside), so benchmarks count it once, outside the timed region, and
     * divide by the time per run. {@code memory} is used in place, like {@link Executable#run}.
     *
     * @throws LoadRejected if the validator refuses the program
     * @throws IllegalArgumentException if the run traps instead of returning (the message names the
     *     trap kind and pc)
     */
    public static long countInstructions(Program program, byte[] memory) throws LoadRejected {
        return countInstructions(program, memory, LoadOptions.DEFAULTS);
    }

    /** {@link #countInstructions(Program, byte[])} with explicit options (budget, random seed). */
    public static long countInstructions(Program program, byte[] memory, LoadOptions options) throws LoadRejected {
        Validator.validate(program, Helpers.standard());
        Interpreter interpreter = new Interpreter(program, Helpers.standard().toArray(), options.instructionBudget(),
                options.randomSeed());
        Outcome o = interpreter.run(memory);
        if (o instanceof Outcome.Trapped t) {
            throw new IllegalArgumentException(program.name() + ": the run trapped (" + t.kind() + " at pc " + t.pc()
                    + "), so it has no instruction count");
        }
        return interpreter.executedInstructions();
    }
}
