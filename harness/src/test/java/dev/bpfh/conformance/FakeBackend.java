package dev.bpfh.conformance;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.HashMap;
import java.util.Map;

/**
 * An in-memory backend whose behaviour per program name is scripted by the test: return an r0,
 * trap, reject, declare unsupported, or crash. A program with no script returns 0.
 */
final class FakeBackend implements Backend {
    sealed interface Behaviour {}

    record Returns(long r0) implements Behaviour {}

    record Traps(TrapKind kind, int pc, String message) implements Behaviour {}

    record Rejects(String reason) implements Behaviour {}

    record Unsupported(String reason) implements Behaviour {}

    record Crashes(String message) implements Behaviour {}

    /** Stores {@code value} at memory[index], then returns r0. */
    record Writes(long r0, int index, byte value) implements Behaviour {}

    private final String name;
    private final Availability availability;
    private final Map<String, Behaviour> script = new HashMap<>();

    FakeBackend(String name) {
        this(name, Availability.yes());
    }

    FakeBackend(String name, Availability availability) {
        this.name = name;
        this.availability = availability;
    }

    FakeBackend on(String program, Behaviour b) {
        script.put(program, b);
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Availability probe() {
        return availability;
    }

    @Override
    public Executable load(Program program, LoadOptions options) throws LoadRejected {
        Behaviour b = script.getOrDefault(program.name(), new Returns(0));
        return switch (b) {
            case Rejects(String reason) -> throw new LoadRejected(0, reason, "");
            case Unsupported(String reason) -> throw LoadRejected.unsupported(0, reason);
            case Returns(long r0) -> memory -> new Outcome.Returned(r0, memory);
            case Traps(TrapKind kind, int pc, String message) -> memory -> new Outcome.Trapped(kind, pc, message);
            case Writes(long r0, int index, byte value) -> memory -> {
                memory[index] = value;
                return new Outcome.Returned(r0, memory);
            };
            case Crashes(String message) -> memory -> {
                throw new IllegalStateException(message);
            };
        };
    }
}
