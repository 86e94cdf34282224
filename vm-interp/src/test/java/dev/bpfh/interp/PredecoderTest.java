package dev.bpfh.interp;

import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The dense numbering: every distinct behaviour has its own {@link Op}, and none is left unused. */
class PredecoderTest {

    /** Every valid (opcode, src, off, imm) variant, described by name. */
    static Map<String, Integer> variants() {
        Map<String, Integer> out = new HashMap<>();
        for (int cls : new int[] {ALU, ALU64}) {
            for (int code : new int[] {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR, MOV, ARSH}) {
                for (int src : new int[] {SRC_K, SRC_X}) {
                    int opcode = cls | code | src;
                    out.put(String.format("%02x", opcode), Predecoder.op(opcode, 0, 0, 0));
                    if (code == DIV || code == MOD) {
                        out.put(String.format("%02x off1", opcode), Predecoder.op(opcode, 0, 1, 0));
                    }
                }
            }
            out.put(String.format("%02x", cls | NEG), Predecoder.op(cls | NEG, 0, 0, 0));
        }
        for (int off : new int[] {8, 16}) {
            out.put("bc off" + off, Predecoder.op(0xbc, 0, off, 0));
        }
        for (int off : new int[] {8, 16, 32}) {
            out.put("bf off" + off, Predecoder.op(0xbf, 0, off, 0));
        }
        for (int width : new int[] {16, 32, 64}) {
            out.put("le" + width, Predecoder.op(0xd4, 0, 0, width));
            out.put("be" + width, Predecoder.op(0xdc, 0, 0, width));
        }
        for (int opcode : new int[] {0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a,
                0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb, 0x05, 0x8d, 0x95, 0x18}) {
            out.put(String.format("%02x", opcode), Predecoder.op(opcode, 0, 0, 0));
        }
        // the 64-bit cmpxchg has an op of its own (Op.CMPXCHG64); the 32-bit one does not
        out.put("db cmpxchg", Predecoder.op(0xdb, 0, 0, ATOMIC_CMPXCHG));
        // LD_ABS and LD_IND: one op each, the size travels in the code word's off field
        out.put("20", Predecoder.op(0x20, 0, 0, 0));
        out.put("40", Predecoder.op(0x40, 0, 0, 0));
        // context accesses replace the memory op of the instructions ContextAccesses found
        out.put("ctx 61", Predecoder.contextOp(0x61));
        out.put("ctx 62", Predecoder.contextOp(0x62));
        out.put("ctx 63", Predecoder.contextOp(0x63));
        out.put("call helper", Predecoder.op(0x85, CALL_HELPER, 0, 5));
        out.put("call local", Predecoder.op(0x85, CALL_LOCAL, 0, 5));
        for (int cls : new int[] {JMP, JMP32}) {
            for (int cond : new int[] {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE}) {
                for (int src : new int[] {SRC_K, SRC_X}) {
                    int opcode = cls | cond | src;
                    out.put(String.format("%02x", opcode), Predecoder.op(opcode, 0, 0, 0));
                }
            }
        }
        return out;
    }

    @Test
    void distinctBehavioursGetDistinctOps() {
        Map<String, Integer> v = variants();
        Map<Integer, String> seen = new HashMap<>();
        for (var e : v.entrySet()) {
            String before = seen.put(e.getValue(), e.getKey());
            // bswap (0xd7) and be (0xdc) are the same behaviour, and ja32 resolves to ja: not listed above.
            assertEquals(null, before, () -> e.getKey() + " and " + seen.get(e.getValue()) + " share op " + e.getValue());
        }
    }

    @Test
    void everyOpIsReachable() {
        TreeSet<Integer> used = new TreeSet<>(variants().values());
        for (int op = 0; op < Op.COUNT; op++) {
            if (op != Op.END_OF_PROGRAM && op != Op.LDDW_TAIL) {
                assertTrue(used.contains(op), "op " + op + " is never produced");
            }
        }
    }

    @Test
    void bswapIsBeAndJa32IsJa() {
        for (int width : new int[] {16, 32, 64}) {
            assertEquals(Predecoder.op(0xdc, 0, 0, width), Predecoder.op(0xd7, 0, 0, width));
        }
        assertEquals(Op.JA, Predecoder.op(0x06, 0, 0, 3));
    }
}
