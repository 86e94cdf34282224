package dev.bpfh.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.asm.Assembler;
import dev.bpfh.data.DataFile;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.isa.Program;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Reproducers parse back to the same program and memory; the expectation is the kernel's or none. */
class ReproducerTest {

    static final Program PROGRAM;

    static {
        try {
            PROGRAM = Assembler.assemble("p", "ldxsh %r0, [%r1+1]\nexit\n");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static final byte[] MEMORY = {0, (byte) 0xd4, 0, 0};
    static final Oracle.Disagreement D = new Oracle.Disagreement("interp", "kernel", Oracle.Category.R0, "r0: interp 0xd4, kernel 0xffffffffffffd400");

    @Test
    void withTheKernelTheExpectationIsTheKernelsR0() throws Exception {
        String text = Reproducer.text(PROGRAM, dev.bpfh.spi.RunInput.of(MEMORY), D, "a test", 7, List.of("interp", "kernel"),
                List.of(new Observed.Returned(0xd4, MEMORY), new Observed.Returned(0xffffffffffffd400L, MEMORY)));
        DataFile d = DataFileParser.parse("r", null, text);
        assertArrayEquals(PROGRAM.slots(), d.program().slots());
        assertArrayEquals(MEMORY, d.memory());
        assertEquals(OptionalLong.of(0xffffffffffffd400L), d.result());
        assertTrue(text.contains("# interp: returned 0xd4"), text);
    }

    @Test
    void withoutTheKernelThereIsNoExpectedValue() throws Exception {
        String text = Reproducer.text(PROGRAM, dev.bpfh.spi.RunInput.of(MEMORY), D, "a test", 7, List.of("interp", "jit"),
                List.of(new Observed.Returned(0xd4, MEMORY), new Observed.Returned(1, MEMORY)));
        DataFile d = DataFileParser.parse("r", null, text);
        assertTrue(d.result().isEmpty());
        assertEquals(Reproducer.NO_ORACLE, d.error().orElseThrow());
    }
}
