package dev.bpfh.data;

import static dev.bpfh.isa.Insn.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .data parser (isa.md §5.1) and its deliberate errors instead of skips; §5.3 negative files. */
class DataFileParserTest {

    static DataFile parse(String text) throws DataFormatException {
        return DataFileParser.parse("t", null, text);
    }

    static DataFormatException failure(String text) {
        return assertThrows(DataFormatException.class, () -> parse(text));
    }

    static final long EXIT = 0x95L;

    @Nested
    class Sections {
        @Test
        void asmResultAndCommentsAnywhere() throws DataFormatException {
            DataFile f = parse("""
                    # Copyright line
                    -- asm  # a comment after the directive
                    mov32 %r0, 0x1 # trailing comment
                    # a whole-line comment
                       add32 %r0, 2
                    exit
                    -- result
                    0x3
                    """);
            assertArrayEquals(new long[] {encode(0xb4, 0, 0, 0, 1), encode(0x04, 0, 0, 0, 2), EXIT},
                    f.program().slots());
            assertEquals(OptionalLong.of(3), f.result());
            assertEquals(Optional.empty(), f.error());
            assertEquals(0, f.memory().length);
            assertFalse(f.hasCSource());
            assertEquals("t", f.name());
            assertEquals("t", f.program().name());
            assertNull(f.path());
        }

        @Test
        void crlfLinesAreAccepted() throws DataFormatException {
            DataFile f = parse("-- asm\r\nmov %r0, 7\r\nexit\r\n-- result\r\n7\r\n");
            assertEquals(OptionalLong.of(7), f.result());
            assertEquals(2, f.program().length());
        }

        @Test
        void lastResultLineWins() throws DataFormatException {
            assertEquals(OptionalLong.of(2), parse("-- asm\nexit\n-- result\n0x1\n0x2\n").result());
            assertEquals(OptionalLong.of(5), parse("-- result\n1\n-- asm\nexit\n-- result\n5\n").result());
        }

        @Test
        void resultIsAFull64BitUnsignedValueInHexOrDecimal() throws DataFormatException {
            assertEquals(-10L, parse("-- asm\nexit\n-- result\n0xFFFFFFFFFFFFFFF6\n").result().getAsLong());
            assertEquals(-1L, parse("-- asm\nexit\n-- result\n18446744073709551615\n").result().getAsLong());
            assertEquals(0x8977665544332211L,
                    parse("-- asm\nexit\n-- result\n0x8977665544332211\n").result().getAsLong());
        }

        @Test
        void rawWinsOverAsmAndIsNotAssembled() throws DataFormatException {
            // The asm would fail to assemble; raw wins, so it is never looked at (isa.md §5.1).
            DataFile f = parse("""
                    -- asm
                    ldxq %r0, [%r1]
                    -- raw
                    0x5566778800000018
                    0x1122334400000000 149
                    -- result
                    0x1122334455667788
                    """);
            assertArrayEquals(new long[] {0x5566778800000018L, 0x1122334400000000L, EXIT}, f.program().slots());
        }

        @Test
        void bytePairRawLineIsOneSlotInMemoryOrder() throws DataFormatException {
            DataFile f = parse("-- raw\n07 00 01 00 01 00 00 00\n95 00 00 00 00 00 00 00\n-- error\n");
            assertArrayEquals(new long[] {encode(0x07, 0, 0, 1, 1), EXIT}, f.program().slots());
        }

        @Test
        void memoryBytesOverSeveralLinesWithOptionalPrefixTruncatedToAByte() throws DataFormatException {
            DataFile f = parse("-- asm\nexit\n-- mem\naa bb\n0x11 22 1ff\n  0X0c\n-- result\n0\n");
            assertArrayEquals(new byte[] {(byte) 0xaa, (byte) 0xbb, 0x11, 0x22, (byte) 0xff, 0x0c}, f.memory());
        }

        @Test
        void memoryStopsAtTheFirstNonHexToken() throws DataFormatException {
            DataFile f = parse("-- asm\nexit\n-- mem\naa bb zz 11\n-- result\n0\n");
            assertArrayEquals(new byte[] {(byte) 0xaa, (byte) 0xbb}, f.memory());
        }

        @Test
        void cSectionIsIgnoredEvenWhenItHasHashLines() throws DataFormatException {
            DataFile f = parse("""
                    -- c
                    #include <stdint.h>
                    uint64_t entry(uint64_t arg) { return arg; }
                    -- asm
                    exit
                    -- result
                    0
                    """);
            assertTrue(f.hasCSource());
            assertEquals(1, f.program().length());
        }

        @Test
        void noRegisterOffsetSectionIsIgnored() throws DataFormatException {
            DataFile f = parse("-- asm\nexit\n-- no register offset\ncall instruction\n-- result\n0\n");
            assertEquals(1, f.program().length());
        }

        @Test
        void linesBeforeTheFirstDirectiveAreDiscarded() throws DataFormatException {
            assertEquals(1, parse("mov %r0, 1\n-- asm\nexit\n-- result\n0\n").program().length());
        }

        @Test
        void directiveKeywordsAreSubstringsTestedInOrder() throws DataFormatException {
            // "asm (first)" is asm; "raw asm" is asm (asm is tested first); "mem result" is result.
            DataFile f = parse("-- asm (first)\nexit\n-- raw asm\nexit\n-- mem result\n9\n");
            assertEquals(2, f.program().length());
            assertEquals(OptionalLong.of(9), f.result());
            // A directive need not start the line: "--" anywhere makes one.
            assertEquals(OptionalLong.of(4), parse("-- asm\nexit\nexpected --result\n4\n").result());
        }

        @Test
        void errorSectionKeepsTheLastLineUntrimmed() throws DataFormatException {
            DataFile f = parse("-- asm\nexit\n-- error\nfirst\n  Invalid  \n");
            assertEquals(Optional.of("  Invalid  "), f.error());
            assertEquals(OptionalLong.empty(), f.result());
        }

        @Test
        void emptyErrorSectionMeansAnyLoadError() throws DataFormatException {
            assertEquals(Optional.of(""), parse("-- asm\nexit\n-- error\n").error());
        }

        @Test
        void assemblerErrorLinesAreLinesOfTheDataFile() {
            DataFormatException e = failure("# header\n-- asm\nmov %r0, 1\n\nldxq %r0, [%r1]\n-- result\n0\n");
            assertEquals(5, e.line());
            assertEquals("Invalid mnemonic: ldxq", e.reason());
            assertEquals("t.data:5: Invalid mnemonic: ldxq", e.getMessage());
        }
    }

    @Nested
    class Errors {
        @Test
        void unknownDirectiveNamesItsLine() {
            DataFormatException e = failure("-- asm\nexit\n-- Unknown directive\n-- result\n0\n");
            assertEquals(3, e.line());
            assertEquals("unknown directive: -- Unknown directive", e.reason());
        }

        @Test
        void decrementInCSourceIsTakenAsADirectiveAsInBpfConformance() {
            DataFormatException e = failure("-- c\nint f(int i) { i--; }\n-- asm\nexit\n-- result\n0\n");
            assertEquals(2, e.line());
        }

        @Test
        void neitherResultNorError() {
            DataFormatException e = failure("# only comments\n# and more\n");
            assertEquals(0, e.line());
            assertEquals("t.data: no -- result or -- error section", e.getMessage());
        }

        @Test
        void resultWithoutInstructions() {
            DataFormatException e = failure("-- asm\n-- result\n0x1\n");
            assertEquals("no instructions", e.reason());
            assertEquals(1, e.line());
        }

        @Test
        void unparsableResult() {
            DataFormatException e = failure("-- asm\nexit\n-- result\n0x1g\n");
            assertEquals(4, e.line());
            assertEquals("invalid result: 0x1g", e.reason());
            assertEquals(4, failure("-- asm\nexit\n-- result\n0x10000000000000000\n").line());
            assertEquals(4, failure("-- asm\nexit\n-- result\n-1\n").line());
        }

        @Test
        void badRawWord() {
            DataFormatException e = failure("-- raw\n0x95\n0xzz\n-- result\n0\n");
            assertEquals(3, e.line());
            assertEquals("invalid raw instruction word: 0xzz", e.reason());
        }
    }

    /** The bpf_conformance negative/ files of isa.md §5.3, re-typed from their description. */
    @Nested
    class NegativeFiles {
        static final String LICENCE = "# Copyright (c) Microsoft Corporation\n# SPDX-License-Identifier: MIT\n";

        @Test
        void emptyData() {
            assertEquals(0, failure(LICENCE).line());
        }

        @Test
        void emptyInstructions() {
            assertEquals("no instructions", failure(LICENCE + "-- asm\n-- result\n0x0\n").reason());
        }

        @Test
        void errorDataHasExpectedErrorAndAProgram() throws DataFormatException {
            DataFile f = parse(LICENCE + "-- asm\nor %r0, %r10\nexit\n-- error\nInvalid\n");
            assertEquals(Optional.of("Invalid"), f.error());
            assertEquals(2, f.program().length());
        }

        @Test
        void assemblerNegatives() {
            String[][] cases = {
                {"mov32 %r0, 2147483648", "Immediate out of 32-bit range: 2147483648"},
                {"mov32 %r0, 0x100000000", "Immediate out of 32-bit range: 0x100000000"},
                {"ldxb %r0, [%r1+0x10000]", "Offset out of 16-bit range: +0x10000]"},
                {"ldxb %r0, %r1", "Failed to decode register and offset: %r1"},
                {"or %r0, %r50", "Invalid register: %r50"},
                {"ja NOT_A_LABEL", "Invalid label: NOT_A_LABEL"},
                {"ldxq %r0, [%r1]", "Invalid mnemonic: ldxq"},
                {"lddw %r0", "Invalid number of operands for mnemonic: lddw"},
                {"lock or [%r10-8]", "Invalid number of operands for mnemonic: or"},
                {"lock", "Invalid number of operands for lock"},
                {"call not_a_valid_mode 1", "Invalid call mode"},
            };
            for (String[] c : cases) {
                DataFormatException e = failure(LICENCE + "-- asm\n" + c[0] + "\nexit\n-- result\n0x1\n");
                assertEquals(c[1], e.reason(), c[0]);
                assertEquals(4, e.line(), c[0]);
            }
        }

        @Test
        void unknownDirective() {
            assertEquals(3, failure(LICENCE + "-- Unknown directive\n-- asm\nexit\n-- result\n0\n").line());
        }

        @Test
        void unusedFieldFileLoadsWithEmptyError() throws DataFormatException {
            DataFile f = parse(LICENCE + "# Test add_imm with non-zero offset\n-- raw\n"
                    + "04 00 01 00 01 00 00 00\n95 00 00 00 00 00 00 00\n-- error\n");
            assertArrayEquals(new long[] {encode(0x04, 0, 0, 1, 1), EXIT}, f.program().slots());
            assertEquals(Optional.of(""), f.error());
            assertEquals(OptionalLong.empty(), f.result());
        }
    }

    @Test
    void fromAFileTheNameDropsDataAndMessagesNameThePath(@TempDir Path dir) throws IOException, DataFormatException {
        Path ok = dir.resolve("add.data");
        Files.writeString(ok, "-- asm\nmov %r0, 3\nexit\n-- result\n0x3\n");
        DataFile f = DataFileParser.parse(ok);
        assertEquals("add", f.name());
        assertEquals(ok, f.path());
        Path bad = dir.resolve("bad.data");
        Files.writeString(bad, "-- asm\nexit\n-- result\nnope\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataFileParser.parse(bad));
        assertEquals(bad, e.file());
        assertEquals(bad + ":4: invalid result: nope", e.getMessage());
    }

    @Test
    void unreadableFileIsADataFormatException(@TempDir Path dir) {
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DataFileParser.parse(dir.resolve("missing.data")));
        assertTrue(e.getMessage().startsWith(dir.resolve("missing.data") + ": cannot read"));
    }
}
