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


def _pseudo(tok, maps):
    """(src, imm, next_imm, label) for the lddw operands map:NAME, map:@N, map_value:NAME+OFF,
    map_value:@N+OFF and func:LABEL / func:+N (MAPS-FORMAT.md); None for a plain number."""
    kind, sep, rest = tok.partition(":")
    if not sep or kind not in ("map", "map_value", "func"):
        return None
    if kind == "func":
        return 4, 0, 0, rest
    off = 0
    if kind == "map_value":
        for ch in "+-":
            if ch in rest[1:]:
                i = rest.index(ch, 1)
                rest, off = rest[:i], int(rest[i + 1:], 0) * (-1 if ch == "-" else 1)
                break
    if rest.startswith("@"):
        idx = int(rest[1:])
    elif rest in maps:
        idx = list(maps).index(rest)
    else:
        raise AsmError("Unknown map: " + rest)
    return (1 if kind == "map" else 2), idx, off, None


def assemble(text, maps=()):
    """Returns the list of 64-bit slots. Raises AsmError. maps = the declared map names, in order."""
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
            ps = _pseudo(ops[1], maps)
            if ps is not None:
                src, imm, nxt, label = ps
                insns.append([slot(0x18, _reg(ops[0]), src, 0, imm), "imm" if label else None, label])
                insns.append([slot(0x00, 0, 0, 0, nxt), None, None])
                continue
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

HELPERS = (1, 2, 3, 5, 7, 8, 12, 130, 131, 132, 133, 181)  # programs.md section 3, issue #10


class Rejected(Exception):
    pass


def validate(slots, maps=()):
    """maps: the declared mapmodel.MapDef list, in declaration order (lddw src=1/2 name them by index)."""
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
            zero(pc, off)
            nxt = s32(slots[pc + 1] >> 32)
            if src in (1, 2):  # programs.md 2.1: map handle / direct value address
                if not 0 <= imm < len(maps):
                    raise Rejected("lddw at %d names no declared map (#%d)" % (pc, imm))
                d = maps[imm]
                if src == 1 and nxt:
                    raise Rejected("lddw src=1 at %d: next imm must be 0" % pc)
                if src == 2:
                    if d.type != "array" or d.entries != 1:
                        raise Rejected("lddw src=2 at %d: direct value access needs a 1-entry array" % pc)
                    if not 0 <= nxt < d.value:
                        raise Rejected("lddw src=2 at %d: offset %d outside the value" % (pc, nxt))
            elif src == 4:
                if nxt:
                    raise Rejected("lddw src=4 at %d: next imm must be 0" % pc)
                target(pc, imm)
            elif src:
                raise Rejected("lddw src=%d at %d" % (src, pc))
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
    map_arguments(slots, tail, maps)


# The kernel's check_map_func_compatibility where the program states its map plainly: the map
# argument register (r2 for tail_call, else r1) was last written by `lddw rN, map:X` in straight-line
# code before the call (no jump, call or jump target in between). PROG_ARRAY goes only to tail_call,
# RINGBUF only to ringbuf_output/reserve/query, and those helpers take only their own map type.
MAP_HELPERS = {1: "lookup", 2: "update", 3: "delete", 12: "tail_call", 130: "ringbuf", 131: "ringbuf",
               134: "ringbuf"}


def map_arguments(slots, tail, maps):
    if not maps:
        return
    n = len(slots)
    landing = set()
    for pc, w in enumerate(slots):
        op, dst, src, off, imm = fields(w)
        if tail[pc] or op & 7 not in (JMP, JMP32):
            continue
        if op >> 4 == 0x0:
            landing.add(pc + 1 + (imm if op & 7 == JMP32 else off))
        elif op >> 4 == 0x8:
            if src == 1 and not op & 8:
                landing.add(pc + 1 + imm)
        elif op >> 4 != 0x9:
            landing.add(pc + 1 + off)
    for pc, w in enumerate(slots):
        op, dst, src, off, imm = fields(w)
        if tail[pc] or op != 0x85 or src != 0 or imm not in MAP_HELPERS or pc in landing:
            continue
        reg = 2 if imm == 12 else 1
        k = pc - 1
        found = None
        while k >= 0:
            if tail[k]:
                k -= 1
                continue
            kop, kdst, ksrc, koff, kimm = fields(slots[k])
            if kop & 7 in (ALU, ALU64, LDX, LD) and kdst == reg or kop in (0xc3, 0xdb):
                if kop == 0x18 and ksrc == 1:
                    found = kimm
                break
            if kop & 7 in (JMP, JMP32) or k in landing:
                break
            k -= 1
        if found is None or not 0 <= found < len(maps):
            continue
        mtype = maps[found].type
        kind = MAP_HELPERS[imm]
        ok = (mtype == "prog_array") if kind == "tail_call" else (mtype == "ringbuf") if kind == "ringbuf" \
            else mtype not in ("prog_array", "ringbuf")
        if not ok:
            raise Rejected("cannot pass map_type %s into helper %d at %d" % (mtype, imm, pc))


def functions(slots, tail):
    """bpf-to-bpf function layout (architecture.md "Validator"): functions start at 0 and at every
    local call target; a function followed by another must end in exit, ja or ja32 (no falling into
    the next one), and no jump may leave its function. The last function may fall off the end
    (the FELL_OFF_END trap)."""
    n = len(slots)
    starts = {0}
    for pc, w in enumerate(slots):
        op, dst, src, off, imm = fields(w)
        if not tail[pc] and (op == 0x85 and src == 1 or op == 0x18 and src == 4):  # calls and callbacks
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
STACKS = range(STACK0, STACK0 + 8)
MAPH, FUNCH, DYN0 = 0x7000, 0x7100, 16  # region numbers of map handles, function addresses, map values
TAIL_LIMIT, LOOP_MAX = 33, 1 << 23


class ModelError(Exception):
    """The program does something the model deliberately leaves undefined (a corpus bug)."""


def _kind(p):
    return p[0] if isinstance(p, tuple) else p


class Machine:
    def __init__(self, slots, mem, budget=10 ** 8, time0=1000, seed=12345, cpu=0, env=None,
                 e2big_hi=0xffffffff):
        self.slots, self.budget = slots, budget
        self.regions = {INPUT: bytearray(mem)}
        for d in range(8):
            self.regions[STACK0 + d] = bytearray(FRAME)
        self.written = {STACK0 + d: bytearray(FRAME) for d in range(8)}
        self.time, self.rng, self.cpu = time0, seed, cpu
        self.lint = []          # kernel-acceptability violations found on the executed path
        self.max_depth = 0
        self.used_callx = False
        # maps (MAPS-FORMAT.md); env None = the bare ISA as before
        self.env = env
        self.e2big_hi = e2big_hi        # bpf_loop's -E2BIG: tests may compare only the low 32 bits
        self.readonly = set()           # regions a program store traps on (RDONLY_PROG values)
        self.region_of = {}             # id(bytearray) -> region, so a value keeps its address
        self.ring_of = {}               # region -> (ringbuf map index, record)
        self.open_refs = {}             # reference id -> region of an unreleased ringbuf reservation
        self.next_region, self.next_id = DYN0, 1
        self.tail_calls = 0
        self.executions = 1
        self.helper_calls = []

    def _where(self, addr, size, pc):
        region, off = addr >> 32, addr & M32
        buf = self.regions.get(region)
        if buf is None or off + size > len(buf):
            raise Trap("OUT_OF_BOUNDS", pc)
        if region in STACKS:
            if off % size:
                self.lint.append("misaligned stack access at pc %d" % pc)
        return region, off, buf

    def load(self, addr, size, pc):
        region, off, buf = self._where(addr, size, pc)
        if region in STACKS and not all(self.written[region][off:off + size]):
            self.lint.append("read of unwritten stack at pc %d" % pc)
        return int.from_bytes(buf[off:off + size], "little")

    def store(self, addr, size, val, pc):
        region, off, buf = self._where(addr, size, pc)
        if region in self.readonly:
            self.lint.append("write into map forbidden at pc %d" % pc)
            raise Trap("OUT_OF_BOUNDS", pc)
        buf[off:off + size] = (val & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
        if region in STACKS:
            self.written[region][off:off + size] = b"\x01" * size
        elif region in self.ring_of:
            self.ring_of[region][1][3][off:off + size] = b"\x01" * size

    # --- helper arguments ---------------------------------------------------------------------
    def _region(self, buf, readonly=False):
        r = self.region_of.get(id(buf))
        if r is None or self.regions.get(r) is not buf:
            r = self.next_region
            self.next_region += 1
            self.regions[r] = buf
            self.region_of[id(buf)] = r
        if readonly:
            self.readonly.add(r)
        return r

    def _read_arg(self, r, size, pc, what):
        """size bytes a helper reads through register r (a key, a value, ringbuf data)."""
        addr, p = self.reg[r], self.ptr[r]
        if _kind(p) not in ("stack", "value", "input", "ring"):
            self.lint.append("R%d type=%s expected=pointer to %s at pc %d" % (r, _kind(p) or "scalar", what, pc))
        if p == "input" and what == "data":   # bpf_ringbuf_output's proto has no packet access
            self.lint.append("helper access to the packet is not allowed at pc %d" % pc)
        if size == 0:
            return b""
        region, off = addr >> 32, addr & M32
        buf = self.regions.get(region)
        if buf is None or off + size > len(buf):   # a helper reads bytes: no alignment rule
            raise Trap("OUT_OF_BOUNDS", pc)
        if region in STACKS and not all(self.written[region][off:off + size]):
            self.lint.append("invalid indirect read from stack (%s) at pc %d" % (what, pc))
        return bytes(buf[off:off + size])

    def _map_arg(self, r, pc, types, helper):
        p = self.ptr[r]
        if _kind(p) != "map":
            raise ModelError("R%d is not a map handle at pc %d" % (r, pc))
        m = self.env.maps[p[1]]
        if m.d.type not in types:
            self.lint.append("cannot pass map_type %s into func %s at pc %d" % (m.d.type, helper, pc))
        return p[1], m

    def _value_ptr(self, idx, buf, nullable):
        """A lookup result: the address of a region of exactly value_size bytes."""
        m = self.env.maps[idx]
        region = self._region(buf, bool(m.d.flags & 0x80))
        tag = ("value_or_null", idx, self._new_id()) if nullable else ("value", idx)
        return region << 32, tag

    ARGS = {1: 2, 2: 4, 3: 2, 12: 3, 130: 4, 131: 3, 132: 2, 133: 2, 181: 4}

    def _args(self, hid, pc):
        for r in range(1, self.ARGS[hid] + 1):
            if not self.init[r]:
                self.lint.append("R%d !read_ok (argument of helper %d) at pc %d" % (r, hid, pc))

    def _new_id(self):
        self.next_id += 1
        return self.next_id

    def helper(self, hid, pc):
        """Returns (r0, pointer tag) or (None, None) for a void helper (r0 unreadable after it)."""
        if hid == 5:
            self.time += 1 + (self.rng % 7)
            return self.time, None
        if hid == 7:
            self.rng = (self.rng * 6364136223846793005 + 1442695040888963407) & M64
            return self.rng >> 32, None
        if hid == 8:
            return self.cpu, None
        if self.env is None or hid not in (1, 2, 3, 130, 131, 132, 133):
            raise Trap("UNKNOWN_HELPER", pc)
        self.helper_calls.append(hid)
        self._args(hid, pc)
        from mapmodel import HASHES, ARRAYS, EAGAIN, EINVAL
        kv = HASHES + ARRAYS
        if hid == 1:
            idx, m = self._map_arg(1, pc, kv, "bpf_map_lookup_elem#1")
            v = m.lookup(self._read_arg(2, m.d.key, pc, "key"))
            if v is None:
                return 0, ("value_or_null", idx, self._new_id())
            return self._value_ptr(idx, v, True)
        if hid == 2:
            idx, m = self._map_arg(1, pc, kv, "bpf_map_update_elem#2")
            key = self._read_arg(2, m.d.key, pc, "key")
            val = self._read_arg(3, m.d.value, pc, "value")
            return u64(m.update(key, val, self.reg[4])), None
        if hid == 3:
            idx, m = self._map_arg(1, pc, kv, "bpf_map_delete_elem#3")
            return u64(m.delete(self._read_arg(2, m.d.key, pc, "key"))), None
        if hid == 130:
            idx, m = self._map_arg(1, pc, ("ringbuf",), "bpf_ringbuf_output#130")
            size, flags = self.reg[3], self.reg[4]
            data = self._read_arg(2, size, pc, "data")
            if flags & ~3:
                return u64(-EINVAL), None
            rec = m.reserve(size, 0)
            if rec is None:
                return u64(-EAGAIN), None
            rec[2][:] = data
            rec[3][:] = b"\x01" * size
            m.commit(rec, False)
            return 0, None
        if hid == 131:
            idx, m = self._map_arg(1, pc, ("ringbuf",), "bpf_ringbuf_reserve#131")
            if self.ptr[2] is not None or not self.ptr_const[2]:
                self.lint.append("R2 is not a known constant at pc %d" % pc)
            rec = m.reserve(self.reg[2], self.reg[3])
            rid = self._new_id()
            if rec is None:
                return 0, ("ring_or_null", rid)
            region = self.next_region
            self.next_region += 1
            self.regions[region] = rec[2]
            self.ring_of[region] = (idx, rec)
            self.open_refs[rid] = region
            return region << 32, ("ring_or_null", rid)
        # 132 submit, 133 discard
        p = self.ptr[1]
        if _kind(p) != "ring" or self.reg[1] & M32:
            if _kind(p) == "ring_or_null":
                self.lint.append("R1 type=ringbuf_mem_or_null expected=ringbuf_mem at pc %d" % pc)
            else:
                raise ModelError("submit/discard of something not reserved at pc %d" % pc)
        region = self.reg[1] >> 32
        if region not in self.ring_of or self.open_refs.pop(p[1], None) is None:
            raise ModelError("record released twice at pc %d" % pc)
        idx, rec = self.ring_of.pop(region)
        del self.regions[region]   # a released record is no longer addressable
        self.env.maps[idx].commit(rec, hid == 133)
        return None, None

    def run(self):
        s, n = self.slots, len(self.slots)
        reg = [0] * 11
        init = [False] * 11
        ptr = [None] * 11      # None = scalar, else "input"/"stack" or a tuple naming a map pointer
        const = [None] * 11    # True when the value is a constant the verifier knows (mov K, lddw)
        self.reg, self.ptr, self.ptr_const, self.init = reg, ptr, const, init
        ctx = INPUT << 32
        reg[1], reg[2], reg[10] = ctx, len(self.regions[INPUT]), ((STACK0 << 32) | FRAME)
        init[1] = init[2] = init[10] = True
        ptr[1], ptr[10] = "input", "stack"
        frames = []
        depth, pc, count = 0, 0, 0

        def rd(r):
            if not init[r]:
                self.lint.append("read of uninitialized r%d at pc %d" % (r, pc))
            return reg[r]

        def wr(r, v, p=None, k=False):
            reg[r], init[r], ptr[r], const[r] = u64(v), True, p, k

        def clobber():
            for i in range(1, 6):
                init[i], ptr[i], const[i] = False, None, None

        def deref(r):
            k = _kind(ptr[r])
            if k in ("value_or_null", "ring_or_null"):
                self.lint.append("invalid mem access '%s' at pc %d" % (
                    "map_value_or_null" if k == "value_or_null" else "ringbuf_mem_or_null", pc))
            elif k in ("map", "func"):
                self.lint.append("invalid mem access '%s' at pc %d" % ("map_ptr" if k == "map" else "func", pc))

        def enter(target, r1, p1, r2, p2, d):
            """Opens a frame for a call at depth d: the callee sees r1/r2 (callback) or keeps r1..r5."""
            reg[10] = ((STACK0 + d) << 32) | FRAME
            for i in (0, 6, 7, 8, 9):
                init[i] = False
            if r1 is not None:
                clobber()
                wr(1, r1, p1)
                wr(2, r2, p2)
            return target

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
                    p, k = None, False
                    if code == 0xb and x and off == 0 and is64:
                        p, k = ptr[src], const[src]
                    elif code == 0xb and not x:
                        k = True
                    elif code in (0x0, 0x1) and is64 and ptr[dst] and not x:
                        p = ptr[dst]
                        if _kind(p) in ("value_or_null", "ring_or_null", "map", "func"):
                            self.lint.append("pointer arithmetic on %s prohibited at pc %d" % (_kind(p), pc))
                    elif ptr[dst] and code != 0xb or (x and ptr[src]):
                        self.lint.append("pointer arithmetic at pc %d" % pc)
                    else:
                        k = bool(const[dst]) and (not x or bool(const[src]))
                    wr(dst, alu(code, is64, a, b, off), p, k)
            elif cls == LD:  # lddw
                hi = s[pc + 1] >> 32
                if src == 0:
                    wr(dst, u32(imm) | hi << 32, None, True)
                elif src == 1:
                    wr(dst, (MAPH + imm) << 32, ("map", imm))
                elif src == 2:
                    m = self.env.maps[imm]
                    addr, tag = self._value_ptr(imm, m.lookup(bytes(4)), False)
                    wr(dst, addr + hi, tag)
                elif src == 4:
                    wr(dst, (FUNCH << 32) | (pc + 1 + imm), ("func", pc + 1 + imm))
                nxt = pc + 2
            elif cls == LDX:
                size = SIZE_BYTES[op & 0x18]
                deref(src)
                v = self.load(u64(rd(src) + off), size, pc)
                if op & 0xe0 == MODE_MEMSX:
                    v = u64(sx(v, 8 * size))
                wr(dst, v)
            elif cls == ST:
                size = SIZE_BYTES[op & 0x18]
                deref(dst)
                self.store(u64(rd(dst) + off), size, u64(imm), pc)
            elif cls == STX and op & 0xe0 == MODE_MEM:
                size = SIZE_BYTES[op & 0x18]
                if ptr[src]:
                    self.lint.append("pointer spill at pc %d" % pc)
                deref(dst)
                self.store(u64(rd(dst) + off), size, rd(src), pc)
            elif cls == STX:  # atomic
                size = 4 if op == 0xc3 else 8
                deref(dst)
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
                        r, p = self.helper(rd(dst), pc)
                        clobber()
                        wr(0, r)
                    elif src == 0 and imm == 12 and self.env is not None:
                        nxt = self._tail_call(pc, depth, ctx, clobber, wr)
                        if nxt == 0:
                            for i in range(11):
                                init[i], ptr[i], const[i] = False, None, None
                            wr(1, ctx, "input")
                            wr(10, (STACK0 << 32) | FRAME, "stack")
                            self.regions[STACK0] = bytearray(FRAME)
                            self.written[STACK0] = bytearray(FRAME)
                    elif src == 0 and imm == 181 and self.env is not None:
                        r = self._loop_args(pc)
                        if r is not None:
                            clobber()
                            wr(0, r)
                        else:  # enter the callback for index 0, one frame deeper
                            if depth == 7:
                                raise Trap("CALL_DEPTH", pc)
                            cb, cbctx = self.reg[2], (self.reg[3], ptr[3])
                            frames.append(("loop", pc + 1, reg[6:10], init[6:10], ptr[6:10], const[6:10],
                                           [0, self.reg[1], cb & M32, cbctx]))
                            depth += 1
                            self.max_depth = max(self.max_depth, depth)
                            nxt = enter(cb & M32, 0, None, cbctx[0], cbctx[1], depth)
                    elif src == 0:
                        r, p = self.helper(imm, pc)
                        clobber()
                        if r is None:
                            init[0], ptr[0] = False, None
                        else:
                            wr(0, r, p)
                    else:
                        if depth == 7:
                            raise Trap("CALL_DEPTH", pc)
                        frames.append(("call", pc + 1, reg[6:10], init[6:10], ptr[6:10], const[6:10], None))
                        depth += 1
                        self.max_depth = max(self.max_depth, depth)
                        nxt = enter(pc + 1 + imm, None, None, None, None, depth)
                elif code == 0x9:
                    r0 = rd(0)
                    if depth == 0:
                        if ptr[0]:
                            self.lint.append("returns a pointer")
                        if self.open_refs:
                            self.lint.append("Unreleased reference id=%d" % min(self.open_refs))
                        return r0, count
                    kind, ret, saved, sinit, sptr, sconst, loop = frames[-1]
                    if kind == "loop":
                        if not const[0] or r0 not in (0, 1):
                            self.lint.append("At callback return the register R0 should have been in [0, 1]")
                        loop[0] += 1
                        if r0 == 0 and loop[0] < loop[1]:   # next index: a fresh callback frame
                            nxt = enter(loop[2], loop[0], None, loop[3][0], loop[3][1], depth)
                            if nxt <= pc and count > self.budget:
                                raise Trap("BUDGET_EXHAUSTED", pc)
                            pc = nxt
                            continue
                    frames.pop()
                    depth -= 1
                    reg[6:10], init[6:10], ptr[6:10], const[6:10] = saved, sinit, sptr, sconst
                    reg[10] = ((STACK0 + depth) << 32) | FRAME
                    clobber()
                    if kind == "loop":
                        wr(0, loop[0])
                    nxt = ret
                else:
                    a = rd(dst)
                    b = rd(src) if x else (u32(imm) if is32 else u64(imm))
                    if (not x and not is32 and imm == 0 and code in (0x1, 0x5)
                            and _kind(ptr[dst]) in ("value_or_null", "ring_or_null")):
                        self._null_check(ptr[dst], a)
                    elif (x and ptr[src]) or ptr[dst]:
                        self.lint.append("pointer comparison at pc %d" % pc)
                    if cond(code, is32, a, b):
                        nxt = pc + 1 + off
                if nxt <= pc and count > self.budget:
                    raise Trap("BUDGET_EXHAUSTED", pc)
            pc = nxt

    def _null_check(self, p, value):
        """jeq/jne r, 0 on a maybe-NULL pointer: the verifier learns NULL or not for every copy."""
        new = None if value == 0 else (("value", p[1]) if p[0] == "value_or_null" else ("ring", p[1]))
        if value == 0 and p[0] == "ring_or_null":
            self.open_refs.pop(p[1], None)
        for i in range(11):
            if self.ptr[i] == p:
                self.ptr[i] = new

    def _tail_call(self, pc, depth, ctx, clobber, wr):
        """helper 12: 0 = restart the program (the only PROG_ARRAY value is `self`), else pc + 1."""
        self.helper_calls.append(12)
        self._args(12, pc)
        if depth:
            raise ModelError("tail call from a subprogram is not modelled")
        if self.ptr[1] != "input" or self.reg[1] != ctx:
            self.lint.append("R1 type=%s expected=ctx at pc %d" % (_kind(self.ptr[1]) or "scalar", pc))
        idx, m = self._map_arg(2, pc, ("prog_array",), "bpf_tail_call#12")
        if self.open_refs:
            self.lint.append("tail_call would lead to reference leak at pc %d" % pc)
        i = u32(self.reg[3])
        if i < m.d.entries and m.slots.get(i) == "self" and self.tail_calls < TAIL_LIMIT:
            self.tail_calls += 1
            self.executions += 1
            return 0
        clobber()
        self.init[0], self.ptr[0] = False, None   # r0 is unreadable after a fall-through
        return pc + 1

    def _loop_args(self, pc):
        """helper 181: the r0 of a loop that calls nothing, or None to start calling back."""
        self.helper_calls.append(181)
        self._args(181, pc)
        if _kind(self.ptr[2]) != "func":
            self.lint.append("R2 type=%s expected=func at pc %d" % (_kind(self.ptr[2]) or "scalar", pc))
            raise ModelError("bpf_loop without a callback")
        if not (self.ptr[3] in ("stack", None) and (self.ptr[3] or self.reg[3] == 0)):
            self.lint.append("R3 type=%s expected=stack or NULL at pc %d" % (_kind(self.ptr[3]), pc))
        n, flags = self.reg[1], self.reg[4]
        if flags:
            return u64(-22)
        if n > LOOP_MAX:
            return (self.e2big_hi << 32) | u32(-7)
        if n == 0:
            return 0
        return None


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
            if src == 4:  # a callback address (lddw src=4) makes its target a subprogram root
                todo.append(pc + 1 + imm)
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
    def starts_sub(w):  # a local call (call src=1) or a callback address (lddw src=4)
        return (w & 0xff, fields(w)[2]) in ((0x85, 1), (0x18, 4))
    starts = sorted({0} | {pc + 1 + fields(w)[4] for pc, w in enumerate(slots) if starts_sub(w)})
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
