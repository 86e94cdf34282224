package dev.bpfh.fuzz;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.LoadOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The interp-vs-jit oracle on raw bytes, for coverage-guided fuzzers (the same rules as a campaign). */
public final class DifferentialTarget {
    public static final DifferentialTarget INSTANCE = new DifferentialTarget();

    private final List<Backend> backends = List.of(Backends.find("interp").orElseThrow(), Backends.find("jit").orElseThrow());
    private final LoadOptions load = LoadOptions.DEFAULTS.withInstructionBudget(Profile.HOSTILE.budget);

    private DifferentialTarget() {}

    /** What is wrong with this input, or empty: byte 0 = memory length (mod 65), then memory, then program slots. */
    public Optional<String> check(byte[] data) {
        if (data.length == 0) {
            return Optional.empty();
        }
        int len = Math.min((data[0] & 0xff) % 65, data.length - 1);
        byte[] memory = Arrays.copyOfRange(data, 1, 1 + len);
        byte[] code = Arrays.copyOfRange(data, 1 + len, 1 + len + (data.length - 1 - len) / 8 * 8);
        if (code.length == 0) {
            return Optional.empty();
        }
        Program p = Program.fromBytes("jazzer", code);
        FuzzCase c = FuzzCase.raw(0, "jazzer", p, List.of(memory), false, Determinism.clockFree(p));
        Trial.Result r = Trial.run(c, backends, load);
        return r.findings().stream().findFirst().map(f -> f.disagreement().detail() + " on " + c.describe());
    }
}
