package dev.bpfh.conformance;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import dev.bpfh.exec.Memory;
import dev.bpfh.maps.MapSet;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.RunInput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory backend whose behaviour per program name is scripted by the test: return an r0,
 * trap, reject, declare unsupported, crash, or run a body that sees the run's input and the
 * program's maps (real userspace maps, shared by the programs of one {@link #loadAll}). A program
 * with no script returns 0. Every input a program runs on is kept ({@link #inputs()}).
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

    /** Runs {@code body} on the input and the maps. */
    record Runs(Body body) implements Behaviour {}

    interface Body {
        Outcome run(RunInput input, List<MapView> maps);
    }

    private final List<RunInput> inputs = new ArrayList<>();

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

    /** Every input the programs ran on, in order (copies taken before the run). */
    List<RunInput> inputs() {
        return inputs;
    }

    @Override
    public Executable load(Program program, LoadOptions options) throws LoadRejected {
        return loadAll(List.of(program), options).get(0);
    }

    @Override
    public List<Executable> loadAll(List<Program> programs, LoadOptions options) throws LoadRejected {
        List<MapView> maps = MapSet.create(programs.get(0), new Memory()).views();
        List<Executable> out = new ArrayList<>();
        for (Program p : programs) {
            out.add(executable(script.getOrDefault(p.name(), new Returns(0)), maps));
        }
        return out;
    }

    private Executable executable(Behaviour b, List<MapView> maps) throws LoadRejected {
        Body body = switch (b) {
            case Rejects(String reason) -> throw new LoadRejected(0, reason, "");
            case Unsupported(String reason) -> throw LoadRejected.unsupported(0, reason);
            case Returns(long r0) -> (in, m) -> new Outcome.Returned(r0, in.data());
            case Traps(TrapKind kind, int pc, String message) -> (in, m) -> new Outcome.Trapped(kind, pc, message);
            case Writes(long r0, int index, byte value) -> (in, m) -> {
                in.data()[index] = value;
                return new Outcome.Returned(r0, in.data());
            };
            case Crashes(String message) -> (in, m) -> {
                throw new IllegalStateException(message);
            };
            case Runs(Body given) -> given;
        };
        return new Executable() {
            @Override
            public Outcome run(byte[] memory) {
                return run(RunInput.of(memory));
            }

            @Override
            public Outcome run(RunInput input) {
                inputs.add(input.copy());
                return body.run(input, maps);
            }

            @Override
            public List<MapView> maps() {
                return maps;
            }
        };
    }
}
