package dev.bpfh.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Program;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The synthetic BTF for callbacks, without a kernel (the kernel tests load it). */
class BtfTest {
    @Test
    void subprogramsStartAtZeroAtLocalCallTargetsAndAtFunctionAddressTargets() {
        long[] slots = KernelMapsTest.loop(99).slots(); // lddw func at 2 → 12
        assertTrue(Btf.needsFuncInfo(slots));
        assertArrayEquals(new int[] {0, 12}, Btf.subprogramStarts(slots));
        long[] wrapped = Wrapping.XDP.wrap(slots, 4, 0, 0);
        assertArrayEquals(new int[] {0, 19, 31}, Btf.subprogramStarts(wrapped), "the wrapper is subprogram 0");
        Program plainCall = Asm.program("c", Asm.callLocal(1), Asm.exit(), Asm.movImm(0, 1), Asm.exit());
        assertFalse(Btf.needsFuncInfo(plainCall.slots()), "bpf-to-bpf calls load without BTF");
    }

    @Test
    void blobHasTheBtfHeaderIntProtoAndOneStaticFuncPerSubprogram() {
        byte[] blob = Btf.blob(new int[] {0, 12});
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((short) 0xeb9f, b.getShort(0));
        assertEquals(1, b.get(2), "version");
        assertEquals(24, b.getInt(4), "hdr_len");
        int typeLen = b.getInt(12);
        assertEquals(16 + 12 + 2 * 12, typeLen, "INT + FUNC_PROTO + 2 FUNC");
        assertEquals(typeLen, b.getInt(16), "strings follow the types");
        assertEquals(blob.length, 24 + typeLen + b.getInt(20));
        int func1 = 24 + 16 + 12 + 12;
        assertEquals(12 << 24, b.getInt(func1 + 4), "FUNC, linkage static");
        assertEquals(2, b.getInt(func1 + 8), "of type [2]");
        assertArrayEquals(new int[] {0, 3, 12, 4}, Btf.funcInfo(new int[] {0, 12}));
    }
}
