package dev.bpfh.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Program;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lock-step runs over many packets: histograms, the first disagreement, refusals at load, bad inputs. */
class TraceRunnerTest {

    /** Returns the packet's first byte; {@code wrongOn} (if not -1) is answered with one more. */
    private record FirstByte(String name, int wrongOn, boolean refuses) implements Backend {
        @Override
        public Availability probe() {
            return Availability.yes();
        }

        @Override
        public Executable load(Program program, LoadOptions options) throws LoadRejected {
            if (refuses) {
                throw new LoadRejected(3, "invalid mem access", "");
            }
            return memory -> {
                long r0 = memory[0] & 0xff;
                return new Outcome.Returned(r0 == wrongOn ? r0 + 1 : r0, memory);
            };
        }
    }

    private static List<RunInput> packets(int... firstBytes) {
        List<RunInput> out = new ArrayList<>();
        for (int b : firstBytes) {
            byte[] p = new byte[60];
            p[0] = (byte) b;
            out.add(RunInput.of(p));
        }
        return out;
    }

    private static final ProgramSource RAW = ProgramSource.of("t", Program.of("t", 0x95L));

    @Test
    void backendsThatAgreeGiveOneHistogramEach() {
        var r = TraceRunner.run(RAW, List.of(new FirstByte("a", -1, false), new FirstByte("b", -1, false)),
                LoadOptions.DEFAULTS, packets(1, 2, 2, 3, 2).iterator(), (n, t) -> {});
        assertTrue(r.agree());
        assertEquals(5, r.packets());
        assertEquals(Map.of("0x1", 1L, "0x2", 3L, "0x3", 1L), r.backends().get(0).verdicts());
        assertEquals(r.backends().get(0).verdicts(), r.backends().get(1).verdicts());
        assertNull(r.firstDisagreement());
    }

    @Test
    void theFirstDisagreementNamesThePacketAndEachOutcome() {
        var r = TraceRunner.run(RAW, List.of(new FirstByte("good", -1, false), new FirstByte("bad", 7, false)),
                LoadOptions.DEFAULTS, packets(1, 7, 3, 7).iterator(), (n, t) -> {});
        assertFalse(r.agree());
        assertEquals(2, r.disagreeingPackets());
        assertEquals(1, r.firstDisagreement().index());
        assertEquals(7, r.firstDisagreement().packet()[0]);
        assertEquals("0x7", r.firstDisagreement().outcomes().get("good").verdict(ProgramType.RAW));
        assertEquals("0x8", r.firstDisagreement().outcomes().get("bad").verdict(ProgramType.RAW));
    }

    @Test
    void aBackendThatRefusesTheProgramIsADisagreementAtLoad() {
        var r = TraceRunner.run(RAW, List.of(new FirstByte("a", -1, false), new FirstByte("strict", -1, true)),
                LoadOptions.DEFAULTS, packets(1).iterator(), (n, t) -> {});
        assertFalse(r.agree());
        assertTrue(r.loadDisagreement().contains("strict refused it: invalid mem access at pc 3"), r.loadDisagreement());
        assertEquals(1, r.backends().get(0).packets());
        assertEquals(0, r.backends().get(1).packets());
    }

    @Test
    void inputsTestRunWouldRefuseAreCountedNotRun() {
        ProgramSource xdp = ProgramSource.of("x", Program.of("x", 0x95L).withType(ProgramType.XDP));
        List<RunInput> in = new ArrayList<>(packets(1, 2));
        in.add(1, RunInput.of(new byte[10])); // shorter than an Ethernet header
        var r = TraceRunner.run(xdp, List.of(new FirstByte("a", -1, false)), LoadOptions.DEFAULTS, in.iterator(),
                (n, t) -> {});
        assertEquals(3, r.packets());
        assertEquals(2, r.backends().get(0).packets());
        assertEquals(1L, r.skipped().values().stream().mapToLong(Long::longValue).sum());
        assertTrue(r.skipped().keySet().iterator().next().startsWith("EINVAL"), r.skipped().toString());
    }
}
