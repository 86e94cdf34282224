package dev.bpfh.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Facts that hold without a kernel: syscall numbers, errno names, renumbering, the requirement switch. */
class PlatformTest {

    @Test
    void bpfSyscallNumberPerArchitecture() {
        assertEquals(321, LibC.sysBpf("amd64"));
        assertEquals(280, LibC.sysBpf("aarch64"));
        assertEquals(-1, LibC.sysBpf("riscv64"), "unsupported: the backend is unavailable, not guessing");
    }

    @Test
    void errnoNamesAreTheLinuxOnes() {
        assertEquals("EPERM", Errno.name(1));
        assertEquals("EACCES", Errno.name(13));
        assertEquals("EINVAL", Errno.name(22));
        assertEquals("ENOSPC", Errno.name(28));
        assertEquals("E2BIG", Errno.name(7));
        assertEquals("errno 4095", Errno.name(4095));
    }

    @Test
    void verifierInstructionNumbersBecomeUserPcs() {
        assertEquals("infinite loop detected at insn 1", LoadedProgram.toUserPcs("infinite loop detected at insn 20", 19));
        assertEquals("jump out of range from insn 1 to 7", LoadedProgram.toUserPcs("jump out of range from insn 20 to 26", 19));
        assertEquals("unreachable insn 3", LoadedProgram.toUserPcs("unreachable insn 3", 19), "inside the wrapper: unchanged");
    }

    @Test
    void requirementIsOnlyViolatedWhenRequiredAndUnavailable() {
        boolean violated = !KernelRequirement.availability().available() && KernelRequirement.required();
        if (violated) {
            assertTrue(KernelRequirement.violation().contains(KernelRequirement.availability().reason()));
        } else {
            assertNull(KernelRequirement.violation());
        }
    }
}
