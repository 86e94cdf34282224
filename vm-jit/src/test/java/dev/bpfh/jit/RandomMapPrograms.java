package dev.bpfh.jit;

import dev.bpfh.asm.Assembler;
import dev.bpfh.asm.SourceLine;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random valid programs that use maps, for differential testing: map updates with every flag,
 * lookups whose pointer is read, written and updated atomically (sometimes past the value, sometimes
 * without the NULL check), deletes, ring buffer output / reserve + submit or discard, global data
 * and {@code .rodata} (sometimes stored to), {@code bpf_loop} with callbacks that update maps and
 * stop early, self tail calls (helper 12 or callx) from the program, subprograms and callbacks,
 * local calls, counted loops (budget traps), and reads and writes of the input through the saved ctx.
 *
 * <p>Register use: r6 accumulates results, r7 is scratch, r8 holds a value pointer, r9 the ctx.
 */
final class RandomMapPrograms {
    /** The maps every generated program declares, by index: their names. */
    static final String ARR = "arr";
    static final String HASH = "h";
    static final String PERCPU = "pa";
    static final String RING = "rb";
    static final String JMP = "jmp";
    static final String DATA = ".data";
    static final String RODATA = ".rodata";

    private final SplittableRandom rnd;
    private final StringBuilder main = new StringBuilder();
    private final List<StringBuilder> functions = new ArrayList<>();
    private int labels;
    private int arrValue;
    private int hashKey;
    private int hashValue;

    RandomMapPrograms(SplittableRandom rnd) {
        this.rnd = rnd;
    }

    List<MapSpec> maps() {
        arrValue = pickInt(8, 12, 16);
        hashKey = pickInt(4, 8);
        hashValue = pickInt(8, 16);
        MapType hashType = pick(MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH);
        return List.of(
                new MapSpec(ARR, MapType.ARRAY, 4, arrValue, rnd.nextInt(1, 5), 0),
                new MapSpec(HASH, hashType, hashKey, hashValue, rnd.nextInt(1, 5), 0),
                new MapSpec(PERCPU, MapType.PERCPU_ARRAY, 4, 8, 2, 0),
                new MapSpec(RING, MapType.RINGBUF, 0, 0, 4096, 0),
                new MapSpec(JMP, MapType.PROG_ARRAY, 4, 4, 2, 0),
                new MapSpec(DATA, MapType.ARRAY, 4, 16, 1, 0),
                new MapSpec(RODATA, MapType.ARRAY, 4, 16, 1, MapSpec.F_RDONLY_PROG));
    }

    /** The program text (for failure messages) and the program. */
    record Generated(String text, Program program) {}

    Generated next(String name) {
        List<MapSpec> maps = maps();
        main.append("mov %r9, %r1\nmov %r6, 0\nstdw [%r10-64], 0\n");
        int n = rnd.nextInt(2, 10);
        for (int i = 0; i < n; i++) {
            snippet(main, 0);
        }
        if (rnd.nextInt(3) == 0) {
            main.append("stxdw [%r9+").append(rnd.nextInt(0, 12)).append("], %r6\n");
        }
        main.append("mov %r0, %r6\nexit\n");
        StringBuilder text = new StringBuilder(main);
        for (int i = 0; i < functions.size(); i++) {
            text.append(functions.get(i));
        }
        String t = text.toString();
        String[] raw = t.split("\n");
        List<SourceLine> lines = new ArrayList<>();
        for (int i = 0; i < raw.length; i++) {
            lines.add(new SourceLine(i + 1, raw[i]));
        }
        try {
            return new Generated(t, Assembler.assemble(name, lines, maps));
        } catch (Exception e) {
            throw new AssertionError("generator wrote bad assembly: " + e.getMessage() + "\n" + t, e);
        }
    }

    /**
     * One self-contained piece of code; {@code level} 0 is the program, 1 a subprogram or callback
     * (which may run bpf_loop once more), 2 a callback's callback.
     */
    private void snippet(StringBuilder o, int level) {
        switch (rnd.nextInt(level == 0 ? 13 : level == 1 ? 12 : 10)) {
            case 0, 1 -> update(o);
            case 2, 3 -> lookupAndAccess(o);
            case 4 -> delete(o);
            case 5 -> ringOutput(o);
            case 6 -> ringReserve(o);
            case 7 -> globalData(o);
            case 8 -> tailCall(o);
            case 9 -> {
                if (rnd.nextBoolean()) {
                    countedLoop(o);
                } else {
                    o.append("mul %r6, ").append(rnd.nextInt(1, 9)).append("\nadd %r6, ").append(rnd.nextInt(-99, 99))
                            .append('\n');
                }
            }
            case 10, 11 -> bpfLoop(o, level);
            default -> {
                if (rnd.nextBoolean()) {
                    localCall(o);
                } else {
                    input(o);
                }
            }
        }
    }

    private String label() {
        return "L" + labels++;
    }

    private String key(String map) {
        long k = rnd.nextInt(0, 6);
        return "stdw [%r10-8], " + k + "\n";
    }

    private String keyedCall(String map, int helper) {
        return key(map) + "lddw %r1, map:" + map + "\nmov %r2, %r10\nadd %r2, -8\ncall " + helper + "\n";
    }

    private String valueMap() {
        return pick(ARR, HASH, HASH, PERCPU);
    }

    private int valueSize(String map) {
        return switch (map) {
            case ARR -> arrValue;
            case HASH -> hashValue;
            case PERCPU -> 8;
            default -> 16;
        };
    }

    private void update(StringBuilder o) {
        String m = valueMap();
        long flags = pickInt(0, 0, 0, 1, 2, 3, 4);
        o.append("stdw [%r10-40], ").append(rnd.nextInt()).append("\nstdw [%r10-32], ").append(rnd.nextInt()).append('\n')
                .append(key(m)).append("lddw %r1, map:").append(m).append("\nmov %r2, %r10\nadd %r2, -8\n")
                .append("mov %r3, %r10\nadd %r3, -40\nmov %r4, ").append(flags).append("\ncall 2\nadd %r6, %r0\n");
    }

    private void delete(StringBuilder o) {
        o.append(keyedCall(pick(ARR, HASH), 3)).append("add %r6, %r0\n");
    }

    private void lookupAndAccess(StringBuilder o) {
        String m = valueMap();
        o.append(keyedCall(m, 1)).append("mov %r8, %r0\n");
        String skip = label();
        boolean guard = rnd.nextInt(8) != 0;
        if (guard) {
            o.append("jeq %r8, 0, ").append(skip).append('\n');
        }
        access(o, valueSize(m), true);
        o.append(skip).append(":\n");
    }

    /** A load, store or atomic through r8 into a value of {@code size} bytes, sometimes past its end. */
    private void access(StringBuilder o, int size, boolean writable) {
        int bytes = pickInt(1, 2, 4, 8);
        int off = rnd.nextInt(6) == 0 ? rnd.nextInt(0, size + 2) : rnd.nextInt(0, Math.max(1, size - bytes + 1));
        String sfx = switch (bytes) {
            case 1 -> "b";
            case 2 -> "h";
            case 4 -> "w";
            default -> "dw";
        };
        String at = "[%r8+" + off + "]";
        int what = writable || rnd.nextInt(6) == 0 ? rnd.nextInt(4) : 0;
        switch (what) {
            case 0 -> o.append("ldx").append(sfx).append(" %r0, ").append(at).append("\nadd %r6, %r0\n");
            case 1 -> o.append("st").append(sfx).append(' ').append(at).append(", ").append(rnd.nextInt(-500, 500)).append('\n');
            case 2 -> o.append("stx").append(sfx).append(' ').append(at).append(", %r6\n");
            default -> {
                if (bytes >= 4) {
                    o.append("lock ").append(rnd.nextBoolean() ? "fetch " : "").append("add").append(bytes == 4 ? "32 " : " ")
                            .append(at).append(", %r6\n");
                } else {
                    o.append("ldx").append(sfx).append(" %r7, ").append(at).append("\nadd %r6, %r7\n");
                }
            }
        }
    }

    private void ringOutput(StringBuilder o) {
        o.append("stdw [%r10-56], ").append(rnd.nextInt()).append("\nstdw [%r10-48], ").append(rnd.nextInt())
                .append("\nlddw %r1, map:").append(RING).append("\nmov %r2, %r10\nadd %r2, -56\nmov %r3, ")
                .append(rnd.nextInt(1, 17)).append("\nmov %r4, 0\ncall 130\nadd %r6, %r0\n");
    }

    private void ringReserve(StringBuilder o) {
        int size = rnd.nextInt(10) == 0 ? 5000 : rnd.nextInt(1, 17);
        String skip = label();
        o.append("lddw %r1, map:").append(RING).append("\nmov %r2, ").append(size).append("\nmov %r3, 0\ncall 131\n")
                .append("jeq %r0, 0, ").append(skip).append("\nmov %r8, %r0\n");
        access(o, size, true);
        o.append("mov %r1, %r8\nmov %r2, 0\ncall ").append(rnd.nextInt(4) == 0 ? 133 : 132).append('\n')
                .append(skip).append(":\n");
    }

    private void globalData(StringBuilder o) {
        boolean ro = rnd.nextBoolean();
        int off = rnd.nextInt(0, 16);
        o.append("lddw %r8, map_value:").append(ro ? RODATA : DATA).append('+').append(off).append('\n');
        access(o, 16 - off, !ro);
    }

    private void tailCall(StringBuilder o) {
        o.append("mov %r1, %r9\nlddw %r2, map:").append(JMP).append("\nmov %r3, ").append(pickInt(0, 0, 0, 1, 2)).append('\n');
        o.append(rnd.nextInt(4) == 0 ? "mov %r5, 12\ncall %r5\n" : "call 12\n");
    }

    private void countedLoop(StringBuilder o) {
        String head = label();
        o.append("mov %r7, ").append(rnd.nextInt(1, 30)).append('\n').append(head).append(":\nadd %r6, %r7\nsub %r7, 1\n")
                .append("jne %r7, 0, ").append(head).append('\n');
    }

    private void input(StringBuilder o) {
        int off = rnd.nextInt(0, 16);
        if (rnd.nextBoolean()) {
            o.append("ldxb %r0, [%r9+").append(off).append("]\nadd %r6, %r0\n");
        } else {
            o.append("stxb [%r9+").append(off).append("], %r6\n");
        }
    }

    /** bpf_loop(n, cb, r10-64, flags): the callback adds its index to the caller's r10-64 and does some map work. */
    private void bpfLoop(StringBuilder o, int level) {
        String cb = "cb" + functions.size();
        StringBuilder f = new StringBuilder();
        functions.add(f);
        String n = rnd.nextInt(12) == 0 ? "0x800001" : Integer.toString(rnd.nextInt(0, 7));
        int flags = rnd.nextInt(12) == 0 ? 1 : 0;
        o.append("lddw %r1, ").append(n).append("\nlddw %r2, func:").append(cb).append("\nmov %r3, %r10\nadd %r3, -64\n")
                .append("mov %r4, ").append(flags).append("\ncall 181\nadd %r6, %r0\nldxdw %r0, [%r10-64]\nadd %r6, %r0\n");
        f.append(cb).append(":\nmov %r7, %r1\nmov %r6, 0\nstdw [%r10-64], 0\nldxdw %r0, [%r2]\nadd %r0, %r1\nstxdw [%r2], %r0\n");
        int body = rnd.nextInt(0, 3);
        for (int i = 0; i < body; i++) {
            if (rnd.nextBoolean()) { // an update keyed by the index, from the callback's own frame
                f.append("stxdw [%r10-8], %r7\nstdw [%r10-40], ").append(rnd.nextInt()).append("\nstdw [%r10-32], 0\n")
                        .append("lddw %r1, map:").append(pick(ARR, HASH)).append("\nmov %r2, %r10\nadd %r2, -8\n")
                        .append("mov %r3, %r10\nadd %r3, -40\nmov %r4, 0\ncall 2\n");
            } else {
                snippet(f, level + 1);
            }
        }
        f.append("mov %r0, 0\njne %r7, ").append(rnd.nextInt(0, 8)).append(", +1\nmov %r0, 1\nexit\n");
    }

    private void localCall(StringBuilder o) {
        String sub = "sub" + functions.size();
        StringBuilder f = new StringBuilder();
        functions.add(f);
        o.append("mov %r1, %r9\ncall local ").append(sub).append("\nadd %r6, %r0\n");
        f.append(sub).append(":\nmov %r9, %r1\nmov %r6, 0\n");
        int n = rnd.nextInt(1, 4);
        for (int i = 0; i < n; i++) {
            snippet(f, 1);
        }
        f.append("mov %r0, %r6\nexit\n");
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[rnd.nextInt(options.length)];
    }

    private int pickInt(int... options) {
        return options[rnd.nextInt(options.length)];
    }
}
