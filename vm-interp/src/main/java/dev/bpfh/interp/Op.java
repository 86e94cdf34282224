package dev.bpfh.interp;

/**
 * The interpreter's dense internal opcodes: one number per behaviour, so the dispatch switch never
 * decodes a second field. K and X forms, 32- and 64-bit forms, signed div/mod, each MOVSX width,
 * each END width and each load/store size are separate numbers. {@link Predecoder} maps eBPF opcode
 * bytes (plus off/imm where they select a variant) to these; the numbering is contiguous from 0 so
 * javac emits a {@code tableswitch}.
 */
final class Op {
    private Op() {}

    // ---- ALU64, K form then X form --------------------------------------------------------------
    static final int ADD64_K = 0;
    static final int ADD64_X = 1;
    static final int SUB64_K = 2;
    static final int SUB64_X = 3;
    static final int MUL64_K = 4;
    static final int MUL64_X = 5;
    static final int DIV64_K = 6;
    static final int DIV64_X = 7;
    static final int SDIV64_K = 8;
    static final int SDIV64_X = 9;
    static final int OR64_K = 10;
    static final int OR64_X = 11;
    static final int AND64_K = 12;
    static final int AND64_X = 13;
    static final int LSH64_K = 14;
    static final int LSH64_X = 15;
    static final int RSH64_K = 16;
    static final int RSH64_X = 17;
    static final int NEG64 = 18;
    static final int MOD64_K = 19;
    static final int MOD64_X = 20;
    static final int SMOD64_K = 21;
    static final int SMOD64_X = 22;
    static final int XOR64_K = 23;
    static final int XOR64_X = 24;
    static final int MOV64_K = 25;
    static final int MOV64_X = 26;
    static final int MOVSX8_64 = 27;
    static final int MOVSX16_64 = 28;
    static final int MOVSX32_64 = 29;
    static final int ARSH64_K = 30;
    static final int ARSH64_X = 31;

    // ---- ALU (32-bit) ---------------------------------------------------------------------------
    static final int ADD32_K = 32;
    static final int ADD32_X = 33;
    static final int SUB32_K = 34;
    static final int SUB32_X = 35;
    static final int MUL32_K = 36;
    static final int MUL32_X = 37;
    static final int DIV32_K = 38;
    static final int DIV32_X = 39;
    static final int SDIV32_K = 40;
    static final int SDIV32_X = 41;
    static final int OR32_K = 42;
    static final int OR32_X = 43;
    static final int AND32_K = 44;
    static final int AND32_X = 45;
    static final int LSH32_K = 46;
    static final int LSH32_X = 47;
    static final int RSH32_K = 48;
    static final int RSH32_X = 49;
    static final int NEG32 = 50;
    static final int MOD32_K = 51;
    static final int MOD32_X = 52;
    static final int SMOD32_K = 53;
    static final int SMOD32_X = 54;
    static final int XOR32_K = 55;
    static final int XOR32_X = 56;
    static final int MOV32_K = 57;
    static final int MOV32_X = 58;
    static final int MOVSX8_32 = 59;
    static final int MOVSX16_32 = 60;
    static final int ARSH32_K = 61;
    static final int ARSH32_X = 62;

    // ---- byte order: le only truncates on this little-endian model; be and bswap reverse --------
    static final int LE16 = 63;
    static final int LE32 = 64;
    static final int LE64 = 65; // a no-op, kept so the count and pcs stay exact
    static final int BSWAP16 = 66; // be16 and bswap16
    static final int BSWAP32 = 67;
    static final int BSWAP64 = 68;

    // ---- memory: off is in the code word, k holds the ST immediate --------------------------------
    static final int LDXB = 69;
    static final int LDXH = 70;
    static final int LDXW = 71;
    static final int LDXDW = 72;
    static final int LDXSB = 73;
    static final int LDXSH = 74;
    static final int LDXSW = 75;
    static final int STB = 76;
    static final int STH = 77;
    static final int STW = 78;
    static final int STDW = 79;
    static final int STXB = 80;
    static final int STXH = 81;
    static final int STXW = 82;
    static final int STXDW = 83;
    static final int ATOMIC32 = 84; // k = the atomic operation (imm)
    static final int ATOMIC64 = 85;

    // ---- control: for jumps k = (target << 32) | u32(imm) ---------------------------------------
    static final int JA = 86; // ja and ja32 alike once the target is resolved
    static final int JEQ64_K = 87;
    static final int JEQ64_X = 88;
    static final int JGT64_K = 89;
    static final int JGT64_X = 90;
    static final int JGE64_K = 91;
    static final int JGE64_X = 92;
    static final int JSET64_K = 93;
    static final int JSET64_X = 94;
    static final int JNE64_K = 95;
    static final int JNE64_X = 96;
    static final int JSGT64_K = 97;
    static final int JSGT64_X = 98;
    static final int JSGE64_K = 99;
    static final int JSGE64_X = 100;
    static final int JLT64_K = 101;
    static final int JLT64_X = 102;
    static final int JLE64_K = 103;
    static final int JLE64_X = 104;
    static final int JSLT64_K = 105;
    static final int JSLT64_X = 106;
    static final int JSLE64_K = 107;
    static final int JSLE64_X = 108;
    static final int JEQ32_K = 109;
    static final int JEQ32_X = 110;
    static final int JGT32_K = 111;
    static final int JGT32_X = 112;
    static final int JGE32_K = 113;
    static final int JGE32_X = 114;
    static final int JSET32_K = 115;
    static final int JSET32_X = 116;
    static final int JNE32_K = 117;
    static final int JNE32_X = 118;
    static final int JSGT32_K = 119;
    static final int JSGT32_X = 120;
    static final int JSGE32_K = 121;
    static final int JSGE32_X = 122;
    static final int JLT32_K = 123;
    static final int JLT32_X = 124;
    static final int JLE32_K = 125;
    static final int JLE32_X = 126;
    static final int JSLT32_K = 127;
    static final int JSLT32_X = 128;
    static final int JSLE32_K = 129;
    static final int JSLE32_X = 130;
    static final int CALL_HELPER = 131; // k = helper id
    static final int CALL_LOCAL = 132; // k = target << 32
    static final int CALLX = 133; // helper id in register dst
    static final int EXIT = 134;
    static final int LDDW = 135; // k = the 64-bit constant; skips the second slot
    /** The slot after the last: reaching it is {@code FELL_OFF_END}. */
    static final int END_OF_PROGRAM = 136;
    /** The second slot of an lddw: never executed (the validator forbids jumps into it). */
    static final int LDDW_TAIL = 137;

    // ---- typed programs: the context and the packet (CTX-DESIGN, programs.md §4) ------------------
    /** A load ContextAccesses found: served by PacketContext.load (off and size in the access). */
    static final int CTX_LOAD = 138;
    /** A context store of the immediate in k. */
    static final int CTX_STORE_K = 139;
    /** A context store of register src. */
    static final int CTX_STORE_X = 140;
    /** LD_ABS: r0 = the packet's bytes at k, big-endian; the size (1, 2, 4) is in the off field. */
    static final int LD_ABS = 141;
    /** LD_IND: the same at (int) (src + k). */
    static final int LD_IND = 142;

    /**
     * A 64-bit cmpxchg apart from the other atomics (Predecoder.decode picks it from ATOMIC64): its
     * load often reads what a store just before it wrote (a compare-and-swap after an update), and
     * a load of its own lets the CPU learn that (atomics_stack +12 %).
     */
    static final int CMPXCHG64 = 143;

    /** Ops up to here are one eBPF instruction each; {@link Predecoder#decode} produces them. */
    static final int COUNT = 144;

    // ---- fused: one dispatch for a run of consecutive slots (Predecoder.fuse) ---------------------
    // A fused op replaces only the op of the run's first slot. In Interpreter.execute its case runs
    // the first instruction, steps pc to the next slot, reads that slot's own code word and falls
    // through into the next instruction's case, so each instruction keeps its own operands, trap pc
    // and budget check. The later slots keep their ops: a jump into the middle of a run runs from
    // there. Names list the instructions: MOV = mov64 X, ADD = add64 X (before a jump: add64 K),
    // a K suffix an immediate operand of the second.

    /** mov64 X; add64 X; ldxb: address arithmetic, then the load (ADD_LDXB: the last two); the same for the other sizes. */
    static final int MOV_ADD_LDXB = 144;
    static final int ADD_LDXB = 145;
    static final int MOV_ADD_LDXH = 146;
    static final int ADD_LDXH = 147;
    static final int MOV_ADD_LDXW = 148;
    static final int ADD_LDXW = 149;
    static final int MOV_ADD_LDXDW = 150;
    static final int ADD_LDXDW = 151;
    /** mov64 X; then an ALU64 X operation: three-address arithmetic. */
    static final int MOV_ADD = 152;
    static final int MOV_SUB = 153;
    static final int MOV_MUL = 154;
    static final int MOV_DIV = 155;
    static final int MOV_OR = 156;
    static final int MOV_AND = 157;
    static final int MOV_MOD = 158;
    static final int MOV_XOR = 159;
    /** mov64 X; then an ALU64 K operation. */
    static final int MOV_ADDK = 160;
    static final int MOV_MULK = 161;
    static final int MOV_ANDK = 162;
    static final int MOV_LSHK = 163;
    static final int MOV_RSHK = 164;
    /** add64 K; then a jump: a loop counter's step and test. */
    static final int ADD_JA = 165;
    static final int ADD_JGT_K = 166;
    static final int ADD_JGT_X = 167;
    static final int ADD_JNE_K = 168;
    static final int ADD_JNE_X = 169;
    static final int ADD_JLT_K = 170;
    static final int ADD_JLT_X = 171;
    static final int ADD_JLE_K = 172;
    static final int ADD_JLE_X = 173;
    /** mov64 X; call local: an argument, then the call. */
    static final int MOV_CALL = 174;
    /**
     * ja to an {@code add64 K; jlt K} pair (a loop's step and test, {@link #ADD_JLT_K}): the ja's
     * target is not the next slot, so the case moves pc to it, reads its code word and falls into
     * ADD_JLT_K. The end of an if/else arm jumping to its loop's latch.
     */
    static final int JA_ADD_JLT_K = 175;

    /**
     * An ALU op {@link Predecoder#exitAluKind} accepts, then exit: a function's result, then its
     * return. What the op computes travels in the code word's off field, and the case computes it
     * with a small switch of its own: EXIT's case can be fallen into from one case only.
     */
    static final int ALU_EXIT = 176;

    /** One past the last op, fused ones included. */
    static final int ALL = 177;
}
