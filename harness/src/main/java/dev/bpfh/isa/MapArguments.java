package dev.bpfh.isa;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import java.util.List;

/**
 * The kernel verifier's map/helper compatibility rule (check_map_func_compatibility) where a
 * program states its map plainly: a helper call whose map argument register was last written by
 * {@code lddw rN, map:X} in the same straight-line code. Such a call with a map of the wrong type
 * (a lookup in a PROG_ARRAY or RINGBUF, a ring buffer helper on a HASH, a tail call through an
 * ARRAY) is refused at load, as the kernel refuses it. A map reaching the call any other way is
 * not followed; the helper then traps HELPER_FAILED at run time.
 */
final class MapArguments {
    private MapArguments() {}

    private static final int TAIL_CALL = 12;

    static void check(long[] s, boolean[] wideTail, List<MapSpec> maps) throws LoadRejected {
        if (maps.isEmpty()) {
            return;
        }
        boolean[] jumpTarget = jumpTargets(s, wideTail);
        for (int pc = 0; pc < s.length; pc++) {
            long w = s[pc];
            if (wideTail[pc] || Insn.opcode(w) != CALL_IMM || Insn.src(w) != CALL_HELPER) {
                continue;
            }
            int helper = Insn.imm(w);
            String name = helperName(helper);
            if (name == null) {
                continue;
            }
            int index = mapLoadedInto(s, wideTail, jumpTarget, pc, helper == TAIL_CALL ? 2 : 1);
            if (index < 0 || index >= maps.size()) {
                continue;
            }
            MapType type = maps.get(index).type();
            if (!compatible(helper, type)) {
                throw new LoadRejected(pc, "cannot pass map_type " + type.linuxId() + " (" + type.word() + ", map '"
                        + maps.get(index).name() + "') into func " + name + "#" + helper + " (EINVAL)", "");
            }
        }
    }

    private static String helperName(int id) {
        return switch (id) {
            case 1 -> "bpf_map_lookup_elem";
            case 2 -> "bpf_map_update_elem";
            case 3 -> "bpf_map_delete_elem";
            case TAIL_CALL -> "bpf_tail_call";
            case 130 -> "bpf_ringbuf_output";
            case 131 -> "bpf_ringbuf_reserve";
            case 134 -> "bpf_ringbuf_query";
            default -> null;
        };
    }

    private static boolean compatible(int helper, MapType type) {
        return switch (helper) {
            case TAIL_CALL -> type == MapType.PROG_ARRAY;
            case 130, 131, 134 -> type == MapType.RINGBUF;
            default -> type != MapType.PROG_ARRAY && type != MapType.RINGBUF;
        };
    }

    /** The map index of the {@code lddw reg, map:...} that last wrote {@code reg} before {@code call}, or -1. */
    private static int mapLoadedInto(long[] s, boolean[] wideTail, boolean[] jumpTarget, int call, int reg) {
        if (jumpTarget[call]) {
            return -1; // another path reaches the call itself
        }
        for (int pc = call - 1; pc >= 0; pc--) {
            if (wideTail[pc]) {
                continue;
            }
            long w = s[pc];
            int op = Insn.opcode(w);
            int cls = opClass(op);
            boolean writes = (cls == ALU || cls == ALU64 || cls == LDX || cls == LD) && Insn.dst(w) == reg
                    || op == ATOMIC_W || op == ATOMIC_DW;
            if (writes) {
                return op == LDDW && Insn.src(w) == PSEUDO_MAP_FD ? Insn.imm(w) : -1;
            }
            if (cls == JMP || cls == JMP32 || jumpTarget[pc]) {
                return -1; // another path may reach the call: not followed
            }
        }
        return -1;
    }

    private static boolean[] jumpTargets(long[] s, boolean[] wideTail) {
        boolean[] t = new boolean[s.length + 1];
        for (int pc = 0; pc < s.length; pc++) {
            long w = s[pc];
            int op = Insn.opcode(w);
            int cls = opClass(op);
            if (wideTail[pc] || (cls != JMP && cls != JMP32)) {
                continue;
            }
            int code = op & OP_MASK;
            long target = -1;
            if (code == JA && cls == JMP32) {
                target = pc + 1L + Insn.imm(w);
            } else if (code == CALL && Insn.src(w) == CALL_LOCAL && (op & SRC_X) == 0) {
                target = pc + 1L + Insn.imm(w);
            } else if (code != CALL && code != EXIT) {
                target = pc + 1L + Insn.off(w);
            }
            if (target >= 0 && target <= s.length) {
                t[(int) target] = true;
            }
        }
        return t;
    }
}
