package dev.bpfh.jit;

import static dev.bpfh.jit.TypedPrograms.program;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A typed program no instruction of which can write the packet runs on the caller's packet array
 * itself ({@code packetReadOnly}); any other gets a copy, and then neither the input nor an
 * earlier data_out changes. Expected bytes are written out by hand from what each program does.
 */
class JitPacketReadOnlyTest {
    /** r0 = the packet's byte 13 (r2 = data, r3 = data_end of a tc program), or 0 for a short packet. */
    private static final String READ = """
            -- asm
            ldxw %r2, [%r1+76]
            ldxw %r3, [%r1+80]
            mov %r4, %r2
            add %r4, 14
            jgt %r4, %r3, short
            WRITE
            ldxb %r0, [%r2+13]
            exit
            short:
            mov %r0, 0
            exit
            """;

    private static Executable load(ProgramType type, String text) throws Exception {
        return JitMapProgramsTest.DIRECT.load(program(type, text), LoadOptions.DEFAULTS);
    }

    private static byte[] frame(int n) {
        byte[] f = new byte[n];
        for (int i = 0; i < n; i++) {
            f[i] = (byte) (i * 5 + 1);
        }
        f[12] = 0x08; // IPv4
        f[13] = 0x00;
        return f;
    }

    @Test
    void aProgramThatOnlyReadsThePacketGetsTheCallersArrayBack() throws Exception {
        Executable e = load(ProgramType.SCHED_CLS, READ.replace("WRITE", ""));
        assertEquals(true, e.info().get("packetReadOnly"));
        byte[] in = frame(64);
        byte[] copy = in.clone();
        Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(RunInput.of(in)));
        assertEquals(0, r.r0());
        assertSame(in, r.memory());
        assertArrayEquals(copy, in);
    }

    @Test
    void aStoreThroughAPacketPointerMakesTheRunWorkOnACopy() throws Exception {
        Executable e = load(ProgramType.SCHED_CLS, READ.replace("WRITE", "stb [%r2+13], 0x42"));
        assertEquals(false, e.info().get("packetReadOnly"));
        byte[] in = frame(64);
        byte[] copy = in.clone();
        byte[] want = copy.clone();
        want[13] = 0x42;
        Outcome.Returned first = assertInstanceOf(Outcome.Returned.class, e.run(RunInput.of(in)));
        assertEquals(0x42, first.r0());
        assertArrayEquals(want, first.memory());
        assertNotSame(in, first.memory());
        assertArrayEquals(copy, in, "the input is not written");
        Outcome.Returned second = assertInstanceOf(Outcome.Returned.class, e.run(RunInput.of(frame(64))));
        assertEquals(0x42, second.r0());
        assertArrayEquals(want, first.memory(), "an earlier data_out does not change");
    }

    /**
     * Two inlined lookups whose non-NULL pointers meet in one block that increments the value, as
     * xdp_firewall's drop() compiles: the store lands in map memory whichever site it came from.
     */
    @Test
    void aStoreThroughAMapValueFromEitherOfTwoLookupsIsNotAPacketWrite() throws Exception {
        String lookup = "mov %r2, %r10\nadd %r2, -4\nlddw %r1, map:cnt\ncall 1\n";
        Executable e = load(ProgramType.XDP, "-- map cnt\ntype=array key=4 value=8 entries=2\n-- asm\n"
                + "ldxw %r2, [%r1+0]\nldxb %r3, [%r2+13]\nstw [%r10-4], 0\n"
                + "jeq %r3, 0, second\n"
                + lookup + "jeq %r0, 0, out\nja bump\n"
                + "second:\nstw [%r10-4], 1\n"
                + lookup + "jeq %r0, 0, out\n"
                + "bump:\nldxdw %r1, [%r0+0]\nadd %r1, 1\nstxdw [%r0+0], %r1\n"
                + "out:\nmov %r0, 2\nexit\n");
        assertEquals(true, e.info().get("packetReadOnly"));
        byte[] in = frame(60); // byte 13 is 0: the second lookup, key 1
        byte[] copy = in.clone();
        for (int run = 0; run < 3; run++) {
            Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(RunInput.of(in)));
            assertEquals(2, r.r0());
            assertSame(in, r.memory());
        }
        assertArrayEquals(copy, in);
        byte[] key1 = {1, 0, 0, 0};
        assertArrayEquals(new byte[] {3, 0, 0, 0, 0, 0, 0, 0}, e.map("cnt").orElseThrow().lookup(key1));
    }

    @Test
    void aHelperThatWritesThePacketMakesTheRunWorkOnACopy() throws Exception {
        // bpf_skb_store_bytes(ctx, 13, fp - 8, 1, 0) with the byte 0x42 on the stack
        Executable e = load(ProgramType.SCHED_CLS, """
                -- asm
                stdw [%r10-8], 0x42
                mov %r2, 13
                mov %r3, %r10
                add %r3, -8
                mov %r4, 1
                mov %r5, 0
                call 9
                exit
                """);
        assertEquals(false, e.info().get("packetReadOnly"));
        byte[] in = frame(64);
        byte[] copy = in.clone();
        byte[] want = copy.clone();
        want[13] = 0x42;
        Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(RunInput.of(in)));
        assertEquals(0, r.r0());
        assertArrayEquals(want, r.memory());
        assertArrayEquals(copy, in);
    }

    @Test
    void anXdpHeadMoveOfAReadOnlyProgramLeavesTheInputAlone() throws Exception {
        // bpf_xdp_adjust_head(ctx, -4): four bytes of (zero) headroom in front of the packet
        Executable e = load(ProgramType.XDP, "-- asm\nmov %r2, -4\ncall 44\nexit\n");
        assertEquals(true, e.info().get("packetReadOnly"));
        byte[] in = frame(60);
        byte[] copy = in.clone();
        for (int run = 0; run < 2; run++) {
            Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(RunInput.of(in)));
            assertEquals(0, r.r0());
            byte[] want = new byte[64];
            System.arraycopy(copy, 0, want, 4, 60);
            assertArrayEquals(want, r.memory(), "run " + run);
            assertArrayEquals(copy, in);
        }
    }

    @Test
    void aSocketFiltersZeroedHeaderIsACopy() throws Exception {
        Executable e = load(ProgramType.SOCKET_FILTER, "-- asm\nmov %r0, 1\nexit\n");
        assertEquals(true, e.info().get("packetReadOnly"));
        byte[] in = frame(64);
        byte[] copy = in.clone();
        Outcome.Returned r = assertInstanceOf(Outcome.Returned.class, e.run(RunInput.of(in)));
        byte[] want = copy.clone();
        Arrays.fill(want, 0, 14, (byte) 0);
        assertArrayEquals(want, r.memory());
        assertArrayEquals(copy, in);
    }
}
