package dev.bpfh.cli;

import static dev.bpfh.cli.CliRun.piped;
import static dev.bpfh.cli.CliRun.run;
import static dev.bpfh.cli.CliRun.withEnv;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bpfh asm} and {@code bpfh disasm}: encodings from isa.md §1 and the canonical text of §4.6. */
class AsmDisasmCommandTest {

    static final String SOURCE = """
            mov %r0, 7        # a comment, cut before assembling
            lddw %r1, 0x1122334455667788
            exit
            """;

    /** mov r0,7 = b7 (ALU64|K|MOV), dst 0, imm 7; lddw r1 = 18 with dst 1 and the imm halves; exit = 95. */
    static final String HEX = "b7 00 00 00 07 00 00 00 "
            + "18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11 "
            + "95 00 00 00 00 00 00 00";

    static final String CANONICAL = """
            mov %r0, 7
            lddw %r1, 0x1122334455667788
            exit
            """;

    @Test
    void asmPrintsTheBytesAsSingleSpacedLowercaseHexOnOneLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("p.s"), SOURCE);
        assertEquals(new CliRun(0, HEX + "\n", ""), run("asm", file.toString()));
    }

    @Test
    void asmReadsStdinForDash() {
        assertEquals(new CliRun(0, HEX + "\n", ""), piped(SOURCE, "asm", "-"));
    }

    @Test
    void asmOfADataFileTakesItsProgram(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("t.data"), """
                -- asm
                mov %r0, 5
                add %r0, 2
                exit
                -- result
                0x7
                """);
        assertEquals("b7 00 00 00 05 00 00 00 07 00 00 00 02 00 00 00 95 00 00 00 00 00 00 00\n",
                run("asm", file.toString()).out());
    }

    @Test
    void asmErrorsAreFileLineMessageOnOneLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.s"), "mov %r0, 1\nldxq %r0, [%r1]\nexit\n");
        CliRun r = run("asm", file.toString());
        assertEquals(new CliRun(1, "", "bpfh: " + file + ":2: Invalid mnemonic: ldxq\n"), r);
    }

    @Test
    void aMissingFileIsAUsageError() {
        assertEquals(new CliRun(2, "", "bpfh: /no/such/file.s: no such file\n"), run("asm", "/no/such/file.s"));
    }

    @Test
    void disasmPrintsCanonicalAssembly() {
        assertEquals(new CliRun(0, CANONICAL, ""), piped(HEX + "\n", "disasm", "-"));
    }

    @Test
    void asmThenDisasmThenAsmGivesTheSameBytes() {
        String hex = piped(SOURCE, "asm", "-").out();
        String text = piped(hex, "disasm").out();
        assertEquals(hex, piped(text, "asm", "-").out());
    }

    @Test
    void disasmRoundTripsBytesNoMnemonicEncodes() {
        // Opcode 0x00 is no instruction; the disassembler prints a .slot line the assembler takes back.
        String hex = "00 11 22 33 44 55 66 77 95 00 00 00 00 00 00 00";
        String text = piped(hex, "disasm").out();
        assertEquals(hex + "\n", piped(text, "asm", "-").out());
    }

    @Test
    void disasmAcceptsZeroXPrefixesRunsOfDigitsAndRawBinary(@TempDir Path dir) throws Exception {
        assertEquals(CANONICAL, piped("0xb7 0x00 0x00 0x00 0x07 0x00 0x00 0x00\n"
                + "1801000088776655 0000000044332211\n95 00 00 00 00 00 00 00", "disasm").out());
        byte[] raw = java.util.HexFormat.ofDelimiter(" ").parseHex(HEX);
        Path bin = Files.write(dir.resolve("p.bin"), raw);
        assertEquals(CANONICAL, run("disasm", bin.toString()).out());
    }

    @Test
    void disasmRefusesPartialSlots() {
        assertEquals(new CliRun(1, "", "bpfh: <stdin>: 4 bytes is not a whole number of 8-byte slots\n"),
                piped("95 00 00 00", "disasm"));
    }
}
