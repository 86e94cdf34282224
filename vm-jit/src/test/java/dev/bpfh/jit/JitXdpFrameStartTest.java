package dev.bpfh.jit;

import static dev.bpfh.jit.TypedPrograms.program;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.bpfh.interp.InterpreterBackend;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An XDP program that may move a bound of its packet starts its runs on the frame
 * ({@code PacketContext.startsOnFrame}), in the interpreter and the jit alike: its packet pointers
 * are frame offsets from the first instruction on, the headroom below data reads as zeros, and a
 * vlan strip gives the untagged frame. Expected values are written out by hand from programs.md
 * §4.1 (data at frame offset 256) and from what each program does to its input bytes.
 */
class JitXdpFrameStartTest {
    private static final List<Backend> ENGINES = List.of(new InterpreterBackend(), JitMapProgramsTest.DIRECT,
            JitMapProgramsTest.SPLIT);

    /** vlan_strip.c in assembly: MACs 4 bytes on over an 802.1Q tag, then bpf_xdp_adjust_head(ctx, 4). */
    private static final String VLAN_STRIP = """
            -- asm
            mov %r6, %r1
            ldxw %r2, [%r1+0]
            ldxw %r3, [%r1+4]
            mov %r4, %r2
            add %r4, 18
            jgt %r4, %r3, pass
            ldxh %r4, [%r2+12]
            jne %r4, 0x81, pass
            ldxdw %r4, [%r2+0]
            ldxw %r5, [%r2+8]
            stxdw [%r2+4], %r4
            stxw [%r2+12], %r5
            mov %r1, %r6
            mov %r2, 4
            call 44
            jeq %r0, 0, pass
            mov %r0, 0
            exit
            pass:
            mov %r0, 2
            exit
            """;

    private static List<Executable> load(String text) throws Exception {
        List<Executable> out = new ArrayList<>();
        for (Backend b : ENGINES) {
            out.add(b.load(program(ProgramType.XDP, text), LoadOptions.DEFAULTS));
        }
        return out;
    }

    private static byte[] packet(int n, int seed, boolean tagged) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (i * 11 + seed);
        }
        p[12] = (byte) (tagged ? 0x81 : 0x08);
        p[13] = 0x00;
        return p;
    }

    @Test
    void theDataPointerIsAtTheHeadroomsEndBeforeAnyMove() throws Exception {
        // r0 = data - (r1 region base): the low 32 bits of data are its frame offset; then a head move
        String text = "-- asm\nldxw %r7, [%r1+0]\nmov %r2, 0\ncall 44\nmov %r0, %r7\nexit\n";
        for (Executable e : load(text)) {
            Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(RunInput.of(packet(60, 1, false))));
            assertEquals(256, r.r0(), e.info().get("engine") + ": data is frame offset 256");
        }
    }

    @Test
    void theHeadroomBelowDataReadsAsZerosBeforeAnyMove() throws Exception {
        // a load one byte below data (the kernel's verifier refuses it; the engines model the frame)
        String text = "-- asm\nldxw %r2, [%r1+0]\nldxb %r0, [%r2-1]\nexit\nmov %r2, 0\ncall 44\nexit\n";
        for (Executable e : load(text)) {
            Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(RunInput.of(packet(60, 0x55, false))));
            assertEquals(0, r.r0(), String.valueOf(e.info().get("engine")));
        }
    }

    @Test
    void aVlanStripGivesTheUntaggedFrameAndAnUntaggedOneComesBackAsTheCallersArray() throws Exception {
        for (Executable e : load(VLAN_STRIP)) {
            String engine = String.valueOf(e.info().get("engine"));
            List<byte[]> outs = new ArrayList<>();
            List<byte[]> wants = new ArrayList<>();
            for (int run = 0; run < 4; run++) {
                byte[] in = packet(run % 2 == 0 ? 64 : 90, run, true);
                byte[] copy = in.clone();
                byte[] want = new byte[in.length - 4]; // the MACs, then what followed the tag
                System.arraycopy(copy, 0, want, 0, 12);
                System.arraycopy(copy, 16, want, 12, in.length - 16);
                Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(RunInput.of(in)));
                assertEquals(2, r.r0(), engine);
                assertArrayEquals(copy, in, engine + ": the input is never written");
                outs.add(r.memory());
                wants.add(want);
            }
            for (int run = 0; run < outs.size(); run++) {
                assertArrayEquals(wants.get(run), outs.get(run), engine + ": run " + run + " after the later runs");
            }
            byte[] untagged = packet(64, 9, false);
            Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(RunInput.of(untagged)));
            assertEquals(2, r.r0());
            assertSame(untagged, r.memory(), engine + ": a packet the run left as it came needs no copy");
        }
    }
}
