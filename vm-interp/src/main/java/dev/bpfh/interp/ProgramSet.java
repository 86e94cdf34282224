package dev.bpfh.interp;

import dev.bpfh.ctx.PacketContext;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.RunContext;
import dev.bpfh.isa.Program;
import dev.bpfh.maps.MapSet;
import dev.bpfh.spi.LoadRejected;

/**
 * What the programs of one load share ({@link InterpreterBackend#loadAll}: an ELF object's
 * programs; a single {@link InterpreterBackend#load} is a collection of one): the address space,
 * the maps, the run's helper state and the call stack. A tail call into a sibling continues on all
 * of it, as the kernel's does on the same maps, stack frame and context.
 */
final class ProgramSet {
    final Memory memory = new Memory();
    final MapSet maps;
    final RunContext context;
    /**
     * The unmapped region whose address is the context pointer of typed programs. Reserved after
     * the maps, so a raw program's map addresses are what they were before contexts existed.
     */
    final int ctxRegion;
    /** How many stack frames (from depth 0) the last run may have written; the next run zeroes these. */
    int framesTouched;
    /**
     * The count of executed instructions handed across a helper call or a tail call into a sibling:
     * the loop writes it before and reads it back after, so a callback ({@code bpf_loop}) or the
     * sibling keeps counting the same budget.
     */
    long countAcrossCall;
    /** The call depth of the helper call under way: a callback runs one frame deeper. */
    int callerDepth;
    /** The program whose helper call is under way: the one a {@code bpf_loop} callback belongs to. */
    Interpreter current;
    /** Instructions the last run executed if it returned, else -1 (see {@link Interpreter#executedInstructions}). */
    long executedInstructions = -1;
    /** The run's packet and context (typed programs), kept across tail calls. */
    PacketContext packet;
    /** The registers a run starts with, handed to the loop (which copies them): kept, not allocated per run. */
    final long[] entryRegisters = new long[Interpreter.REGISTERS];

    /** Creates the maps of {@code program} (every program of a collection declares the same). */
    ProgramSet(Program program, long randomSeed) throws LoadRejected {
        this.maps = MapSet.create(program, memory);
        this.ctxRegion = memory.allocateRegions(1);
        this.context = new RunContext(memory, randomSeed, maps);
        context.setFunctionCaller((pc, a, b, c, d, e, callerPc) -> current.callBack(pc, a, b, c, d, e, callerPc));
    }
}
