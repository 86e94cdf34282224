package dev.bpfh.conformance.suite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.bpfh.asm.Assembler;
import dev.bpfh.asm.Disassembler;
import dev.bpfh.conformance.TestCase;
import dev.bpfh.isa.Program;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Disassembling any corpus program and assembling the text again gives the identical slots: the
 * disassembler's canonical text is a faithful second spelling of every program in the corpus,
 * including the raw negative programs no mnemonic encodes.
 */
class CorpusRoundTripTest {

    @TestFactory
    Stream<DynamicTest> disassemblyAssemblesBackToTheSameBytes() throws Exception {
        return BuiltInCorpus.tests().stream().map(test -> dynamicTest(test.id(), () -> roundTrip(test)));
    }

    private static void roundTrip(TestCase test) throws Exception {
        assertNull(test.parseError(), "the corpus must parse");
        Program original = test.data().program();
        String text = Disassembler.disassemble(original);
        Program again = Assembler.assemble(test.name(), text);
        assertArrayEquals(original.slots(), again.slots(), () -> test.id() + " disassembled as:\n" + text);
    }
}
