package dev.bpfh.kernel;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel maps of one program, or of the programs of one object ({@link KernelBackend#loadAll}):
 * created once, before any program, and shared by every executable that holds them, so a PROG_ARRAY
 * slot can name a sibling and both see the same map contents. The last executable to let go closes
 * the fds. {@link KernelMap} operations use scratch memory of their own, so the set works from any
 * thread.
 */
final class KernelMapSet {
    private final List<KernelMap> maps;
    private int holders;
    private boolean frozen;
    private boolean closed;

    private KernelMapSet(List<KernelMap> maps) {
        this.maps = maps;
    }

    /** BPF_MAP_CREATE for every spec; a refusal closes what was created and names the map. */
    static KernelMapSet create(List<MapSpec> specs) throws LoadRejected {
        List<KernelMap> maps = new ArrayList<>();
        try (Bpf bpf = new Bpf()) {
            for (MapSpec spec : specs) {
                try {
                    maps.add(KernelMap.create(bpf, spec));
                } catch (BpfException e) {
                    maps.forEach(KernelMap::close);
                    throw new LoadRejected("map '" + spec.name() + "': BPF_MAP_CREATE failed: " + e.errnoName());
                }
            }
        }
        return new KernelMapSet(maps);
    }

    List<KernelMap> maps() {
        return maps;
    }

    boolean isEmpty() {
        return maps.isEmpty();
    }

    /**
     * {@code slots} with the map fds in their {@code lddw}s: src 1 and 2 name a map by its index
     * (checked by {@link KernelBackend#checkUserProgram}); src 2 keeps its offset.
     */
    long[] patch(long[] slots) {
        long[] patched = slots.clone();
        for (int pc = 0; pc < patched.length; pc++) {
            long s = patched[pc];
            if (Insn.opcode(s) == Opcodes.LDDW) {
                int src = Insn.src(s);
                if (src == Opcodes.PSEUDO_MAP_FD || src == Opcodes.PSEUDO_MAP_VALUE) {
                    int fd = maps.get(Insn.imm(s)).fd();
                    patched[pc] = (s & 0xffffffffL) | ((long) fd << 32);
                }
                pc++;
            }
        }
        return patched;
    }

    /**
     * libbpf writes {@code .rodata} and then freezes it (BPF_MAP_FREEZE) before loading. Here the
     * runner writes map contents through the views after the load, so the freeze comes right before
     * the first run of any holder: from then on userspace updates of a RDONLY_PROG map fail with
     * EPERM, as they do for a libbpf-loaded program. (The program cannot write it either way: the
     * verifier refuses stores into a RDONLY_PROG map at load. Freezing after the load only forgoes
     * the verifier's constant-folding of frozen read-only values, which changes no result.)
     */
    synchronized void freezeReadOnlyMaps() {
        if (!frozen) {
            frozen = true;
            for (KernelMap m : maps) {
                if (m.spec().readOnlyForPrograms()) {
                    m.freeze();
                }
            }
        }
    }

    synchronized void hold() {
        if (closed) {
            throw new IllegalStateException("map set is closed");
        }
        holders++;
    }

    /** One holder lets go; the last closes every map. */
    synchronized void release() {
        if (--holders <= 0) {
            closeMaps();
        }
    }

    /** Closes the maps if no executable holds them (a failed collection load). */
    synchronized void closeIfUnheld() {
        if (holders <= 0) {
            closeMaps();
        }
    }

    private void closeMaps() {
        if (!closed) {
            closed = true;
            maps.forEach(KernelMap::close);
        }
    }
}
