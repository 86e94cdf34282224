package dev.bpfh.jit;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.exec.Helpers;
import dev.bpfh.isa.Insn;
import dev.bpfh.maps.ArrayMap;
import dev.bpfh.spi.MapType;
import dev.bpfh.spi.MapView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code bpf_map_lookup_elem} calls the JIT inlines, as the kernel's verifier inlines array
 * lookups (map_gen_lookup): a {@code call 1} whose r1 is, in the call's own basic block, last written
 * by {@code lddw rN, map:X} (directly or through 64-bit {@code mov}s) where X is an ARRAY or
 * PERCPU_ARRAY (CPU 0: one CPU here). Such a call always reaches that map, so it needs no handle
 * check and no dispatch: the generated code reads the key, compares it with {@code max_entries} and
 * forms the value pointer itself ({@link MethodGen}, {@link JitMaps}). Only when helper 1 is the
 * standard one: an embedder's own lookup helper is called as it is.
 *
 * <p>Each site has a number; {@link RegisterFacts} tracks the pointers a site returns (kind
 * {@link RegisterFacts#mapValueKind}), so that accesses through them proven inside the value use
 * the value's array directly.
 */
final class ArrayLookups {
    /** One inlined lookup: the call at {@code pc} into {@code map} (map index {@code mapIndex}). */
    record Site(int pc, int mapIndex, ArrayMap map) {
        int firstRegion() {
            return map.firstRegion();
        }

        int maxEntries() {
            return map.spec().maxEntries();
        }

        int valueSize() {
            return map.spec().valueSize();
        }

        boolean readOnly() {
            return map.spec().readOnlyForPrograms();
        }
    }

    static final ArrayLookups NONE = new ArrayLookups(new int[0], List.of());

    /** The class of the standard {@code bpf_map_lookup_elem} (a lambda: one class per call site). */
    private static final Class<?> STANDARD_LOOKUP = Helpers.standard().get(dev.bpfh.maps.MapHelpers.MAP_LOOKUP_ELEM).getClass();

    /** Site number by pc, -1 where none. */
    private final int[] siteAt;
    private final List<Site> sites;

    private ArrayLookups(int[] siteAt, List<Site> sites) {
        this.siteAt = siteAt;
        this.sites = sites;
    }

    /** The site number of the call at {@code pc}, or -1. */
    int siteAt(int pc) {
        return pc < siteAt.length ? siteAt[pc] : -1;
    }

    Site site(int number) {
        return sites.get(number);
    }

    int size() {
        return sites.size();
    }

    static ArrayLookups find(Cfg cfg, List<MapView> maps, Helpers helpers) {
        var lookup = helpers.get(dev.bpfh.maps.MapHelpers.MAP_LOOKUP_ELEM);
        if (maps.isEmpty() || lookup == null || lookup.getClass() != STANDARD_LOOKUP) {
            return NONE;
        }
        int[] at = new int[cfg.slots.length];
        Arrays.fill(at, -1);
        List<Site> sites = new ArrayList<>();
        int[] mapIn = new int[11];
        for (Cfg.Block b : cfg.blocks) {
            Arrays.fill(mapIn, -1); // a block is entered only at its start: straight-line code
            for (int pc = b.start(); pc < b.end(); ) {
                long w = cfg.slots[pc];
                int op = Insn.opcode(w);
                if (op == CALL_IMM && Insn.src(w) == CALL_HELPER && Insn.imm(w) == dev.bpfh.maps.MapHelpers.MAP_LOOKUP_ELEM
                        && mapIn[1] >= 0 && mapIn[1] < maps.size() && maps.get(mapIn[1]) instanceof ArrayMap m
                        && (m.spec().type() == MapType.ARRAY || m.spec().type() == MapType.PERCPU_ARRAY)) {
                    at[pc] = sites.size();
                    sites.add(new Site(pc, mapIn[1], m));
                }
                track(mapIn, w);
                pc += op == LDDW ? 2 : 1;
            }
        }
        return sites.isEmpty() ? NONE : new ArrayLookups(at, List.copyOf(sites));
    }

    /** Which registers hold which map handle after instruction {@code w} (-1: not known to hold one). */
    private static void track(int[] mapIn, long w) {
        int op = Insn.opcode(w);
        int cls = opClass(op);
        int dst = Insn.dst(w);
        if (op == LDDW) {
            mapIn[dst] = Insn.src(w) == PSEUDO_MAP_FD ? Insn.imm(w) : -1;
        } else if (op == (ALU64 | MOV | SRC_X) && Insn.off(w) == 0) {
            mapIn[dst] = mapIn[Insn.src(w)];
        } else if (cls == LD) { // legacy packet loads: r0 and the scratch registers
            Arrays.fill(mapIn, 0, 6, -1);
            mapIn[dst] = -1;
        } else if (cls == ALU || cls == ALU64 || cls == LDX) {
            mapIn[dst] = -1;
        } else if ((op & MODE_MASK) == MODE_ATOMIC && cls == STX) {
            mapIn[0] = -1; // cmpxchg writes r0, the fetch forms src: forget both
            mapIn[Insn.src(w)] = -1;
        } else if ((cls == JMP || cls == JMP32) && (op & OP_MASK) == CALL) {
            Arrays.fill(mapIn, 0, 6, -1);
        }
    }
}
