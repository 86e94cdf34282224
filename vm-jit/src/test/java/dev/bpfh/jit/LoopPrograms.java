package dev.bpfh.jit;

/** Assembly text of the loops several jit tests share. */
final class LoopPrograms {
    private LoopPrograms() {}

    /**
     * {@code r0 = sum of the input bytes [r1 + r3] for r3 = 0 .. bound - 1}: the canonical byte loop
     * (byte_sum_1024's shape). {@code bound} is a number, or a placeholder a test replaces.
     */
    static String byteSum(String bound) {
        return """
                mov %r0, 0
                mov %r3, 0
                loop:
                mov %r4, %r1
                add %r4, %r3
                ldxb %r5, [%r4+0]
                add %r0, %r5
                add %r3, 1
                jlt %r3, BOUND, loop
                exit
                """.replace("BOUND", bound);
    }
}
