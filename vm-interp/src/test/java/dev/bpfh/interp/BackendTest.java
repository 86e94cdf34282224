package dev.bpfh.interp;

import static dev.bpfh.interp.Prog.assertTrap;
import static dev.bpfh.interp.Prog.prog;
import static dev.bpfh.interp.Prog.returned;
import static dev.bpfh.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.TrapKind;
import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import org.junit.jupiter.api.Test;

/** The SPI contract (architecture.md "SPI", "Entry state") and the loop's structural limits. */
class BackendTest {

    @Test
    void isRegisteredAsInterpAndAlwaysAvailable() {
        Backend b = Backends.find("interp").orElseThrow();
        assertTrue(b instanceof InterpreterBackend);
        assertTrue(b.probe().available());
    }

    @Test
    void entryStateFollowsArchitectureMd() {
        byte[] mem = new byte[13];
        // region 1, offset 0
        assertEquals(1L << 32, returned(prog().movx(0, 1).exit().run(mem)).r0());
        assertEquals(13, returned(prog().movx(0, 2).exit().run(mem)).r0());
        // region 2 (frame of depth 0), offset 512: one past the top of the frame
        assertEquals(2L << 32 | 512, returned(prog().movx(0, 10).exit().run(mem)).r0());
        // r0 and r3..r9 start at 0
        Prog others = prog().mov(0, 0);
        for (int r = 3; r <= 9; r++) {
            others.alu64x(OR, 0, r);
        }
        assertEquals(0, others.exit().r0());
        assertEquals(0, prog().exit().r0());
    }

    /** The entry registers are kept from run to run (not allocated): a run that dirties them leaves none behind. */
    @Test
    void everyRunStartsFromTheEntryState() throws Exception {
        Prog p = prog().mov(2, 0).alu64x(OR, 2, 0);
        for (int r = 3; r <= 9; r++) {
            p.alu64x(OR, 2, r);
        }
        for (int r = 3; r <= 9; r++) {
            p.mov(r, 100 + r);
        }
        Executable e = p.movx(0, 2).exit().load();
        for (int run = 0; run < 3; run++) {
            assertEquals(0, returned(e.run(new byte[4])).r0(), "run " + run);
        }
    }

    @Test
    void stackIsZeroedAtTheStartOfEachRun() {
        // r0 = [r10-8] (of the callee's frame too); then both frames are dirtied.
        // 0: ldxdw r0,[r10-8]; 1: st [r10-8],42; 2: call +1 -> 4; 3: exit
        // 4: ldxdw r1,[r10-8]; 5: add r0,r1; 6: st [r10-8],42; 7: exit
        Executable e = prog().ldx(SIZE_DW, 0, 10, -8).st(SIZE_DW, 10, -8, 42).callLocal(1).exit()
                .ldx(SIZE_DW, 1, 10, -8).alu64x(ADD, 0, 1).st(SIZE_DW, 10, -8, 42).exit().load();
        for (int run = 0; run < 3; run++) {
            assertEquals(0, returned(e.run(new byte[0])).r0(), "run " + run);
        }
    }

    @Test
    void stackIsZeroedEvenAfterATrappedRun() {
        // Writes the stack, then traps if r2 (input length) is 0.
        Executable e = prog().ldx(SIZE_DW, 0, 10, -8).st(SIZE_DW, 10, -8, 42)
                .jmp(JNE, 2, 0, 1).ldx(SIZE_B, 3, 1, 0).exit().load();
        assertTrap(TrapKind.OUT_OF_BOUNDS, 3, e.run(new byte[0]));
        assertEquals(0, returned(e.run(new byte[1])).r0());
    }

    @Test
    void invalidProgramsAreRejectedWithThePc() {
        LoadRejected bad = assertThrows(LoadRejected.class, () -> new InterpreterBackend()
                .load(Program.of("bad", Insn.encode(0xb7, 0, 0, 0, 1), Insn.encode(0xff, 0, 0, 0, 0)), LoadOptions.DEFAULTS));
        assertEquals(1, bad.pc());
        LoadRejected helper = assertThrows(LoadRejected.class, () -> new InterpreterBackend()
                .load(Program.of("h", Insn.encode(CALL_IMM, 0, 0, 0, 12345), Insn.encode(EXIT_OP, 0, 0, 0, 0)), LoadOptions.DEFAULTS));
        assertEquals(0, helper.pc());
    }

    @Test
    void nullInputRunsAsEmptyInput() {
        Executable e = prog().movx(0, 2).exit().load();
        assertEquals(0, returned(e.run((byte[]) null)).r0());
    }

    @Test
    void executableReportsWhatItIs() {
        Executable e = prog().lddw(0, 1).exit().load();
        assertEquals("interp", e.info().get("engine"));
        assertEquals(3, e.info().get("slots"));
    }

    /**
     * HotSpot's C2 does not compile methods over 8000 bytes of bytecode (HugeMethodLimit), and it
     * inlines callees into a method only while the method's bytecode plus theirs stays under
     * DesiredMethodLimit (also 8000): atomics_stack's loop inlines about 2000 bytes (memory accesses,
     * atomics), and a callee left out is a call in the loop, which costs every instruction.
     */
    @Test
    void dispatchLoopStaysCompilableByC2() throws IOException {
        try (InputStream in = Interpreter.class.getResourceAsStream("Interpreter.class")) {
            ClassModel cm = ClassFile.of().parse(in.readAllBytes());
            // the loop is the execute taking the register array (the other one sets up a run)
            MethodModel execute = cm.methods().stream()
                    .filter(m -> m.methodName().equalsString("execute")
                            && m.methodTypeSymbol().parameterList().getFirst().descriptorString().equals("[J"))
                    .findFirst().orElseThrow();
            int size = execute.findAttribute(java.lang.classfile.Attributes.code())
                    .map(CodeAttribute::codeLength).orElseThrow();
            assertTrue(size > 3000, "not the loop method: " + size + " bytes");
            assertTrue(size < 6500, "the loop method has " + size + " bytes of bytecode");
        }
    }

    /** The loop writes Memory.frameTop out (see Interpreter.frameTop); the two must agree. */
    @Test
    void frameTopWrittenOutIsMemorysFrameTop() {
        for (int depth = 0; depth < dev.bpfh.exec.Memory.MAX_FRAMES; depth++) {
            org.junit.jupiter.api.Assertions.assertEquals(dev.bpfh.exec.Memory.frameTop(depth), Interpreter.frameTop(depth));
        }
    }
}
