"""Independent reference model of the eBPF ISA for the bpfh conformance corpus.

Written from /work/shared/spec/isa.md (sections 1, 2 and 4) and docs/architecture.md (memory
model, traps, budget), not from the Java code. Three parts:

* ``assemble(text)``: the bpf_conformance assembly syntax (isa.md section 4) to 64-bit slots;
* ``validate(slots)``: the load-time checks every userspace backend must make;
* ``run(slots, mem)``: an interpreter over slots with the tagged memory model, returning
  ``('result', r0)`` or ``('trap', kind, pc)``, plus lint facts about kernel acceptability.

Standard library only.
"""

M32 = (1 << 32) - 1
M64 = (1 << 64) - 1


def u32(x):
    return x & M32


def u64(x):
    return x & M64


def sx(x, bits):
    x &= (1 << bits) - 1
    return x - (1 << bits) if x >> (bits - 1) else x


def s32(x):
    return sx(x, 32)


def s64(x):
    return sx(x, 64)


def tdiv(a, b):
    """Division truncated toward zero (C semantics)."""
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


def tmod(a, b):
    return a - b * tdiv(a, b)


def bswap(x, width):
    return int.from_bytes((x & ((1 << width) - 1)).to_bytes(width // 8, "little"), "big")


# ---------------------------------------------------------------------------------------------
# Opcode numbers (isa.md section 1.3)

LD, LDX, ST, STX, ALU, JMP, JMP32, ALU64 = range(8)
ALU_CODES = {"add": 0x0, "sub": 0x1, "mul": 0x2, "div": 0x3, "or": 0x4, "and": 0x5, "lsh": 0x6,
             "rsh": 0x7, "neg": 0x8, "mod": 0x9, "xor": 0xa, "mov": 0xb, "arsh": 0xc, "end": 0xd}
JMP_CODES = {"ja": 0x0, "jeq": 0x1, "jgt": 0x2, "jge": 0x3, "jset": 0x4, "jne": 0x5, "jsgt": 0x6,
             "jsge": 0x7, "call": 0x8, "exit": 0x9, "jlt": 0xa, "jle": 0xb, "jslt": 0xc, "jsle": 0xd}
SIZES = {"w": 0x00, "h": 0x08, "b": 0x10, "dw": 0x18}
SIZE_BYTES = {0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8}
MODE_IMM, MODE_MEM, MODE_MEMSX, MODE_ATOMIC = 0x00, 0x60, 0x80, 0xc0
ATOMIC_OPS = {"add": 0x00, "or": 0x40, "and": 0x50, "xor": 0xa0}
XCHG, CMPXCHG, FETCH = 0xe1, 0xf1, 0x01


def slot(op, dst=0, src=0, off=0, imm=0):
    return (op & 0xff) | (dst & 0xf) << 8 | (src & 0xf) << 12 | (off & 0xffff) << 16 | (imm & M32) << 32


def fields(w):
    return (w & 0xff, (w >> 8) & 0xf, (w >> 12) & 0xf, sx(w >> 16, 16), s32(w >> 32))


# ---------------------------------------------------------------------------------------------
# Assembler (isa.md section 4)

class AsmError(Exception):
    pass


def _reg(tok):
    if tok.startswith("%r") and tok[2:].isdigit() and 0 <= int(tok[2:]) <= 15 and str(int(tok[2:])) == tok[2:]:
        return int(tok[2:])
    raise AsmError("Invalid register: " + tok)


def _imm32(tok):
    t = tok[1:] if tok.startswith("+") else tok
    if "0x" in t:
        v = int(t, 16)
        if not 0 <= v <= M32:
            raise AsmError("Immediate out of 32-bit range: " + tok)
        return s32(v)
    v = int(t, 10)
    if not -(1 << 31) <= v < (1 << 31):
        raise AsmError("Immediate out of 32-bit range: " + tok)
    return v


def _imm64(tok):
    if "0x" in tok:
        v = int(tok, 16)
    else:
        v = int(tok, 10)
    if not -(1 << 63) <= v <= M64:
        raise AsmError("Immediate out of 64-bit range: " + tok)
    return u64(v)


def _num16(tok):
    t = tok.rstrip("]")
    if "0x" in t:
        neg = t.startswith("-")
        v = int(t.lstrip("+-"), 16)
        if neg:
            v = -v
        if not 0 <= v <= 0xffff:
            raise AsmError("Offset out of 16-bit range: " + tok)
        return sx(v, 16)
    v = int(t, 10)
    if not -32768 <= v <= 32767:
        raise AsmError("Offset out of 16-bit range: " + tok)
    return v


def _mem(tok):
    if "[" not in tok:
        raise AsmError("Failed to decode register and offset: " + tok)
    body = tok[tok.index("[") + 1:]
    for ch in "+-]":
        if ch in body:
            i = body.index(ch)
            reg = _reg(body[:i])
            return reg, 0 if ch == "]" else _num16(body[i:])
    raise AsmError("Failed to decode register and offset: " + tok)


def assemble(text):
    """Returns the list of 64-bit slots. Raises AsmError."""
    insns = []  # [slot, fixup-kind or None, target token]
    labels = {}
    first_exit = None
    for line in text.splitlines():
        toks = line.split()
        if not toks:
            continue
        if toks[0].endswith(":"):
            name = toks[0][:-1]
            if name in labels:
                raise AsmError("Duplicate label " + name)
            labels[name] = len(insns)
            continue
        mn = toks[0]
        ops = [t[:-1] if t.endswith(",") else t for t in toks[1:]]
        pc = len(insns)

        def need(n):
            if len(ops) != n:
                raise AsmError("Invalid number of operands for mnemonic: " + mn)

        if mn == "exit":
            need(0)
            insns.append([slot(0x95), None, None])
            if first_exit is None:
                first_exit = pc
        elif mn == "lddw":
            need(2)
            v = _imm64(ops[1])
            insns.append([slot(0x18, _reg(ops[0]), 0, 0, v & M32), None, None])
            insns.append([slot(0x00, 0, 0, 0, v >> 32), None, None])
        elif mn in ("neg", "neg32"):
            need(1)
            insns.append([slot((0x8 << 4) | (ALU if mn == "neg32" else ALU64), _reg(ops[0])), None, None])
        elif mn[:2] in ("le", "be") and mn[2:] in ("16", "32", "64"):
            need(1)
            insns.append([slot(0xd4 if mn[:2] == "le" else 0xdc, _reg(ops[0]), 0, 0, int(mn[2:])), None, None])
        elif mn in ("swap16", "swap32", "swap64", "bswap16", "bswap32", "bswap64"):
            need(1)
            insns.append([slot(0xd7, _reg(ops[0]), 0, 0, int(mn[-2:])), None, None])
        elif mn.startswith("ldx"):
            need(2)
            sz = mn[3:]
            mode = MODE_MEM
            if sz in ("sb", "sh", "sw"):
                mode, sz = MODE_MEMSX, sz[1:]
            if sz not in SIZES:
                raise AsmError("Invalid mnemonic: " + mn)
            r, off = _mem(ops[1])
            insns.append([slot(mode | SIZES[sz] | LDX, _reg(ops[0]), r, off), None, None])
        elif mn.startswith("stx") and mn[3:] in SIZES:
            need(2)
            r, off = _mem(ops[0])
            insns.append([slot(MODE_MEM | SIZES[mn[3:]] | STX, r, _reg(ops[1]), off), None, None])
        elif mn.startswith("st") and mn[2:] in SIZES:
            need(2)
            r, off = _mem(ops[0])
            insns.append([slot(MODE_MEM | SIZES[mn[2:]] | ST, r, 0, off, _imm32(ops[1])), None, None])
        elif mn == "lock":
            fetch = bool(ops) and ops[0] == "fetch"
            rest = ops[1:] if fetch else ops
            if not rest:
                raise AsmError("Invalid number of operands for lock")
            aop = rest[0]
            is32 = aop.endswith("32")
            base = aop[:-2] if is32 else aop
            if len(rest) != 3:
                raise AsmError("Invalid number of operands for mnemonic: " + aop)
            if base in ATOMIC_OPS:
                imm = ATOMIC_OPS[base] | (FETCH if fetch else 0)
            elif base == "xchg":
                imm = XCHG
            elif base == "cmpxchg":
                imm = CMPXCHG
            else:
                raise AsmError("Invalid mnemonic: lock")
            r, off = _mem(rest[1])
            insns.append([slot(0xc3 if is32 else 0xdb, r, _reg(rest[2]), off, imm), None, None])
        elif mn in ("ja", "ja32"):
            need(1)
            insns.append([slot(0x05 if mn == "ja" else 0x06), "imm" if mn == "ja32" else "off", ops[0]])
        elif mn == "call":
            if len(ops) == 1:
                ops = ["helper"] + ops
            need(2)
            mode, arg = ops
            if mode == "helper":
                if arg.startswith("%"):
                    insns.append([slot(0x8d, _reg(arg)), None, None])
                else:
                    insns.append([slot(0x85, 0, 0, 0, _imm32(arg)), None, None])
            elif mode == "local":
                insns.append([slot(0x85, 0, 1), "imm", arg])
            elif mode == "runtime":
                insns.append([slot(0x85, 0, 2, 0, _imm32(arg)), None, None])
            else:
                raise AsmError("Invalid call mode")
        elif mn.rstrip("32") in JMP_CODES or mn[:-2] in JMP_CODES and mn.endswith("32"):
            is32 = mn.endswith("32")
            base = mn[:-2] if is32 else mn
            if base not in JMP_CODES or base in ("ja", "call", "exit"):
                raise AsmError("Invalid mnemonic: " + mn)
            need(3)
            cls = JMP32 if is32 else JMP
            code = JMP_CODES[base] << 4
            if ops[1].startswith("%"):
                insns.append([slot(code | 0x08 | cls, _reg(ops[0]), _reg(ops[1])), "off", ops[2]])
            else:
                insns.append([slot(code | cls, _reg(ops[0]), 0, 0, _imm32(ops[1])), "off", ops[2]])
        else:
            off = 0
            if mn.startswith("movsx"):
                rest = mn[5:]
                width = {"832": (8, ALU), "1632": (16, ALU), "864": (8, ALU64), "1664": (16, ALU64),
                         "3264": (32, ALU64)}.get(rest)
                if width is None:
                    raise AsmError("Invalid mnemonic: " + mn)
                off, cls = width
                base = "mov"
            else:
                is32 = mn.endswith("32")
                base = mn[:-2] if is32 else mn
                cls = ALU if is32 else ALU64
                if base in ("sdiv", "smod"):
                    off, base = 1, base[1:]
                if base not in ALU_CODES or base in ("neg", "end"):
                    raise AsmError("Invalid mnemonic: " + mn)
            need(2)
            code = ALU_CODES[base] << 4
            if ops[1].startswith("%"):
                insns.append([slot(code | 0x08 | cls, _reg(ops[0]), _reg(ops[1]), off), None, None])
            else:
                insns.append([slot(code | cls, _reg(ops[0]), 0, off, _imm32(ops[1])), None, None])
    if first_exit is not None:
        labels["exit"] = first_exit
    out = []
    for pc, (w, kind, tgt) in enumerate(insns):
        if kind is not None:
            if tgt.startswith("+") or tgt.startswith("-"):
                disp = _num16(tgt)
            elif tgt in labels:
                disp = labels[tgt] - pc - 1
            else:
                raise AsmError("Invalid label: " + tgt)
            if kind == "off":
                w = (w & ~(0xffff << 16)) | ((disp & 0xffff) << 16)
            else:
                w = (w & M32) | ((disp & M32) << 32)
        out.append(w)
    return out


# ---------------------------------------------------------------------------------------------
# Load-time validation (isa.md sections 1, 2, 7.4; architecture.md "Helpers")

HELPERS = (5, 7, 8)


class Rejected(Exception):
    pass


def validate(slots):
    n = len(slots)
    if n == 0:
        raise Rejected("empty")
    tail = [False] * n
    pc = 0
    while pc < n:
        if slots[pc] & 0xff == 0x18:
            if pc + 1 >= n:
                raise Rejected("incomplete lddw at %d" % pc)
            tail[pc + 1] = True
            pc += 1
        pc += 1

    def target(pc, disp):
        t = pc + 1 + disp
        if not 0 <= t < n:
            raise Rejected("jump out of range at %d" % pc)
        if tail[t]:
            raise Rejected("jump into lddw at %d" % pc)

    def zero(pc, *vals):
        if any(vals):
            raise Rejected("unused field not zero at %d" % pc)

    for pc, w in enumerate(slots):
        if tail[pc]:
            o, d, s, f, i = fields(w)
            zero(pc, o, d, s, f)
            continue
        op, dst, src, off, imm = fields(w)
        if dst > 10 or src > 10:
            raise Rejected("bad register at %d" % pc)
        cls = op & 7
        if cls in (ALU, ALU64):
            code, x = op >> 4, op & 8
            if dst == 10:
                raise Rejected("write r10")
            if code == 0x8:
                if x:
                    raise Rejected("neg X")
                zero(pc, src, off, imm)
                continue
            if code == 0xd:
                if cls == ALU64 and x:
                    raise Rejected("0xdf")
                if imm not in (16, 32, 64):
                    raise Rejected("bad END imm")
                zero(pc, src, off)
                continue
            if code in (0x3, 0x9):
                if off not in (0, 1):
                    raise Rejected("div off")
            elif code == 0xb:
                if off and not (x and (off in (8, 16) or (off == 32 and cls == ALU64))):
                    raise Rejected("mov off")
            elif code in (0x0, 0x1, 0x2, 0x4, 0x5, 0x6, 0x7, 0xa, 0xc):
                zero(pc, off)
            else:
                raise Rejected("unknown opcode %#x" % op)
            zero(pc, imm) if x else zero(pc, src)
        elif cls == LD:
            if op != 0x18:
                raise Rejected("unknown opcode %#x" % op)
            if dst == 10:
                raise Rejected("write r10")
            zero(pc, src, off)
        elif cls == LDX:
            mode, size = op & 0xe0, op & 0x18
            if not (mode == MODE_MEM or (mode == MODE_MEMSX and size != 0x18)):
                raise Rejected("unknown opcode %#x" % op)
            if dst == 10:
                raise Rejected("write r10")
            zero(pc, imm)
        elif cls == ST:
            if op & 0xe0 != MODE_MEM:
                raise Rejected("unknown opcode")
            zero(pc, src)
        elif cls == STX:
            mode = op & 0xe0
            if mode == MODE_MEM:
                zero(pc, imm)
            elif op in (0xc3, 0xdb):
                if imm not in (0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, XCHG, CMPXCHG):
                    raise Rejected("bad atomic imm")
                if imm & FETCH and imm != CMPXCHG and src == 10:
                    raise Rejected("fetch into r10")
            else:
                raise Rejected("unknown opcode")
        else:  # JMP, JMP32
            code, x = op >> 4, op & 8
            if code == 0x0:
                if x:
                    raise Rejected("unknown opcode")
                zero(pc, dst, src)
                if cls == JMP32:
                    zero(pc, off)
                    target(pc, imm)
                else:
                    zero(pc, imm)
                    target(pc, off)
            elif code == 0x8:
                if cls == JMP32:
                    raise Rejected("unknown opcode")
                zero(pc, off)
                if x:
                    zero(pc, src, imm)
                else:
                    zero(pc, dst)
                    if src == 0:
                        if imm not in HELPERS:
                            raise Rejected("unknown helper %d" % imm)
                    elif src == 1:
                        target(pc, imm)
                    else:
                        raise Rejected("call type")
            elif code == 0x9:
                if cls == JMP32 or x:
                    raise Rejected("unknown opcode")
                zero(pc, dst, src, off, imm)
            elif code in (0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0xa, 0xb, 0xc, 0xd):
                zero(pc, imm) if x else zero(pc, src)
                target(pc, off)
            else:
                raise Rejected("unknown opcode %#x" % op)
    functions(slots, tail)


def functions(slots, tail):
    """bpf-to-bpf function layout (architecture.md "Validator"): functions start at 0 and at every
    local call target; a function followed by another must end in exit, ja or ja32 (no falling into
    the next one), and no jump may leave its function. The last function may fall off the end
    (the FELL_OFF_END trap)."""
    n = len(slots)
    starts = {0}
    for pc, w in enumerate(slots):
        op, dst, src, off, imm = fields(w)
        if not tail[pc] and op == 0x85 and src == 1:
            starts.add(pc + 1 + imm)
    bounds = sorted(starts) + [n]
    for a, b in zip(bounds, bounds[1:]):
        last = a
        for pc in range(a, b):
            if tail[pc]:
                continue
            last = pc
            op, dst, src, off, imm = fields(slots[pc])
            if op & 7 in (JMP, JMP32) and op >> 4 not in (0x8, 0x9):
                t = pc + 1 + (imm if op == 0x06 else off)
                if not a <= t < b:
                    raise Rejected("jump out of its function at %d" % pc)
        if b < n and fields(slots[last])[0] not in (0x95, 0x05, 0x06):
            raise Rejected("function falls through into the next at %d" % last)


# ---------------------------------------------------------------------------------------------
# Semantics (isa.md section 2)

def alu(code, is64, dst, b, off):
    """b is the second operand already widened: ALU64 = src or sext(imm); ALU = u32(src or imm)."""
    if is64:
        a = dst
        if code == 0x0: r = a + b
        elif code == 0x1: r = a - b
        elif code == 0x2: r = a * b
        elif code == 0x3:
            if b == 0: r = 0
            elif off == 1: r = tdiv(s64(a), s64(b))
            else: r = a // b
        elif code == 0x4: r = a | b
        elif code == 0x5: r = a & b
        elif code == 0x6: r = a << (b & 63)
        elif code == 0x7: r = a >> (b & 63)
        elif code == 0x8: r = -a
        elif code == 0x9:
            if b == 0: r = a
            elif off == 1: r = tmod(s64(a), s64(b))
            else: r = a % b
        elif code == 0xa: r = a ^ b
        elif code == 0xb: r = b if off == 0 else sx(b, off)
        elif code == 0xc: r = s64(a) >> (b & 63)
        else: raise ValueError(code)
        return u64(r)
    a = u32(dst)
    if code == 0x0: r = a + b
    elif code == 0x1: r = a - b
    elif code == 0x2: r = a * b
    elif code == 0x3:
        if b == 0: r = 0
        elif off == 1: r = tdiv(s32(a), s32(b))
        else: r = a // b
    elif code == 0x4: r = a | b
    elif code == 0x5: r = a & b
    elif code == 0x6: r = a << (b & 31)
    elif code == 0x7: r = a >> (b & 31)
    elif code == 0x8: r = -a
    elif code == 0x9:
        if b == 0: r = a
        elif off == 1: r = tmod(s32(a), s32(b))
        else: r = a % b
    elif code == 0xa: r = a ^ b
    elif code == 0xb: r = b if off == 0 else sx(b, off)
    elif code == 0xc: r = s32(a) >> (b & 31)
    else: raise ValueError(code)
    return u32(r)


def cond(code, is32, a, b):
    bits = 32 if is32 else 64
    if is32:
        a, b = u32(a), u32(b)
    sa, sb = sx(a, bits), sx(b, bits)
    return {0x1: a == b, 0x2: a > b, 0x3: a >= b, 0x4: (a & b) != 0, 0x5: a != b, 0x6: sa > sb,
            0x7: sa >= sb, 0xa: a < b, 0xb: a <= b, 0xc: sa < sb, 0xd: sa <= sb}[code]


class Trap(Exception):
    def __init__(self, kind, pc):
        super().__init__(kind, pc)
        self.kind, self.pc = kind, pc


class LintError(Exception):
    """The program does something the kernel verifier would refuse; a corpus bug unless expected."""


INPUT, STACK0, FRAME = 1, 2, 512


class Machine:
    def __init__(self, slots, mem, budget=10 ** 8, time0=1000, seed=12345, cpu=0):
        self.slots, self.budget = slots, budget
        self.regions = {INPUT: bytearray(mem)}
        for d in range(8):
            self.regions[STACK0 + d] = bytearray(FRAME)
        self.written = {STACK0 + d: bytearray(FRAME) for d in range(8)}
        self.time, self.rng, self.cpu = time0, seed, cpu
        self.lint = []          # kernel-acceptability violations found on the executed path
        self.max_depth = 0
        self.used_callx = False

    def _where(self, addr, size, pc):
        region, off = addr >> 32, addr & M32
        buf = self.regions.get(region)
        if buf is None or off + size > len(buf):
            raise Trap("OUT_OF_BOUNDS", pc)
        if region != INPUT:
            if off % size:
                self.lint.append("misaligned stack access at pc %d" % pc)
        return region, off, buf

    def load(self, addr, size, pc):
        region, off, buf = self._where(addr, size, pc)
        if region != INPUT and not all(self.written[region][off:off + size]):
            self.lint.append("read of unwritten stack at pc %d" % pc)
        return int.from_bytes(buf[off:off + size], "little")

    def store(self, addr, size, val, pc):
        region, off, buf = self._where(addr, size, pc)
        buf[off:off + size] = (val & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
        if region != INPUT:
            self.written[region][off:off + size] = b"\x01" * size

    def helper(self, hid, pc):
        if hid == 5:
            self.time += 1 + (self.rng % 7)
            return self.time
        if hid == 7:
            self.rng = (self.rng * 6364136223846793005 + 1442695040888963407) & M64
            return self.rng >> 32
        if hid == 8:
            return self.cpu
        raise Trap("UNKNOWN_HELPER", pc)

    def run(self):
        s, n = self.slots, len(self.slots)
        reg = [0] * 11
        init = [False] * 11
        ptr = [None] * 11      # None = scalar, else "input"/"stack" (for the kernel lint)
        reg[1], reg[2], reg[10] = (INPUT << 32), len(self.regions[INPUT]), ((STACK0 << 32) | FRAME)
        init[1] = init[2] = init[10] = True
        ptr[1], ptr[10] = "input", "stack"
        frames = []
        depth, pc, count = 0, 0, 0

        def rd(r):
            if not init[r]:
                self.lint.append("read of uninitialized r%d at pc %d" % (r, pc))
            return reg[r]

        def wr(r, v, p=None):
            reg[r], init[r], ptr[r] = u64(v), True, p

        while True:
            if pc >= n:
                raise Trap("FELL_OFF_END", n)
            op, dst, src, off, imm = fields(s[pc])
            count += 1
            cls = op & 7
            nxt = pc + 1
            if cls in (ALU, ALU64):
                is64, code, x = cls == ALU64, op >> 4, op & 8
                if code == 0xd:
                    v = rd(dst)
                    if op == 0xd4:
                        r = v & ((1 << imm) - 1)
                    else:
                        r = bswap(v, imm)
                    wr(dst, r)
                elif code == 0x8:
                    if ptr[dst]:
                        self.lint.append("pointer arithmetic at pc %d" % pc)
                    wr(dst, alu(code, is64, rd(dst), 0, 0))
                else:
                    if x:
                        b = rd(src)
                        b = b if is64 else u32(b)
                    else:
                        b = u64(imm) if is64 else u32(imm)
                    a = 0 if code == 0xb else rd(dst)
                    p = None
                    if code == 0xb and x and off == 0 and is64:
                        p = ptr[src]
                    elif code in (0x0, 0x1) and is64 and ptr[dst] and not x:
                        p = ptr[dst]
                    elif ptr[dst] and code != 0xb or (x and ptr[src]):
                        self.lint.append("pointer arithmetic at pc %d" % pc)
                    wr(dst, alu(code, is64, a, b, off), p)
            elif cls == LD:  # lddw
                wr(dst, u32(imm) | (s[pc + 1] >> 32) << 32)
                nxt = pc + 2
            elif cls == LDX:
                size = SIZE_BYTES[op & 0x18]
                v = self.load(u64(rd(src) + off), size, pc)
                if op & 0xe0 == MODE_MEMSX:
                    v = u64(sx(v, 8 * size))
                wr(dst, v)
            elif cls == ST:
                size = SIZE_BYTES[op & 0x18]
                self.store(u64(rd(dst) + off), size, u64(imm), pc)
            elif cls == STX and op & 0xe0 == MODE_MEM:
                size = SIZE_BYTES[op & 0x18]
                if ptr[src]:
                    self.lint.append("pointer spill at pc %d" % pc)
                self.store(u64(rd(dst) + off), size, rd(src), pc)
            elif cls == STX:  # atomic
                size = 4 if op == 0xc3 else 8
                addr = u64(rd(dst) + off)
                if (addr >> 32) == INPUT:
                    self.lint.append("atomic on input memory at pc %d" % pc)
                old = self.load(addr, size, pc)
                sv = rd(src) & ((1 << (8 * size)) - 1)
                if imm == CMPXCHG:
                    if old == rd(0) & ((1 << (8 * size)) - 1):
                        self.store(addr, size, sv, pc)
                    wr(0, old)
                elif imm == XCHG:
                    self.store(addr, size, sv, pc)
                    wr(src, old)
                else:
                    base = imm & ~FETCH
                    new = {0x00: old + sv, 0x40: old | sv, 0x50: old & sv, 0xa0: old ^ sv}[base]
                    self.store(addr, size, new, pc)
                    if imm & FETCH:
                        wr(src, old)
            else:  # JMP / JMP32
                code, x, is32 = op >> 4, op & 8, cls == JMP32
                if code == 0x0:
                    nxt = pc + 1 + (imm if is32 else off)
                elif code == 0x8:
                    if count > self.budget:
                        raise Trap("BUDGET_EXHAUSTED", pc)
                    if x:
                        self.used_callx = True
                        r = self.helper(rd(dst), pc)
                        for i in range(1, 6):
                            init[i] = False
                        wr(0, r)
                    elif src == 0:
                        r = self.helper(imm, pc)
                        for i in range(1, 6):
                            init[i] = False
                        wr(0, r)
                    else:
                        if depth == 7:
                            raise Trap("CALL_DEPTH", pc)
                        frames.append((pc + 1, reg[6:10], init[6:10], ptr[6:10], init[0]))
                        depth += 1
                        self.max_depth = max(self.max_depth, depth)
                        reg[10] = ((STACK0 + depth) << 32) | FRAME
                        for i in (0, 6, 7, 8, 9):
                            init[i] = False
                        nxt = pc + 1 + imm
                elif code == 0x9:
                    r0 = rd(0)
                    if depth == 0:
                        if ptr[0]:
                            self.lint.append("returns a pointer")
                        return r0, count
                    ret, saved, sinit, sptr, _ = frames.pop()
                    depth -= 1
                    reg[6:10], init[6:10], ptr[6:10] = saved, sinit, sptr
                    reg[10] = ((STACK0 + depth) << 32) | FRAME
                    for i in range(1, 6):
                        init[i] = False
                    nxt = ret
                else:
                    a = rd(dst)
                    b = rd(src) if x else (u32(imm) if is32 else u64(imm))
                    if (x and ptr[src]) or ptr[dst]:
                        self.lint.append("pointer comparison at pc %d" % pc)
                    if cond(code, is32, a, b):
                        nxt = pc + 1 + off
                if nxt <= pc and count > self.budget:
                    raise Trap("BUDGET_EXHAUSTED", pc)
            pc = nxt


def run(slots, mem=b"", **kw):
    """('result', r0, machine) or ('trap', kind, pc, machine)."""
    m = Machine(slots, mem, **kw)
    try:
        r0, _ = m.run()
        return ("result", r0, m)
    except Trap as t:
        return ("trap", t.kind, t.pc, m)


def reachable(slots):
    """Static reachability from slot 0 following fall-through, jumps and local calls (the kernel's
    check_cfg); returns the set of unreachable instruction pcs (lddw tails excluded)."""
    n = len(slots)
    seen, todo = set(), [0]
    while todo:
        pc = todo.pop()
        if pc in seen or not 0 <= pc < n:
            continue
        seen.add(pc)
        op, dst, src, off, imm = fields(slots[pc])
        cls = op & 7
        if op == 0x18:
            todo.append(pc + 2)
        elif cls in (JMP, JMP32):
            code = op >> 4
            if code == 0x9:
                continue
            if code == 0x0:
                todo.append(pc + 1 + (imm if cls == JMP32 else off))
                continue
            if code == 0x8:
                if op == 0x85 and src == 1:
                    todo.append(pc + 1 + imm)
                todo.append(pc + 1)
                continue
            todo += [pc + 1, pc + 1 + off]
        else:
            todo.append(pc + 1)
    dead = []
    pc = 0
    while pc < n:
        if pc not in seen:
            dead.append(pc)
        pc += 2 if slots[pc] & 0xff == 0x18 else 1
    return dead


def recursive(slots):
    """True if a local call can reach its own subprogram again (the kernel rejects recursion)."""
    n = len(slots)
    starts = sorted({0} | {pc + 1 + fields(w)[4] for pc, w in enumerate(slots)
                           if w & 0xff == 0x85 and fields(w)[2] == 1})
    def sub_of(pc):
        return max(x for x in starts if x <= pc)
    edges = {x: set() for x in starts}
    for pc, w in enumerate(slots):
        if w & 0xff == 0x85 and fields(w)[2] == 1:
            edges[sub_of(pc)].add(pc + 1 + fields(w)[4])
    def cyc(x, path):
        if x in path:
            return True
        return any(cyc(y, path | {x}) for y in edges[x])
    return cyc(0, frozenset())
