package dev.bpfh.fuzz.jazzer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bpfh.asm.AssemblyException;
import dev.bpfh.asm.Assembler;
import dev.bpfh.asm.Disassembler;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.data.DataFormatException;
import dev.bpfh.fuzz.DifferentialTarget;
import dev.bpfh.isa.Program;
import dev.bpfh.plugin.ElfReader;
import dev.bpfh.plugin.FailureLine;
import dev.bpfh.plugin.PluginHex;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Coverage-guided targets for Jazzer. In every build ({@code ./bpfh test}) each runs in regression
 * mode over the inputs committed under {@code src/test/resources/dev/bpfh/fuzz/jazzer/FuzzTargetsTestInputs/<method>/};
 * with {@code JAZZER_FUZZ=1} Jazzer fuzzes one target (select it with {@code -Dtest=FuzzTargetsTest#name}),
 * adds what it finds to the inputs and writes a crashing input next to them.
 */
class FuzzTargetsTest {

    /** Interp and jit on arbitrary bytes: byte 0 = memory length (mod 65), then the memory, then the program. */
    @FuzzTest(maxDuration = "60s")
    void interpAndJitAgree(byte[] data) {
        DifferentialTarget.INSTANCE.check(data).ifPresent(problem -> fail(problem));
    }

    /** Any bytes disassemble into text that assembles back to exactly those bytes, and prints the same again. */
    @FuzzTest(maxDuration = "60s")
    void disassemblyAssemblesBack(byte[] data) throws AssemblyException {
        byte[] whole = Arrays.copyOf(data, data.length / 8 * 8);
        if (whole.length == 0) {
            return;
        }
        Program p = Program.fromBytes("fuzz", whole);
        String text = Disassembler.disassemble(p);
        Program back = Assembler.assemble("fuzz", text);
        assertArrayEquals(p.slots(), back.slots(), text);
        assertEquals(text, Disassembler.disassemble(back));
    }

    /** Any text is a .data file or a DataFormatException, never another exception. */
    @FuzzTest(maxDuration = "60s")
    void dataParserFailsOnlyWithDataFormatException(byte[] data) {
        try {
            DataFileParser.parse("fuzz", null, new String(data, StandardCharsets.UTF_8));
        } catch (DataFormatException expected) {
            // a one-line error naming the line: fine
        }
    }

    /** Any bytes are an eBPF ELF object or ElfReader.Malformed, never another exception. */
    @FuzzTest(maxDuration = "60s")
    void elfReaderFailsOnlyWithMalformed(byte[] data) {
        try {
            ElfReader.code(data);
        } catch (ElfReader.Malformed expected) {
            // refused with a reason: fine
        }
    }

    /** Plugin protocol: hex parses or is refused with IllegalArgumentException; failure lines always parse. */
    @FuzzTest(maxDuration = "60s")
    void pluginProtocolLines(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        try {
            byte[] bytes = PluginHex.parse(text);
            assertArrayEquals(bytes, PluginHex.parse(PluginHex.format(bytes)));
        } catch (IllegalArgumentException expected) {
            // not hex
        }
        FailureLine.parse(text, text);
    }
}
