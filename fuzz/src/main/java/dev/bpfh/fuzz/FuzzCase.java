package dev.bpfh.fuzz;

import dev.bpfh.isa.Program;
import java.util.HexFormat;
import java.util.List;

/**
 * One generated program and the inputs it runs on (all of one length, so that an engine that
 * loads per memory length, the kernel, loads it once).
 *
 * @param index the program's number in its campaign: with the seed it regenerates the case
 * @param origin how it was made, for reproducer comments ("safe", "mutate of alu64/add.data", ...)
 * @param deterministic whether every correct engine computes the same result, so that ours can be
 *     compared with the kernel and with plugins: false when the program may read something that
 *     differs by construction (a helper's random number or cpu id, the kernel's uninitialised stack,
 *     a pointer's numeric value)
 * @param clockFree whether interp and jit must agree: false when the program may read the clock
 *     (bpf_ktime_get_ns, possibly through callx)
 */
public record FuzzCase(long index, String origin, Program program, List<byte[]> inputs,
        boolean deterministic, boolean clockFree) {

    public FuzzCase {
        List<byte[]> copies = inputs.stream().map(byte[]::clone).toList();
        if (copies.isEmpty() || copies.stream().anyMatch(i -> i.length != copies.getFirst().length)) {
            throw new IllegalArgumentException("a case needs at least one input, all of one length");
        }
        inputs = copies;
    }

    public int memoryLength() {
        return inputs.getFirst().length;
    }

    /** One line that identifies the case and its bytes, for failure messages. */
    public String describe() {
        return "program #" + index + " (" + origin + "): " + HexFormat.ofDelimiter(" ").formatHex(program.toBytes());
    }
}
