package dev.bpfh.isa;

import static dev.bpfh.isa.CpuVersion.*;
import static dev.bpfh.isa.Group.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which CPU version and groups a program needs, computed exactly as bpf_conformance's runner does
 * (isa.md §3.4) from its instruction table (§3.5), quirks included.
 *
 * <p>Every slot except the second slot of an {@code lddw} is looked up in a table sorted by
 * (opcode, src, offset, imm); the first row that matches wins. src is compared only for 0x18 and
 * 0x85, imm only for 0xc3, 0xd4, 0xdb and 0xdc, offset only for the div/mod/mov opcodes whose
 * offset selects sdiv/smod/movsx. Unmatched slots contribute nothing. Because imm is not compared
 * for 0xd7, every bswap matches the first 0xd7 row (imm 16: v4 base32). The table also tags 0x1f,
 * 0x6d and 0x87 base32 rather than base64.
 */
public final class Classifier {
    private Classifier() {}

    /** What a program needs; {@code groups} is a {@link Group} bitmask (0 when nothing matched). */
    public record Classification(CpuVersion version, int groups) {
        /** True when a runner with this cpu version and these enabled groups would run the test. */
        public boolean allowedBy(CpuVersion cpu, int groupMask) {
            return version.compareTo(cpu) <= 0 && (groups & ~groupMask) == 0;
        }

        @Override
        public String toString() {
            return version.label() + " " + Group.names(groups);
        }
    }

    private record Row(int opcode, int src, int off, int imm, Group group, CpuVersion version) {
        boolean matches(int op, int s, int o, int i) {
            if (op != opcode) {
                return false;
            }
            if ((op == 0x18 || op == 0x85) && s != src) {
                return false;
            }
            if ((op == 0xc3 || op == 0xd4 || op == 0xdb || op == 0xdc) && i != imm) {
                return false;
            }
            boolean offKeyed = switch (op) {
                case 0x34, 0x37, 0x3c, 0x3f, 0x94, 0x97, 0x9c, 0x9f, 0xbc, 0xbf -> true;
                default -> false;
            };
            return !offKeyed || o == off;
        }
    }

    private static final List<Row> TABLE = buildTable();

    public static Classification classify(Program p) {
        CpuVersion version = V1;
        int groups = 0;
        for (int pc : p.instructionPcs()) {
            long w = p.slot(pc);
            int op = Insn.opcode(w);
            for (Row r : TABLE) {
                if (r.matches(op, Insn.src(w), Insn.off(w), Insn.imm(w))) {
                    if (r.version.compareTo(version) > 0) {
                        version = r.version;
                    }
                    groups |= r.group.bit();
                    break;
                }
            }
        }
        return new Classification(version, groups);
    }

    private static List<Row> buildTable() {
        List<Row> t = new ArrayList<>();
        // ALU (32-bit) and ALU64: K and X forms of the plain operations.
        // add, sub, or, and, lsh, rsh, xor, arsh: base32 in ALU, base64 in ALU64.
        for (int code : new int[] {0x00, 0x10, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xc0}) {
            for (int src : new int[] {0x00, 0x08}) {
                t.add(row(0x04 | src | code, BASE32, V1));
                t.add(row(0x07 | src | code, BASE64, V1));
            }
        }
        t.removeIf(r -> r.opcode == 0x1f);
        t.add(row(0x1f, BASE32, V1)); // quirk: sub64 reg is tagged base32
        for (int src : new int[] {0x00, 0x08}) {
            t.add(row(0x24 | src, DIVMUL32, V1));
            t.add(row(0x27 | src, DIVMUL64, V1));
            for (int code : new int[] {0x30, 0x90}) { // div/mod (off 0) and sdiv/smod (off 1)
                t.add(new Row(0x04 | src | code, 0, 0, 0, DIVMUL32, V1));
                t.add(new Row(0x04 | src | code, 0, 1, 0, DIVMUL32, V4));
                t.add(new Row(0x07 | src | code, 0, 0, 0, DIVMUL64, V1));
                t.add(new Row(0x07 | src | code, 0, 1, 0, DIVMUL64, V4));
            }
        }
        t.add(row(0x84, BASE32, V1));
        t.add(row(0x87, BASE32, V1)); // quirk: neg64 is tagged base32
        t.add(row(0xb4, BASE32, V1));
        t.add(row(0xb7, BASE64, V1));
        t.add(new Row(0xbc, 0, 0, 0, BASE32, V1));
        t.add(new Row(0xbc, 0, 8, 0, BASE32, V4));
        t.add(new Row(0xbc, 0, 16, 0, BASE32, V4));
        t.add(new Row(0xbf, 0, 0, 0, BASE64, V1));
        t.add(new Row(0xbf, 0, 8, 0, BASE64, V4));
        t.add(new Row(0xbf, 0, 16, 0, BASE64, V4));
        t.add(new Row(0xbf, 0, 32, 0, BASE64, V4));
        for (int width : new int[] {16, 32, 64}) {
            Group g = width == 64 ? BASE64 : BASE32;
            t.add(new Row(0xd4, 0, 0, width, g, V1));
            t.add(new Row(0xdc, 0, 0, width, g, V1));
            t.add(new Row(0xd7, 0, 0, width, g, V4)); // imm is not compared: imm 16 (base32) always wins
        }
        // lddw with every pseudo-source.
        for (int src = 0; src <= 6; src++) {
            t.add(new Row(0x18, src, 0, 0, BASE64, V1));
        }
        // Loads and stores.
        t.add(row(0x61, BASE32, V1));
        t.add(row(0x69, BASE32, V1));
        t.add(row(0x71, BASE32, V1));
        t.add(row(0x79, BASE64, V1));
        t.add(row(0x81, BASE32, V4));
        t.add(row(0x89, BASE32, V4));
        t.add(row(0x91, BASE32, V4));
        t.add(row(0x62, BASE32, V1));
        t.add(row(0x6a, BASE32, V1));
        t.add(row(0x72, BASE32, V1));
        t.add(row(0x7a, BASE64, V1));
        t.add(row(0x63, BASE32, V1));
        t.add(row(0x6b, BASE32, V1));
        t.add(row(0x73, BASE32, V1));
        t.add(row(0x7b, BASE64, V1));
        for (int op : new int[] {0x20, 0x28, 0x30, 0x40, 0x48, 0x50}) {
            t.add(row(op, PACKET, V1));
        }
        for (int imm : new int[] {0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1}) {
            t.add(new Row(0xc3, 0, 0, imm, ATOMIC32, V3));
            t.add(new Row(0xdb, 0, 0, imm, ATOMIC64, V3));
        }
        // Jumps.
        t.add(row(0x05, BASE32, V1));
        t.add(row(0x06, BASE32, V4));
        for (int code : new int[] {0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0}) {
            CpuVersion v64 = code >= 0xa0 ? V2 : V1;
            for (int src : new int[] {0x00, 0x08}) {
                int op64 = 0x05 | src | code;
                t.add(row(op64, op64 == 0x6d ? BASE32 : BASE64, v64)); // quirk: jsgt reg is base32
                t.add(row(0x06 | src | code, BASE32, V3));
            }
        }
        t.add(new Row(0x85, 0, 0, 0, BASE32, V1));
        t.add(new Row(0x85, 1, 0, 0, BASE32, V3));
        t.add(new Row(0x85, 2, 0, 0, BASE32, V3));
        t.add(row(0x8d, CALLX, V1));
        t.add(row(0x95, BASE32, V1));
        t.sort(Comparator.comparingInt(Row::opcode)
                .thenComparingInt(Row::src)
                .thenComparingInt(Row::off)
                .thenComparingInt(Row::imm));
        return List.copyOf(t);
    }

    private static Row row(int opcode, Group group, CpuVersion version) {
        return new Row(opcode, 0, 0, 0, group, version);
    }
}
