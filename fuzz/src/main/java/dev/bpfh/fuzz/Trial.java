package dev.bpfh.fuzz;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one program on every engine: each engine loads it once (for the inputs' length) and runs it
 * on every input, so a JIT compile or a kernel verification is paid once per program, not per run.
 */
public final class Trial {
    private Trial() {}

    /** A disagreement on input {@code input} of a case. */
    public record Finding(Oracle.Disagreement disagreement, int input) {}

    /** What each engine did on each input: {@code seen[backend][input]}. */
    public record Result(List<String> backends, Observed[][] seen, List<Finding> findings) {}

    public static Result run(FuzzCase c, List<Backend> backends, LoadOptions load) {
        return run(c.program(), c.inputs(), c, backends, load);
    }

    /** Runs {@code program} on {@code inputs}; {@code c} says which comparisons are allowed. */
    static Result run(Program program, List<RunInput> inputs, FuzzCase c, List<Backend> backends, LoadOptions load) {
        List<String> names = backends.stream().map(Backend::name).toList();
        Observed[][] seen = new Observed[backends.size()][];
        for (int b = 0; b < backends.size(); b++) {
            seen[b] = observe(backends.get(b), program, inputs, load);
        }
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            for (int a = 0; a < names.size(); a++) {
                for (int b = a + 1; b < names.size(); b++) {
                    int input = i;
                    Oracle.compare(c, names.get(a), seen[a][i], names.get(b), seen[b][i])
                            .ifPresent(d -> findings.add(new Finding(d, input)));
                }
            }
        }
        return new Result(names, seen, findings);
    }

    /**
     * One engine: load once, run every input on a copy; never throws. A raw program loads for its
     * inputs' length; a typed one for any packet.
     */
    static Observed[] observe(Backend backend, Program program, List<RunInput> inputs, LoadOptions load) {
        Observed[] out = new Observed[inputs.size()];
        Executable exe;
        try {
            exe = backend.load(program, program.type() == ProgramType.RAW
                    ? load.withMemoryLengthHint(inputs.getFirst().data().length) : load);
        } catch (LoadRejected r) {
            java.util.Arrays.fill(out, Observed.refused(r, program.length()));
            return out;
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            java.util.Arrays.fill(out, Observed.crashed(e));
            return out;
        }
        try (exe) {
            for (int i = 0; i < inputs.size(); i++) {
                try {
                    out[i] = Observed.of(exe.run(inputs.get(i).copy()), program.length());
                } catch (RuntimeException | StackOverflowError | LinkageError e) {
                    out[i] = Observed.crashed(e);
                }
            }
        } catch (RuntimeException e) {
            // closing failed: the runs stand
        }
        return out;
    }
}
