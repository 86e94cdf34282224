package dev.bpfh.maps;

import dev.bpfh.exec.Memory;
import dev.bpfh.exec.Trap;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.TrapKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The maps of one loaded program in a userspace engine, and what {@code lddw} pseudo-sources mean
 * there. A map handle ({@code lddw} src 1) is {@code address(handleRegion, 0)} of a zero-length
 * region, so it can be passed to helpers but never dereferenced.
 */
public final class MapSet {
    /** Value regions one program may reserve in the userspace engines (a region per element). */
    public static final long MAX_REGIONS = 1L << 24;

    private final List<BpfMap> maps;
    private final int firstHandleRegion;
    /** The targets of every lddw src=4: the only pcs a callback may start at. */
    private final java.util.BitSet functions = new java.util.BitSet();
    private boolean frozen;

    private MapSet(List<BpfMap> maps, int firstHandleRegion) {
        this.maps = maps;
        this.firstHandleRegion = firstHandleRegion;
    }

    /** No maps. */
    public static MapSet empty(Memory memory) {
        return new MapSet(List.of(), memory.allocateRegions(0));
    }

    /**
     * Creates the maps {@code program} declares in {@code memory}, refusing definitions the kernel
     * would refuse ({@link MapRules}).
     */
    public static MapSet create(Program program, Memory memory) throws LoadRejected {
        List<MapSpec> specs = program.maps();
        long regions = 0;
        for (MapSpec s : specs) {
            var refusal = MapRules.refusal(s);
            if (refusal.isPresent()) {
                throw new LoadRejected("map '" + s.name() + "' (" + s.describe() + "): BPF_MAP_CREATE would fail with "
                        + refusal.get());
            }
            regions += BpfMap.regionsNeeded(s);
        }
        if (regions > MAX_REGIONS) {
            throw new LoadRejected("maps need " + regions + " value regions, more than the userspace engines' "
                    + MAX_REGIONS + " (ENOMEM)");
        }
        int handles = memory.allocateRegions(specs.size());
        List<BpfMap> maps = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) {
            memory.map(handles + i, new byte[0]);
            MapSpec s = specs.get(i);
            maps.add(BpfMap.create(s, memory, memory.allocateRegions(BpfMap.regionsNeeded(s))));
        }
        return new MapSet(List.copyOf(maps), handles);
    }

    public List<MapView> views() {
        return List.copyOf(maps);
    }

    public int size() {
        return maps.size();
    }

    /** The handle {@code lddw src=1} loads for map {@code index}. */
    public long handle(int index) {
        return Memory.address(firstHandleRegion + index, 0);
    }

    /** The map a helper argument names, or a HELPER_FAILED trap at {@code pc}. */
    public BpfMap byHandle(long handle, int pc) {
        long i = (handle >>> Memory.REGION_SHIFT) - firstHandleRegion;
        if ((int) handle != 0 || i < 0 || i >= maps.size()) {
            throw new Trap(TrapKind.HELPER_FAILED, pc, "helper argument 0x" + Long.toHexString(handle) + " is not a map");
        }
        return maps.get((int) i);
    }

    /**
     * The value of the {@code lddw} at {@code pc} of {@code program}: a constant (src 0), a map
     * handle (src 1), a pointer into a one-element array's value (src 2) or a function address
     * (src 4). The {@link dev.bpfh.isa.Validator} has already checked the operands.
     */
    public long lddwValue(Program program, int pc) {
        long lo = program.slot(pc);
        long hi = program.slot(pc + 1);
        int imm = Insn.imm(lo);
        int nextImm = Insn.imm(hi);
        return switch (Insn.src(lo)) {
            case Opcodes.PSEUDO_MAP_FD -> handle(imm);
            case Opcodes.PSEUDO_MAP_VALUE -> ((ArrayMap) maps.get(imm)).valueAddress(nextImm);
            case Opcodes.PSEUDO_FUNC -> {
                functions.set(pc + imm + 1);
                yield Memory.functionAddress(pc + imm + 1);
            }
            default -> (imm & 0xffffffffL) | ((long) nextImm << 32);
        };
    }

    /** Whether {@code pc} is the target of an {@code lddw} src=4 seen by {@link #lddwValue}. */
    public boolean isFunction(int pc) {
        return pc >= 0 && functions.get(pc);
    }

    /**
     * Called at the start of every run: the first run freezes maps that are read-only for programs
     * (BPF_F_RDONLY_PROG), as libbpf freezes {@code .rodata} before a program runs (the kernel
     * backend freezes lazily at the same moment), so later userspace updates fail with -EPERM.
     */
    public void startRun() {
        if (!frozen) {
            frozen = true;
            for (BpfMap m : maps) {
                if (m.spec().readOnlyForPrograms()) {
                    m.freeze();
                }
            }
        }
    }

    /** MAX_TAIL_CALL_CNT: a chain runs at most 34 programs. */
    public static final int MAX_TAIL_CALLS = 33;
}
