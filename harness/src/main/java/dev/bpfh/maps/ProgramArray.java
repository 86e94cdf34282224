package dev.bpfh.maps;

import dev.bpfh.exec.Memory;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.MapSpec;

/**
 * PROG_ARRAY: slots of programs for {@code bpf_tail_call}. Programs cannot look it up or update it
 * (the kernel refuses those helpers on this map type at load); userspace fills slots with
 * {@link #setProgram}. The engine decides whether a slot's executable is one it can jump to.
 */
public final class ProgramArray extends BpfMap {
    private final Executable[] slots;

    ProgramArray(MapSpec spec, Memory memory) {
        super(spec, memory);
        this.slots = new Executable[spec.maxEntries()];
    }

    /** The program in slot {@code index} (unsigned), or null when the index is past the end or the slot is empty. */
    public Executable slot(long index) {
        long i = index & 0xffffffffL;
        return i < slots.length ? slots[(int) i] : null;
    }

    @Override
    public int setProgram(int index, Executable program) {
        if (Integer.compareUnsigned(index, slots.length) >= 0) {
            return -Errno.E2BIG;
        }
        slots[index] = program;
        return 0;
    }

    @Override
    public int delete(byte[] key) {
        if (badLength(key, 4)) {
            return -Errno.EINVAL;
        }
        int i = readIndex(key, 0);
        if (Integer.compareUnsigned(i, slots.length) >= 0) {
            return -Errno.E2BIG;
        }
        if (slots[i] == null) {
            return -Errno.ENOENT;
        }
        slots[i] = null;
        return 0;
    }
}
