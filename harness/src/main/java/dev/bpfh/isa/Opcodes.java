package dev.bpfh.isa;

/** Opcode byte constants and field masks (isa.md §1.3). Named after the Linux uapi. */
public final class Opcodes {
    private Opcodes() {}

    // Classes: the low three bits.
    public static final int CLASS_MASK = 0x07;
    public static final int LD = 0x00;
    public static final int LDX = 0x01;
    public static final int ST = 0x02;
    public static final int STX = 0x03;
    public static final int ALU = 0x04;
    public static final int JMP = 0x05;
    public static final int JMP32 = 0x06;
    public static final int ALU64 = 0x07;

    // ALU/JMP: source bit and operation code (high nibble).
    public static final int SRC_K = 0x00;
    public static final int SRC_X = 0x08;
    public static final int OP_MASK = 0xf0;

    public static final int ADD = 0x00;
    public static final int SUB = 0x10;
    public static final int MUL = 0x20;
    public static final int DIV = 0x30;
    public static final int OR = 0x40;
    public static final int AND = 0x50;
    public static final int LSH = 0x60;
    public static final int RSH = 0x70;
    public static final int NEG = 0x80;
    public static final int MOD = 0x90;
    public static final int XOR = 0xa0;
    public static final int MOV = 0xb0;
    public static final int ARSH = 0xc0;
    public static final int END = 0xd0;

    public static final int JA = 0x00;
    public static final int JEQ = 0x10;
    public static final int JGT = 0x20;
    public static final int JGE = 0x30;
    public static final int JSET = 0x40;
    public static final int JNE = 0x50;
    public static final int JSGT = 0x60;
    public static final int JSGE = 0x70;
    public static final int CALL = 0x80;
    public static final int EXIT = 0x90;
    public static final int JLT = 0xa0;
    public static final int JLE = 0xb0;
    public static final int JSLT = 0xc0;
    public static final int JSLE = 0xd0;

    // Loads and stores: size (bits 3-4) and mode (bits 5-7).
    public static final int SIZE_MASK = 0x18;
    public static final int SIZE_W = 0x00;
    public static final int SIZE_H = 0x08;
    public static final int SIZE_B = 0x10;
    public static final int SIZE_DW = 0x18;
    public static final int MODE_MASK = 0xe0;
    public static final int MODE_IMM = 0x00;
    public static final int MODE_ABS = 0x20;
    public static final int MODE_IND = 0x40;
    public static final int MODE_MEM = 0x60;
    public static final int MODE_MEMSX = 0x80;
    public static final int MODE_ATOMIC = 0xc0;

    // Frequently named whole opcodes.
    public static final int LDDW = LD | SIZE_DW | MODE_IMM; // 0x18
    public static final int CALL_IMM = JMP | CALL; // 0x85
    public static final int CALLX = JMP | CALL | SRC_X; // 0x8d
    public static final int EXIT_OP = JMP | EXIT; // 0x95
    public static final int JA_OP = JMP | JA; // 0x05
    public static final int JA32_OP = JMP32 | JA; // 0x06
    public static final int ATOMIC_W = STX | SIZE_W | MODE_ATOMIC; // 0xc3
    public static final int ATOMIC_DW = STX | SIZE_DW | MODE_ATOMIC; // 0xdb

    // The src field of 0x85.
    public static final int CALL_HELPER = 0;
    public static final int CALL_LOCAL = 1;
    public static final int CALL_RUNTIME = 2;

    // The src field of lddw (0x18): pseudo-sources (programs.md §2.1).
    public static final int PSEUDO_MAP_FD = 1;
    public static final int PSEUDO_MAP_VALUE = 2;
    public static final int PSEUDO_BTF_ID = 3;
    public static final int PSEUDO_FUNC = 4;
    public static final int PSEUDO_MAP_IDX = 5;
    public static final int PSEUDO_MAP_IDX_VALUE = 6;

    // Atomic operations (imm of 0xc3/0xdb).
    public static final int FETCH = 0x01;
    public static final int ATOMIC_ADD = 0x00;
    public static final int ATOMIC_OR = 0x40;
    public static final int ATOMIC_AND = 0x50;
    public static final int ATOMIC_XOR = 0xa0;
    public static final int ATOMIC_XCHG = 0xe0 | FETCH;
    public static final int ATOMIC_CMPXCHG = 0xf0 | FETCH;

    public static int opClass(int opcode) {
        return opcode & CLASS_MASK;
    }

    /** Bytes moved by a load or store opcode. */
    public static int sizeBytes(int opcode) {
        return switch (opcode & SIZE_MASK) {
            case SIZE_W -> 4;
            case SIZE_H -> 2;
            case SIZE_B -> 1;
            default -> 8;
        };
    }
}
