package dev.bpfh.isa;

import static dev.bpfh.isa.Insn.encode;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpfh.asm.AssemblyException;
import dev.bpfh.asm.Assembler;
import dev.bpfh.exec.Helpers;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rejection class of {@link Validator}, each with its pc and reason, and what it must accept. */
class ValidatorTest {

    static final long EXIT = 0x95L;

    static LoadRejected rejected(long... slots) {
        return assertThrows(LoadRejected.class,
                () -> Validator.validate(Program.of("t", slots), Helpers.standard()));
    }

    static void rejects(int pc, String reason, long... slots) {
        LoadRejected e = rejected(slots);
        assertEquals(pc, e.pc(), e.getMessage());
        assertEquals(reason, e.reason());
    }

    static MapSpec array(String name, int valueSize, int entries) {
        return new MapSpec(name, MapType.ARRAY, 4, valueSize, entries, 0);
    }

    static void validateWithMaps(List<MapSpec> maps, long... slots) throws LoadRejected {
        Validator.validate(new Program("t", slots, maps), Helpers.standard());
    }

    static LoadRejected rejectedWithMaps(List<MapSpec> maps, long... slots) {
        return assertThrows(LoadRejected.class, () -> validateWithMaps(maps, slots));
    }

    static long[] assemble(String text, List<MapSpec> maps) throws AssemblyException {
        return Assembler.assemble("t", text.lines().map(l -> new dev.bpfh.asm.SourceLine(1, l)).toList(), maps).slots();
    }

    static void accepts(long... slots) {
        assertDoesNotThrow(() -> Validator.validate(Program.of("t", slots), Helpers.standard()));
    }

    static void accepts(String asm) throws AssemblyException {
        accepts(Assembler.assemble("t", asm).slots());
    }

    static long op(int opcode, int dst, int src, int off, int imm) {
        return encode(opcode, dst, src, off, imm);
    }

    @Nested
    class WholeProgram {
        @Test
        void emptyProgram() {
            LoadRejected e = rejected();
            assertEquals(-1, e.pc());
            assertEquals("empty program", e.getMessage());
        }

        @Test
        void tooManyInstructions() {
            long[] s = new long[Validator.MAX_SLOTS + 1];
            java.util.Arrays.fill(s, EXIT);
            LoadRejected e = rejected(s);
            assertEquals(-1, e.pc());
            assertEquals("too many instructions: 1000001 slots (max 1000000)", e.reason());
        }

        @Test
        void theFirstFaultyPcIsReported() {
            rejects(1, "unknown opcode 0xff", op(0xb7, 0, 0, 0, 1), op(0xff, 0, 0, 0, 0), op(0xfe, 0, 0, 0, 0));
        }

        @Test
        void messageNamesThePc() {
            assertEquals("unknown opcode 0xff at pc 1", rejected(op(0xb7, 0, 0, 0, 1), op(0xff, 0, 0, 0, 0)).getMessage());
        }
    }

    @Nested
    class UnknownOpcodes {
        @ParameterizedTest(name = "0x{0}")
        @ValueSource(strings = {
            "00", "08", "10", // LD other than lddw (0x00 alone is not an instruction)
            "e4", "ec", "f4", "fc", "e7", "ef", "f7", "ff", // ALU codes 0xe and 0xf
            "8c", // neg with the X bit: see NegXForm
            "df", // ALU64 END with X is reserved
            "99", // MEMSX DW does not exist
            "a1", "c1", "e1", // LDX with undefined modes
            "82", "c2", "e2", // ST other than MEM
            "83", "cb", "d3", "e3", // STX: MEMSX, 16/8-bit atomics, undefined mode
            "0d", "0e", // ja with X bit, ja32 with X
            "86", "8e", "96", "9d", "9e", // call/exit in JMP32, exit with X
            "e5", "f5", "e6", "fe" // jump codes 0xe and 0xf
        })
        void rejectedAtItsPc(String hex) {
            int opcode = Integer.parseInt(hex, 16);
            LoadRejected e = rejected(op(0xb7, 0, 0, 0, 0), op(opcode, 0, 0, 0, 0), EXIT);
            assertEquals(1, e.pc());
            if (opcode == 0x8c) {
                assertEquals("invalid source for neg: only the K form exists (opcode 0x8c)", e.reason());
            } else {
                assertEquals("unknown opcode 0x" + hex, e.reason());
            }
        }

        @ParameterizedTest(name = "0x{0}")
        @ValueSource(ints = {0x20, 0x28, 0x30, 0x40, 0x48, 0x50})
        void legacyPacketLoadsAreNotSupported(int opcode) {
            rejects(0, "legacy packet load 0x" + Integer.toHexString(opcode) + " (group packet) is not supported",
                    op(opcode, 0, 0, 0, 0), EXIT);
        }
    }

    @Nested
    class Registers {
        @Test
        void sourceAboveR10() {
            rejects(0, "invalid source register r11", op(0xbf, 0, 11, 0, 0), EXIT);
            rejects(0, "invalid source register r15", op(0x61, 0, 15, 0, 0), EXIT);
        }

        @Test
        void destinationAboveR10() {
            rejects(0, "invalid destination register r11", op(0xb7, 11, 0, 0, 0), EXIT);
            rejects(0, "invalid destination register r15", op(0x7b, 15, 1, 0, 0), EXIT); // even as a store base
            rejects(0, "invalid destination register r12", op(0x15, 12, 0, 0, 0), EXIT);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"mov %r10, 1", "add32 %r10, %r1", "neg %r10", "le16 %r10", "bswap32 %r10",
            "ldxdw %r10, [%r1]", "ldxsb %r10, [%r1]", "lddw %r10, 1", "movsx864 %r10, %r1"})
        void writesToR10(String line) throws AssemblyException {
            long[] s = Assembler.assemble("t", line + "\nexit").slots();
            rejects(0, "write to r10 (the frame pointer is read-only)", s);
        }

        @Test
        void atomicFetchIntoR10() throws AssemblyException {
            for (String aop : new String[] {"fetch add", "fetch or", "fetch and", "fetch xor", "xchg", "fetch add32",
                "xchg32"}) {
                long[] s = Assembler.assemble("t", "lock " + aop + " [%r1], %r10\nexit").slots();
                rejects(0, "atomic fetch would write r10 (the frame pointer is read-only)", s);
            }
        }

        @Test
        void r10MayBeReadAndUsedAsABase() throws AssemblyException {
            accepts("""
                    stxdw [%r10-8], %r10
                    stdw [%r10-16], 1
                    ldxdw %r0, [%r10-8]
                    mov %r1, %r10
                    jeq %r10, %r1, +0
                    lock add [%r10-8], %r10
                    lock cmpxchg [%r10-8], %r10
                    exit
                    """);
        }
    }

    @Nested
    class Lddw {
        @Test
        void incompleteAtTheEnd() {
            rejects(1, "incomplete lddw: no second slot", EXIT, op(0x18, 0, 0, 0, 1));
        }

        @Test
        void secondSlotMustBeZeroExceptImm() {
            String reason = "invalid lddw second slot: opcode, registers and offset must be zero";
            rejects(1, reason, op(0x18, 0, 0, 0, 1), op(0x95, 0, 0, 0, 0), EXIT);
            rejects(1, reason, op(0x18, 0, 0, 0, 1), op(0, 1, 0, 0, 0), EXIT);
            rejects(1, reason, op(0x18, 0, 0, 0, 1), op(0, 0, 1, 0, 0), EXIT);
            rejects(1, reason, op(0x18, 0, 0, 0, 1), op(0, 0, 0, 1, 0), EXIT);
            rejects(1, reason, op(0x18, 0, 0, 0, 1), op(0x18, 0, 0, 0, 0), EXIT);
            accepts(op(0x18, 0, 0, 0, 1), op(0, 0, 0, 0, -1), EXIT);
        }

        @Test
        void pseudoSourcesTheEnginesDoNotModelAreRefused() {
            rejects(0, "unsupported lddw source 3 (BTF ids and fd_array indexes need the kernel's loader)",
                    op(0x18, 1, 3, 0, 3), 0L, EXIT);
            rejects(0, "unsupported lddw source 5 (BTF ids and fd_array indexes need the kernel's loader)",
                    op(0x18, 1, 5, 0, 0), 0L, EXIT);
        }

        @Test
        void aMapReferenceMustNameADeclaredMap() {
            rejects(0, "lddw names map #3, but the program declares 0 maps (EBADF)", op(0x18, 1, 1, 0, 3), 0L, EXIT);
            assertEquals("lddw names map #1, but the program declares 1 map (EBADF)",
                    rejectedWithMaps(List.of(array("a", 8, 1)), op(0x18, 1, 1, 0, 1), 0L, EXIT).reason());
            assertDoesNotThrow(() -> validateWithMaps(List.of(array("a", 8, 1)), op(0x18, 1, 1, 0, 0), 0L, EXIT));
        }

        @Test
        void aMapHandleHasNoSecondImmediate() {
            assertEquals("unrecognized bpf_ld_imm64 insn: src=1 needs a zero second imm (EINVAL)",
                    rejectedWithMaps(List.of(array("a", 8, 1)), op(0x18, 1, 1, 0, 0), encode(0, 0, 0, 0, 4), EXIT)
                            .reason());
        }

        @Test
        void directValueAccessOnlyIntoOneElementArraysWithinTheValue() {
            long[] at12 = {op(0x18, 1, 2, 0, 0), encode(0, 0, 0, 0, 12), EXIT};
            assertDoesNotThrow(() -> validateWithMaps(List.of(array("g", 16, 1)), at12));
            assertEquals("direct value offset 12 is outside map 'g' value of 12 bytes (EINVAL)",
                    rejectedWithMaps(List.of(array("g", 12, 1)), at12).reason());
            assertEquals("direct value access to map 'g' needs max_entries 1, it has 2 (ENOTSUPP)",
                    rejectedWithMaps(List.of(array("g", 16, 2)), at12).reason());
            assertEquals("map 'h' (hash) has no direct value access support (EINVAL)",
                    rejectedWithMaps(List.of(new MapSpec("h", MapType.HASH, 4, 16, 1, 0)), at12).reason());
        }

        @Test
        void aMapOfTheWrongTypeForItsHelperIsRefusedWhereTheProgramStatesIt() throws Exception {
            List<MapSpec> maps = List.of(new MapSpec("jmp", MapType.PROG_ARRAY, 4, 4, 1, 0),
                    new MapSpec("rb", MapType.RINGBUF, 0, 0, 4096, 0), new MapSpec("h", MapType.HASH, 4, 8, 1, 0));
            // check_map_func_compatibility: PROG_ARRAY only with tail_call, RINGBUF only with the ring
            // buffer helpers, and those helpers only with their own type. The call is at pc 4.
            String lookup = "stw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, map:MAP\ncall 1\nexit\n";
            assertEquals("cannot pass map_type 3 (prog_array, map 'jmp') into func bpf_map_lookup_elem#1 (EINVAL)",
                    rejectedWithMaps(maps, assemble(lookup.replace("MAP", "jmp"), maps)).reason());
            assertEquals(5, rejectedWithMaps(maps, assemble(lookup.replace("MAP", "rb"), maps)).pc());
            assertDoesNotThrow(() -> validateWithMaps(maps, assemble(lookup.replace("MAP", "h"), maps)));
            String output = "lddw %r1, map:MAP\nmov %r2, %r10\nmov %r3, 0\nmov %r4, 0\ncall 130\nexit\n";
            assertEquals("cannot pass map_type 1 (hash, map 'h') into func bpf_ringbuf_output#130 (EINVAL)",
                    rejectedWithMaps(maps, assemble(output.replace("MAP", "h"), maps)).reason());
            String tail = "lddw %r2, map:MAP\nmov %r3, 0\ncall 12\nmov %r0, 0\nexit\n";
            assertEquals("cannot pass map_type 27 (ringbuf, map 'rb') into func bpf_tail_call#12 (EINVAL)",
                    rejectedWithMaps(maps, assemble(tail.replace("MAP", "rb"), maps)).reason());
            assertDoesNotThrow(() -> validateWithMaps(maps, assemble(tail.replace("MAP", "jmp"), maps)));
        }

        @Test
        void aMapThatReachesTheCallThroughAJoinIsNotFollowed() throws Exception {
            List<MapSpec> maps = List.of(new MapSpec("jmp", MapType.PROG_ARRAY, 4, 4, 1, 0),
                    new MapSpec("h", MapType.HASH, 4, 8, 1, 0));
            // Two paths reach the call with different maps in r1: the run decides (HELPER_FAILED there).
            String join = "stw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, map:h\njeq %r0, 0, +2\n"
                    + "lddw %r1, map:jmp\ncall 1\nexit\n";
            assertDoesNotThrow(() -> validateWithMaps(maps, assemble(join, maps)));
        }

        @Test
        void aFunctionAddressMustPointAtAnInstruction() {
            accepts(op(0x18, 2, 4, 0, 2), 0L, EXIT, EXIT);
            rejects(0, "function address out of range: target 5 outside [0, 4)", op(0x18, 2, 4, 0, 4), 0L, EXIT, EXIT);
            rejects(0, "function address into the middle of lddw at pc 1", op(0x18, 2, 4, 0, 0), 0L, EXIT);
        }

        @Test
        void offsetMustBeZero() {
            rejects(0, "unused field offset must be 0 but is 4", op(0x18, 1, 0, 4, 3), 0L, EXIT);
        }
    }

    @Nested
    class JumpsAndCalls {
        @Test
        void jumpOutOfRange() {
            rejects(0, "jump out of range: target 3 outside [0, 2)", op(0x05, 0, 0, 2, 0), EXIT);
            rejects(0, "jump out of range: target -1 outside [0, 2)", op(0x15, 1, 0, -2, 0), EXIT);
            rejects(0, "jump out of range: target 2 outside [0, 2)", op(0x06, 0, 0, 0, 1), EXIT);
            rejects(0, "jump out of range: target 2147483648 outside [0, 2)",
                    op(0x06, 0, 0, 0, Integer.MAX_VALUE), EXIT);
        }

        @Test
        void jumpIntoTheMiddleOfLddw() {
            rejects(0, "jump into the middle of lddw at pc 2",
                    op(0x05, 0, 0, 1, 0), op(0x18, 0, 0, 0, 1), 0L, EXIT);
            rejects(3, "jump into the middle of lddw at pc 2",
                    EXIT, op(0x18, 0, 0, 0, 1), 0L, op(0x5d, 1, 2, -2, 0), EXIT);
        }

        @Test
        void localCallTargets() {
            rejects(0, "local call out of range: target 5 outside [0, 3)", op(0x85, 0, 1, 0, 4), EXIT, EXIT);
            rejects(0, "local call into the middle of lddw at pc 3",
                    op(0x85, 0, 1, 0, 2), EXIT, op(0x18, 0, 0, 0, 0), 0L, EXIT);
            accepts(op(0x85, 0, 1, 0, 1), EXIT, op(0xb7, 0, 0, 0, 1), EXIT);
        }

        @Test
        void helpers() {
            rejects(0, "call to unknown helper 999", op(0x85, 0, 0, 0, 999), EXIT);
            accepts(op(0x85, 0, 0, 0, 1), EXIT); // bpf_map_lookup_elem
            rejects(0, "call to unknown helper -1", op(0x85, 0, 0, 0, -1), EXIT);
            accepts(op(0x85, 0, 0, 0, Helpers.KTIME_GET_NS), EXIT);
            accepts(op(0x85, 0, 0, 0, Helpers.GET_PRANDOM_U32), EXIT);
        }

        @Test
        void runtimeAndUnknownCallTypes() {
            rejects(0, "call runtime 9 (kfunc by BTF id) is not supported", op(0x85, 0, 2, 0, 9), EXIT);
            rejects(0, "invalid call type src=3", op(0x85, 0, 3, 0, 0), EXIT);
        }

        @Test
        void callxTakesAnyRegisterAndChecksItsUnusedFields() {
            accepts(op(0x8d, 2, 0, 0, 0), EXIT);
            rejects(0, "unused field imm must be 0 but is 5", op(0x8d, 2, 0, 0, 5), EXIT);
            rejects(0, "unused field src must be 0 but is 1", op(0x8d, 2, 1, 0, 0), EXIT);
            rejects(0, "unused field offset must be 0 but is 1", op(0x8d, 2, 0, 1, 0), EXIT);
        }
    }

    /** {@link FunctionLayout}: functions start at 0 and at call-local targets. */
    @Nested
    class Functions {
        @Test
        void aFunctionMustNotFallIntoTheNext() throws AssemblyException {
            // uBPF errors/err-call0: the main function ends with the call at pc 1.
            rejectsAsm(1, "last insn of the function [0, 2) is not an exit or jmp: it would fall into the next function",
                    "mov %r0, 0x12345678", "call local next", "next:", "exit");
            rejectsAsm(2, "last insn of the function [0, 3) is not an exit or jmp: it would fall into the next function",
                    "mov %r0, 1", "call local f", "jeq %r0, 0, -2", "f:", "mov %r0, 2", "exit");
            // Between two subprograms too, and an lddw as the last instruction is named by its first slot.
            rejectsAsm(3, "last insn of the function [2, 5) is not an exit or jmp: it would fall into the next function",
                    "call local f", "exit", "f:", "call local g", "lddw %r0, 1", "g:", "exit");
        }

        @Test
        void exitOrUnconditionalJumpEndsAFunction() throws AssemblyException {
            acceptsAsm("call local f", "exit", "f:", "mov %r0, 1", "exit");
            acceptsAsm("call local f", "ja +0", "exit", "f:", "mov %r0, 1", "ja end", "mov %r0, 2", "end:", "exit");
            acceptsAsm("call local f", "exit", "f:", "ja32 +0", "exit");
            // ja -2 jumps back inside main: main ends in an unconditional jump, so it cannot fall through.
            acceptsAsm("call local f", "exit", "ja -2", "f:", "exit");
        }

        @Test
        void theLastFunctionMayRunOffTheEnd() throws AssemblyException {
            // That is the FELL_OFF_END trap, a defined run-time outcome, not a structural fault.
            acceptsAsm("mov %r0, 1");
            acceptsAsm("call local f", "exit", "f:", "mov %r0, 1");
        }

        @Test
        void aJumpMustStayInItsFunction() throws AssemblyException {
            // uBPF errors/err-call-invalid-jump: the subprogram at pc 3 jumps back to pc 0.
            rejectsAsm(4, "jump out of range from insn 4 to 0: the target is outside this function [3, 6)",
                    "begin:", "mov %r1, 0x12345678", "call local next", "exit", "next:", "add %r1, 1", "ja begin", "exit");
            rejectsAsm(1, "jump out of range from insn 1 to 5: the target is outside this function [0, 4)",
                    "mov %r0, 0", "jeq %r1, 0, +3", "call local f", "exit", "f:", "mov %r0, 1", "exit");
            rejectsAsm(0, "jump out of range from insn 0 to 3: the target is outside this function [0, 3)",
                    "ja32 +2", "call local f", "exit", "f:", "exit");
            // A jump to the first slot of the next function leaves its function as well.
            rejectsAsm(0, "jump out of range from insn 0 to 3: the target is outside this function [0, 3)",
                    "ja +2", "call local f", "exit", "f:", "exit");
        }

        @Test
        void callsMayTargetAnyFunctionIncludingTheirOwn() throws AssemblyException {
            acceptsAsm("call local f", "exit", "f:", "call local f", "exit");
            acceptsAsm("main:", "call local f", "exit", "f:", "call local main", "exit");
        }

        @Test
        void aLocalCallIntoTheMiddleOfLddwIsRefusedBeforeTheLayout() {
            rejects(0, "local call into the middle of lddw at pc 2", op(0x85, 0, 1, 0, 1), op(0x18, 0, 0, 0, 7), 0L, EXIT);
        }

        @Test
        void deadCodeAndLoopsBoundOnlyByTheBudgetAreNotStructural() throws AssemblyException {
            acceptsAsm("mov %r0, 0", "exit", "mov %r0, 1", "exit");
            acceptsAsm("ja -1", "exit");
            acceptsAsm("call local f", "exit", "mov %r0, 9", "exit", "f:", "loop:", "ja loop");
        }

        private static void rejectsAsm(int pc, String reason, String... lines) throws AssemblyException {
            rejects(pc, reason, Assembler.assemble("t", String.join("\n", lines)).slots());
        }

        private static void acceptsAsm(String... lines) throws AssemblyException {
            accepts(String.join("\n", lines));
        }
    }

    /** The negative/unused-*.data files of isa.md §5.3: one non-zero unused field each. */
    @Nested
    class UnusedFields {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', textBlock = """
                add_imm-offset     | 0x04 | 0 | 0 | 1 | 1 | offset | 1
                add_imm-src        | 0x04 | 0 | 1 | 0 | 1 | src    | 1
                add64_imm-offset   | 0x07 | 0 | 0 | 1 | 1 | offset | 1
                add64_imm-src      | 0x07 | 0 | 1 | 0 | 1 | src    | 1
                add_reg-imm        | 0x0c | 0 | 1 | 0 | 1 | imm    | 1
                add_reg-offset     | 0x0c | 0 | 1 | 1 | 0 | offset | 1
                add64_reg-imm      | 0x0f | 0 | 1 | 0 | 1 | imm    | 1
                add64_reg-offset   | 0x0f | 0 | 1 | 1 | 0 | offset | 1
                mov_imm-src        | 0xb4 | 0 | 1 | 0 | 1 | src    | 1
                mov64_imm-src      | 0xb7 | 0 | 1 | 0 | 1 | src    | 1
                mov_reg-imm        | 0xbc | 0 | 1 | 0 | 1 | imm    | 1
                mov64_reg-imm      | 0xbf | 0 | 1 | 0 | 1 | imm    | 1
                neg-src            | 0x84 | 0 | 1 | 0 | 0 | src    | 1
                neg-offset         | 0x84 | 0 | 0 | 1 | 0 | offset | 1
                neg-imm            | 0x84 | 0 | 0 | 0 | 1 | imm    | 1
                neg64-src          | 0x87 | 0 | 1 | 0 | 0 | src    | 1
                neg64-offset       | 0x87 | 0 | 0 | 1 | 0 | offset | 1
                neg64-imm          | 0x87 | 0 | 0 | 0 | 1 | imm    | 1
                le16-src           | 0xd4 | 0 | 1 | 0 | 16 | src   | 1
                le16-offset        | 0xd4 | 0 | 0 | 1 | 16 | offset | 1
                be16-src           | 0xdc | 0 | 1 | 0 | 16 | src   | 1
                be16-offset        | 0xdc | 0 | 0 | 1 | 16 | offset | 1
                ldxw-imm           | 0x61 | 0 | 1 | 0 | 1 | imm    | 1
                ldxdw-imm          | 0x79 | 0 | 1 | 0 | 1 | imm    | 1
                stxw-imm           | 0x63 | 1 | 2 | 0 | 1 | imm    | 1
                stxdw-imm          | 0x7b | 1 | 2 | 0 | 1 | imm    | 1
                stw-src            | 0x62 | 1 | 2 | 0 | 1 | src    | 2
                stdw-src           | 0x7a | 1 | 2 | 0 | 1 | src    | 2
                jeq_imm-src        | 0x15 | 0 | 1 | 0 | 1 | src    | 1
                jgt_imm-src        | 0x25 | 0 | 1 | 0 | 1 | src    | 1
                jeq_reg-imm        | 0x1d | 0 | 1 | 0 | 1 | imm    | 1
                jgt_reg-imm        | 0x2d | 0 | 1 | 0 | 1 | imm    | 1
                call-dst           | 0x85 | 1 | 0 | 0 | 5 | dst    | 1
                call-offset        | 0x85 | 0 | 0 | 1 | 5 | offset | 1
                ja-dst             | 0x05 | 1 | 0 | 0 | 0 | dst    | 1
                ja-src             | 0x05 | 0 | 1 | 0 | 0 | src    | 1
                ja-imm             | 0x05 | 0 | 0 | 0 | 1 | imm    | 1
                ja32-off           | 0x06 | 0 | 0 | 1 | 0 | offset | 1
                exit-dst           | 0x95 | 1 | 0 | 0 | 0 | dst    | 1
                exit-src           | 0x95 | 0 | 1 | 0 | 0 | src    | 1
                exit-offset        | 0x95 | 0 | 0 | 1 | 0 | offset | 1
                exit-imm           | 0x95 | 0 | 0 | 0 | 1 | imm    | 1
                """)
        void rejected(String file, int opcode, int dst, int src, int off, int imm, String field, int value) {
            rejects(0, "unused field " + field + " must be 0 but is " + value, op(opcode, dst, src, off, imm), EXIT);
        }

        @Test
        void movOffsetIsAModifierWithItsOwnMessages() {
            rejects(0, "invalid offset 1 for mov32 (K form takes 0)", op(0xb4, 0, 0, 1, 1), EXIT);
            rejects(0, "invalid offset 1 for mov (K form takes 0)", op(0xb7, 0, 0, 1, 1), EXIT);
            rejects(0, "invalid offset 1 for mov32 (movsx takes 8, 16)", op(0xbc, 0, 1, 1, 0), EXIT);
            rejects(0, "invalid offset 1 for mov (movsx takes 8, 16 or 32)", op(0xbf, 0, 1, 1, 0), EXIT);
        }
    }

    @Nested
    class Modifiers {
        @Test
        void divModOffsetsSelectSignedness() {
            rejects(0, "invalid offset 2 for div/mod (0 = unsigned, 1 = signed)", op(0x37, 0, 0, 2, 1), EXIT);
            rejects(0, "invalid offset -1 for div/mod (0 = unsigned, 1 = signed)", op(0x9c, 0, 1, -1, 0), EXIT);
            accepts(op(0x37, 0, 0, 1, 1), op(0x9f, 0, 1, 1, 0), op(0x34, 0, 0, 0, 0), EXIT);
        }

        @Test
        void movsxOffsets() {
            rejects(0, "invalid offset 32 for mov32 (movsx takes 8, 16)", op(0xbc, 0, 1, 32, 0), EXIT);
            rejects(0, "invalid offset 8 for mov (K form takes 0)", op(0xb7, 0, 0, 8, 1), EXIT);
            accepts(op(0xbc, 0, 1, 8, 0), op(0xbc, 0, 1, 16, 0), op(0xbf, 0, 1, 32, 0), EXIT);
        }

        @Test
        void endianWidths() {
            rejects(0, "invalid endian width 8 (must be 16, 32 or 64)", op(0xd4, 0, 0, 0, 8), EXIT);
            rejects(0, "invalid endian width 0 (must be 16, 32 or 64)", op(0xdc, 0, 0, 0, 0), EXIT);
            rejects(0, "invalid endian width 128 (must be 16, 32 or 64)", op(0xd7, 0, 0, 0, 128), EXIT);
        }

        @Test
        void atomicOperations() {
            rejects(0, "invalid atomic operation 0x02", op(0xdb, 10, 1, -8, 0x02), EXIT);
            rejects(0, "invalid atomic operation 0xe0", op(0xc3, 10, 1, -8, 0xe0), EXIT); // xchg without fetch
            rejects(0, "invalid atomic operation 0xf0", op(0xdb, 10, 1, -8, 0xf0), EXIT); // cmpxchg without fetch
        }
    }

    @Test
    void acceptsEveryValidInstructionForm() throws AssemblyException {
        accepts("""
                mov %r1, 1
                mov32 %r2, %r1
                add %r1, 2
                add32 %r1, %r2
                sub %r1, -1
                mul32 %r1, 3
                div %r1, %r2
                sdiv32 %r1, 3
                mod %r1, 0
                smod %r1, %r2
                or %r1, 0xff
                and32 %r1, %r2
                lsh %r1, 70
                rsh32 %r1, %r2
                arsh %r1, 3
                xor32 %r1, 1
                neg %r1
                neg32 %r1
                movsx832 %r3, %r1
                movsx1664 %r3, %r1
                movsx3264 %r3, %r1
                le16 %r1
                be32 %r1
                bswap64 %r1
                lddw %r4, 0x1122334455667788
                ldxb %r5, [%r10-1]
                ldxh %r5, [%r10-2]
                ldxw %r5, [%r10-4]
                ldxdw %r5, [%r10-8]
                ldxsb %r5, [%r10-1]
                ldxsh %r5, [%r10-2]
                ldxsw %r5, [%r10-4]
                stb [%r10-1], 1
                sth [%r10-2], 1
                stw [%r10-4], 1
                stdw [%r10-8], 1
                stxb [%r10-1], %r1
                stxh [%r10-2], %r1
                stxw [%r10-4], %r1
                stxdw [%r10-8], %r1
                lock add [%r10-8], %r1
                lock fetch or32 [%r10-8], %r1
                lock fetch and [%r10-8], %r1
                lock xor32 [%r10-8], %r1
                lock xchg [%r10-8], %r1
                lock cmpxchg32 [%r10-8], %r1
                jeq %r1, 1, +0
                jne32 %r1, %r2, +0
                jslt %r1, -1, +0
                jset32 %r1, 1, +0
                ja +0
                ja32 +0
                call 5
                mov %r2, 7
                call %r2
                call local fn
                exit
                fn:
                mov %r0, 0
                exit
                """);
    }
}
