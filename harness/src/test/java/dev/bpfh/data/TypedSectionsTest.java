package dev.bpfh.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.spi.ProgramType;
import java.util.HexFormat;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@code -- program-type}, {@code -- ctx}, {@code -- data-out} and typed results, written in assembly. */
class TypedSectionsTest {

    static DataFile parse(String text) throws DataFormatException {
        return DataFileParser.parse("t", null, text);
    }

    static String error(String text) {
        return assertThrows(DataFormatException.class, () -> parse(text)).getMessage();
    }

    /** A 14-byte Ethernet header with an IPv4 ethertype: the shortest packet test_run takes. */
    static final String PACKET = "-- mem\n00 00 00 00 00 00 00 00 00 00 00 00 08 06\n"; // ARP: test_run takes a 14-byte one

    static String typed(String type, String rest) {
        return "-- program-type\n" + type + "\n-- asm\nmov %r0, 2\nexit\n" + PACKET + rest;
    }

    @Nested
    class ProgramTypes {
        @Test
        void withoutTheDirectiveAProgramIsRaw() throws Exception {
            assertEquals(ProgramType.RAW, parse("-- asm\nexit\n-- result\n0x0\n").programType());
        }

        @Test
        void eachWordGivesItsType() throws Exception {
            assertEquals(ProgramType.XDP, parse(typed("xdp", "-- result\n2\n")).programType());
            assertEquals(ProgramType.SCHED_CLS, parse(typed("tc", "-- result\n2\n")).programType());
            assertEquals(ProgramType.SOCKET_FILTER, parse(typed("socket_filter  # a comment", "-- result\n2\n")).program().type());
            assertEquals(ProgramType.RAW, parse("-- program-type\nraw\n-- asm\nexit\n-- result\n0\n").programType());
        }

        @Test
        void badDirectivesAreLineErrors() {
            assertEquals("t.data:2: unknown program type 'sched_cls' (known: raw, xdp, tc, socket_filter)",
                    error(typed("sched_cls", "-- result\n2\n")));
            assertEquals("t.data:1: -- program-type stands alone on its line; its content goes on the lines after it",
                    error("-- program-type xdp\n-- asm\nexit\n-- result\n0\n"));
            assertEquals("t.data:3: -- program-type takes one word: raw, xdp, tc or socket_filter",
                    error("-- program-type\nxdp\ntc\n-- asm\nexit\n-- result\n0\n"));
            assertEquals("t.data:8: a second -- program-type section",
                    error(typed("xdp", "-- program-type\nxdp\n-- result\n0\n")));
        }
    }

    @Nested
    class Results {
        @Test
        void xdpActionsByName() throws Exception {
            String[] names = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};
            for (int i = 0; i < names.length; i++) {
                assertEquals(OptionalLong.of(i), parse(typed("xdp", "-- result\n" + names[i] + "\n")).result(), names[i]);
            }
        }

        @Test
        void tcActionsByNameWithUnspecAsAllOnes() throws Exception {
            String[] names = {"TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT", "TC_ACT_PIPE", "TC_ACT_STOLEN",
                    "TC_ACT_QUEUED", "TC_ACT_REPEAT", "TC_ACT_REDIRECT", "TC_ACT_TRAP"};
            for (int i = 0; i < names.length; i++) {
                assertEquals(OptionalLong.of(i), parse(typed("tc", "-- result\n" + names[i] + "\n")).result(), names[i]);
            }
            assertEquals(OptionalLong.of(0xffff_ffffL), parse(typed("tc", "-- result\nTC_ACT_UNSPEC\n")).result());
        }

        @Test
        void numbersStillWorkUpToThirtyTwoBits() throws Exception {
            assertEquals(OptionalLong.of(0xffff_ffffL), parse(typed("socket_filter", "-- result\n0xffffffff\n")).result());
            assertEquals(OptionalLong.of(64), parse(typed("socket_filter", "-- result\n64\n")).result());
            assertEquals("t.data:9: a xdp program's result is its 32-bit retval; 0x100000000 does not fit in 32 bits",
                    error(typed("xdp", "-- result\n0x100000000\n")));
        }

        @Test
        void aNameOfAnotherTypeOrNoTypeIsAnError() {
            assertEquals("t.data:9: XDP_PASS is a xdp action, but the program is tc", error(typed("tc", "-- result\nXDP_PASS\n")));
            assertEquals("t.data:9: unknown result 'XDP_PAS' (known: XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT)",
                    error(typed("xdp", "-- result\nXDP_PAS\n")));
            assertEquals("t.data:9: TC_ACT_OK is a tc action, but the program is socket_filter",
                    error(typed("socket_filter", "-- result\nTC_ACT_OK\n")));
            assertEquals("t.data:9: unknown result 'KEEP': a socket_filter program's result is a number",
                    error(typed("socket_filter", "-- result\nKEEP\n")));
            // a raw program's result is a 64-bit number, never a name
            assertEquals("t.data:4: invalid result: XDP_PASS", error("-- asm\nexit\n-- result\nXDP_PASS\n"));
        }
    }

    @Nested
    class Contexts {
        @Test
        void tcFieldsLandAtTheirUapiOffsets() throws Exception {
            byte[] ctx = parse(typed("tc", "-- ctx\nmark=5 priority=0x10\ncb0=7\ntstamp=0x1122334455667788\n-- result\n0\n")).ctx();
            assertEquals(192, ctx.length);
            byte[] want = new byte[192];
            want[8] = 5;
            want[32] = 0x10;
            want[48] = 7;
            System.arraycopy(HexFormat.of().parseHex("8877665544332211"), 0, want, 152, 8);
            assertArrayEquals(want, ctx);
        }

        @Test
        void noSectionMeansNoCtxIn() throws Exception {
            assertNull(parse(typed("tc", "-- result\n0\n")).ctx());
            assertNull(parse(typed("tc", "-- result\n0\n")).input().ctx());
        }

        @Test
        void xdpDataEndDefaultsToThePacketLength() throws Exception {
            byte[] ctx = parse(typed("xdp", "-- ctx\ningress_ifindex=1\n-- result\n2\n")).ctx();
            byte[] want = new byte[24];
            want[4] = 14; // data_end: the 14-byte packet
            want[12] = 1;
            assertArrayEquals(want, ctx);
            assertArrayEquals(new byte[] {0, 0, 0, 0, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                    parse(typed("xdp", "-- ctx\n-- result\n2\n")).ctx());
        }

        @Test
        void aDataEndOtherThanThePacketLengthCannotBeRun() {
            assertEquals("t.data:8: the -- ctx cannot be run: ctx_in data_end 10 is not the packet length 14: the rest would"
                    + " go to fragments, which the userspace engines do not model",
                    error(typed("xdp", "-- ctx\ndata_end=10\n-- result\n2\n")));
        }

        @Test
        void fieldErrorsNameTheLine() {
            assertTrue(error(typed("tc", "-- ctx\nmark=1\nmarc=1\n-- result\n0\n"))
                    .startsWith("t.data:10: unknown tc context field 'marc' (test_run takes: mark, priority, ingress_ifindex,"),
                    () -> error(typed("tc", "-- ctx\nmark=1\nmarc=1\n-- result\n0\n")));
            assertEquals("t.data:9: value 0x100000000 does not fit the 4-byte context field 'mark'",
                    error(typed("tc", "-- ctx\nmark=0x100000000\n-- result\n0\n")));
            assertEquals("t.data:9: value 4294967296 does not fit the 4-byte context field 'cb4'",
                    error(typed("tc", "-- ctx\ncb4=4294967296\n-- result\n0\n")));
            assertTrue(error(typed("socket_filter", "-- ctx\nlen=60\n-- result\n0\n"))
                    .startsWith("t.data:9: test_run does not take socket_filter context field 'len' in ctx_in (the kernel"
                            + " refuses it with EINVAL;"));
            assertEquals("t.data:9: invalid value '-1' for context field 'mark': expected an unsigned decimal or 0x hex number",
                    error(typed("tc", "-- ctx\nmark=-1\n-- result\n0\n")));
            assertEquals("t.data:9: expected FIELD=VALUE in -- ctx, got 'mark'",
                    error(typed("tc", "-- ctx\nmark\n-- result\n0\n")));
            assertEquals("t.data:10: context field 'mark' is given twice",
                    error(typed("tc", "-- ctx\nmark=1\nmark=2\n-- result\n0\n")));
            assertEquals("t.data:1: -- ctx stands alone on its line; its content goes on the lines after it",
                    error("-- ctx mark=1\n-- asm\nexit\n-- result\n0\n"));
        }

        @Test
        void ctxOutNamesTheFieldsToCheck() throws Exception {
            DataFile d = parse(typed("tc", "-- ctx\nmark=5\n-- ctx-out\nmark=0xef priority=6\ncb0=46\n-- result\n0\n"));
            assertEquals(java.util.Map.of("mark", 0xefL, "priority", 6L, "cb0", 46L), d.ctxOut());
            assertEquals(java.util.List.of("mark", "priority", "cb0"), java.util.List.copyOf(d.ctxOut().keySet()));
            assertTrue(parse(typed("tc", "-- result\n0\n")).ctxOut().isEmpty());
        }

        @Test
        void ctxOutErrors() {
            assertEquals("t.data:8: -- ctx-out needs a -- ctx: test_run reports ctx_out only when it is given ctx_in",
                    error(typed("tc", "-- ctx-out\nmark=1\n-- result\n0\n")));
            assertTrue(error(typed("tc", "-- ctx\n-- ctx-out\ntc_index=1\n-- result\n0\n"))
                    .startsWith("t.data:10: test_run does not take tc context field 'tc_index' in ctx_out (it is not reported;"));
            assertEquals("t.data:3: -- ctx-out is for typed programs; this one is raw",
                    error("-- asm\nexit\n-- ctx-out\nmark=1\n-- result\n0\n"));
        }

        @Test
        void aRawProgramTakesNoCtx() {
            assertEquals("t.data:3: -- ctx is for typed programs; this one is raw (give -- program-type xdp, tc or socket_filter)",
                    error("-- asm\nexit\n-- ctx\nmark=1\n-- result\n0\n"));
        }

        @Test
        void valuesTheKernelRefusesForThePacketAreLineErrors() {
            assertEquals("t.data:8: the -- ctx cannot be run: ENODEV: ctx_in ifindex 5 is not lo (1), the only device of"
                    + " the userspace engines", error(typed("tc", "-- ctx\nifindex=5\n-- result\n0\n")));
        }
    }

    @Nested
    class Packets {
        @Test
        void aTypedProgramsPacketIsCheckedAtTheMemLine() {
            assertEquals("t.data:5: the xdp packet (-- mem) cannot be run: EINVAL: an XDP packet needs at least 14 bytes, got 2",
                    error("-- program-type\nxdp\n-- asm\nexit\n-- mem\n00 01\n-- result\n0\n"));
            assertEquals("t.data:2: the tc packet (-- mem) cannot be run: EINVAL: a tc packet must be 14…3712 bytes, got 0",
                    error("-- program-type\ntc\n-- asm\nexit\n-- result\n0\n"));
        }

        @Test
        void aRejectionTestNeedsNoPacket() throws Exception {
            assertEquals(0, parse("-- program-type\nxdp\n-- asm\nexit\n-- error\nrejected\n").memory().length);
        }
    }

    @Nested
    class DataOut {
        @Test
        void bytesInMemSyntaxStrictly() throws Exception {
            DataFile d = parse(typed("xdp", "-- data-out\n00 0x01 2 ff\naa\n-- result\n2\n"));
            assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xaa}, d.dataOut());
            assertNull(parse(typed("xdp", "-- result\n2\n")).dataOut());
            assertArrayEquals(new byte[0], parse("-- asm\nexit\n-- data-out\n-- result\n0\n").dataOut());
            assertEquals("t.data:9: expected hex bytes in -- data-out, got '100'",
                    error(typed("xdp", "-- data-out\n00 100\n-- result\n2\n")));
        }

        @Test
        void rawProgramsMayStateTheirMemoryAfterTheRun() throws Exception {
            assertArrayEquals(new byte[] {7}, parse("-- asm\nexit\n-- mem\n01\n-- data-out\n07\n-- result\n0\n").dataOut());
        }
    }
}
