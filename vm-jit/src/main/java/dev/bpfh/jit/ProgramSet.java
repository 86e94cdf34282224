package dev.bpfh.jit;

import dev.bpfh.exec.Helpers;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.RunContext;
import dev.bpfh.interp.InterpreterBackend;
import dev.bpfh.isa.Program;
import dev.bpfh.maps.MapSet;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import java.util.ArrayList;
import java.util.List;

/**
 * What the programs of one {@link JitBackend#loadAll} share: one memory with the maps in it, one
 * run context (the run's packet, tail-call count and random stream go on across a tail call into a
 * sibling) and one unmapped context region for r1 of typed programs. Each program is its own hidden
 * class with its own {@link RunState}; {@link TailCalls} moves a run from one to another.
 */
record ProgramSet(Memory memory, MapSet maps, RunContext context, int ctxRegion) {

    static List<Executable> load(JitBackend backend, List<Program> programs, LoadOptions options, Helpers helpers)
            throws LoadRejected {
        if (programs.size() == 1) {
            return List.of(backend.compile(programs.get(0), options, helpers, null));
        }
        if (programs.isEmpty()) {
            return List.of();
        }
        Program first = programs.get(0);
        for (Program p : programs) {
            if (!p.maps().equals(first.maps())) {
                throw new LoadRejected(p.name() + ": its maps are not " + first.name()
                        + "'s; programs loaded together share one map set");
            }
        }
        Memory memory = new Memory();
        MapSet maps = MapSet.create(first, memory);
        ProgramSet set = new ProgramSet(memory, maps, new RunContext(memory, options.randomSeed(), maps),
                memory.allocateRegions(1));
        List<JitExecutable> members = new ArrayList<>();
        for (Program p : programs) {
            Executable e;
            try {
                e = backend.compile(p, options, helpers, set);
            } catch (LoadRejected r) {
                members.forEach(Executable::close);
                throw new LoadRejected(r.pc(), p.name() + ": " + r.reason(), r.log());
            }
            if (e instanceof FallbackExecutable f) {
                // A fallback would have maps of its own: the whole set runs on the interpreter instead.
                members.forEach(Executable::close);
                e.close();
                return onInterpreter(programs, options, p.name() + ": " + f.info().get("fallback"));
            }
            members.add((JitExecutable) e);
        }
        int frames = 1;
        int zeroFrom = Memory.FRAME_SIZE;
        for (JitExecutable e : members) {
            frames = Math.max(frames, e.framesUsed());
            zeroFrom = Math.min(zeroFrom, e.zeroFrom());
        }
        for (JitExecutable e : members) {
            e.join(frames, zeroFrom);
        }
        return List.copyOf(members);
    }

    private static List<Executable> onInterpreter(List<Program> programs, LoadOptions options, String reason)
            throws LoadRejected {
        List<Executable> inner = new InterpreterBackend().loadAll(programs, options);
        return inner.stream().map(e -> (Executable) new FallbackExecutable(e, reason)).toList();
    }
}
