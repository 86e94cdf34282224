package dev.bpfh.interp;

import static dev.bpfh.interp.Typed.ctx;
import static dev.bpfh.interp.Typed.frame;
import static dev.bpfh.interp.Typed.ipv4;
import static dev.bpfh.interp.Typed.load;
import static dev.bpfh.interp.Typed.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import dev.bpfh.spi.TrapKind;
import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Typed programs in the interpreter: what each context field reads and takes, what test_run hands
 * back (retval, data_out, ctx_out). Every expected value is a measured kernel fact of programs.md
 * §4 (cited next to it), applied by hand to the input.
 */
class ContextProgramsTest {
    private static final ProgramType XDP = ProgramType.XDP;
    private static final ProgramType TC = ProgramType.SCHED_CLS;
    private static final ProgramType SF = ProgramType.SOCKET_FILTER;

    private static long retval(ProgramType type, String asm, byte[] data) throws Exception {
        return run(load(type, asm), data).r0();
    }

    private static long retval(ProgramType type, String asm, byte[] data, byte[] ctx) throws Exception {
        return run(load(type, asm), data, ctx).r0();
    }

    /** A packet access after the bounds check the verifier demands (data at DATA, data_end at END). */
    private static final String CHECKED = """
            ldxw %r2, [%r1+DATA]
            ldxw %r3, [%r1+END]
            mov %r4, %r2
            add %r4, 16
            mov %r0, 0
            jgt %r4, %r3, out
            ACCESS
            out:
            exit
            """;

    @Nested
    class Xdp {
        @Test
        void dataAndDataEndAreFullPointersIntoThePacket() throws Exception {
            assertEquals(64, retval(XDP, "ldxw %r2, [%r1+0]\nldxw %r0, [%r1+4]\nsub %r0, %r2\nexit\n", frame(64)));
            assertEquals(6, retval(XDP, CHECKED.replace("ACCESS", "ldxb %r0, [%r2+5]").replace("DATA", "0").replace("END", "4"), frame(64)));
            // data_meta = data without metadata (§4.1)
            assertEquals(0, retval(XDP, "ldxw %r2, [%r1+0]\nldxw %r0, [%r1+8]\nsub %r0, %r2\nexit\n", frame(64)));
        }

        /** Unchecked, so the kernel's verifier would refuse it: the interpreter's bounds still hold. */
        @Test
        void readingAtDataEndTraps() throws Exception {
            Outcome o = load(XDP, "ldxw %r3, [%r1+4]\nldxb %r0, [%r3+0]\nexit\n").run(new RunInput(frame(64), null));
            assertEquals(TrapKind.OUT_OF_BOUNDS, assertInstanceOf(Outcome.Trapped.class, o).kind());
            assertEquals(1, ((Outcome.Trapped) o).pc());
        }

        @Test
        void withoutCtxInTheFrameArrivesOnLoQueue0() throws Exception {
            assertEquals(1, retval(XDP, "ldxw %r0, [%r1+12]\nexit\n", frame(64)));
            assertEquals(0, retval(XDP, "ldxw %r0, [%r1+16]\nexit\n", frame(64)));
        }

        @Test
        void retvalIsTheLow32BitsOfR0WithNoRangeCheck() throws Exception {
            assertEquals(2, retval(XDP, "lddw %r0, 0x100000002\nexit\n", frame(64)));
            assertEquals(0xdeadbeefL, retval(XDP, "lddw %r0, 0xdeadbeef\nexit\n", frame(64)));
        }

        @Test
        void ctxOutComesOnlyWithCtxInAndReportsTheMovedBounds() throws Exception {
            Executable e = load(XDP, "mov %r6, %r1\nmov %r2, -8\ncall 54\nmov %r1, %r6\nmov %r2, -16\ncall 44\nmov %r0, 2\nexit\n");
            assertNull(run(e, frame(64)).ctx());
            byte[] in = ctx(24, 0, 0, 4, 64);
            Outcome.Returned r = run(e, frame(64), in);
            // metadata 8, then head -16 moves data and the metadata: data - data_meta = 8, data_end - data_meta = 88
            assertArrayEquals(ctx(24, 0, 8, 4, 88), r.ctx());
            assertEquals(88, r.memory().length);
            assertArrayEquals(frame(64), Arrays.copyOfRange(r.memory(), 24, 88));
        }

        @Test
        void metadataWrittenThroughDataMetaComesBackFirstInDataOut() throws Exception {
            Executable e = load(XDP, """
                    mov %r6, %r1
                    mov %r2, -8
                    call 54
                    ldxw %r2, [%r6+8]
                    ldxw %r3, [%r6+0]
                    mov %r4, %r2
                    add %r4, 8
                    jgt %r4, %r3, out
                    stw [%r2+0], 0x11223344
                    out:
                    mov %r0, 2
                    exit
                    """);
            Outcome.Returned r = run(e, frame(64));
            byte[] expected = new byte[72]; // §4.1: adjust_meta(-8) gives 72 bytes, the first 8 metadata
            expected[0] = 0x44;
            expected[1] = 0x33;
            expected[2] = 0x22;
            expected[3] = 0x11;
            System.arraycopy(frame(64), 0, expected, 8, 64);
            assertArrayEquals(expected, r.memory());
            assertEquals(2, r.r0());
        }

        @Test
        void theVerifiersContextRulesRefuseAtLoad() {
            LoadRejected narrow = assertThrows(LoadRejected.class, () -> load(XDP, "ldxb %r0, [%r1+0]\nexit\n"));
            assertTrue(narrow.getMessage().contains("invalid bpf_context access off=0 size=1"), narrow.getMessage());
            assertThrows(LoadRejected.class, () -> load(XDP, "stw [%r1+12], 1\nmov %r0, 0\nexit\n"));
            assertThrows(LoadRejected.class, () -> load(XDP, "add %r1, 4\nldxw %r0, [%r1+0]\nexit\n"));
        }
    }

    @Nested
    class Skb {
        @Test
        void lenIsTheFrameForTcAndTheL3PartForSocketFilters() throws Exception {
            assertEquals(64, retval(TC, "ldxw %r0, [%r1+0]\nexit\n", frame(64)));
            assertEquals(50, retval(SF, "ldxw %r0, [%r1+0]\nexit\n", frame(64)));
        }

        @Test
        void protocolIsBigEndianAndPktTypeFollowsTheDestinationMac() throws Exception {
            assertEquals(0x0008, retval(TC, "ldxw %r0, [%r1+16]\nexit\n", ipv4(0)));
            String pktType = "ldxw %r0, [%r1+4]\nexit\n";
            assertEquals(0, retval(TC, pktType, ipv4(0x00))); // PACKET_HOST
            assertEquals(2, retval(TC, pktType, ipv4(0xff))); // the group bit: PACKET_MULTICAST
            assertEquals(2, retval(SF, pktType, ipv4(0x01)));
            assertEquals(3, retval(SF, pktType, ipv4(0x02))); // PACKET_OTHERHOST
        }

        @Test
        void tcReachesThePacketThroughDataAndDataEnd() throws Exception {
            assertEquals(64, retval(TC, "ldxw %r2, [%r1+76]\nldxw %r0, [%r1+80]\nsub %r0, %r2\nexit\n", frame(64)));
            assertEquals(13, retval(TC, CHECKED.replace("ACCESS", "ldxb %r0, [%r2+12]").replace("DATA", "76").replace("END", "80"), frame(64)));
            assertThrows(LoadRejected.class, () -> load(SF, "ldxw %r0, [%r1+76]\nexit\n"));
        }

        @Test
        void wireLenIsZeroWithoutCtxInAndLenWithIt() throws Exception {
            String wire = "ldxw %r0, [%r1+160]\nexit\n";
            assertEquals(0, retval(TC, wire, frame(64)));
            assertEquals(64, retval(TC, wire, frame(64), new byte[192]));
            assertEquals(100, retval(TC, wire, frame(64), ctx(192, 160, 100)));
        }

        @Test
        void writableFieldsComeBackInCtxOutExceptTcIndexQueueMappingAndClassid() throws Exception {
            Executable e = load(TC, """
                    stw [%r1+8], 0x77
                    stw [%r1+32], 0x99
                    stw [%r1+44], 0x12345
                    stw [%r1+12], 0xfffe
                    stw [%r1+52], 0x5a
                    ldxw %r0, [%r1+44]
                    exit
                    """);
            Outcome.Returned r = run(e, frame(64), ctx(192, 8, 5, 48, 7));
            assertEquals(0x2345, r.r0()); // tc_index keeps 16 bits (§4.2)
            byte[] expected = ctx(192, 8, 0x77, 32, 0x99, 48, 7, 52, 0x5a, 40, 1, 160, 64);
            assertArrayEquals(expected, r.ctx()); // ifindex 1 (lo) and wire_len = len are refreshed too
        }

        @Test
        void aQueueMappingOfFfffOrMoreIsIgnored() throws Exception {
            assertEquals(0, retval(TC, "stw [%r1+12], 0xffff\nldxw %r0, [%r1+12]\nexit\n", frame(64)));
            assertEquals(0xfffe, retval(TC, "stw [%r1+12], 0xfffe\nldxw %r0, [%r1+12]\nexit\n", frame(64)));
        }

        @Test
        void socketFiltersCannotWriteMark() {
            assertThrows(LoadRejected.class, () -> load(SF, "stw [%r1+8], 1\nmov %r0, 0\nexit\n"));
        }

        @Test
        void socketFilterDataOutStartsWith14ZeroBytes() throws Exception {
            Outcome.Returned r = run(load(SF, "mov %r0, 0xffff\nexit\n"), frame(64));
            byte[] expected = frame(64);
            Arrays.fill(expected, 0, 14, (byte) 0);
            assertArrayEquals(expected, r.memory());
            assertEquals(0xffff, r.r0());
            assertArrayEquals(frame(64), run(load(TC, "mov %r0, 0\nexit\n"), frame(64)).memory());
        }

        @Test
        void aRunChangesNeitherTheCallersPacketNorItsContext() throws Exception {
            byte[] data = frame(64);
            byte[] c = ctx(192, 8, 5);
            run(load(TC, "stw [%r1+8], 9\n" + CHECKED.replace("ACCESS", "stb [%r2+0], 0").replace("DATA", "76").replace("END", "80")), data, c);
            assertArrayEquals(frame(64), data);
            assertArrayEquals(ctx(192, 8, 5), c);
        }
    }

    /** programs.md §4.4: narrow loads of fields the kernel keeps narrower than the uapi. */
    @Nested
    class NarrowLoads {
        @Test
        void aLoadAtLeastAsWideAsTheKernelFieldReturnsAllOfIt() throws Exception {
            assertEquals(0x0008, retval(TC, "ldxh %r0, [%r1+18]\nexit\n", ipv4(0))); // protocol, not 0
            assertEquals(2, retval(TC, "ldxb %r0, [%r1+7]\nexit\n", ipv4(0xff))); // every byte of pkt_type
            assertEquals(2, retval(SF, "ldxh %r0, [%r1+6]\nexit\n", ipv4(0xff)));
        }

        @Test
        void aNarrowerLoadShiftsAndMasksAndBytesPastTheFieldReadZero() throws Exception {
            assertEquals(0x08, retval(TC, "ldxb %r0, [%r1+16]\nexit\n", ipv4(0)));
            assertEquals(0x00, retval(TC, "ldxb %r0, [%r1+17]\nexit\n", ipv4(0)));
            byte[] c = new byte[192];
            c[164] = 0x34; // gso_segs 0x1234
            c[165] = 0x12;
            assertEquals(0x12, retval(TC, "ldxb %r0, [%r1+165]\nexit\n", frame(64), c));
            assertEquals(0, retval(TC, "ldxb %r0, [%r1+166]\nexit\n", frame(64), c));
            assertEquals(0, retval(TC, "ldxb %r0, [%r1+167]\nexit\n", frame(64), c));
        }

        @Test
        void u32FieldsReadLikeLittleEndianMemory() throws Exception {
            byte[] c = ctx(192, 8, 0x11223344, 48, 1, 52, 2);
            assertEquals(0x33, retval(TC, "ldxb %r0, [%r1+9]\nexit\n", frame(64), c));
            assertEquals(0x1122, retval(SF, "ldxh %r0, [%r1+10]\nexit\n", frame(64), c));
            // the 8-byte window at cb[0]: cb0 low, cb1 high; r0's high half does not reach retval
            Executable e = load(TC, "ldxdw %r0, [%r1+48]\nrsh %r0, 32\nexit\n");
            assertEquals(2, run(e, frame(64), c).r0());
        }
    }

    @Test
    void runWithBytesIsARunWithoutContext() throws Exception {
        Executable e = load(TC, "ldxw %r0, [%r1+0]\nexit\n");
        assertEquals(64, assertInstanceOf(Outcome.Returned.class, e.run(frame(64))).r0());
        // a 13-byte packet is test_run's EINVAL: the same outcome the kernel backend gives
        Outcome.Trapped refused = assertInstanceOf(Outcome.Trapped.class, e.run(new RunInput(frame(13), null)));
        assertEquals(TrapKind.RUNTIME_ERROR, refused.kind());
        assertTrue(refused.message().startsWith("test_run input refused: EINVAL"), refused.message());
    }
}
