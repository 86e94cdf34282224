package dev.bpfh.bench;

import dev.bpfh.isa.Program;

/**
 * A benchmark program: its instructions, the pristine input memory every run starts from, and the
 * r0 every engine must return on it.
 */
public record Workload(String name, Program program, byte[] memory, long expected) {

    public Workload {
        memory = memory.clone();
    }

    @Override
    public byte[] memory() {
        return memory.clone();
    }
}
