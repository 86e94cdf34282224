package dev.bpfh.isa;

import static dev.bpfh.isa.Opcodes.*;

import dev.bpfh.ctx.HelperAvailability;
import dev.bpfh.exec.Helpers;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import dev.bpfh.spi.ProgramType;
import java.util.List;

/**
 * The structural checks every userspace engine runs before it accepts a program (isa.md §1–§2,
 * §7.4): unknown opcodes, registers above r10, writes to r10, broken {@code lddw} pairs, jumps and
 * local calls out of range or into the second slot of an {@code lddw}, non-zero unused fields, bad
 * END widths, bad atomic operations, MOVSX/SDIV offsets, and calls to helpers that do not exist;
 * then the layout of bpf-to-bpf functions ({@link FunctionLayout}: no fall-through into the next
 * function, no jump into another one).
 *
 * <p>What it accepts, the engines may execute without re-checking those facts. Dynamic faults
 * (out-of-bounds access, call depth, falling off the end, the budget) are run-time traps, not
 * load errors, because whether they happen depends on the input.
 */
public final class Validator {
    private Validator() {}

    public static final int MAX_REGISTER = 10;
    public static final int FRAME_POINTER = 10;
    /** The kernel's limit for privileged programs (BPF_COMPLEXITY_LIMIT_INSNS). */
    public static final int MAX_SLOTS = 1_000_000;

    /** Throws {@link LoadRejected} naming the first faulty pc; returns normally if the program is sound. */
    public static void validate(Program program, Helpers helpers) throws LoadRejected {
        long[] s = program.slots();
        if (s.length == 0) {
            throw new LoadRejected("empty program");
        }
        if (s.length > MAX_SLOTS) {
            throw new LoadRejected("too many instructions: " + s.length + " slots (max " + MAX_SLOTS + ")");
        }
        boolean[] wideTail = new boolean[s.length];
        for (int pc = 0; pc < s.length; pc++) {
            if (Insn.opcode(s[pc]) == LDDW) {
                if (pc + 1 >= s.length) {
                    throw new LoadRejected(pc, "incomplete lddw: no second slot", "");
                }
                wideTail[pc + 1] = true;
                pc++;
            }
        }
        for (int pc = 0; pc < s.length; pc++) {
            if (wideTail[pc]) {
                continue;
            }
            check(s, pc, wideTail, helpers, program.maps(), program.type());
        }
        FunctionLayout.check(s, wideTail);
        MapArguments.check(s, wideTail, program.maps());
    }

    private static void check(long[] s, int pc, boolean[] wideTail, Helpers helpers, List<MapSpec> maps,
            ProgramType type) throws LoadRejected {
        long w = s[pc];
        int op = Insn.opcode(w);
        int dst = Insn.dst(w);
        int src = Insn.src(w);
        int off = Insn.off(w);
        int imm = Insn.imm(w);
        if (src > MAX_REGISTER) {
            throw fail(pc, "invalid source register r" + src);
        }
        if (dst > MAX_REGISTER) {
            throw fail(pc, "invalid destination register r" + dst);
        }
        switch (opClass(op)) {
            case ALU, ALU64 -> checkAlu(pc, op, dst, src, off, imm);
            case LD -> checkLd(s, pc, op, dst, src, off, wideTail, maps, type);
            case LDX -> {
                int mode = op & MODE_MASK;
                if (mode != MODE_MEM && !(mode == MODE_MEMSX && (op & SIZE_MASK) != SIZE_DW)) {
                    throw unknown(pc, op);
                }
                zero(pc, "imm", imm);
                writable(pc, dst);
            }
            case ST -> {
                if ((op & MODE_MASK) != MODE_MEM) {
                    throw unknown(pc, op);
                }
                zero(pc, "src", src);
            }
            case STX -> checkStx(pc, op, src, imm);
            case JMP, JMP32 -> checkJump(s, pc, op, dst, src, off, imm, wideTail, helpers, type);
            default -> throw unknown(pc, op);
        }
    }

    private static void checkAlu(int pc, int op, int dst, int src, int off, int imm) throws LoadRejected {
        boolean is64 = opClass(op) == ALU64;
        boolean x = (op & SRC_X) != 0;
        int code = op & OP_MASK;
        writable(pc, dst);
        switch (code) {
            case NEG -> {
                if (x) {
                    throw fail(pc, "invalid source for neg: only the K form exists (opcode 0x" + hex(op) + ")");
                }
                zero(pc, "src", src);
                zero(pc, "offset", off);
                zero(pc, "imm", imm);
                return;
            }
            case END -> {
                if (is64 && x) {
                    throw unknown(pc, op); // 0xdf is reserved
                }
                if (imm != 16 && imm != 32 && imm != 64) {
                    throw fail(pc, "invalid endian width " + imm + " (must be 16, 32 or 64)");
                }
                zero(pc, "src", src);
                zero(pc, "offset", off);
                return;
            }
            case DIV, MOD -> {
                if (off != 0 && off != 1) {
                    throw fail(pc, "invalid offset " + off + " for div/mod (0 = unsigned, 1 = signed)");
                }
            }
            case MOV -> {
                if (off != 0) {
                    boolean ok = x && (off == 8 || off == 16 || (is64 && off == 32));
                    if (!ok) {
                        throw fail(pc, "invalid offset " + off + " for mov" + (is64 ? "" : "32")
                                + (x ? " (movsx takes 8, 16" + (is64 ? " or 32)" : ")") : " (K form takes 0)"));
                    }
                }
            }
            case ADD, SUB, MUL, OR, AND, LSH, RSH, XOR, ARSH -> zero(pc, "offset", off);
            default -> throw unknown(pc, op);
        }
        if (x) {
            zero(pc, "imm", imm);
        } else {
            zero(pc, "src", src);
        }
    }

    private static void checkLd(long[] s, int pc, int op, int dst, int src, int off, boolean[] wideTail,
            List<MapSpec> maps, ProgramType type) throws LoadRejected {
        if (op != LDDW) {
            int mode = op & MODE_MASK;
            boolean packetLoad = mode == MODE_ABS || mode == MODE_IND;
            if (packetLoad && HelperAvailability.takesPacketLoads(type)) {
                if ((op & SIZE_MASK) == SIZE_DW) {
                    throw unknown(pc, op);
                }
                if (dst != 0 || off != 0 || (mode == MODE_ABS && src != 0)) {
                    throw fail(pc, "BPF_LD_[ABS|IND] uses reserved fields");
                }
                return;
            }
            if (packetLoad && type == ProgramType.XDP) {
                throw fail(pc, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
            }
            if (packetLoad) {
                throw fail(pc, "legacy packet load 0x" + hex(op) + " (group packet) is not supported");
            }
            throw unknown(pc, op);
        }
        writable(pc, dst);
        zero(pc, "offset", off);
        long tail = s[pc + 1];
        if (Insn.opcode(tail) != 0 || Insn.dst(tail) != 0 || Insn.src(tail) != 0 || Insn.off(tail) != 0) {
            throw fail(pc + 1, "invalid lddw second slot: opcode, registers and offset must be zero");
        }
        checkPseudo(s, pc, src, wideTail, maps);
    }

    /** lddw pseudo-sources (programs.md §2.1), with the kernel's errno in the reason. */
    private static void checkPseudo(long[] s, int pc, int src, boolean[] wideTail, List<MapSpec> maps)
            throws LoadRejected {
        int imm = Insn.imm(s[pc]);
        int nextImm = Insn.imm(s[pc + 1]);
        switch (src) {
            case 0 -> {}
            case PSEUDO_MAP_FD, PSEUDO_MAP_VALUE -> {
                if (imm < 0 || imm >= maps.size()) {
                    throw fail(pc, "lddw names map #" + imm + ", but the program declares " + maps.size()
                            + " map" + (maps.size() == 1 ? "" : "s") + " (EBADF)");
                }
                MapSpec m = maps.get(imm);
                if (src == PSEUDO_MAP_FD) {
                    if (nextImm != 0) {
                        throw fail(pc, "unrecognized bpf_ld_imm64 insn: src=1 needs a zero second imm (EINVAL)");
                    }
                    return;
                }
                if (m.type() != MapType.ARRAY) {
                    throw fail(pc, "map '" + m.name() + "' (" + m.type().word()
                            + ") has no direct value access support (EINVAL)");
                }
                if (m.maxEntries() != 1) {
                    throw fail(pc, "direct value access to map '" + m.name()
                            + "' needs max_entries 1, it has " + m.maxEntries() + " (ENOTSUPP)");
                }
                if (nextImm < 0 || nextImm >= m.valueSize()) {
                    throw fail(pc, "direct value offset " + nextImm + " is outside map '" + m.name()
                            + "' value of " + m.valueSize() + " bytes (EINVAL)");
                }
            }
            case PSEUDO_FUNC -> {
                zero(pc + 1, "imm", nextImm);
                target(s, pc, imm, wideTail, "function address");
            }
            default -> throw fail(pc, "unsupported lddw source " + src
                    + " (BTF ids and fd_array indexes need the kernel's loader)");
        }
    }

    private static void checkStx(int pc, int op, int src, int imm) throws LoadRejected {
        int mode = op & MODE_MASK;
        if (mode == MODE_MEM) {
            zero(pc, "imm", imm);
            return;
        }
        if (op != ATOMIC_W && op != ATOMIC_DW) {
            throw unknown(pc, op);
        }
        switch (imm) {
            case ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR, ATOMIC_CMPXCHG -> {}
            case ATOMIC_ADD | FETCH, ATOMIC_OR | FETCH, ATOMIC_AND | FETCH, ATOMIC_XOR | FETCH, ATOMIC_XCHG -> {
                if (src == FRAME_POINTER) {
                    throw fail(pc, "atomic fetch would write r10 (the frame pointer is read-only)");
                }
            }
            default -> throw fail(pc, "invalid atomic operation 0x" + hex(imm));
        }
    }

    private static void checkJump(long[] s, int pc, int op, int dst, int src, int off, int imm,
            boolean[] wideTail, Helpers helpers, ProgramType type) throws LoadRejected {
        boolean is32 = opClass(op) == JMP32;
        boolean x = (op & SRC_X) != 0;
        int code = op & OP_MASK;
        switch (code) {
            case JA -> {
                if (x) {
                    throw unknown(pc, op);
                }
                zero(pc, "dst", dst);
                zero(pc, "src", src);
                if (is32) {
                    zero(pc, "offset", off);
                    target(s, pc, imm, wideTail, "jump");
                } else {
                    zero(pc, "imm", imm);
                    target(s, pc, off, wideTail, "jump");
                }
            }
            case CALL -> {
                if (is32) {
                    throw unknown(pc, op);
                }
                zero(pc, "offset", off);
                if (x) { // callx: the helper id is in register dst
                    zero(pc, "src", src);
                    zero(pc, "imm", imm);
                    return;
                }
                zero(pc, "dst", dst);
                switch (src) {
                    case CALL_HELPER -> {
                        if (!helpers.has(imm)) {
                            throw fail(pc, "call to unknown helper " + imm);
                        }
                        if (!HelperAvailability.available(type, imm)) {
                            throw fail(pc, "helper " + helpers.name(imm) + "#" + imm + " is not available to "
                                    + type.word() + " programs");
                        }
                    }
                    case CALL_LOCAL -> target(s, pc, imm, wideTail, "local call");
                    case CALL_RUNTIME -> throw fail(pc, "call runtime " + imm + " (kfunc by BTF id) is not supported");
                    default -> throw fail(pc, "invalid call type src=" + src);
                }
            }
            case EXIT -> {
                if (is32 || x) {
                    throw unknown(pc, op);
                }
                zero(pc, "dst", dst);
                zero(pc, "src", src);
                zero(pc, "offset", off);
                zero(pc, "imm", imm);
            }
            case JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE -> {
                if (x) {
                    zero(pc, "imm", imm);
                } else {
                    zero(pc, "src", src);
                }
                target(s, pc, off, wideTail, "jump");
            }
            default -> throw unknown(pc, op);
        }
    }

    private static void target(long[] s, int pc, int disp, boolean[] wideTail, String what) throws LoadRejected {
        long t = (long) pc + 1 + disp;
        if (t < 0 || t >= s.length) {
            throw fail(pc, what + " out of range: target " + t + " outside [0, " + s.length + ")");
        }
        if (wideTail[(int) t]) {
            throw fail(pc, what + " into the middle of lddw at pc " + t);
        }
    }

    private static void writable(int pc, int dst) throws LoadRejected {
        if (dst == FRAME_POINTER) {
            throw fail(pc, "write to r10 (the frame pointer is read-only)");
        }
    }

    private static void zero(int pc, String field, int value) throws LoadRejected {
        if (value != 0) {
            throw fail(pc, "unused field " + field + " must be 0 but is " + value);
        }
    }

    private static LoadRejected unknown(int pc, int op) {
        return fail(pc, "unknown opcode 0x" + hex(op));
    }

    private static LoadRejected fail(int pc, String reason) {
        return new LoadRejected(pc, reason, "");
    }

    private static String hex(int v) {
        return String.format("%02x", v);
    }
}
