package dev.bpfh.kernel;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;

/**
 * The smallest BTF the verifier needs for callbacks (programs.md §2.1): a program that takes a
 * function's address ({@code lddw src=4}, e.g. for {@code bpf_loop}) is refused with "missing btf
 * func_info" unless every subprogram has a {@code FUNC} record. The types are {@code [1] INT int},
 * {@code [2] FUNC_PROTO int()} and one static {@code FUNC f<insn>} per subprogram; static linkage
 * means the verifier takes the arguments from the call site, not from the (empty) prototype.
 */
final class Btf {
    private Btf() {}

    private static final int MAGIC = 0xeb9f;
    private static final int HEADER = 24;
    private static final int KIND_INT = 1;
    private static final int KIND_FUNC = 12;
    private static final int KIND_FUNC_PROTO = 13;
    /** Type id of the first FUNC record; subprogram i is FIRST_FUNC + i. */
    static final int FIRST_FUNC = 3;

    /** Whether {@code insns} take a function's address, which makes BTF func_info mandatory. */
    static boolean needsFuncInfo(long[] insns) {
        for (int pc = 0; pc < insns.length; pc++) {
            if (Insn.opcode(insns[pc]) == Opcodes.LDDW) {
                if (Insn.src(insns[pc]) == Opcodes.PSEUDO_FUNC) {
                    return true;
                }
                pc++;
            }
        }
        return false;
    }

    /**
     * Where the verifier's subprograms start: instruction 0, every {@code call} with src 1 target and
     * every {@code lddw src=4} target (both pc + imm + 1), ascending.
     */
    static int[] subprogramStarts(long[] insns) {
        TreeSet<Integer> starts = new TreeSet<>();
        starts.add(0);
        for (int pc = 0; pc < insns.length; pc++) {
            long s = insns[pc];
            int op = Insn.opcode(s);
            if (op == Opcodes.CALL_IMM && Insn.src(s) == Opcodes.CALL_LOCAL) {
                starts.add(pc + Insn.imm(s) + 1);
            } else if (op == Opcodes.LDDW) {
                if (Insn.src(s) == Opcodes.PSEUDO_FUNC) {
                    starts.add(pc + Insn.imm(s) + 1);
                }
                pc++;
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The BTF blob with one FUNC per entry of {@code starts} (named after its instruction). */
    static byte[] blob(int[] starts) {
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        strings.write(0);
        int intName = addString(strings, "int");
        ByteBuffer types = ByteBuffer.allocate(16 + 12 + 12 * starts.length).order(ByteOrder.LITTLE_ENDIAN);
        types.putInt(intName).putInt(KIND_INT << 24).putInt(4).putInt(1 << 24 | 32); // [1] signed 32-bit int
        types.putInt(0).putInt(KIND_FUNC_PROTO << 24).putInt(1);                    // [2] int (void)
        for (int start : starts) {
            types.putInt(addString(strings, "f" + start)).putInt(KIND_FUNC << 24).putInt(2); // static FUNC
        }
        byte[] str = strings.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(HEADER + types.capacity() + str.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) MAGIC).put((byte) 1).put((byte) 0).putInt(HEADER);
        out.putInt(0).putInt(types.capacity()).putInt(types.capacity()).putInt(str.length);
        out.put(types.array()).put(str);
        return out.array();
    }

    /** func_info records {@code {insn_off, type_id}} matching {@link #blob}. */
    static int[] funcInfo(int[] starts) {
        int[] recs = new int[2 * starts.length];
        for (int i = 0; i < starts.length; i++) {
            recs[2 * i] = starts[i];
            recs[2 * i + 1] = FIRST_FUNC + i;
        }
        return recs;
    }

    private static int addString(ByteArrayOutputStream strings, String s) {
        int off = strings.size();
        strings.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
        strings.write(0);
        return off;
    }
}
