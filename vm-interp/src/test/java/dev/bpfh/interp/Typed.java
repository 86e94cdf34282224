package dev.bpfh.interp;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bpfh.data.DataFileParser;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed programs for the interpreter's tests: {@code .data} text (maps and asm) given a program
 * type. The assembler has no LD_ABS/LD_IND syntax, so lines {@code ldabs{b,h,w} IMM} and
 * {@code ldind{b,h,w} %rS, IMM} are assembled as placeholders and patched with their encoding.
 */
final class Typed {
    private Typed() {}

    static final long JA0 = Insn.encode(0x05, 0, 0, 0, 0);

    static Program program(ProgramType type, String text) throws Exception {
        String body = text.startsWith("--") ? text : "-- asm\n" + text;
        List<Long> packetLoads = new ArrayList<>();
        StringBuilder asm = new StringBuilder();
        for (String line : body.split("\n")) {
            String t = line.trim();
            if (t.startsWith("ldabs") || t.startsWith("ldind")) {
                packetLoads.add(packetLoad(t));
                asm.append("ja +0\n");
            } else {
                asm.append(line).append('\n');
            }
        }
        Program p = DataFileParser.parse("t", null, asm + "-- result\n0x0\n").program();
        long[] slots = p.slots().clone();
        int next = 0;
        for (int pc = 0; pc < slots.length && next < packetLoads.size(); pc++) {
            if (slots[pc] == JA0) {
                slots[pc] = packetLoads.get(next++);
            }
        }
        return new Program(p.name(), slots, p.maps(), type);
    }

    private static long packetLoad(String t) {
        int size = switch (t.charAt(5)) {
            case 'b' -> 0x10;
            case 'h' -> 0x08;
            default -> 0x00;
        };
        String[] args = t.substring(6).trim().split("\\s*,\\s*");
        if (t.startsWith("ldabs")) {
            return Insn.encode(0x20 | size, 0, 0, 0, (int) Long.decode(args[0]).longValue());
        }
        int src = Integer.parseInt(args[0].replace("%r", ""));
        return Insn.encode(0x40 | size, 0, src, 0, (int) Long.decode(args[1]).longValue());
    }

    static Executable load(ProgramType type, String text) throws Exception {
        return new InterpreterBackend().load(program(type, text), LoadOptions.DEFAULTS);
    }

    static Outcome.Returned run(Executable e, byte[] data, byte[] ctx) {
        return assertInstanceOf(Outcome.Returned.class, e.run(new RunInput(data, ctx)));
    }

    static Outcome.Returned run(Executable e, byte[] data) {
        return run(e, data, null);
    }

    /** A frame of {@code n} bytes: byte i is i + 1 (so no all-zero MAC, ethertype 0x0d0e). */
    static byte[] frame(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i + 1);
        }
        return b;
    }

    /** A 64-byte IPv4 frame: destination MAC {@code dst0} then zeros, ethertype 0x0800, payload i + 1. */
    static byte[] ipv4(int dst0) {
        byte[] b = frame(64);
        for (int i = 0; i < 12; i++) {
            b[i] = 0;
        }
        b[0] = (byte) dst0;
        b[12] = 8;
        b[13] = 0;
        return b;
    }

    /** A context image of {@code size} bytes with the little-endian u32 {@code values[i+1]} at offset {@code values[i]}. */
    static byte[] ctx(int size, long... offsetValue) {
        byte[] c = new byte[size];
        for (int i = 0; i < offsetValue.length; i += 2) {
            int at = (int) offsetValue[i];
            for (int b = 0; b < 4; b++) {
                c[at + b] = (byte) (offsetValue[i + 1] >>> (8 * b));
            }
        }
        return c;
    }
}
