package dev.bpfh.kernel;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;

/** Tiny instruction builders for the tests (opcodes from isa.md §3.5). */
final class Asm {
    private Asm() {}

    static long movImm(int dst, int imm) { return Insn.encode(0xb7, dst, 0, 0, imm); }
    static long movReg(int dst, int src) { return Insn.encode(0xbf, dst, src, 0, 0); }
    static long addImm(int dst, int imm) { return Insn.encode(0x07, dst, 0, 0, imm); }
    static long addReg(int dst, int src) { return Insn.encode(0x0f, dst, src, 0, 0); }
    static long lshImm(int dst, int imm) { return Insn.encode(0x67, dst, 0, 0, imm); }
    static long ldxb(int dst, int src, int off) { return Insn.encode(0x71, dst, src, off, 0); }
    static long ldxdw(int dst, int src, int off) { return Insn.encode(0x79, dst, src, off, 0); }
    static long stb(int dst, int off, int imm) { return Insn.encode(0x72, dst, 0, off, imm); }
    static long stxb(int dst, int off, int src) { return Insn.encode(0x73, dst, src, off, 0); }
    static long stdw(int dst, int off, int imm) { return Insn.encode(0x7a, dst, 0, off, imm); }
    static long jgeReg(int dst, int src, int off) { return Insn.encode(0x3d, dst, src, off, 0); }
    static long jltImm(int dst, int imm, int off) { return Insn.encode(0xa5, dst, 0, off, imm); }
    static long ja(int off) { return Insn.encode(0x05, 0, 0, off, 0); }
    static long call(int helper) { return Insn.encode(0x85, 0, 0, 0, helper); }
    static long callLocal(int rel) { return Insn.encode(0x85, 0, 1, 0, rel); }
    static long callx(int reg) { return Insn.encode(0x8d, reg, 0, 0, 0); }
    static long exit() { return Insn.encode(0x95, 0, 0, 0, 0); }
    static long stw(int dst, int off, int imm) { return Insn.encode(0x62, dst, 0, off, imm); }
    static long stxdw(int dst, int off, int src) { return Insn.encode(0x7b, dst, src, off, 0); }
    static long stxw(int dst, int off, int src) { return Insn.encode(0x63, dst, src, off, 0); }
    static long ldxw(int dst, int src, int off) { return Insn.encode(0x61, dst, src, off, 0); }
    static long jeqImm(int dst, int imm, int off) { return Insn.encode(0x15, dst, 0, off, imm); }
    static long jneImm(int dst, int imm, int off) { return Insn.encode(0x55, dst, 0, off, imm); }
    static long jgeImm(int dst, int imm, int off) { return Insn.encode(0x35, dst, 0, off, imm); }

    /** lddw dst, map:#index (BPF_PSEUDO_MAP_FD). */
    static long[] ldMap(int dst, int index) {
        return new long[] {Insn.encode(0x18, dst, 1, 0, index), 0};
    }

    /** lddw dst, map_value:#index+offset (BPF_PSEUDO_MAP_VALUE). */
    static long[] ldMapValue(int dst, int index, int offset) {
        return new long[] {Insn.encode(0x18, dst, 2, 0, index), Insn.encode(0, 0, 0, 0, offset)};
    }

    /** lddw dst, func:+rel (BPF_PSEUDO_FUNC): the function at this lddw's pc + rel + 1. */
    static long[] ldFunc(int dst, int rel) {
        return new long[] {Insn.encode(0x18, dst, 4, 0, rel), 0};
    }

    /** r{dst} = r10 + off: a stack address. */
    static long[] stackAddr(int dst, int off) {
        return new long[] {movReg(dst, 10), addImm(dst, off)};
    }

    /** Slots from single instructions and two-slot groups, in order. */
    static long[] code(Object... parts) {
        java.util.List<long[]> list = new java.util.ArrayList<>();
        for (Object p : parts) {
            list.add(p instanceof long[] a ? a : new long[] {(Long) p});
        }
        return concat(list.toArray(long[][]::new));
    }

    static long[] lddw(int dst, long value) {
        return new long[] {Insn.encode(0x18, dst, 0, 0, (int) value), Insn.encode(0, 0, 0, 0, (int) (value >>> 32))};
    }

    static Program program(String name, long... slots) {
        return Program.of(name, slots);
    }

    static long[] concat(long[]... parts) {
        int n = 0;
        for (long[] p : parts) {
            n += p.length;
        }
        long[] out = new long[n];
        int i = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    /** r0 = sum of the memory's bytes, indexing memory with a register (needs the map-value wrapping). */
    static Program byteSum() {
        return program("byte_sum",
                movImm(0, 0),           // 0: r0 = 0
                movImm(3, 0),           // 1: r3 = 0
                jgeReg(3, 2, 6),        // 2: if r3 >= r2 goto 9
                movReg(4, 1),           // 3: r4 = r1
                addReg(4, 3),           // 4: r4 += r3
                ldxb(5, 4, 0),          // 5: r5 = *(u8 *)(r4 + 0)
                addReg(0, 5),           // 6: r0 += r5
                addImm(3, 1),           // 7: r3 += 1
                ja(-7),                 // 8: goto 2
                exit());                // 9: exit
    }

    /** for (r1 = 0; r1 < 1000; r1++) r0 += r1: 999*1000/2 = 499500. */
    static Program loop1000() {
        return program("loop1000",
                movImm(0, 0),           // 0: r0 = 0
                movImm(1, 0),           // 1: r1 = 0
                addReg(0, 1),           // 2: r0 += r1
                addImm(1, 1),           // 3: r1 += 1
                jltImm(1, 1000, -3),    // 4: if r1 < 1000 goto 2
                exit());                // 5: exit
    }
}
