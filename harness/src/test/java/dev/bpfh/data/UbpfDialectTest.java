package dev.bpfh.data;

import static dev.bpfh.isa.Insn.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** uBPF's directives (isa.md §5.4), one test each, on text written here (no uBPF file is copied). */
class UbpfDialectTest {

    static final long EXIT = 0x95L;
    static final long MOV_R0_1 = encode(0xb7, 0, 0, 0, 1);

    static DataFile parse(String text) throws DataFormatException {
        return DataFileParser.parse("t", null, text);
    }

    static DataFormatException failure(String text) {
        return assertThrows(DataFormatException.class, () -> parse(text));
    }

    @Test
    void plainBpfConformanceFilesHaveNoNotes() throws DataFormatException {
        assertEquals(DataFile.Notes.NONE, parse("-- asm\nexit\n-- result\n0\n").notes());
    }

    @Test
    void descriptionIsKeptAsText() throws DataFormatException {
        DataFile f = parse("-- description\nChecks that the answer\n  is one  \n-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n");
        assertEquals("Checks that the answer is one", f.notes().description());
        assertArrayEquals(new long[] {MOV_R0_1, EXIT}, f.program().slots());
    }

    @Test
    void noJitKeepsItsReason() throws DataFormatException {
        DataFile f = parse("-- asm\nexit\n-- result\n0\n-- no jit\nthe JIT lacks this check\n");
        assertEquals(Optional.of("the JIT lacks this check"), f.notes().noJit());
        assertEquals(Optional.of(""), parse("-- asm\nexit\n-- result\n0\n-- no jit\n").notes().noJit());
        assertEquals(Optional.empty(), parse("-- asm\nexit\n-- result\n0\n").notes().noJit());
    }

    @Test
    void errorPatternIsARegularExpressionThatMustCompile() throws DataFormatException {
        DataFile f = parse("-- asm\nexit\n-- error pattern\nstore at PC [0-9]+, addr .*\n-- result\n0xffffffffffffffff\n");
        assertEquals(Optional.of("store at PC [0-9]+, addr .*"), f.error());
        assertTrue(f.notes().errorIsPattern());
        assertEquals(OptionalLong.of(-1), f.result());
        assertFalse(parse("-- asm\nexit\n-- error\nstore at PC 1\n").notes().errorIsPattern());

        DataFormatException bad = failure("-- asm\nexit\n-- error pattern\nunclosed (group\n");
        assertEquals(4, bad.line());
        assertTrue(bad.reason().startsWith("invalid regular expression in -- error pattern: "), bad.reason());
        assertEquals(5, failure("-- asm\nexit\n-- error\nA\n-- error pattern\nB\n").line());
    }

    @Test
    void reloadUnloadAndPyelfAreNotRunnableWithTheReason() throws DataFormatException {
        DataFile reload = parse("-- asm\nmov %r0, 0\nexit\n-- reload\n-- error\nalready loaded\n");
        assertTrue(reload.notes().notRunnable().orElseThrow().startsWith("-- reload: "));
        assertEquals(2, reload.program().length());
        assertTrue(parse("-- asm\nexit\n-- unload\n-- result\n0\n").notes().notRunnable().orElseThrow().startsWith("-- unload: "));
        // A pyelf file has no instructions at all; its Python text is not read as anything.
        DataFile elf = parse("-- pyelf\nsection.size = 3 # not our business\n-- result\n0x2a\n");
        assertTrue(elf.notes().notRunnable().orElseThrow().startsWith("-- pyelf: "));
        assertEquals(0, elf.program().length());
        assertTrue(parse("-- pyelf\nx = 1\n").notes().notRunnable().isPresent());
    }

    @Test
    void encodingTestWithoutResultChecksTheAssemblerAgainstTheRawWords() throws DataFormatException {
        DataFile f = parse("-- asm\nmov %r0, 1\nexit\n-- raw\n0x00000001000000b7\n0x0000000000000095\n");
        assertArrayEquals(new long[] {MOV_R0_1, EXIT}, f.program().slots());
        assertTrue(f.notes().notRunnable().orElseThrow().startsWith("encoding test"), f.notes().toString());

        DataFormatException wrong = failure("-- asm\nmov %r0, 1\nexit\n-- raw\n0x00000002000000b7\n0x0000000000000095\n");
        assertEquals(5, wrong.line());
        assertEquals("encoding test: the asm assembles word 0 to 0x00000001000000b7, but -- raw says 0x00000002000000b7",
                wrong.reason());
        assertEquals("encoding test: the asm assembles to 2 words, but -- raw has 3",
                failure("-- asm\nmov %r0, 1\nexit\n-- raw\n0x00000001000000b7\n0x95\n0x95\n").reason());
        // Only asm (or only raw) and no expectation is still a broken test.
        assertEquals("no -- result or -- error section", failure("-- asm\nexit\n").reason());
    }

    @Test
    void asmAndMemFromFilesNextToTheTest(@TempDir Path dir) throws IOException, DataFormatException {
        Files.writeString(dir.resolve("prog.asm"), "ldxb %r0, [%r1+2] # the third byte\n\nexit\n");
        Files.writeString(dir.resolve("pkt.hex"), "0x0000:  0011 2233\n0x0004:  44ff\n");
        Path test = dir.resolve("match.data");
        Files.writeString(test, "-- asm @ prog.asm\n-- mem @ pkt.hex\n-- result\n0x22\n");
        DataFile f = DataFileParser.parse(test);
        assertArrayEquals(new long[] {encode(0x71, 0, 1, 2, 0), EXIT}, f.program().slots());
        // uBPF's hexdump rule: the offset up to the last ':' is dropped, every two hex digits are a byte.
        assertArrayEquals(new byte[] {0x00, 0x11, 0x22, 0x33, 0x44, (byte) 0xff}, f.memory());
    }

    @Test
    void errorsInAnIncludedFileNameThatFile(@TempDir Path dir) throws IOException {
        Path asm = dir.resolve("bad.asm");
        Files.writeString(asm, "mov %r0, 1\nldxq %r0, [%r1]\nexit\n");
        Path test = dir.resolve("t.data");
        Files.writeString(test, "-- asm @ bad.asm\n-- result\n1\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataFileParser.parse(test));
        assertEquals(asm + ":2: Invalid mnemonic: ldxq", e.getMessage());
        assertEquals(asm, e.file());
    }

    @Test
    void includeProblemsNameTheDirectiveLine(@TempDir Path dir) throws IOException {
        Path test = dir.resolve("t.data");
        Files.writeString(test, "-- result\n1\n-- asm @ missing.asm\n");
        DataFormatException missing = assertThrows(DataFormatException.class, () -> DataFileParser.parse(test));
        assertEquals(3, missing.line());
        assertTrue(missing.reason().startsWith("cannot read included file "), missing.reason());

        Files.writeString(dir.resolve("p.asm"), "exit\n");
        Files.writeString(test, "-- asm @ p.asm\nmov %r0, 1\n-- result\n1\n");
        DataFormatException after = assertThrows(DataFormatException.class, () -> DataFileParser.parse(test));
        assertEquals(2, after.line());
        assertEquals("text after an included section: the section's content is its file", after.reason());

        // In-memory text has no directory to resolve against.
        assertEquals("'@ p.asm' names a file relative to the test, but this text was not read from a file",
                failure("-- asm @ p.asm\n-- result\n1\n").reason());
    }

    @Test
    void cAndNoRegisterOffsetSectionsAreIgnored() throws DataFormatException {
        DataFile f = parse("-- asm\nexit\n-- result\n0\n-- no register offset\ncall instruction\n-- c\nint x;\n");
        assertTrue(f.hasCSource());
        assertEquals(1, f.program().length());
    }

    @Test
    void aDirectiveNobodyKnowsStaysAnErrorWithItsLine() {
        DataFormatException e = failure("-- asm\nexit\n-- result\n0\n-- no interpreter\n");
        assertEquals(5, e.line());
        assertEquals("unknown directive: -- no interpreter", e.reason());
    }
}
