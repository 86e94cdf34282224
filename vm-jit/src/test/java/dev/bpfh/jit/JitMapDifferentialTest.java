package dev.bpfh.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.MapType;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The jit and the interpreter agree on random map programs ({@link RandomMapPrograms}): the same
 * outcome (r0 and memory, or trap kind and pc), the same contents of every map and the same ring
 * buffer records, after each of two runs of the same executable (map state persists). Both start
 * from the same random map contents, and the PROG_ARRAY's slot 0 holds the program itself (or
 * nothing). A failure prints the seed and the program.
 */
class JitMapDifferentialTest {
    static final int PROGRAMS = Integer.getInteger("bpfh.jit.mapDifferential", 1000);

    @Test
    void directFormAgreesWithTheInterpreter() throws Exception {
        compare(new JitBackend(), 0x3a9_5eedL, "direct");
    }

    @Test
    void splitFormAgreesWithTheInterpreter() throws Exception {
        compare(new JitBackend(200), 0x5911_7L, "split");
    }

    private static void compare(JitBackend jitBackend, long rootSeed, String label) throws Exception {
        SplittableRandom seeds = new SplittableRandom(rootSeed);
        int returned = 0;
        int tailCalled = 0;
        int records = 0;
        Map<TrapKind, Integer> traps = new EnumMap<>(TrapKind.class);
        for (int i = 0; i < PROGRAMS; i++) {
            long seed = seeds.nextLong();
            SplittableRandom rnd = new SplittableRandom(seed);
            RandomMapPrograms.Generated g = new RandomMapPrograms(rnd).next("maps-" + i);
            LoadOptions options = LoadOptions.DEFAULTS.withInstructionBudget(
                    rnd.nextInt(4) == 0 ? rnd.nextInt(1, 400) : 1_000_000);
            byte[] input = new byte[rnd.nextInt(0, 20)];
            rnd.nextBytes(input);
            boolean self = rnd.nextInt(4) != 0;
            long initSeed = rnd.nextLong();
            String where = "seed " + seed + ", budget " + options.instructionBudget() + ", self slot " + self + "\n" + g.text();
            try (Executable interp = Engines.INTERP.load(g.program(), options);
                    Executable jit = jitBackend.load(g.program(), options)) {
                assertFalse(jit.info().containsKey("fallback"), () -> "fell back: " + jit.info().get("fallback"));
                fill(interp, self, new SplittableRandom(initSeed));
                fill(jit, self, new SplittableRandom(initSeed));
                for (int run = 0; run < 2; run++) {
                    String at = "run " + run + ", " + where;
                    Outcome expected = interp.run(input.clone());
                    Outcome actual = jit.run(input.clone());
                    if (expected instanceof Outcome.Trapped t) {
                        if (!(actual instanceof Outcome.Trapped a)) {
                            fail("interp trapped " + t + " but jit " + actual + "; " + at);
                            return;
                        }
                        assertEquals(t.kind() + "@" + t.pc(), a.kind() + "@" + a.pc(), () -> t.message() + " / " + a.message() + "; " + at);
                        traps.merge(t.kind(), 1, Integer::sum);
                    } else {
                        assertEquals(expected, actual, at);
                        returned++;
                    }
                    for (int m = 0; m < interp.maps().size(); m++) {
                        MapView e = interp.maps().get(m);
                        MapView a = jit.maps().get(m);
                        String name = e.spec().name();
                        if (e.spec().type() == MapType.RINGBUF) {
                            List<String> er = hex(e.drainRecords());
                            assertEquals(er, hex(a.drainRecords()), () -> "ring buffer " + name + ", " + at);
                            records += er.size();
                        } else {
                            assertEquals(new HashSet<>(e.entries()), new HashSet<>(a.entries()), () -> "map " + name + ", " + at);
                            assertEquals(e.entries().size(), a.entries().size(), () -> "map " + name + ", " + at);
                        }
                    }
                }
                if (self) {
                    tailCalled++;
                }
            } catch (dev.bpfh.spi.LoadRejected e) {
                fail("generator made an invalid program: " + e.getMessage() + "; " + where);
            }
        }
        System.out.printf("map differential (%s): %d programs x 2 runs agree (%d returned, traps %s, %d ring records, %d with a self slot)%n",
                label, PROGRAMS, returned, traps, records, tailCalled);
        assertTrue(returned > PROGRAMS / 5, "too few runs returned: " + returned);
        assertTrue(records > PROGRAMS / 10, "too few ring buffer records: " + records);
    }

    /** The same random contents in both engines' maps; slot 0 of jmp holds the executable itself. */
    private static void fill(Executable exe, boolean self, SplittableRandom rnd) {
        for (MapView m : exe.maps()) {
            var s = m.spec();
            switch (s.type()) {
                case PROG_ARRAY -> {
                    if (self) {
                        assertEquals(0, m.setProgram(0, exe));
                    }
                }
                case RINGBUF -> {}
                default -> {
                    int n = rnd.nextInt(0, 4);
                    for (int i = 0; i < n; i++) {
                        byte[] key = new byte[s.keySize()];
                        key[0] = (byte) rnd.nextInt(0, 6);
                        byte[] value = new byte[s.valueSize()];
                        rnd.nextBytes(value);
                        m.update(key, value, 0); // may be -E2BIG (index past an array, full hash): the same in both
                    }
                }
            }
        }
    }

    private static List<String> hex(List<byte[]> records) {
        List<String> out = new ArrayList<>();
        for (byte[] r : records) {
            out.add(HexFormat.of().formatHex(r));
        }
        return out;
    }
}
