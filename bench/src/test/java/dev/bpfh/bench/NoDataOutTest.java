package dev.bpfh.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bpfh.ctx.ContextLayout;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.ProgramType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.RunInput;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run that asks for no data_out ({@link RunInput#withoutDataOut}, test_run's data_out NULL), as
 * the per-packet benchmark's runs do, reports no memory and otherwise exactly what the same run with
 * data_out reports: retval, ctx_out and the maps, packet by packet. Two loads of each built-in packet
 * workload (maps of their own) go through the trace side by side, one with data_out and one without.
 */
class NoDataOutTest {

    private static final boolean REQUIRE_KERNEL = "1".equals(System.getenv("BPFH_REQUIRE_KERNEL"));

    @ParameterizedTest
    @ValueSource(strings = {"interp", "jit", "kernel"})
    void packetRunsWithoutDataOutDifferOnlyInTheMissingMemory(String backend) throws Exception {
        skipUnlessAvailable(backend);
        for (String workload : PacketWorkload.BUILT_IN_NAMES) {
            try (PreparedPackets with = PreparedPackets.of(workload, backend);
                 PreparedPackets without = PreparedPackets.of(workload, backend)) {
                List<RunInput> packets = with.workload.packets();
                int changed = 0;
                for (int i = 0; i < packets.size(); i++) {
                    RunInput in = packets.get(i);
                    // every fourth packet with a context, so that ctx_out is reported too
                    RunInput full = i % 4 == 0 ? new RunInput(in.data(), context(with.workload.source().type(), in.data().length)) : in;
                    String where = workload + " on " + backend + ", packet " + i;
                    var a = assertInstanceOf(Outcome.Returned.class, with.loaded.run(full), where);
                    var b = assertInstanceOf(Outcome.Returned.class, without.loaded.run(full.withoutDataOut()), where);
                    assertNotNull(a.memory(), where);
                    assertNull(b.memory(), where + ": data_out was not asked for");
                    assertEquals(a.r0(), b.r0(), where);
                    assertArrayEquals(a.ctx(), b.ctx(), where);
                    assertEquals(full.ctx() != null, b.ctx() != null, where + ": ctx_out exactly when a context was given");
                    changed += Arrays.equals(a.memory(), in.data()) ? 0 : 1;
                }
                assertMapsEqual(with, without, workload + " on " + backend);
                if (workload.startsWith("vlan_strip")) {
                    // the runs whose data_out an engine would have had to copy are really there
                    org.junit.jupiter.api.Assertions.assertTrue(changed > packets.size() / 2,
                            workload + ": only " + changed + " of " + packets.size() + " packets changed");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"interp", "jit", "kernel"})
    void aRawRunWithoutDataOutReportsNoMemory(String backend) throws Exception {
        skipUnlessAvailable(backend);
        try (Prepared p = Prepared.of("copy_to_stack", backend)) {
            var a = assertInstanceOf(Outcome.Returned.class, p.executable.run(RunInput.of(p.workload.memory())));
            var b = assertInstanceOf(Outcome.Returned.class,
                    p.executable.run(RunInput.of(p.workload.memory()).withoutDataOut()));
            assertNotNull(a.memory());
            assertNull(b.memory());
            assertEquals(a.r0(), b.r0());
        }
    }

    /** A zero context struct of {@code type}, but an XDP one's data_end, which test_run wants to be the packet's length. */
    private static byte[] context(ProgramType type, int packetLength) {
        byte[] ctx = new byte[ContextLayout.of(type).orElseThrow().size()];
        if (type == ProgramType.XDP) {
            ByteBuffer.wrap(ctx).order(ByteOrder.LITTLE_ENDIAN).putInt(4, packetLength); // struct xdp_md's data_end
        }
        return ctx;
    }

    private static void assertMapsEqual(PreparedPackets a, PreparedPackets b, String where) {
        List<MapView> ma = a.loaded.entry().maps();
        List<MapView> mb = b.loaded.entry().maps();
        assertEquals(ma.size(), mb.size(), where);
        for (int m = 0; m < ma.size(); m++) {
            assertEquals(entries(ma.get(m)), entries(mb.get(m)), where + ", map " + ma.get(m).spec().name());
        }
    }

    private static List<String> entries(MapView map) {
        return map.entries().stream()
                .map(e -> java.util.HexFormat.of().formatHex(e.key()) + "=" + java.util.HexFormat.of().formatHex(e.value()))
                .sorted()
                .toList();
    }

    private static void skipUnlessAvailable(String backend) {
        Availability a = Backends.find(backend).orElseThrow().probe();
        if (!a.available()) {
            if (REQUIRE_KERNEL && backend.equals("kernel")) {
                fail("BPFH_REQUIRE_KERNEL=1 but the kernel backend is unavailable: " + a.reason());
            }
            Assumptions.abort(backend + " unavailable: " + a.reason());
        }
    }
}
