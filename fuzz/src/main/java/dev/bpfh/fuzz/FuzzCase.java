package dev.bpfh.fuzz;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.HexFormat;
import java.util.List;

/**
 * One generated program and the inputs it runs on. A raw program's inputs are memories all of one
 * length (so that an engine that loads per memory length, the kernel, loads it once) and take no
 * context; a typed program's are packets of any length, each with or without a ctx_in.
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
public record FuzzCase(long index, String origin, Program program, List<RunInput> inputs,
        boolean deterministic, boolean clockFree) {

    public FuzzCase {
        List<RunInput> copies = inputs.stream().map(RunInput::copy).toList();
        if (copies.isEmpty()) {
            throw new IllegalArgumentException("a case needs at least one input");
        }
        if (program.type() == ProgramType.RAW && copies.stream().anyMatch(
                i -> i.ctx() != null || i.data().length != copies.getFirst().data().length)) {
            throw new IllegalArgumentException("a raw case needs inputs all of one length, without context");
        }
        inputs = copies;
    }

    /** A raw program's case: its memories. */
    public static FuzzCase raw(long index, String origin, Program program, List<byte[]> memories,
            boolean deterministic, boolean clockFree) {
        return new FuzzCase(index, origin, program, memories.stream().map(RunInput::of).toList(), deterministic, clockFree);
    }

    /** The inputs' memories (raw) or packets (typed). */
    public List<byte[]> memories() {
        return inputs.stream().map(RunInput::data).toList();
    }

    public int memoryLength() {
        return inputs.getFirst().data().length;
    }

    /** One line that identifies the case and its bytes, for failure messages. */
    public String describe() {
        return "program #" + index + " (" + origin + (program.type() == ProgramType.RAW ? "" : ", " + program.type().word())
                + "): " + HexFormat.ofDelimiter(" ").formatHex(program.toBytes());
    }
}
