package dev.bpfh.asm;

import static dev.bpfh.isa.Insn.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bpfh.isa.Insn;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Error texts (isa.md §4.7, §5.3), labels (§4.5) and number parsing (§4.3). */
class AssemblerRulesTest {

    static long[] asm(String text) throws AssemblyException {
        return Assembler.assemble("t", text).slots();
    }

    static AssemblyException error(String text) {
        return assertThrows(AssemblyException.class, () -> Assembler.assemble("t", text));
    }

    @Nested
    class ErrorMessages {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', textBlock = """
                or %r0, %r50                 | Invalid register: %r50
                ldxb %r0, %r1                | Failed to decode register and offset: %r1
                ldxb %r0, [%r1+0x10000]      | Offset out of 16-bit range: +0x10000]
                ldxb %r0, [%r1-0x8]          | Offset out of 16-bit range: -0x8]
                ldxb %r0, [%r1+32768]        | Offset out of 16-bit range: +32768]
                ja +32768                    | Offset out of 16-bit range: +32768
                mov32 %r0, 2147483648        | Immediate out of 32-bit range: 2147483648
                mov32 %r0, 0x100000000       | Immediate out of 32-bit range: 0x100000000
                mov32 %r0, 0x876543210       | Immediate out of 32-bit range: 0x876543210
                mov %r0, 0xffffffff7fffffff  | Immediate out of 32-bit range: 0xffffffff7fffffff
                mov32 %r0, 4294967295        | Immediate out of 32-bit range: 4294967295
                mov %r0, -2147483649         | Immediate out of 32-bit range: -2147483649
                mov %r0, -0x1                | Immediate out of 32-bit range: -0x1
                ldxq %r0, [%r1]              | Invalid mnemonic: ldxq
                add64 %r0, 1                 | Invalid mnemonic: add64
                mov64 %r0, 1                 | Invalid mnemonic: mov64
                goto +1                      | Invalid mnemonic: goto
                lddw %r0                     | Invalid number of operands for mnemonic: lddw
                mov %r0,%r1                  | Invalid number of operands for mnemonic: mov
                mov %r0 , %r1                | Invalid number of operands for mnemonic: mov
                exit 1                       | Invalid number of operands for mnemonic: exit
                neg %r0, 1                   | Invalid number of operands for mnemonic: neg
                jeq %r0, 1                   | Invalid number of operands for mnemonic: jeq
                call                         | Invalid number of operands for mnemonic: call
                gotol                        | Invalid number of operands for mnemonic: gotol
                lock                         | Invalid number of operands for lock
                lock fetch                   | Invalid number of operands for lock
                lock or [%r10-8]             | Invalid number of operands for mnemonic: or
                lock fetch add32 [%r10-8]    | Invalid number of operands for mnemonic: add32
                lock sub [%r10-8], %r1       | Invalid mnemonic: lock
                call not_a_valid_mode 1      | Invalid call mode
                ja NOT_A_LABEL               | Invalid label: NOT_A_LABEL
                ja 3                         | Invalid label: 3
                call local 3                 | Invalid label: 3
                MOV %r0, 1                   | Invalid mnemonic: MOV
                mov %R0, 1                   | Invalid register: %R0
                mov r16, 1                   | Invalid register: r16
                mov %r16, 1                  | Invalid register: %r16
                ldxw %r0, [%r11+2            | Failed to decode register and offset: [%r11+2
                ldxw %r0, [%rx]              | Invalid register: %rx
                mov %r0, 12ab                | Invalid immediate: 12ab
                mov %r0, 0X10                | Invalid immediate: 0X10
                mov %r0, 0x                  | Invalid immediate: 0x
                mov %r0, 1x0x5               | Invalid immediate: 1x0x5
                call bpf_not_a_real_helper   | Invalid immediate: bpf_not_a_real_helper
                ja +1x                       | Invalid offset: +1x
                lddw %r0, 0x10000000000000000 | Immediate out of 64-bit range: 0x10000000000000000
                lddw %r0, 18446744073709551616 | Immediate out of 64-bit range: 18446744073709551616
                lddw %r0, -9223372036854775809 | Immediate out of 64-bit range: -9223372036854775809
                .slot 12                     | Invalid slot: 12
                .slot 0x00000000000000950    | Invalid slot: 0x00000000000000950
                """)
        void exactText(String line, String message) {
            assertEquals(message, error(line).getMessage());
        }

        @Test
        void errorNamesTheLineAndLocatesInTheFile() {
            AssemblyException e = error("mov %r0, 1\n\nldxq %r0, [%r1]\nexit\n");
            assertEquals(3, e.line());
            assertEquals("prog.asm:3: Invalid mnemonic: ldxq", e.located("prog.asm"));
        }

        @Test
        void sourceLinesKeepTheEnclosingFilesNumbers() {
            AssemblyException e = assertThrows(AssemblyException.class, () -> Assembler.assemble("t",
                    List.of(new SourceLine(40, "mov %r0, 1"), new SourceLine(42, "ja nowhere"))));
            assertEquals(42, e.line());
            assertEquals("Invalid label: nowhere", e.getMessage());
        }

        @Test
        void firstErrorInTextOrderWinsOverALaterOne() {
            assertEquals("Invalid register: %r99", error("mov %r99, 1\nldxq %r0").getMessage());
        }
    }

    @Nested
    class Labels {
        @Test
        void forwardAndBackwardLabelsBecomeSlotDisplacements() throws AssemblyException {
            long[] s = asm("""
                    top:
                    mov %r0, 0
                    jeq %r0, 0, done
                    lddw %r1, 0x1
                    ja top
                    done:
                    exit
                    """);
            assertEquals(encode(0x15, 0, 0, 3, 0), s[1]); // 1 + 1 + 3 = 5 = done (lddw counts 2)
            assertEquals(encode(0x05, 0, 0, -5, 0), s[4]); // 4 + 1 - 5 = 0 = top
        }

        @Test
        void callLocalAndJa32PutTheDisplacementInImm() throws AssemblyException {
            long[] s = asm("call local fn\nexit\nfn:\nja32 fn\n");
            assertEquals(encode(0x85, 0, 1, 0, 1), s[0]);
            assertEquals(encode(0x06, 0, 0, 0, -1), s[2]);
        }

        @Test
        void implicitExitLabelIsTheFirstExitEvenWhenLater() throws AssemblyException {
            long[] s = asm("jne %r0, 0, exit\nmov %r0, 1\nexit\nmov %r0, 2\nexit\n");
            assertEquals(1, Insn.off(s[0]));
        }

        @Test
        void implicitExitLabelMayBeBackward() throws AssemblyException {
            long[] s = asm("exit\nja exit\n");
            assertEquals(-2, Insn.off(s[1]));
        }

        @Test
        void implicitExitOverridesAnEarlierExplicitExitLabel() throws AssemblyException {
            long[] s = asm("exit:\nmov %r0, 1\nja exit\nexit\n");
            assertEquals(0, Insn.off(s[1])); // the exit at slot 2, not the label at slot 0
        }

        @Test
        void explicitExitLabelAfterTheFirstExitIsADuplicate() {
            assertEquals("Duplicate label (exit) detected at line 3 (previous declaration at line 1)",
                    error("mov %r0, 0\nexit\nmov %r0, 1\nexit:\nexit\n").getMessage());
        }

        @Test
        void duplicateLabelNamesSlotIndicesAndTheSourceLine() {
            AssemblyException e = error("a:\nmov %r0, 0\nlddw %r1, 5\na:\nexit\n");
            assertEquals("Duplicate label (a) detected at line 3 (previous declaration at line 0)", e.getMessage());
            assertEquals(4, e.line());
        }

        @Test
        void labelAfterTheLastInstructionPointsOnePastTheEnd() throws AssemblyException {
            long[] s = asm("ja end\nexit\nend:\n");
            assertEquals(1, Insn.off(s[0]));
            assertEquals(2, s.length);
        }

        @Test
        void anInstructionOnALabelLineIsDropped() throws AssemblyException {
            assertArrayEquals(new long[] {encode(0x95, 0, 0, 0, 0)}, asm("L1: mov %r0, 1\nexit\n"));
        }

        @Test
        void labelsAreCaseSensitive() {
            assertEquals("Invalid label: loop", error("LOOP:\nja loop\n").getMessage());
        }

        @Test
        void labelOutOfSixteenBitsIsRejectedNotTruncated() {
            StringBuilder sb = new StringBuilder("ja far\n");
            sb.append("exit\n".repeat(40_000)).append("far:\nexit\n");
            AssemblyException e = error(sb.toString());
            assertEquals("Offset out of 16-bit range: far", e.getMessage());
            assertEquals(1, e.line());
        }

        @Test
        void ja32AndCallLocalLabelsReachBeyondSixteenBits() throws AssemblyException {
            String text = "ja32 far\n" + "exit\n".repeat(40_000) + "far:\nexit\n";
            assertEquals(40_000, Insn.imm(asm(text)[0]));
        }
    }

    @Nested
    class Numbers {
        static int imm(String operand) throws AssemblyException {
            return Insn.imm(asm("mov32 %r0, " + operand)[0]);
        }

        static int off(String target) throws AssemblyException {
            return Insn.off(asm("ja " + target)[0]);
        }

        @Test
        void imm32HexIsARawPattern() throws AssemblyException {
            assertEquals(-1, imm("0xffffffff"));
            assertEquals(Integer.MIN_VALUE, imm("0x80000000"));
            assertEquals(0xab, imm("0xAB"));
            assertEquals(16, imm("+0x10"));
            assertEquals(0, imm("-0x0"));
        }

        @Test
        void imm32DecimalIsSigned() throws AssemblyException {
            assertEquals(Integer.MIN_VALUE, imm("-2147483648"));
            assertEquals(Integer.MAX_VALUE, imm("2147483647"));
            assertEquals(7, imm("+7"));
            assertEquals(8, imm("008"));
        }

        @Test
        void alu64HexImmediateIsStoredRawAndSignExtendedByTheEngine() throws AssemblyException {
            assertEquals(encode(0xb7, 1, 0, 0, -1), asm("mov %r1, 0xffffffff")[0]);
        }

        @Test
        void num16HexIsReinterpretedAsSigned() throws AssemblyException {
            assertEquals(-1, off("+0xffff"));
            assertEquals(Short.MIN_VALUE, off("+0x8000"));
            assertEquals(-32768, off("-32768"));
            assertEquals(32767, off("+32767"));
            assertEquals(0, off("-0"));
        }

        @Test
        void memoryOffsets() throws AssemblyException {
            assertEquals(2, Insn.off(asm("ldxw %r0, [%r1+0x2]")[0]));
            assertEquals(-8, Insn.off(asm("ldxw %r0, [%r10-8]")[0]));
            assertEquals(32767, Insn.off(asm("ldxw %r0, [%r2+32767]")[0]));
            assertEquals(-1, Insn.off(asm("ldxw %r0, [%r2+0xffff]")[0]));
            assertEquals(0, Insn.off(asm("ldxw %r0, [%r2]")[0]));
        }

        @Test
        void imm64Forms() throws AssemblyException {
            assertEquals(0xfffffffffffffff6L, Insn.wideImm(asm("lddw %r0, -10")[0], asm("lddw %r0, -10")[1]));
            long[] s = asm("lddw %r0, -0x1");
            assertEquals(-1L, Insn.wideImm(s[0], s[1]));
            s = asm("lddw %r0, 0xFFFFFFFFFFFFFFFF");
            assertEquals(-1L, Insn.wideImm(s[0], s[1]));
        }

        @Test
        void slotDirectiveEmitsTheWordAsIs() throws AssemblyException {
            assertArrayEquals(new long[] {0x1122334455667788L, 0x95L},
                    asm(".slot 0x1122334455667788\n.slot 0x95\n"));
        }
    }
}
