#!/usr/bin/env python3
"""Generates the bpfh conformance corpus (conformance-suite/src/main/resources/bpfh/corpus).

Every expected value comes from the independent reference model in bpfmodel.py (written from
isa.md) and mapmodel.py (programs.md, MAPS-FORMAT.md), and whole programs are also checked against
a plain-Python computation of the same algorithm. The map, helper, global data, tail call, ring
buffer and bpf_loop tests are defined in gen_maps.py. Deterministic: re-running reproduces the committed files byte for byte.

    python3 conformance-suite/tools/gen_corpus.py          # rewrite the corpus
    python3 conformance-suite/tools/gen_corpus.py --check  # verify the committed files match
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpfmodel as M  # noqa: E402
import datafile  # noqa: E402
import gen_maps  # noqa: E402
from bpfmodel import M32, M64, u32, u64, s32, s64, sx  # noqa: E402,F401

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main",
                                     "resources", "bpfh", "corpus"))
TESTS = []


class T:
    def __init__(self, family, name, desc, asm=None, raw=None, mem=b"", expect=None, kernel=None,
                 check=None, budget_test=False, helper_test=False):
        self.family, self.name, self.desc = family, name, desc
        self.asm, self.raw, self.mem = asm, raw, bytes(mem)
        self.expect = expect        # None = positive, computed; "rejected"; ("trap", KIND)
        self.kernel = kernel        # (STATUS, reason) override
        self.check = check          # independently computed expected r0
        self.budget_test, self.helper_test = budget_test, helper_test
        TESTS.append(self)


def h(v):
    return "0x%x" % v


def imm_text(v):
    """An IMM32 token for the s32 value v."""
    assert -(1 << 31) <= v < (1 << 31), v
    return str(v) if -100000 <= v <= 100000 else h(u32(v))


def load(reg, v):
    """Assembly putting the 64-bit pattern v into reg (mov when the sign-extended imm gives it)."""
    v = u64(v)
    if u64(s32(v)) == v:
        return "mov %%r%d, %s" % (reg, imm_text(s32(v)))
    return "lddw %%r%d, %s" % (reg, h(v))


def prog(*lines):
    return "\n".join(l for l in lines if l is not None) + "\n"


# =============================================================================================
# ALU and ALU64 (isa.md 2.1)

HI = 0xa5a5a5a5 << 32  # high bits planted in 32-bit operands to show they are ignored / cleared

RULE = {
    "add": "dst = dst + operand, wrapping",
    "sub": "dst = dst - operand, wrapping",
    "mul": "dst = low bits of dst * operand",
    "div": "unsigned division; a zero divisor gives 0 (no trap)",
    "sdiv": "signed division truncated toward zero (off=1); MIN / -1 = MIN; zero divisor gives 0",
    "or": "dst = dst | operand",
    "and": "dst = dst & operand",
    "lsh": "dst = dst << (operand & (width-1)); the amount is masked",
    "rsh": "logical dst >> (operand & (width-1)); the amount is masked",
    "mod": "unsigned remainder; a zero divisor leaves dst unchanged",
    "smod": "signed remainder truncated, sign follows the dividend (off=1); MIN % -1 = 0; zero divisor leaves dst",
    "xor": "dst = dst ^ operand",
    "mov": "dst = operand",
    "arsh": "arithmetic dst >> (operand & (width-1)), sign bit copied in",
}
WIDTH_RULE = {
    64: "ALU64: a K immediate is sign-extended to 64 bits, even for unsigned ops.",
    32: "ALU (32-bit): operands are the low 32 bits (K imm as u32, but s32 for sdiv/smod); "
        "the result is zero-extended, so the upper 32 bits of dst become 0.",
}


def alu_case(op, bits, form, suffix, dst, operand, note="", dreg=0, sreg=1, kernel=None):
    mn = op + ("32" if bits == 32 else "")
    name = "%s%d-%s-%s" % (op, bits, form, suffix)
    lines = [load(dreg, dst)]
    if form == "x":
        lines.append(load(sreg, operand))
        lines.append("%s %%r%d, %%r%d" % (mn, dreg, sreg))
        otext = "src = %s" % h(u64(operand))
    else:
        lines.append("%s %%r%d, %s" % (mn, dreg, imm_text(operand)))
        otext = "imm = %d" % operand
    if dreg != 0:
        lines.append("mov %%r0, %%r%d" % dreg)
    lines.append("exit")
    fam = "alu32" if bits == 32 else "alu64"
    if op in ("div", "sdiv", "mod", "smod", "mul"):
        fam = "divmul%d" % bits
    if op in ("lsh", "rsh", "arsh"):
        fam = "shift"
    desc = ["%s %s form: %s." % (mn, form.upper(), RULE[op]), WIDTH_RULE[bits],
            "Here dst = %s, %s." % (h(u64(dst)), otext)]
    if note:
        desc.append(note)
    T(fam, name, desc, asm=prog(*lines), kernel=kernel)


IMMZERO = ("REJECTED", "verifier rejects division by immediate zero")
SHIFTIMM = ("REJECTED", "verifier rejects out-of-range shift immediate")

REGS = [(0, 1), (3, 7), (5, 2), (9, 6), (4, 8), (6, 3), (8, 9), (7, 5)]


def alu_family():
    # (suffix, dst, operand-for-x, operand-for-k or None, note)
    cases = {
        "add": [("basic", 5, 3, 3, ""),
                ("carry", 0xffffffff, 1, 1, "All-ones low half plus 1 carries out of 32 bits."),
                ("overflow", 0x7fffffffffffffff, 1, 1, "MAX64 + 1 wraps to MIN64; MAX32 + 1 to 0x80000000."),
                ("negative", 10, M64, -1, "Adding -1: the K imm -1 is sign-extended for ALU64, u32 for ALU."),
                ("big", 0x123456789abcdef0, 0x0fedcba987654321, 0x7654321, "")],
        "sub": [("basic", 10, 3, 3, ""),
                ("borrow", 0, 1, 1, "0 - 1 wraps to all ones (of the width)."),
                ("negative", 5, u64(-7), -7, "Subtracting a negative operand adds."),
                ("min", 0x8000000000000000, 1, 1, "MIN64 - 1 = MAX64; the low half 0 - 1 = 0xffffffff."),
                ("big", 0x123456789abcdef0, 0x1111111111111111, 0x11111111, "")],
        "mul": [("basic", 7, 6, 6, ""),
                ("overflow", 0x40000001, 4, 4, "0x40000001 * 4 keeps only the low bits."),
                ("negative", 3, u64(-5), -5, "3 * -5 = -15 in two's complement."),
                ("intmin-by-negone", 0x80000000, M64, -1, "0x80000000 * -1: ALU keeps 0x80000000; ALU64 gives -0x80000000."),
                ("big", 0x123456789abcdef0, 0xfedcba9876543210, 0x76543210, "Only the low bits of the product survive.")],
        "div": [("basic", 100, 7, 7, ""),
                ("exact", 0x100000000 * 6 + 42, 6, 6, ""),
                ("by-zero-reg", 0x1234567890abcdef, 0, None, "A zero divisor gives 0."),
                ("high-divisor", M64, 0xfffffffffffffff6, -10, "Divisor -10 is 0xfffffffffffffff6 unsigned (ALU64) or 0xfffffff6 (ALU)."),
                ("high-dividend", 0x8000000000000000 | 0x80000000, 2, 2, "Unsigned: the top bit is not a sign.")],
        "sdiv": [("pos-by-pos", 100, 7, 7, ""),
                 ("neg-by-pos", u64(-100), 7, 7, "-100 / 7 truncates toward zero to -14."),
                 ("pos-by-neg", 100, u64(-7), -7, "100 / -7 = -14."),
                 ("neg-by-neg", u64(-100), u64(-7), -7, "-100 / -7 = 14."),
                 ("intmin-by-negone", 0x8000000000000000 | 0x80000000, M64, -1, "MIN / -1 overflows and gives MIN (0x80000000 for ALU)."),
                 ("by-zero-reg", u64(-100), 0, None, "A zero divisor gives 0.")],
        "or": [("basic", 0xf0f0, 0x0f0f, 0x0f0f, ""),
               ("negative", 0x1234, M64, -1, "imm -1 sign-extends to all ones (ALU64)."),
               ("high", 0x123456789abcdef0, 0x8000000080000000, -0x80000000, "")],
        "and": [("basic", 0xff00ff, 0x0ff0f0, 0x0ff0f0, ""),
                ("negative", 0x123456789abcdef0, u64(-16), -16, "imm -16 = ...fff0 sign-extended."),
                ("high", 0xffffffffffffffff, 0x8000000080000001, -0x7fffffff, "")],
        "xor": [("basic", 0xff00, 0x0ff0, 0x0ff0, ""),
                ("negative", 0x123456789abcdef0, M64, -1, "xor with -1 is bitwise not (ALU64 K sign-extends)."),
                ("self", 0xdeadbeefcafebabe, 0xdeadbeefcafebabe, None, "x ^ x = 0.")],
        "mov": [("basic", 0x1122334455667788, 42, 42, ""),
                ("negative", 0x1122334455667788, u64(-2), -2, "mov K -2: ALU64 sign-extends to 0xfffffffffffffffe, ALU zero-extends to 0xfffffffe."),
                ("hex-ffffffff", 0, M64, -1, "Hex imm 0xffffffff is the 32-bit pattern -1."),
                ("high", 0, 0xfedcba9876543210, None, "mov32 copies only the low 32 bits of src.")],
        "mod": [("basic", 100, 7, 7, ""),
                ("by-zero-reg", 0xfedcba9876543210, 0, None, "A zero divisor leaves dst unchanged (ALU: its low 32 bits, zero-extended)."),
                ("high-divisor", 0xfffffffffffffff0, 0xfffffffffffffff7, -9, "Unsigned: -9 is a huge divisor."),
                ("all-ones-divisor", 0xfedcba9876543210, M64, -1, "ALU64 K: imm 0xffffffff means 2^64-1 (rfc9669_mod64)."),
                ("big", 0x123456789abcdef0, 1000003, 1000003, "")],
        "smod": [("neg-by-pos", u64(-13), 3, 3, "-13 smod 3 = -1 (sign of the dividend)."),
                 ("pos-by-neg", 13, u64(-3), -3, "13 smod -3 = 1."),
                 ("neg-by-neg", u64(-13), u64(-3), -3, "-13 smod -3 = -1."),
                 ("intmin-by-negone", 0x8000000000000000 | 0x80000000, M64, -1, "MIN smod -1 = 0."),
                 ("by-zero-reg", u64(-13), 0, None, "A zero divisor leaves dst (ALU: zero-extended low half).")],
        "lsh": [("basic", 0x1234, 4, 4, ""),
                ("max", 1, "W-1", "W-1", "Shift by width-1 (63 for ALU64, 31 for ALU).")],
        "rsh": [("basic", 0x8000000000001234, 4, 4, "Logical: zeros come in at the top."),
                ("max", 0x8000000080000000, "W-1", "W-1", "Shift by width-1.")],
        "arsh": [("basic", 0x8000000000001234, 4, 4, "Arithmetic: the sign bit is copied in."),
                 ("negative32", 0xfffffff0, 2, 2, "For ALU 0xfffffff0 is -16 and >> 2 gives -4 = 0xfffffffc."),
                 ("positive", 0x7000000070000000, 8, 8, "")],
    }
    for bits in (64, 32):
        for op, lst in cases.items():
            for i, (suf, dst, ox, ok, note) in enumerate(lst):
                if bits == 32 and op not in ("mov",):
                    dst = u64(dst) | HI if (u64(dst) >> 32) == 0 else u64(dst)
                ox = bits - 1 if ox == "W-1" else ox
                ok = bits - 1 if ok == "W-1" else ok
                d, s = REGS[i % len(REGS)]
                alu_case(op, bits, "x", suf, dst, ox, note, d, s)
                if ok is not None:
                    d, s = REGS[(i + 3) % len(REGS)]
                    alu_case(op, bits, "k", suf, dst, ok, note, d, s)
    # immediate zero divisors: userspace defines them, the kernel verifier refuses them
    for bits in (64, 32):
        alu_case("div", bits, "k", "by-zero-imm", 0x1234567890abcdef, 0, "Immediate zero divisor: gives 0.", kernel=IMMZERO)
        alu_case("mod", bits, "k", "by-zero-imm", 0x1234567890abcdef, 0, "Immediate zero divisor: dst unchanged (ALU: low half).", kernel=IMMZERO)
        alu_case("sdiv", bits, "k", "by-zero-imm", u64(-5), 0, "Immediate zero divisor: gives 0.", kernel=IMMZERO)
        alu_case("smod", bits, "k", "by-zero-imm", u64(-5), 0, "Immediate zero divisor: dst unchanged (ALU: low half).", kernel=IMMZERO)
    # shifts: register amounts at and beyond the width are masked; immediates likewise (kernel refuses)
    for op, dst in (("lsh", 0x0123456789abcdef), ("rsh", 0xfedcba9876543210), ("arsh", 0xfedcba9876543210)):
        for bits in (64, 32):
            w = bits
            for i, amt in enumerate((w, w + 4, 0x100000000 + 3, M64)):
                d, s = REGS[i]
                alu_case(op, bits, "x", "reg-amount-%s" % ("all-ones" if amt == M64 else str(amt) if amt < 1 << 32 else "2p32-plus-3"),
                         dst, amt, "The register amount %s is masked to %d." % (h(amt), amt & (w - 1)), d, s)
            for i, amt in enumerate((w, w + 4, -w + 4, -1)):
                d, s = REGS[(i + 2) % 8]
                alu_case(op, bits, "k", "imm-%s" % (str(amt) if amt >= 0 else "neg%d" % -amt), dst, amt,
                         "The immediate %d is out of range; it is masked to %d." % (amt, amt & (w - 1)), d, s,
                         kernel=SHIFTIMM)
            alu_case(op, bits, "k", "zero", dst, 0, "Shift by 0 (ALU: still zero-extends).", 2, 0)
    # neg
    for bits in (64, 32):
        mn = "neg" if bits == 64 else "neg32"
        fam = "alu64" if bits == 64 else "alu32"
        for i, (suf, v, note) in enumerate([("basic", 2, ""), ("zero", 0, ""), ("intmin", 0x8000000080000000, "-MIN = MIN."),
                                            ("high", 0x100000002, "neg32 uses only the low half: -(2) = 0xfffffffe."),
                                            ("negone", M64, "")]):
            d = REGS[i][0]
            T(fam, "%s-%s" % (mn, suf),
              ["%s: dst = -dst (two's complement) over %d bits; ALU zero-extends." % (mn, bits),
               "Here dst = %s. %s" % (h(v), note)],
              asm=prog(load(d, v), "%s %%r%d" % (mn, d), "mov %%r0, %%r%d" % d if d else None, "exit"))
    # movsx (v4)
    for mn, bits, width in (("movsx832", 32, 8), ("movsx1632", 32, 16), ("movsx864", 64, 8), ("movsx1664", 64, 16),
                            ("movsx3264", 64, 32)):
        for i, (suf, v) in enumerate((("negative", 0x0123456789abcdef), ("positive", 0xfedcba9876543271),
                                      ("high-ignored", 0xffffffffffff7f7f))):
            d, s = REGS[i]
            T("movsx", "%s-%s" % (mn, suf),
              ["%s (MOVSX, off=%d): dst = sign-extend the low %d bits of src to %d bits%s." %
               (mn, width, width, bits, ", then zero-extend to 64 (ALU class)" if bits == 32 else ""),
               "Here src = %s: only its low %d bits count." % (h(v), width)],
              asm=prog(load(d, 0x5555555555555555), load(s, v), "%s %%r%d, %%r%d" % (mn, d, s),
                       "mov %%r0, %%r%d" % d if d else None, "exit"))
    # mov32 clears the high half
    T("alu32", "mov32-x-same-register", ["mov32 %r1, %r1 zero-extends: it clears the upper 32 bits of r1."],
      asm=prog("lddw %r1, 0xffffffffaabbccdd", "mov32 %r1, %r1", "mov %r0, %r1", "exit"))
    T("alu64", "mov64-sign-extend-imm", ["mov K with imm 0xfffffffe sign-extends: r0 = 0xfffffffffffffffe."],
      asm=prog("mov %r0, 0xfffffffe", "exit"))


# =============================================================================================
# Byte swaps (isa.md 2.2)

def endian_family():
    vals = [("high", 0x8877665544332211), ("pattern", 0x0123456789abcdef), ("small", 0x00000000000000ff)]
    for mn, rule in (("le", "le (0xd4) on a little-endian host truncates to the width"),
                     ("be", "be (0xdc) reverses the low width/8 bytes and zero-extends"),
                     ("bswap", "bswap (0xd7, ALU64) reverses the low width/8 bytes unconditionally and zero-extends"),
                     ("swap", "swap is the assembler alias of bswap (0xd7)")):
        for w in (16, 32, 64):
            for i, (suf, v) in enumerate(vals):
                d = REGS[i][0]
                T("endian", "%s%d-%s" % (mn, w, suf), ["%s%d: %s." % (mn, w, rule), "Here dst = %s." % h(v)],
                  asm=prog(load(d, v), "%s%d %%r%d" % (mn, w, d), "mov %%r0, %%r%d" % d if d else None, "exit"))


# =============================================================================================
# Jumps (isa.md 2.3)

JCONDS = ["jeq", "jgt", "jge", "jset", "jne", "jsgt", "jsge", "jlt", "jle", "jslt", "jsle"]


def jmp_test(mn, a, b, form, name, note, dreg=1, sreg=2):
    is32 = mn.endswith("32")
    base = mn[:-2] if is32 else mn
    code = M.JMP_CODES[base]
    bb = b if form == "x" else (u32(b) if is32 else u64(b))
    taken = M.cond(code, is32, u64(a), u64(bb))
    lines = ["mov %r0, 0", load(dreg, a)]
    if form == "x":
        lines.append(load(sreg, b))
        lines.append("%s %%r%d, %%r%d, +1" % (mn, dreg, sreg))
    else:
        lines.append("%s %%r%d, %s, +1" % (mn, dreg, imm_text(b)))
    lines += ["exit", "mov %r0, 1", "exit"]
    desc = ["%s %s form: %s. Result 1 if the jump is taken, 0 if not." % (mn, form.upper(), JRULE[base]),
            ("JMP32 compares only the low 32 bits (imm as u32)." if is32 else
             "JMP compares 64 bits; a K imm is sign-extended to 64 bits."),
            "Here dst = %s, %s = %s: %s." % (h(u64(a)), "src" if form == "x" else "imm", h(u64(b)) if form == "x" else b,
                                               "taken" if taken else "not taken")]
    if note:
        desc.append(note)
    T("jmp32" if is32 else "jmp", name, desc, asm=prog(*lines))
    return taken


JRULE = {"jeq": "taken if dst == operand", "jgt": "taken if dst > operand (unsigned)",
         "jge": "taken if dst >= operand (unsigned)", "jset": "taken if dst & operand != 0",
         "jne": "taken if dst != operand", "jsgt": "taken if dst > operand (signed)",
         "jsge": "taken if dst >= operand (signed)", "jlt": "taken if dst < operand (unsigned)",
         "jle": "taken if dst <= operand (unsigned)", "jslt": "taken if dst < operand (signed)",
         "jsle": "taken if dst <= operand (signed)"}


def jmp_family():
    # a pair (taken, not taken) per condition, found from candidate operand pairs
    cands = [(5, 5), (5, 6), (6, 5), (u64(-1), 1), (1, u64(-1)), (0x10, 0x01), (0x11, 0x01), (u64(-5), u64(-3)),
             (u64(-3), u64(-5)), (0, 0)]
    for cls in ("", "32"):
        for c in JCONDS:
            mn = c + cls
            for form in ("k", "x"):
                got = {}
                for a, b in cands:
                    if form == "k":
                        b = s32(b) if u64(s32(b)) == u64(b) or cls else None
                        if b is None:
                            continue
                    is32 = bool(cls)
                    bb = b if form == "x" else (u32(b) if is32 else u64(b))
                    t = M.cond(M.JMP_CODES[c], is32, u64(a), u64(bb))
                    got.setdefault(t, (a, b))
                for t in (True, False):
                    a, b = got[t]
                    hi = 0x1234567800000000 if cls else 0
                    i = JCONDS.index(c) % 8
                    d, s = REGS[i]
                    d = d if d not in (0,) else 3
                    s = s if s not in (0, d) else 4
                    jmp_test(mn, u64(a) | hi if cls and u64(a) >> 32 == 0 else a, b, form,
                             "%s-%s-%s" % (mn, form, "taken" if t else "not-taken"),
                             "The upper half of dst (%s) is ignored." % h(hi) if hi else "", d, s)
    # unsigned versus signed at the boundaries
    B = [("jgt", -1, 1, "unsigned: 0xffffffffffffffff > 1"), ("jsgt", -1, 1, "signed: -1 > 1 is false"),
         ("jlt", 0x7fffffff, -0x80000000, "unsigned: 0x7fffffff < 0xffffffff80000000"),
         ("jslt", 0x7fffffff, -0x80000000, "signed: 0x7fffffff < MIN32 is false"),
         ("jge", 0x8000000000000000, 0x7fffffff, "unsigned MIN64 >= 0x7fffffff"),
         ("jsge", 0x8000000000000000, 0x7fffffff, "signed MIN64 >= 0x7fffffff is false"),
         ("jle", 0, -1, "unsigned 0 <= all-ones"), ("jsle", 0, -1, "signed 0 <= -1 is false"),
         ("jgt32", 0xffffffff, 1, "unsigned 32-bit 0xffffffff > 1"), ("jsgt32", 0xffffffff, 1, "signed 32-bit -1 > 1 is false"),
         ("jslt32", 0x180000000, 0, "low half 0x80000000 is MIN32 < 0"), ("jlt32", 0x180000000, 0, "unsigned low half 0x80000000 < 0 is false"),
         ("jsge32", 0x7fffffff, -0x80000000, "signed MAX32 >= MIN32"), ("jle32", 0xffffffff00000005, 5, "upper half ignored: 5 <= 5")]
    for i, (mn, a, b, note) in enumerate(B):
        jmp_test(mn, u64(a), b, "k", "%s-k-boundary-%d" % (mn, i), "Boundary: %s." % note)
        jmp_test(mn, u64(a), u64(b), "x", "%s-x-boundary-%d" % (mn, i), "Boundary: %s." % note)
    T("jmp", "jeq-k-sign-extended-imm", ["jeq K compares with the sign-extended imm: 0x80000000 means 0xffffffff80000000,",
                                          "so dst = 0xffffffff80000000 is equal (j-signed-imm)."],
      asm=prog("mov %r0, 0", "lddw %r1, 0xffffffff80000000", "jeq %r1, 0x80000000, +1", "exit", "mov %r0, 1", "exit"))
    T("jmp", "jeq-k-sign-extended-imm-miss", ["jeq K with imm 0x80000000 does not match dst = 0x80000000 (the imm is sign-extended)."],
      asm=prog("mov %r0, 0", "mov32 %r1, 0x80000000", "jeq %r1, 0x80000000, +1", "exit", "mov %r0, 1", "exit"))
    T("jmp32", "jeq32-k-upper-ignored", ["jeq32 compares the low halves: 0x10000000b equals 11."],
      asm=prog("mov %r0, 0", "lddw %r1, 0x10000000b", "jeq32 %r1, 11, +1", "exit", "mov %r0, 1", "exit"))
    # ja / ja32
    T("jmp", "ja-forward", ["ja +N skips N slots: the skipped mov would set r0 to 2. ja is unconditional."],
      asm=prog("mov %r0, 1", "ja +1", "mov %r0, 2", "exit"), kernel=("REJECTED", "verifier rejects unreachable instructions"))
    T("jmp", "ja-forward-label", ["ja to a label; the instruction in between is skipped, but a conditional jump keeps it reachable."],
      asm=prog("mov %r0, 1", "mov %r1, 0", "jeq %r1, 1, skip", "ja done", "skip:", "mov %r0, 2", "done:", "exit"))
    T("jmp", "ja-over-lddw", ["A jump displacement counts slots: ja +2 skips the two slots of an lddw."],
      asm=prog("mov %r0, 7", "mov %r1, 0", "jeq %r1, 0, +2", "lddw %r0, 0x1122334455667788", "exit"),
      )
    T("jmp", "ja-backward-loop", ["ja -N jumps backward: a loop adds 3 to r0 five times using a backward ja."],
      asm=prog("mov %r0, 0", "mov %r1, 5", "top:", "jeq %r1, 0, out", "add %r0, 3", "sub %r1, 1", "ja top", "out:", "exit"))
    T("jmp", "ja32-forward", ["ja32 (0x06, gotol) takes its displacement from imm (32 bits)."],
      asm=prog("mov %r0, 1", "mov %r1, 0", "jeq %r1, 1, +1", "ja32 +1", "mov %r0, 2", "exit"))
    T("jmp", "ja32-backward-loop", ["ja32 with a negative displacement loops back: sum 1..10 = 55."],
      asm=prog("mov %r0, 0", "mov %r1, 10", "top:", "jeq %r1, 0, out", "add %r0, %r1", "sub %r1, 1", "ja32 top", "out:", "exit"))
    T("jmp", "exit-label-first-exit", ["The implicit label exit names the first exit instruction; jne jumps to it."],
      asm=prog("mov %r0, 3", "mov %r1, 1", "jne %r1, 0, exit", "mov %r0, 4", "exit"))
    T("jmp", "exit-not-last", ["exit ends the program even when it is not the last instruction; the rest is dead code,",
                               "which the kernel verifier refuses."],
      asm=prog("mov %r0, 0", "exit", "mov %r0, 1", "exit"), kernel=("REJECTED", "verifier rejects unreachable instructions"))
    T("jmp", "jne-chain", ["A chain of jne on registers; every comparison holds so r0 = 1."],
      asm=prog("mov %r0, 0", "mov %r1, 1", "mov %r2, 2", "mov %r3, 3", "jne %r1, 1, exit", "jne %r2, 2, exit",
               "jne %r3, 3, exit", "mov %r0, 1", "exit"))


# =============================================================================================
# Memory (isa.md 2.5) and lddw (1.2)

MEM16 = bytes(range(0x11, 0x11 + 16))
NEGMEM = bytes([0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x7f, 0x6e, 0x5d, 0x4c, 0x3b, 0x2a, 0x19, 0x08])


def mem_family():
    F = "mem"
    for sz, nbytes in (("b", 1), ("h", 2), ("w", 4), ("dw", 8)):
        for off in sorted({0, 1, 3, 16 - nbytes}):
            T(F, "ldx%s-input-off%d" % (sz, off),
              ["ldx%s loads %d byte(s) little-endian from the input and zero-extends; offset %d%s." %
               (sz, nbytes, off, " is unaligned (allowed on input memory)" if off % nbytes else "")],
              asm=prog("ldx%s %%r0, [%%r1+%d]" % (sz, off), "exit"), mem=MEM16)
        for off in (0, 5):
            T(F, "ldx%s-input-high-off%d" % (sz, off), ["ldx%s zero-extends even when the top loaded bit is set." % sz],
              asm=prog("ldx%s %%r0, [%%r1+%d]" % (sz, off), "exit"), mem=NEGMEM)
    for sz, nbytes in (("b", 1), ("h", 2), ("w", 4)):
        for off, memv in ((0, NEGMEM), (8, NEGMEM), (1, NEGMEM)):
            T(F, "ldxs%s-input-off%d" % (sz, off), ["ldxs%s (MEMSX) loads %d byte(s) and sign-extends to 64 bits." % (sz, nbytes)],
              asm=prog("ldxs%s %%r0, [%%r1+%d]" % (sz, off), "exit"), mem=memv)
        T(F, "ldxs%s-stack" % sz, ["ldxs%s on the stack: a stored negative value comes back sign-extended." % sz],
          asm=prog("lddw %r1, 0x8081828384858687", "stxdw [%r10-8], %r1", "ldxs%s %%r0, [%%r10-8]" % sz, "exit"))
    T(F, "ldxh-same-register", ["ldxh %r1, [%r1+2]: the base register is read before the destination is written."],
      asm=prog("ldxh %r1, [%r1+2]", "mov %r0, %r1", "exit"), mem=MEM16)
    T(F, "ldxb-negative-offset", ["A negative offset in the memory operand is subtracted: [%r3-3] with r3 = r1+8 reads byte 5."],
      asm=prog("mov %r3, %r1", "add %r3, 8", "ldxb %r0, [%r3-3]", "exit"), mem=MEM16)
    T(F, "mem-len", ["At entry r2 holds the input length (8 bytes here)."], asm=prog("mov %r0, %r2", "exit"), mem=MEM16[:8])
    T(F, "mem-len-empty", ["Without input memory r2 = 0."], asm=prog("mov %r0, %r2", "exit"))
    # stores to input
    for sz, nbytes in (("b", 1), ("h", 2), ("w", 4), ("dw", 8)):
        for imm in (0x7e, -2, 0x12345678):
            T(F, "st%s-input-imm%s" % (sz, "neg2" if imm < 0 else h(imm)),
              ["st%s stores the low %d byte(s) of the sign-extended imm %d; reading back the whole 8 bytes shows" % (sz, nbytes, imm),
               "that only those bytes changed (stdw stores the sign-extended imm)."],
              asm=prog("st%s [%%r1+2], %s" % (sz, imm_text(imm)), "ldxdw %r0, [%r1+2]", "exit"), mem=MEM16)
        T(F, "stx%s-input-unaligned" % sz,
          ["stx%s stores the low %d byte(s) of src at an unaligned input offset (3)." % (sz, nbytes)],
          asm=prog("lddw %r2, 0xf1e2d3c4b5a69788", "stx%s [%%r1+3], %%r2" % sz, "ldxdw %r0, [%r1+1]", "exit"), mem=MEM16)
        T(F, "stx%s-stack" % sz,
          ["stx%s on the stack (aligned, as the kernel requires) changes only the low %d byte(s) of the 8-byte slot." % (sz, nbytes)],
          asm=prog("lddw %r3, 0x1111111111111111", "stxdw [%r10-16], %r3", "lddw %r4, 0xaabbccddeeff0099",
                   "stx%s [%%r10-16], %%r4" % sz, "ldxdw %r0, [%r10-16]", "exit"))
        T(F, "st%s-stack" % sz, ["st%s [%%r10-8] stores the low %d byte(s) of the imm -3 (sign-extended)." % (sz, nbytes)],
          asm=prog("lddw %r3, 0x2222222222222222", "stxdw [%r10-8], %r3", "st%s [%%r10-8], -3" % sz, "ldxdw %r0, [%r10-8]", "exit"))
    T(F, "stack-bottom", ["The lowest stack byte is r10-512; a dword stored there reads back."],
      asm=prog("lddw %r1, 0x0102030405060708", "stxdw [%r10-512], %r1", "ldxdw %r0, [%r10-512]", "exit"))
    T(F, "stack-little-endian", ["Memory is little-endian: a dword 0x0102030405060708 has byte 0x08 at the lowest address",
                                 "and the u16 at +6 is 0x0102."],
      asm=prog("lddw %r1, 0x0102030405060708", "stxdw [%r10-8], %r1", "ldxb %r2, [%r10-8]", "ldxh %r3, [%r10-2]",
               "lsh %r3, 8", "or %r3, %r2", "mov %r0, %r3", "exit"))
    T(F, "stack-pointer-copy", ["r10 can be copied and offset: r3 = r10 - 32, then [%r3+8] is r10-24."],
      asm=prog("mov %r3, %r10", "add %r3, -32", "stdw [%r3+8], 99", "ldxdw %r0, [%r10-24]", "exit"))
    T(F, "stack-many-slots", ["Sixteen dword slots written then summed: 1+2+...+16 = 136."],
      asm=prog(*(["stdw [%%r10-%d], %d" % (8 * i, i) for i in range(1, 17)] + ["mov %r0, 0"] +
                 ["ldxdw %%r1, [%%r10-%d]" % (8 * i) + "\nadd %r0, %r1" for i in range(1, 17)] + ["exit"])))
    T(F, "input-store-chain", ["Bytes written to the input memory are visible to later loads (stxb chain)."],
      asm=prog("ldxb %r3, [%r1]", "stxb [%r1+1], %r3", "ldxb %r4, [%r1+1]", "stxb [%r1+2], %r4", "ldxh %r0, [%r1+1]", "exit"),
      mem=MEM16[:4])
    # lddw
    for i, v in enumerate((0x1122334455667788, 0x8000000000000000, 0x00000000ffffffff, 0xffffffff00000000, 0, M64,
                           0x0000000180000000, 0xdeadbeefcafebabe)):
        d = REGS[i][0]
        T("lddw", "lddw-%s" % h(v), ["lddw loads the 64-bit imm from two slots: low half in slot 0 imm, high half in slot 1 imm;",
                                     "neither half is sign-extended. Value %s into r%d." % (h(v), d)],
          asm=prog("lddw %%r%d, %s" % (d, h(v)), "mov %%r0, %%r%d" % d if d else None, "exit"))
    T("lddw", "lddw-raw", ["lddw written as raw slots 0x5566778800000018 0x1122334400000000 gives 0x1122334455667788."],
      raw=[0x5566778800000018, 0x1122334400000000, 0x95])
    T("lddw", "lddw-decimal-unsigned", ["lddw with decimal 2147483648 is an unsigned 64-bit number: 0x80000000."],
      asm=prog("lddw %r0, 2147483648", "exit"))
    T("lddw", "lddw-decimal-negative", ["lddw with decimal -2 is two's complement: 0xfffffffffffffffe."],
      asm=prog("lddw %r0, -2", "exit"))
    T("lddw", "lddw-twice", ["Two lddw in a row, then xor: slot counting across wide instructions."],
      asm=prog("lddw %r1, 0x0f0f0f0f0f0f0f0f", "lddw %r2, 0xff00ff00ff00ff00", "mov %r0, %r1", "xor %r0, %r2", "exit"))


# =============================================================================================
# Atomics (isa.md 2.6): on the stack, aligned (the kernel refuses atomics on packet memory)

AOPS = ["add", "or", "and", "xor"]


def atomic_family():
    F = "atomic"
    init, val = 0x8877665544332211, 0x0123456789abcdef
    for w in (64, 32):
        sfx = "32" if w == 32 else ""
        for op in AOPS + ["xchg", "cmpxchg"]:
            for fetch in ((False, True) if op in AOPS else (True,)):
                mn = "lock %s%s%s" % ("fetch " if fetch and op in AOPS else "", op, sfx)
                tag = "lock%s-%s%s" % ("-fetch" if fetch and op in AOPS else "", op, sfx)
                pre = ["lddw %%r1, %s" % h(init), "stxdw [%r10-8], %r1", "lddw %%r2, %s" % h(val)]
                if op == "cmpxchg":
                    continue
                T(F, tag + "-memory",
                  ["%s [%%r10-8], %%r2 (imm %s): memory %s. Result = the 8-byte slot afterwards;" %
                   (mn, h(M.ATOMIC_OPS.get(op, M.XCHG) | (1 if fetch and op in AOPS else 0)), ARULE[op],),
                   "a 32-bit op touches only the low 4 bytes (little-endian) of the slot."],
                  asm=prog(*pre, "%s [%%r10-8], %%r2" % mn, "ldxdw %r0, [%r10-8]", "exit"))
                if fetch:
                    T(F, tag + "-old",
                      ["%s: the src register receives the old memory value%s." %
                       (mn, ", zero-extended from 32 bits" if w == 32 else "")],
                      asm=prog(*pre, "%s [%%r10-8], %%r2" % mn, "mov %r0, %r2", "exit"))
            # on the high half / with an offset base
        T(F, "lock-add%s-offset-base" % sfx, ["lock add%s through a copied frame pointer with a positive offset: [%%r3+8] = r10-8." % sfx],
          asm=prog("stdw [%r10-8], 40", "mov %r3, %r10", "add %r3, -16", "mov %r4, 2", "lock add%s [%%r3+8], %%r4" % sfx,
                   "ldxdw %r0, [%r10-8]", "exit"))
        for hit in (True, False):
            r0 = init if hit else 0x5555
            if w == 32:
                r0 = (0xffffffff00000000 | (init & M32)) if hit else 0x44332211ffffffff
            pre = ["lddw %%r1, %s" % h(init), "stxdw [%r10-8], %r1", "lddw %%r2, %s" % h(val), load(0, r0)]
            what = "hit" if hit else "miss"
            note = ("cmpxchg%s compares memory with %s; here r0 = %s, so it %s." %
                    (sfx, "u32(r0)" if w == 32 else "r0", h(r0), "matches and stores src" if hit else "does not match"))
            T(F, "lock-cmpxchg%s-%s-memory" % (sfx, what), [note, "Result = the slot afterwards."],
              asm=prog(*pre, "lock cmpxchg%s [%%r10-8], %%r2" % sfx, "ldxdw %r0, [%r10-8]", "exit"))
            T(F, "lock-cmpxchg%s-%s-r0" % (sfx, what), [note, "r0 always receives the old value%s." %
                                                        (", zero-extended" if w == 32 else "")],
              asm=prog(*pre, "lock cmpxchg%s [%%r10-8], %%r2" % sfx, "exit"))
    for op in AOPS:
        T(F, "lock-%s32-high-half" % op, ["lock %s32 on [%%r10-4] (the high half of the 8-byte slot) changes only bytes 4..7." % op],
          asm=prog("lddw %r1, 0x8877665544332211", "stxdw [%r10-8], %r1", "lddw %r2, 0xffffffff0f0f0f0f",
                   "lock %s32 [%%r10-4], %%r2" % op, "ldxdw %r0, [%r10-8]", "exit"))
    T(F, "lock-xchg32-high-half", ["lock xchg32 on [%r10-4] replaces bytes 4..7 only; r2 gets the old high word zero-extended."],
      asm=prog("lddw %r1, 0x8877665544332211", "stxdw [%r10-8], %r1", "lddw %r2, 0xffffffffaabbccdd",
               "lock xchg32 [%r10-4], %r2", "ldxdw %r0, [%r10-8]", "xor %r0, %r2", "exit"))
    T(F, "lock-fetch-add-counter", ["Repeated lock fetch add: the fetched values 0,1,2,3 sum to 6; memory ends at 4."],
      asm=prog("stdw [%r10-8], 0", "mov %r0, 0", "mov %r6, 4", "top:", "mov %r1, 1", "lock fetch add [%r10-8], %r1",
               "add %r0, %r1", "sub %r6, 1", "jne %r6, 0, top", "ldxdw %r1, [%r10-8]", "lsh %r1, 32", "or %r0, %r1", "exit"))


ARULE = {"add": "M += src", "or": "M |= src", "and": "M &= src", "xor": "M ^= src", "xchg": "M = src, src = old M",
         "cmpxchg": ""}


# =============================================================================================
# Calls (isa.md 2.4)

def call_family():
    F = "call"
    T(F, "call-local-args", ["call local passes r1..r5 as arguments and returns r0: f(a..e) = a+2b+3c+4d+5e with 1..5 = 55."],
      asm=prog("mov %r1, 1", "mov %r2, 2", "mov %r3, 3", "mov %r4, 4", "mov %r5, 5", "call local f", "exit", "f:",
               "mov %r0, %r1", "lsh %r2, 1", "add %r0, %r2", "mul %r3, 3", "add %r0, %r3", "lsh %r4, 2", "add %r0, %r4",
               "mul %r5, 5", "add %r0, %r5", "exit"))
    T(F, "call-local-preserves-r6-r9", ["r6..r9 are callee-saved: the callee overwrites them, the caller sees its own values",
                                        "again after the call. Result packs r6..r9 = 6,7,8,9 into bytes."],
      asm=prog("mov %r6, 6", "mov %r7, 7", "mov %r8, 8", "mov %r9, 9", "call local f", "mov %r0, %r6", "lsh %r0, 8",
               "or %r0, %r7", "lsh %r0, 8", "or %r0, %r8", "lsh %r0, 8", "or %r0, %r9", "exit", "f:",
               "mov %r6, 0", "mov %r7, 0", "mov %r8, 0", "mov %r9, 0", "mov %r0, 0", "exit"))
    T(F, "call-local-stack-isolation", ["Each frame has its own stack: the callee writes its [%r10-8], the caller's",
                                        "[%r10-8] keeps 0x55 (extensions/call_local_use_stack)."],
      asm=prog("stdw [%r10-8], 0x55", "call local f", "ldxdw %r0, [%r10-8]", "exit", "f:", "stdw [%r10-8], 0x66",
               "mov %r0, 0", "exit"))
    T(F, "call-local-callee-stack-result", ["The callee's own stack works: it stores and reloads 0x66 and returns it."],
      asm=prog("stdw [%r10-8], 0x55", "call local f", "exit", "f:", "stdw [%r10-8], 0x66", "ldxdw %r0, [%r10-8]", "exit"))
    T(F, "call-local-pointer-to-caller-stack", ["A pointer to the caller's stack passed in r1 stays valid in the callee,",
                                                "which writes through it; the caller reads 0x77."],
      asm=prog("stdw [%r10-8], 0", "mov %r1, %r10", "add %r1, -8", "call local f", "ldxdw %r0, [%r10-8]", "exit", "f:",
               "stdw [%r1], 0x77", "mov %r0, 0", "exit"))
    T(F, "call-local-twice", ["Two calls to the same function: sq(3) + sq(4) = 25."],
      asm=prog("mov %r1, 3", "call local sq", "mov %r6, %r0", "mov %r1, 4", "call local sq", "add %r0, %r6", "exit",
               "sq:", "mov %r0, %r1", "mul %r0, %r1", "exit"))
    T(F, "call-local-numeric-target", ["call local with a numeric displacement +2 jumps over two slots to the callee."],
      asm=prog("mov %r1, 20", "call local +2", "add %r0, 1", "exit", "mov %r0, %r1", "add %r0, 1", "exit"))
    T(F, "call-local-r0-return", ["r0 set by the callee is the value the caller sees (0x1234)."],
      asm=prog("mov %r0, 1", "call local f", "exit", "f:", "mov %r0, 0x1234", "exit"))
    for depth in range(1, 8):
        lines = ["mov %r1, 1", "call local f1", "exit"]
        for d in range(1, depth + 1):
            lines += ["f%d:" % d, "mul %%r1, %d" % (d + 1)]
            if d < depth:
                lines += ["stdw [%%r10-8], %d" % d, "call local f%d" % (d + 1), "ldxdw %r1, [%r10-8]", "add %r0, %r1"]
            else:
                lines += ["mov %r0, %r1"]
            lines += ["exit"]
        T(F, "call-local-depth-%d" % depth,
          ["%d nested local calls (frames 0..%d); each frame keeps its own stack slot, checked on the way back." % (depth, depth),
           "The deepest returns (depth+1)!, each frame adds its depth number."],
          asm=prog(*lines))
    T(F, "call-local-recursive-factorial", ["Recursive local calls: fact(5) = 120 (depth 5 frames, within the limit of 8).",
                                            "The kernel verifier refuses recursion."],
      asm=prog("mov %r1, 5", "call local fact", "exit", "fact:", "mov %r0, 1", "jle %r1, 1, done", "mov %r6, %r1",
               "sub %r1, 1", "call local fact", "mul %r0, %r6", "done:", "exit"),
      kernel=("REJECTED", "verifier rejects recursion (reported as a call stack too deep)"))
    # callx (group callx)
    T(F, "callx-ktime", ["callx (0x8d, group callx): call %r2 calls the helper whose id is in r2 (5 = bpf_ktime_get_ns) and",
                         "returns to the next instruction; the time is not fixed, so the test returns 1 after the call."],
      asm=prog("mov %r2, 5", "call %r2", "mov %r0, 1", "exit"))
    T(F, "callx-cpu-id", ["callx with helper id 8 (bpf_get_smp_processor_id) in r4: the cpu id is below 64, so r0 = 1."],
      asm=prog("mov %r4, 8", "call helper %r4", "mov %r1, 1", "jlt %r0, 64, +1", "mov %r1, 0", "mov %r0, %r1", "exit"),
      helper_test=True)
    # helpers
    T("helper", "helper-ktime-monotonic", ["Helper 5 (bpf_ktime_get_ns): a second call never returns less than the first."],
      asm=prog("call 5", "mov %r6, %r0", "call 5", "mov %r1, 1", "jge %r0, %r6, +1", "mov %r1, 0", "mov %r0, %r1", "exit"),
      helper_test=True)
    T("helper", "helper-ktime-nonzero-chain", ["Three bpf_ktime_get_ns calls are non-decreasing (t1 <= t2 <= t3)."],
      asm=prog("call 5", "mov %r6, %r0", "call 5", "mov %r7, %r0", "call 5", "mov %r8, %r0", "mov %r0, 0",
               "jgt %r6, %r7, +2", "jgt %r7, %r8, +1", "mov %r0, 1", "exit"), helper_test=True)
    T("helper", "helper-prandom-u32-range", ["Helper 7 (bpf_get_prandom_u32) returns a u32: the upper 32 bits are 0."],
      asm=prog("call 7", "rsh %r0, 32", "exit"), helper_test=True)
    T("helper", "helper-prandom-masked", ["bpf_get_prandom_u32 masked with 0 is 0; masked with 0xff stays <= 255: r0 = 1."],
      asm=prog("call 7", "and %r0, 0xff", "mov %r1, 1", "jle %r0, 255, +1", "mov %r1, 0", "mov %r0, %r1", "exit"),
      helper_test=True)
    T("helper", "helper-cpu-id-small", ["Helper 8 (bpf_get_smp_processor_id) returns a cpu id below 64: r0 = 1."],
      asm=prog("call 8", "mov %r1, 1", "jlt %r0, 64, +1", "mov %r1, 0", "mov %r0, %r1", "exit"), helper_test=True)
    T("helper", "helper-preserves-r6-r9", ["Helper calls preserve r6..r9: 6+7+8+9 = 30 after a call 5."],
      asm=prog("mov %r6, 6", "mov %r7, 7", "mov %r8, 8", "mov %r9, 9", "call 5", "mov %r0, %r6", "add %r0, %r7",
               "add %r0, %r8", "add %r0, %r9", "exit"), helper_test=True)
    T("helper", "helper-preserves-stack", ["A helper call leaves the stack alone: [%r10-8] still holds 0x1234."],
      asm=prog("stdw [%r10-8], 0x1234", "call 7", "ldxdw %r0, [%r10-8]", "exit"), helper_test=True)
    T("helper", "helper-in-callee", ["A helper (bpf_get_smp_processor_id) called from a local function: the cpu id is below 64, so the caller gets 1."],
      asm=prog("call local f", "exit", "f:", "call 8", "mov %r1, 1", "jlt %r0, 64, +1", "mov %r1, 0", "mov %r0, %r1", "exit"),
      helper_test=True)


# =============================================================================================
# Whole programs (hand-written; checked against plain Python)

def u8s(s):
    return s.encode() if isinstance(s, str) else bytes(s)


def fnv1a32(data):
    h_ = 0x811c9dc5
    for b in data:
        h_ = ((h_ ^ b) * 0x01000193) & M32
    return h_


def fnv1a64(data):
    h_ = 0xcbf29ce484222325
    for b in data:
        h_ = ((h_ ^ b) * 0x100000001b3) & M64
    return h_


def rol32(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def jhash_final(a, b, c):
    c ^= b; c = (c - rol32(b, 14)) & M32
    a ^= c; a = (a - rol32(c, 11)) & M32
    b ^= a; b = (b - rol32(a, 25)) & M32
    c ^= b; c = (c - rol32(b, 16)) & M32
    a ^= c; a = (a - rol32(c, 4)) & M32
    b ^= a; b = (b - rol32(a, 14)) & M32
    c ^= b; c = (c - rol32(b, 24)) & M32
    return c


def crc32(data):
    c = 0xffffffff
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ (0xedb88320 & (-(c & 1) & M32))
    return c ^ 0xffffffff


def ipv4_header(src, dst, proto=17, total=28, ttl=64, csum=None):
    hdr = bytearray([0x45, 0, total >> 8, total & 0xff, 0x1c, 0x46, 0x40, 0, ttl, proto, 0, 0] + list(src) + list(dst))
    if csum is None:
        s = sum((hdr[i] << 8) | hdr[i + 1] for i in range(0, 20, 2))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        csum = ~s & 0xffff
    hdr[10], hdr[11] = csum >> 8, csum & 0xff
    return bytes(hdr)


def eth(ethertype):
    return bytes([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, ethertype >> 8, ethertype & 0xff])


def udp(sport, dport, payload=b""):
    ln = 8 + len(payload)
    return bytes([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, ln >> 8, ln & 0xff, 0, 0]) + payload


def tcp(sport, dport, flags):
    return bytes([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff,
                  0, 0, 0, 0])


def isprime(n):
    return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, (a + b) & M64
    return a


def prog_family():
    F = "prog"
    TCP80 = ("ldxh %r3, [%r1+12]", "mov %r0, 0", "be16 %r3", "jne %r3, 0x0800, exit", "ldxb %r3, [%r1+23]",
             "jne %r3, 6, exit", "ldxb %r3, [%r1+14]", "and %r3, 0xf", "jne %r3, 5, exit", "ldxh %r3, [%r1+36]",
             "be16 %r3", "jne %r3, 80, exit", "mov %r0, 1", "exit")
    base = ipv4_header([10, 0, 0, 1], [10, 0, 0, 2], proto=6, total=40)
    for nm, pkt, want in (("match", eth(0x0800) + base + tcp(1234, 80, 0x02), 1),
                          ("nomatch-port", eth(0x0800) + base + tcp(1234, 8080, 0x02), 0),
                          ("nomatch-ethertype", eth(0x86dd) + base + tcp(1234, 80, 0x02), 0),
                          ("nomatch-proto", eth(0x0800) + ipv4_header([10, 0, 0, 1], [10, 0, 0, 2], proto=17, total=40) +
                           tcp(1234, 80, 0x02), 0)):
        T(F, "tcp-port-80-" + nm, ["Packet filter: Ethernet type IPv4 (be16 at 12), protocol TCP (byte 23), IHL 5,",
                                    "TCP destination port 80 (be16 at 36) gives 1, anything else 0."],
          asm=prog(*TCP80), mem=pkt, check=want)
    udp_pkt = eth(0x0800) + ipv4_header([192, 168, 1, 10], [8, 8, 4, 4], proto=17, total=36) + udp(5353, 53, b"\xde\xad\xbe\xef\x01\x02\x03\x04")
    T(F, "udp-ports", ["Parse Ethernet/IPv4/UDP: result = source port << 16 | destination port (both big-endian in the packet)."],
      asm=prog("ldxh %r3, [%r1+34]", "be16 %r3", "ldxh %r4, [%r1+36]", "be16 %r4", "lsh %r3, 16", "or %r3, %r4",
               "mov %r0, %r3", "exit"), mem=udp_pkt, check=(5353 << 16) | 53)
    T(F, "udp-payload-len", ["UDP length (be16 at 38) minus the 8-byte header = payload length 8."],
      asm=prog("ldxh %r0, [%r1+38]", "be16 %r0", "sub %r0, 8", "exit"), mem=udp_pkt, check=8)
    T(F, "ipv4-fields", ["Extract IPv4 fields: version<<56 | ihl<<48 | ttl<<40 | proto<<32 | total length.",
                         "Version and IHL are the two nibbles of byte 14."],
      asm=prog("ldxb %r3, [%r1+14]", "mov %r4, %r3", "rsh %r4, 4", "and %r3, 15", "mov %r0, %r4", "lsh %r0, 8",
               "or %r0, %r3", "ldxb %r5, [%r1+22]", "lsh %r0, 8", "or %r0, %r5", "ldxb %r5, [%r1+23]", "lsh %r0, 8",
               "or %r0, %r5", "lsh %r0, 32", "ldxh %r5, [%r1+16]", "be16 %r5", "or %r0, %r5", "exit"),
      mem=udp_pkt, check=(4 << 56) | (5 << 48) | (64 << 40) | (17 << 32) | 36)
    T(F, "ipv4-src-addr", ["IPv4 source address as a host-order u32: ldxw at 26 then be32 gives 0xc0a8010a (192.168.1.10)."],
      asm=prog("ldxw %r0, [%r1+26]", "be32 %r0", "exit"), mem=udp_pkt, check=0xc0a8010a)
    for nm, ip, want in (("in", [10, 1, 2, 3], 1), ("out", [11, 1, 2, 3], 0)):
        T(F, "subnet-10-8-" + nm, ["Subnet match: is the IPv4 source address in 10.0.0.0/8? (be32, mask 0xff000000)."],
          asm=prog("mov %r0, 0", "ldxw %r3, [%r1+26]", "be32 %r3", "and %r3, 0xff000000", "jne %r3, 0x0a000000, +1",
                   "mov %r0, 1", "exit"),
          mem=eth(0x0800) + ipv4_header(ip, [10, 0, 0, 9]), check=want)
    vlan = bytes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x81, 0x00, 0x00, 0x2a, 0x08, 0x00]) + ipv4_header([1, 2, 3, 4], [5, 6, 7, 8])
    T(F, "vlan-inner-type", ["802.1Q: outer type 0x8100 at 12, VLAN id (low 12 bits of the TCI at 14) = 42, inner type at 16 =",
                             "0x0800. Result = vlan << 16 | inner type, or 0 if not VLAN."],
      asm=prog("mov %r0, 0", "ldxh %r3, [%r1+12]", "be16 %r3", "jne %r3, 0x8100, exit", "ldxh %r4, [%r1+14]", "be16 %r4",
               "and %r4, 0xfff", "ldxh %r5, [%r1+16]", "be16 %r5", "lsh %r4, 16", "or %r4, %r5", "mov %r0, %r4", "exit"),
      mem=vlan, check=(42 << 16) | 0x0800)
    tflags = eth(0x0800) + ipv4_header([1, 1, 1, 1], [2, 2, 2, 2], proto=6, total=40) + tcp(80, 4444, 0x12)
    T(F, "tcp-syn-ack", ["TCP flags byte (offset 14+20+13 = 47): SYN (0x02) and ACK (0x10) both set gives 1."],
      asm=prog("ldxb %r3, [%r1+47]", "mov %r0, 0", "jset %r3, 0x2, +1", "exit", "jset %r3, 0x10, +1", "exit", "mov %r0, 1", "exit"),
      mem=tflags, check=1)
    # checksums
    hdr = ipv4_header([192, 168, 0, 1], [192, 168, 0, 199], proto=17, total=60)
    csum_prog = ["mov %r0, 0", "mov %r3, %r1", "add %r3, 14", "mov %r4, 10", "loop:", "ldxh %r5, [%r3]", "be16 %r5",
                 "add %r0, %r5", "add %r3, 2", "sub %r4, 1", "jne %r4, 0, loop"] + 2 * ["mov %r5, %r0", "rsh %r5, 16",
                 "and %r0, 0xffff", "add %r0, %r5"]
    T(F, "ipv4-checksum-verify", ["IPv4 header checksum: the ones-complement sum of the ten 16-bit words of a valid header",
                                  "(checksum included) folds to 0xffff; the program returns ~sum & 0xffff = 0. The carries are folded",
                                  "twice (enough for ten words)."],
      asm=prog(*csum_prog, "xor %r0, 0xffff", "exit"), mem=eth(0x0800) + hdr, check=0)
    bad = bytearray(hdr)
    bad[10] = bad[11] = 0
    T(F, "ipv4-checksum-compute", ["Compute the IPv4 header checksum with the checksum field zeroed: ~(ones-complement sum)."],
      asm=prog(*csum_prog, "xor %r0, 0xffff", "exit"), mem=eth(0x0800) + bytes(bad), check=(hdr[10] << 8) | hdr[11])
    words = bytes([0xff, 0xff, 0xff, 0xff, 0x80, 0x01, 0x7f, 0xff, 0x12, 0x34, 0xfe, 0xdc, 0x00, 0x01, 0xab, 0xcd])
    ws = sum((words[i] << 8) | words[i + 1] for i in range(0, 16, 2))
    while ws >> 16:
        ws = (ws & 0xffff) + (ws >> 16)
    T(F, "ones-complement-sum", ["Ones-complement sum of eight big-endian 16-bit words with end-around carry (folded)."],
      asm=prog("mov %r0, 0", "mov %r3, %r1", "mov %r4, 8", "loop:", "ldxh %r5, [%r3]", "be16 %r5", "add32 %r0, %r5",
               "mov32 %r5, %r0", "rsh32 %r5, 16", "and32 %r0, 0xffff", "add32 %r0, %r5", "add %r3, 2", "sub %r4, 1",
               "jne %r4, 0, loop", "exit"), mem=words, check=ws)
    # hashes
    text = u8s("hello, world")
    T(F, "fnv1a-32", ["FNV-1a 32-bit over the input bytes: h = 0x811c9dc5; per byte h ^= b; h *= 0x01000193 (mul32)."],
      asm=prog("mov32 %r0, 0x811c9dc5", "mov %r3, %r1", "mov %r4, %r2", "loop:", "jeq %r4, 0, done", "ldxb %r5, [%r3]",
               "xor32 %r0, %r5", "mul32 %r0, 0x01000193", "add %r3, 1", "sub %r4, 1", "ja loop", "done:", "exit"),
      mem=text, check=fnv1a32(text))
    T(F, "fnv1a-64", ["FNV-1a 64-bit: offset basis 0xcbf29ce484222325, prime 0x100000001b3 (lddw + 64-bit mul)."],
      asm=prog("lddw %r0, 0xcbf29ce484222325", "lddw %r6, 0x100000001b3", "mov %r3, %r1", "mov %r4, %r2", "loop:",
               "jeq %r4, 0, done", "ldxb %r5, [%r3]", "xor %r0, %r5", "mul %r0, %r6", "add %r3, 1", "sub %r4, 1",
               "ja loop", "done:", "exit"), mem=text, check=fnv1a64(text))
    def rol(reg, k, tmp):
        return ["mov32 %%r%d, %%r%d" % (tmp, reg), "lsh32 %%r%d, %d" % (tmp, k), "mov32 %%r9, %%r%d" % reg,
                "rsh32 %%r9, %d" % (32 - k), "or32 %%r%d, %%r9" % tmp]
    jl = []
    for (x, y, k) in (("c", "b", 14), ("a", "c", 11), ("b", "a", 25), ("c", "b", 16), ("a", "c", 4), ("b", "a", 14), ("c", "b", 24)):
        rx, ry = {"a": 6, "b": 7, "c": 8}[x], {"a": 6, "b": 7, "c": 8}[y]
        jl += ["xor32 %%r%d, %%r%d" % (rx, ry)] + rol(ry, k, 3) + ["sub32 %%r%d, %%r3" % rx]
    jin = bytes.fromhex("efbeadde0d0000003713000000000000")
    a0, b0, c0 = (int.from_bytes(jin[i:i + 4], "little") for i in (0, 4, 8))
    T(F, "jhash-final-mix", ["jhash final mixing (__jhash_final) of three u32 words read from the input, with 32-bit",
                             "rotates built from lsh32/rsh32/or32; result c."],
      asm=prog("ldxw %r6, [%r1]", "ldxw %r7, [%r1+4]", "ldxw %r8, [%r1+8]", *jl, "mov %r0, %r8", "exit"),
      mem=jin, check=jhash_final(a0, b0, c0))
    crcin = u8s("123456789")
    T(F, "crc32-bitwise", ["Bitwise reflected CRC-32 (poly 0xedb88320) of \"123456789\" = 0xcbf43926; the conditional xor is",
                           "branch-free: mask = -(crc & 1)."],
      asm=prog("mov32 %r0, 0xffffffff", "mov %r3, %r1", "mov %r4, 9", "byte:", "ldxb %r5, [%r3]", "xor32 %r0, %r5",
               "mov %r6, 8", "bit:", "mov32 %r7, %r0", "and32 %r7, 1", "neg32 %r7", "and32 %r7, 0xedb88320", "rsh32 %r0, 1",
               "xor32 %r0, %r7", "sub %r6, 1", "jne %r6, 0, bit", "add %r3, 1", "sub %r4, 1", "jne %r4, 0, byte",
               "xor32 %r0, 0xffffffff", "exit"), mem=crcin, check=crc32(crcin))
    adl = u8s("Wikipedia")
    a_, b_ = 1, 0
    for ch in adl:
        a_ = (a_ + ch) % 65521
        b_ = (b_ + a_) % 65521
    T(F, "adler32", ["Adler-32 of \"Wikipedia\" = 0x11e60398: a = 1 + sum bytes, b = sum of a, both mod 65521 (mod32)."],
      asm=prog("mov %r6, 1", "mov %r7, 0", "mov %r3, %r1", "mov %r4, %r2", "loop:", "ldxb %r5, [%r3]", "add32 %r6, %r5",
               "mod32 %r6, 65521", "add32 %r7, %r6", "mod32 %r7, 65521", "add %r3, 1", "sub %r4, 1", "jne %r4, 0, loop",
               "mov %r0, %r7", "lsh %r0, 16", "or %r0, %r6", "exit"), mem=adl, check=(b_ << 16) | a_)
    djb = u8s("bpfh")
    hv = 5381
    for ch in djb:
        hv = (hv * 33 + ch) & M64
    T(F, "djb2", ["djb2 hash: h = 5381; h = h*33 + byte (64-bit), over \"bpfh\"."],
      asm=prog("mov %r0, 5381", "mov %r3, %r1", "mov %r4, 4", "loop:", "ldxb %r5, [%r3]", "mul %r0, 33", "add %r0, %r5",
               "add %r3, 1", "sub %r4, 1", "jne %r4, 0, loop", "exit"), mem=djb, check=hv)
    k = 0x0123456789abcdef
    z = k
    z ^= z >> 33; z = (z * 0xff51afd7ed558ccd) & M64; z ^= z >> 33; z = (z * 0xc4ceb9fe1a85ec53) & M64; z ^= z >> 33
    T(F, "murmur3-fmix64", ["MurmurHash3 fmix64 finalizer of 0x0123456789abcdef (xorshift 33 and two 64-bit multiplies)."],
      asm=prog("lddw %r0, 0x0123456789abcdef", "lddw %r6, 0xff51afd7ed558ccd", "lddw %r7, 0xc4ceb9fe1a85ec53",
               "mov %r1, %r0", "rsh %r1, 33", "xor %r0, %r1", "mul %r0, %r6", "mov %r1, %r0", "rsh %r1, 33", "xor %r0, %r1",
               "mul %r0, %r7", "mov %r1, %r0", "rsh %r1, 33", "xor %r0, %r1", "exit"), check=z)
    x = 88172645463325252
    for _ in range(10):
        x ^= (x << 13) & M64; x ^= x >> 7; x ^= (x << 17) & M64
    T(F, "xorshift64-10-rounds", ["xorshift64 (13, 7, 17) applied 10 times to 88172645463325252."],
      asm=prog("lddw %r0, 88172645463325252", "mov %r6, 10", "loop:", "mov %r1, %r0", "lsh %r1, 13", "xor %r0, %r1",
               "mov %r1, %r0", "rsh %r1, 7", "xor %r0, %r1", "mov %r1, %r0", "lsh %r1, 17", "xor %r0, %r1", "sub %r6, 1",
               "jne %r6, 0, loop", "exit"), check=x)
    # tea
    v0, v1, key = 0x01234567, 0x89abcdef, [0xa56babcd, 0x0000ffff, 0xffffffff, 0xabcdef01]
    s_ = 0
    for _ in range(32):
        s_ = (s_ + 0x9e3779b9) & M32
        v0 = (v0 + ((((v1 << 4) + key[0]) & M32) ^ ((v1 + s_) & M32) ^ (((v1 >> 5) + key[1]) & M32))) & M32
        v1 = (v1 + ((((v0 << 4) + key[2]) & M32) ^ ((v0 + s_) & M32) ^ (((v0 >> 5) + key[3]) & M32))) & M32
    def tea_half(dst, src, k0, k1):
        return ["mov32 %%r3, %%r%d" % src, "lsh32 %r3, 4", "add32 %%r3, %s" % imm_text(s32(k0)), "mov32 %%r4, %%r%d" % src,
                "add32 %r4, %r8", "xor32 %r3, %r4", "mov32 %%r4, %%r%d" % src, "rsh32 %r4, 5",
                "add32 %%r4, %s" % imm_text(s32(k1)), "xor32 %r3, %r4", "add32 %%r%d, %%r3" % dst]
    T(F, "tea-encrypt", ["TEA block cipher, 32 rounds of 32-bit add/xor/shift (ALU32 zero-extension throughout).",
                         "Result = v0 << 32 | v1."],
      asm=prog("mov32 %r6, 0x01234567", "mov32 %r7, 0x89abcdef", "mov32 %r8, 0", "mov %r9, 32", "round:",
               "add32 %r8, 0x9e3779b9", *tea_half(6, 7, key[0], key[1]), *tea_half(7, 6, key[2], key[3]), "sub %r9, 1",
               "jne %r9, 0, round", "mov %r0, %r6", "lsh %r0, 32", "or %r0, %r7", "exit"), check=(v0 << 32) | v1)
    # arithmetic loops
    T(F, "sum-1-to-100", ["Bounded loop: sum of 1..100 = 5050."],
      asm=prog("mov %r0, 0", "mov %r1, 1", "loop:", "add %r0, %r1", "add %r1, 1", "jle %r1, 100, loop", "exit"), check=5050)
    T(F, "primes-below-100", ["Trial division: count the primes below 100 = 25 (nested bounded loops, mod by register)."],
      asm=prog("mov %r0, 0", "mov %r6, 2", "outer:", "mov %r7, 2", "inner:", "mov %r3, %r7", "mul %r3, %r7",
               "jgt %r3, %r6, prime", "mov %r4, %r6", "mod %r4, %r7", "jeq %r4, 0, next", "add %r7, 1", "ja inner",
               "prime:", "add %r0, 1", "next:", "add %r6, 1", "jlt %r6, 100, outer", "exit"),
      check=sum(1 for n in range(2, 100) if isprime(n)))
    for n in (1000003, 1000001):
        T(F, "is-prime-%d" % n, ["Trial division of %d by 2..sqrt(n): 1 if prime, else 0." % n],
          asm=prog("lddw %%r6, %d" % n, "mov %r0, 1", "mov %r7, 2", "loop:", "mov %r3, %r7", "mul %r3, %r7",
                   "jgt %r3, %r6, done", "mov %r4, %r6", "mod %r4, %r7", "jne %r4, 0, +2", "mov %r0, 0", "exit",
                   "add %r7, 1", "ja loop", "done:", "exit"), check=int(isprime(n)))
    T(F, "fibonacci-90", ["Iterative Fibonacci: fib(90) = 2880067194370816120 (64-bit adds, bounded loop)."],
      asm=prog("mov %r0, 0", "mov %r1, 1", "mov %r3, 90", "loop:", "mov %r4, %r0", "add %r4, %r1", "mov %r0, %r1",
               "mov %r1, %r4", "sub %r3, 1", "jne %r3, 0, loop", "exit"), check=fib(90))
    T(F, "factorial-20", ["Iterative 20! = 2432902008176640000 (fits in 64 bits)."],
      asm=prog("mov %r0, 1", "mov %r1, 2", "loop:", "mul %r0, %r1", "add %r1, 1", "jle %r1, 20, loop", "exit"),
      check=2432902008176640000)
    T(F, "factorial-25-wraps", ["25! modulo 2^64 (mul keeps the low 64 bits)."],
      asm=prog("mov %r0, 1", "mov %r1, 2", "loop:", "mul %r0, %r1", "add %r1, 1", "jle %r1, 25, loop", "exit"),
      check=__import__("math").factorial(25) & M64)
    T(F, "gcd-euclid", ["Euclid's algorithm with mod: gcd(1071, 462) = 21 (at most 64 rounds: the verifier cannot bound",
                          "a loop whose exit depends only on a mod result)."],
      asm=prog("mov %r1, 1071", "mov %r2, 462", "mov %r6, 64", "loop:", "jeq %r2, 0, done", "mov %r3, %r1",
               "mod %r3, %r2", "mov %r1, %r2", "mov %r2, %r3", "sub %r6, 1", "jne %r6, 0, loop", "done:", "mov %r0, %r1",
               "exit"), check=21)
    T(F, "collatz-27", ["Collatz steps from 27 to 1 = 111 (rsh for even, 3n+1 for odd; jset tests parity)."],
      asm=prog("mov %r1, 27", "mov %r0, 0", "loop:", "jeq %r1, 1, done", "add %r0, 1", "jset %r1, 1, odd", "rsh %r1, 1",
               "ja loop", "odd:", "mul %r1, 3", "add %r1, 1", "ja loop", "done:", "exit"), check=111)
    pv = 0xf0f0f0f00ff00001
    T(F, "popcount-64", ["Population count of 0xf0f0f0f00ff00001 by shifting out 64 bits = %d." % bin(pv).count("1")],
      asm=prog("lddw %%r1, %s" % h(pv), "mov %r0, 0", "mov %r3, 64", "loop:", "mov %r4, %r1", "and %r4, 1", "add %r0, %r4",
               "rsh %r1, 1", "sub %r3, 1", "jne %r3, 0, loop", "exit"), check=bin(pv).count("1"))
    rv = 0x12345678
    T(F, "bit-reverse-32", ["Reverse the 32 bits of 0x12345678 = %s." % h(int(format(rv, "032b")[::-1], 2))],
      asm=prog("mov32 %r1, 0x12345678", "mov32 %r0, 0", "mov %r3, 32", "loop:", "lsh32 %r0, 1", "mov32 %r4, %r1",
               "and32 %r4, 1", "or32 %r0, %r4", "rsh32 %r1, 1", "sub %r3, 1", "jne %r3, 0, loop", "exit"),
      check=int(format(rv, "032b")[::-1], 2))
    T(F, "isqrt-newton", ["Integer square root of 10^12+12345 by Newton's iteration (unsigned div), at most 64 rounds: 1000000."],
      asm=prog("lddw %r1, 1000000012345", "mov %r0, %r1", "mov %r3, %r1", "add %r3, 1", "rsh %r3, 1", "mov %r6, 64", "loop:",
               "jge %r3, %r0, done", "mov %r0, %r3", "mov %r3, %r1", "div %r3, %r0", "add %r3, %r0", "rsh %r3, 1",
               "sub %r6, 1", "jne %r6, 0, loop", "done:", "exit"), check=1000000)
    T(F, "power-3-40", ["3^40 by repeated multiplication = 12157665459056928801 (exceeds 2^63, unsigned)."],
      asm=prog("mov %r0, 1", "mov %r1, 40", "loop:", "mul %r0, 3", "sub %r1, 1", "jne %r1, 0, loop", "exit"),
      check=(3 ** 40) & M64)
    T(F, "sdiv-smod-identity", ["For signed a, b: (a sdiv b) * b + (a smod b) = a; checked for a = -1000003, b = 97 (v4)."],
      asm=prog("mov %r1, -1000003", "mov %r2, 97", "mov %r3, %r1", "sdiv %r3, %r2", "mul %r3, %r2", "mov %r4, %r1",
               "smod %r4, %r2", "add %r3, %r4", "mov %r0, 0", "jne %r3, %r1, +1", "mov %r0, 1", "exit"), check=1)
    # strings and bytes
    def strcmp_prog():
        return prog("mov %r3, %r1", "mov %r4, %r1", "add %r4, 16", "mov %r6, 16", "loop:", "ldxb %r0, [%r3]",
                    "ldxb %r5, [%r4]", "sub %r0, %r5", "jne %r0, 0, done", "jeq %r5, 0, done", "add %r3, 1", "add %r4, 1",
                    "sub %r6, 1", "jne %r6, 0, loop", "done:", "exit")
    def cstr(a, b):
        return a.encode().ljust(16, b"\0") + b.encode().ljust(16, b"\0")
    for nm, a, b in (("equal", "bpf-harness", "bpf-harness"), ("less", "abcdef", "abcxyz"), ("greater", "zeta", "alpha"),
                     ("prefix", "abc", "abcd")):
        def scmp(a=a, b=b):
            for x, y in zip(a.encode() + b"\0", b.encode() + b"\0"):
                if x != y or x == 0:
                    return u64(x - y)
            return 0
        T(F, "strcmp-" + nm, ["strcmp of two NUL-terminated strings at input offsets 0 and 16: returns the difference of the",
                              "first differing bytes (64-bit, negative wraps), 0 when equal."],
          asm=strcmp_prog(), mem=cstr(a, b), check=scmp())
    data = bytes((i * 37 + 11) & 0xff for i in range(32))
    T(F, "byte-sum", ["Sum of the 32 input bytes (zero-extended ldxb) = %d." % sum(data)],
      asm=prog("mov %r0, 0", "mov %r3, %r1", "mov %r4, %r2", "loop:", "ldxb %r5, [%r3]", "add %r0, %r5", "add %r3, 1",
               "sub %r4, 1", "jne %r4, 0, loop", "exit"), mem=data, check=sum(data))
    T(F, "signed-byte-sum", ["Sum of the 32 input bytes read as signed (ldxsb) = %d." % sum(sx(b, 8) for b in data)],
      asm=prog("mov %r0, 0", "mov %r3, %r1", "mov %r4, %r2", "loop:", "ldxsb %r5, [%r3]", "add %r0, %r5", "add %r3, 1",
               "sub %r4, 1", "jne %r4, 0, loop", "exit"), mem=data, check=u64(sum(sx(b, 8) for b in data)))
    T(F, "count-char", ["Count the bytes equal to 'a' in \"banana bandana\" = 6."],
      asm=prog("mov %r0, 0", "mov %r3, %r1", "mov %r4, %r2", "loop:", "ldxb %r5, [%r3]", "jne %r5, 0x61, +1", "add %r0, 1",
               "add %r3, 1", "sub %r4, 1", "jne %r4, 0, loop", "exit"), mem=u8s("banana bandana"), check=6)
    T(F, "atoi", ["Parse the decimal digits at the start of the input (stops at a non-digit): \"90210;\" gives 90210."],
      asm=prog("mov %r0, 0", "mov %r3, %r1", "mov %r4, %r2", "loop:", "ldxb %r5, [%r3]", "sub %r5, 0x30",
               "jgt %r5, 9, done", "mul %r0, 10", "add %r0, %r5", "add %r3, 1", "sub %r4, 1", "jne %r4, 0, loop", "done:",
               "exit"), mem=u8s("90210;xyz"), check=90210)
    T(F, "max-u32-array", ["Maximum of eight little-endian u32 values in the input (unsigned compare)."],
      asm=prog("mov %r0, 0", "mov %r3, %r1", "mov %r4, 8", "loop:", "ldxw %r5, [%r3]", "jle %r5, %r0, +1", "mov %r0, %r5",
               "add %r3, 4", "sub %r4, 1", "jne %r4, 0, loop", "exit"),
      mem=b"".join(v.to_bytes(4, "little") for v in (7, 0x80000000, 3, 0xfffffff0, 12, 0, 0x7fffffff, 99)), check=0xfffffff0)
    T(F, "min-s32-array", ["Minimum of eight little-endian s32 values (ldxsw + jslt), as a 64-bit signed result."],
      asm=prog("ldxsw %r0, [%r1]", "mov %r3, %r1", "mov %r4, 8", "loop:", "ldxsw %r5, [%r3]", "jsge %r5, %r0, +1",
               "mov %r0, %r5", "add %r3, 4", "sub %r4, 1", "jne %r4, 0, loop", "exit"),
      mem=b"".join(v.to_bytes(4, "little") for v in (7, 0x80000000, 3, 0xfffffff0, 12, 0, 0x7fffffff, 99)),
      check=u64(-0x80000000))
    arr = bytes([42, 7, 255, 0, 19, 100])
    pack_lines = ["mov %r0, 0"] + sum((["ldxdw %%r4, [%%r10-%d]" % (48 - 8 * i), "lsh %r0, 8", "or %r0, %r4"]
                                       for i in range(6)), [])
    T(F, "bubble-sort-stack", ["Bubble sort of six input bytes copied to u64 slots on the stack ([%r10-48]..[%r10-8]),",
                               "walking a stack pointer; result packs the sorted bytes, smallest first (most significant)."],
      asm=prog(*sum((["ldxb %%r4, [%%r1+%d]" % i, "stxdw [%%r10-%d], %%r4" % (48 - 8 * i)] for i in range(6)), []),
               "mov %r6, 5", "outer:", "mov %r3, %r10", "add %r3, -48", "mov %r7, 5", "inner:", "ldxdw %r4, [%r3]",
               "ldxdw %r5, [%r3+8]", "jle %r4, %r5, noswap", "stxdw [%r3], %r5", "stxdw [%r3+8], %r4", "noswap:",
               "add %r3, 8", "sub %r7, 1", "jne %r7, 0, inner", "sub %r6, 1", "jne %r6, 0, outer", *pack_lines, "exit"),
      mem=arr, check=int.from_bytes(bytes(sorted(arr)), "big"))
    T(F, "memcpy-to-stack-sum", ["Copy 32 input bytes to the stack as four dwords, then sum the dwords' bytes back (same as",
                                 "the byte sum); exercises ldxdw unaligned-free input reads and aligned stack writes."],
      asm=prog(*sum((["ldxdw %%r4, [%%r1+%d]" % (8 * i), "stxdw [%%r10-%d], %%r4" % (32 - 8 * i)] for i in range(4)), []),
               "mov %r0, 0", "mov %r3, %r10", "add %r3, -32", "mov %r6, 32", "loop:", "ldxb %r5, [%r3]", "add %r0, %r5",
               "add %r3, 1", "sub %r6, 1", "jne %r6, 0, loop", "exit"), mem=data, check=sum(data))
    T(F, "struct-fields", ["Read a packed little-endian struct {u8 a; u16 b; u32 c; u64 d} at unaligned offsets 0,1,3,7:",
                           "result = a + b + c + d."],
      asm=prog("ldxb %r0, [%r1]", "ldxh %r3, [%r1+1]", "add %r0, %r3", "ldxw %r3, [%r1+3]", "add %r0, %r3",
               "ldxdw %r3, [%r1+7]", "add %r0, %r3", "exit"),
      mem=bytes([9]) + (1000).to_bytes(2, "little") + (70000).to_bytes(4, "little") + (1 << 40).to_bytes(8, "little") + b"\0",
      check=9 + 1000 + 70000 + (1 << 40))
    T(F, "call-local-popcount", ["A local function popcount(x) called on each of two input dwords; results added."],
      asm=prog("ldxdw %r6, [%r1+8]", "ldxdw %r1, [%r1]", "call local pop", "mov %r7, %r0", "mov %r1, %r6",
               "call local pop", "add %r0, %r7", "exit", "pop:", "mov %r0, 0", "mov %r3, 64", "ploop:", "mov %r4, %r1",
               "and %r4, 1", "add %r0, %r4", "rsh %r1, 1", "sub %r3, 1", "jne %r3, 0, ploop", "exit"),
      mem=(0xff00ff00ff00ff00).to_bytes(8, "little") + (0x0000000000000007).to_bytes(8, "little"), check=32 + 3)
    T(F, "byte-histogram-stack", ["Histogram of the low 2 bits of 16 input bytes kept in four u64 stack counters via a",
                                  "compare chain; result packs the four counts into bytes."],
      asm=prog("stdw [%r10-8], 0", "stdw [%r10-16], 0", "stdw [%r10-24], 0", "stdw [%r10-32], 0", "mov %r3, %r1",
               "mov %r4, 16", "mov %r7, 1", "loop:", "ldxb %r5, [%r3]", "and %r5, 3", "mov %r6, %r10", "add %r6, -8",
               "jeq %r5, 0, bump", "mov %r6, %r10", "add %r6, -16", "jeq %r5, 1, bump", "mov %r6, %r10", "add %r6, -24",
               "jeq %r5, 2, bump", "mov %r6, %r10", "add %r6, -32", "bump:", "lock add [%r6], %r7", "add %r3, 1", "sub %r4, 1",
               "jne %r4, 0, loop", "mov %r0, 0", "ldxdw %r5, [%r10-8]", "or %r0, %r5", "ldxdw %r5, [%r10-16]", "lsh %r5, 8",
               "or %r0, %r5", "ldxdw %r5, [%r10-24]", "lsh %r5, 16", "or %r0, %r5", "ldxdw %r5, [%r10-32]", "lsh %r5, 24",
               "or %r0, %r5", "exit"), mem=data[:16],
      check=sum(sum(1 for b in data[:16] if b & 3 == k) << (8 * k) for k in range(4)))


# =============================================================================================
# Negative tests: load-time rejections and run-time traps

def negative_family():
    F = "negative"
    REJ = "rejected"
    def rej(name, desc, asm=None, raw=None, reason="verifier rejects the program"):
        # The kernel refusing it is a pass, so it is not listed in kernel.expect; `reason` is what
        # its verifier says, kept here for readers.
        T(F, name, desc + ["Every backend must refuse this program at load."], asm=asm, raw=raw, expect=REJ,
          kernel=None)
    rej("reject-unknown-opcode-ff", ["Opcode 0xff is not an instruction."], raw=[M.slot(0xff), 0x95], reason="unknown opcode")
    rej("reject-unknown-opcode-alu-e", ["ALU code 0xe (opcode 0xe4) is undefined."], raw=[M.slot(0xb7, 0, 0, 0, 0), M.slot(0xe4), 0x95],
        reason="unknown opcode")
    rej("reject-unknown-opcode-jmp-f", ["JMP code 0xf (opcode 0xf5) is undefined (0xe5 is Linux may_goto, not in RFC 9669)."],
        raw=[M.slot(0xb7), M.slot(0xf5), 0x95],
        reason="unknown opcode")
    rej("reject-call-jmp32", ["CALL exists only in the JMP class: 0x86 is invalid."], raw=[M.slot(0xb7), M.slot(0x86, 0, 0, 0, 5), 0x95],
        reason="unknown opcode")
    rej("reject-opcode-zero", ["Opcode 0x00 appears only as the second slot of lddw."], raw=[M.slot(0xb7), 0, 0x95], reason="unknown opcode")
    rej("reject-bswap-x-df", ["0xdf (ALU64 END with the X bit) is reserved."], raw=[M.slot(0xb7), M.slot(0xdf, 0, 0, 0, 16), 0x95],
        reason="unknown opcode")
    rej("reject-ldxdw-memsx", ["There is no sign-extending 8-byte load (0x99)."], raw=[M.slot(0x99, 0, 1), 0x95], reason="unknown opcode")
    rej("reject-legacy-abs", ["Legacy packet load LD_ABS (0x20) is not supported by the userspace backends."],
        raw=[M.slot(0xb7), M.slot(0x20, 0, 0, 0, 0), 0x95], reason="LD_ABS needs an skb context (not XDP)")
    rej("reject-register-r11-dst", ["mov %r11, 1: registers above r10 do not exist."], asm=prog("mov %r11, 1", "mov %r0, 0", "exit"),
        reason="invalid register")
    rej("reject-register-r15-src", ["mov %r0, %r15: source register 15 does not exist."], asm=prog("mov %r0, %r15", "exit"),
        reason="invalid register")
    rej("reject-register-r12-mem", ["ldxb from [%r12] uses a nonexistent base register."], asm=prog("ldxb %r0, [%r12]", "exit"),
        reason="invalid register")
    rej("reject-write-r10-mov", ["mov %r10, 1: the frame pointer is read-only."], asm=prog("mov %r10, 1", "mov %r0, 0", "exit"),
        reason="frame pointer is read only")
    rej("reject-write-r10-add", ["add %r10, 8: the frame pointer is read-only."], asm=prog("add %r10, 8", "mov %r0, 0", "exit"),
        reason="frame pointer is read only")
    rej("reject-write-r10-ldx", ["ldxdw %r10, [%r1]: a load cannot target the frame pointer."], asm=prog("ldxdw %r10, [%r1]", "mov %r0, 0", "exit"),
        reason="frame pointer is read only")
    rej("reject-write-r10-lddw", ["lddw %r10: the frame pointer is read-only."], asm=prog("lddw %r10, 0x1", "mov %r0, 0", "exit"),
        reason="frame pointer is read only")
    rej("reject-lddw-incomplete", ["lddw as the last slot has no second half."], raw=[M.slot(0xb7), 0x95, M.slot(0x18, 0, 0, 0, 1)],
        reason="incomplete lddw")
    rej("reject-lddw-bad-tail-opcode", ["The second slot of lddw must have opcode 0."], raw=[M.slot(0x18, 0, 0, 0, 1), M.slot(0xb7, 0, 0, 0, 2), 0x95],
        reason="invalid lddw second half")
    rej("reject-lddw-bad-tail-dst", ["The second slot of lddw must have dst 0."], raw=[M.slot(0x18, 0, 0, 0, 1), M.slot(0, 1, 0, 0, 2), 0x95],
        reason="invalid lddw second half")
    rej("reject-lddw-bad-tail-off", ["The second slot of lddw must have off 0."], raw=[M.slot(0x18, 0, 0, 0, 1), M.slot(0, 0, 0, 1, 2), 0x95],
        reason="invalid lddw second half")
    rej("reject-lddw-src-map-fd", ["lddw with src 1 (map fd pseudo-source) has no map to resolve."], raw=[M.slot(0x18, 0, 1, 0, 1), 0, 0x95],
        reason="no such map fd")
    rej("reject-jump-out-of-range", ["ja +5 from the first slot jumps past the end."], asm=prog("mov %r0, 0", "ja +5", "exit"),
        reason="jump out of range")
    rej("reject-jump-backward-out-of-range", ["jeq -3 from slot 1 targets slot -1."], asm=prog("mov %r0, 0", "jeq %r0, 0, -3", "exit"),
        reason="jump out of range")
    rej("reject-jump-into-lddw", ["A jump into the second slot of an lddw is invalid."],
        asm=prog("mov %r0, 0", "jeq %r0, 0, +1", "lddw %r0, 0x1122334455667788", "exit"), reason="jump into the middle of lddw")
    rej("reject-fall-through-into-function", ["The main function ends in a call, not exit or ja: it would fall into the",
        "function the call targets (uBPF errors/err-call0). Structural: every engine refuses it."],
        asm=prog("mov %r0, 0x12345678", "call local f", "f:", "exit"), reason="last insn is not an exit or jmp")
    rej("reject-fall-through-conditional", ["The main function ends in a conditional jump, which falls into the next function."],
        asm=prog("mov %r0, 1", "call local f", "jeq %r0, 0, -2", "f:", "mov %r0, 2", "exit"),
        reason="last insn is not an exit or jmp")
    rej("reject-jump-into-other-function", ["A subprogram jumps back into the main function (uBPF errors/err-call-invalid-jump)."],
        asm=prog("begin:", "mov %r1, 1", "call local f", "exit", "f:", "add %r1, 1", "ja begin", "exit"),
        reason="jump out of range")
    rej("reject-jump-from-main-into-function", ["The main function jumps into the body of a subprogram."],
        asm=prog("mov %r0, 0", "jeq %r1, 0, +3", "call local f", "exit", "f:", "mov %r0, 1", "exit"),
        reason="jump out of range")
    rej("reject-call-local-out-of-range", ["call local +10 targets a slot past the end."], asm=prog("mov %r0, 0", "call local +10", "exit"),
        reason="call target out of range")
    rej("reject-unused-src-add-k", ["add K form with a non-zero src field."], raw=[M.slot(0xb7), M.slot(0x07, 0, 1, 0, 1), 0x95],
        reason="reserved field set")
    rej("reject-unused-off-add-x", ["add X form with a non-zero offset."], raw=[M.slot(0xb7), M.slot(0x0f, 0, 1, 1), 0x95],
        reason="reserved field set")
    rej("reject-unused-imm-add-x", ["add X form with a non-zero imm."], raw=[M.slot(0xb7), M.slot(0x0f, 0, 1, 0, 7), 0x95],
        reason="reserved field set")
    rej("reject-unused-imm-exit", ["exit with a non-zero imm."], raw=[M.slot(0xb7), M.slot(0x95, 0, 0, 0, 1)], reason="reserved field set")
    rej("reject-unused-dst-ja", ["ja with a non-zero dst field."], raw=[M.slot(0xb7), M.slot(0x05, 1, 0, 0), 0x95], reason="reserved field set")
    rej("reject-unused-imm-ldxw", ["ldxw with a non-zero imm."], raw=[M.slot(0x61, 0, 1, 0, 1), 0x95], reason="reserved field set")
    rej("reject-unused-src-neg", ["neg with a non-zero src field."], raw=[M.slot(0xb7), M.slot(0x87, 0, 1), 0x95], reason="reserved field set")
    rej("reject-mov-bad-offset", ["mov X with offset 7 is neither mov nor movsx."], raw=[M.slot(0xb7, 1), M.slot(0xbf, 0, 1, 7), 0x95],
        reason="invalid movsx offset")
    rej("reject-movsx32-offset-32", ["movsx with offset 32 exists only in ALU64 (0xbf); on 0xbc it is invalid."],
        raw=[M.slot(0xb7, 1), M.slot(0xbc, 0, 1, 32), 0x95], reason="invalid movsx offset")
    rej("reject-div-offset-2", ["div with offset 2 is neither div (0) nor sdiv (1)."], raw=[M.slot(0xb7, 0, 0, 0, 9), M.slot(0x37, 0, 0, 2, 3), 0x95],
        reason="invalid div offset")
    rej("reject-end-bad-imm", ["END (be) with width 8 is invalid: only 16, 32, 64."], raw=[M.slot(0xb7), M.slot(0xdc, 0, 0, 0, 8), 0x95],
        reason="invalid endian width")
    rej("reject-bswap-bad-imm", ["bswap with width 48 is invalid."], raw=[M.slot(0xb7), M.slot(0xd7, 0, 0, 0, 48), 0x95],
        reason="invalid endian width")
    rej("reject-atomic-bad-imm", ["Atomic with imm 0x10 (no such op) is invalid."],
        raw=[M.slot(0xb7, 1), M.slot(0x7b, 10, 1, -8), M.slot(0xdb, 10, 1, -8, 0x10), M.slot(0xb7), 0x95], reason="invalid atomic op")
    rej("reject-atomic-xchg-no-fetch", ["xchg without the fetch bit (imm 0xe0) is invalid."],
        raw=[M.slot(0xb7, 1), M.slot(0x7b, 10, 1, -8), M.slot(0xdb, 10, 1, -8, 0xe0), M.slot(0xb7), 0x95], reason="invalid atomic op")
    rej("reject-atomic-byte-size", ["There are no 1-byte atomics (0xd3)."],
        raw=[M.slot(0xb7, 1), M.slot(0x7b, 10, 1, -8), M.slot(0xd3, 10, 1, -8, 0), M.slot(0xb7), 0x95], reason="unknown opcode")
    rej("reject-call-unknown-helper", ["call 9999: there is no helper 9999."], asm=prog("call 9999", "mov %r0, 0", "exit"),
        reason="unknown helper 9999")
    rej("reject-call-runtime", ["call runtime (kfunc by BTF id) is not supported."], asm=prog("call runtime 1", "mov %r0, 0", "exit"),
        reason="no such kfunc")
    rej("reject-call-bad-src", ["call with src 3 is no call type."], raw=[M.slot(0x85, 0, 3, 0, 1), M.slot(0xb7), 0x95], reason="invalid call type")
    # traps
    def trap(name, desc, asm=None, mem=b"", kind=None, reason="verifier proves the fault at load", budget=False,
             status="REJECTED"):
        T(F, name, desc + ["Expected: the run traps with %s." % kind], asm=asm, mem=mem, expect=("trap", kind),
          kernel=(status, reason), budget_test=budget)
    trap("trap-oob-input-read", ["ldxb at input offset 4 of a 4-byte buffer is out of bounds."],
         asm=prog("ldxb %r0, [%r1+4]", "exit"), mem=b"\x01\x02\x03\x04", kind="OUT_OF_BOUNDS", reason="packet access out of range")
    trap("trap-oob-input-read-wide", ["ldxdw at input offset 1 of an 8-byte buffer overruns by one byte."],
         asm=prog("ldxdw %r0, [%r1+1]", "exit"), mem=bytes(8), kind="OUT_OF_BOUNDS", reason="packet access out of range")
    trap("trap-oob-input-write", ["stw past the end of the input."],
         asm=prog("mov %r0, 0", "stw [%r1+6], 1", "exit"), mem=bytes(8), kind="OUT_OF_BOUNDS", reason="packet access out of range")
    trap("trap-oob-input-negative", ["A load before the start of the input ([%r1-1])."],
         asm=prog("ldxb %r0, [%r1-1]", "exit"), mem=bytes(8), kind="OUT_OF_BOUNDS", reason="packet access out of range")
    trap("trap-oob-no-input", ["Without input memory any access through r1 is out of bounds."],
         asm=prog("ldxb %r0, [%r1]", "exit"), kind="OUT_OF_BOUNDS", reason="packet access out of range")
    trap("trap-oob-stack-above", ["[%r10+0] is one past the top of the stack frame."],
         asm=prog("ldxb %r0, [%r10]", "exit"), kind="OUT_OF_BOUNDS", reason="invalid stack access")
    trap("trap-oob-stack-below", ["[%r10-520] is below the 512-byte frame."],
         asm=prog("mov %r0, 0", "stdw [%r10-520], 1", "exit"), kind="OUT_OF_BOUNDS", reason="invalid stack access")
    trap("trap-oob-null", ["A load through a scalar 0 (null) is out of bounds."],
         asm=prog("mov %r3, 0", "ldxw %r0, [%r3]", "exit"), kind="OUT_OF_BOUNDS", reason="invalid memory access (scalar)")
    trap("trap-oob-scalar-address", ["A load through an arbitrary integer address is out of bounds."],
         asm=prog("lddw %r3, 0x123456789", "ldxb %r0, [%r3]", "exit"), kind="OUT_OF_BOUNDS", reason="invalid memory access (scalar)")
    trap("trap-oob-atomic", ["An atomic add past the input end is out of bounds."],
         asm=prog("mov %r0, 0", "mov %r3, 1", "lock add [%r1+8], %r3", "exit"), mem=bytes(8), kind="OUT_OF_BOUNDS",
         reason="atomic on packet / out of range")
    trap("trap-oob-after-loop", ["A loop walks a pointer one byte too far: the 9th read of an 8-byte input traps."],
         asm=prog("mov %r0, 0", "mov %r3, %r1", "mov %r4, 9", "loop:", "ldxb %r5, [%r3]", "add %r0, %r5", "add %r3, 1",
                  "sub %r4, 1", "jne %r4, 0, loop", "exit"), mem=bytes(range(8)), kind="OUT_OF_BOUNDS",
         reason="packet access out of range")
    trap("trap-oob-callee-frame-above", ["In a callee, [%r10+8] is above its frame (the caller's frame is not addressable that way)."],
         asm=prog("call local f", "exit", "f:", "ldxdw %r0, [%r10+8]", "exit"), kind="OUT_OF_BOUNDS", reason="invalid stack access")
    trap("trap-fell-off-end", ["A program without exit runs past its last slot."],
         asm=prog("mov %r0, 1"), kind="FELL_OFF_END", reason="last insn is not an exit or jmp")
    trap("trap-fell-off-end-after-jump", ["A taken jump leads to a final slot that is not exit."],
         asm=prog("mov %r0, 0", "jeq %r0, 0, +1", "exit", "mov %r0, 2"), kind="FELL_OFF_END", reason="last insn is not an exit or jmp")
    trap("trap-fell-off-end-lddw", ["The last instruction is an lddw: execution falls off after its two slots."],
         asm=prog("lddw %r0, 0x100000000"), kind="FELL_OFF_END", reason="last insn is not an exit or jmp")
    chain = ["mov %r0, 0", "call local f1", "exit"]
    for d in range(1, 9):
        chain += ["f%d:" % d] + (["call local f%d" % (d + 1)] if d < 8 else ["mov %r0, 1"]) + ["exit"]
    trap("trap-call-depth-8", ["Eight nested local calls would open a ninth frame (depth 8): the 8th call traps."],
         asm=prog(*chain), kind="CALL_DEPTH", reason="call stack too deep")
    trap("trap-call-depth-recursion", ["Unbounded recursion: the call at depth 7 traps with CALL_DEPTH."],
         asm=prog("mov %r0, 0", "call local f", "exit", "f:", "call local f", "exit"), kind="CALL_DEPTH",
         reason="recursive call / call stack too deep")
    trap("trap-budget-ja-self", ["ja -1 jumps to itself forever; the instruction budget (10^8 by default) runs out."],
         asm=prog("mov %r0, 0", "ja -1", "exit"), kind="BUDGET_EXHAUSTED", reason="infinite loop detected", budget=True)
    trap("trap-budget-loop", ["An infinite loop incrementing r0 exhausts the budget at its backward jump."],
         asm=prog("mov %r0, 0", "loop:", "add %r0, 1", "jne %r0, 0, loop", "exit"), kind="BUDGET_EXHAUSTED",
         status="SKIPPED", budget=True,
         reason="not run: the verifier refuses an unbounded loop only after walking it to its 1,000,000-instruction "
                "limit (seconds of CPU); the kernel has no run-time budget to trap with")
    trap("trap-budget-ja32", ["ja32 -1 loops forever."], asm=prog("mov %r0, 0", "ja32 -1", "exit"), kind="BUDGET_EXHAUSTED",
         reason="infinite loop detected", budget=True)
    trap("trap-unknown-helper-callx", ["callx through r2 = 9999: the helper does not exist, so the call traps at run time."],
         asm=prog("mov %r2, 9999", "call %r2", "mov %r0, 0", "exit"), kind="UNKNOWN_HELPER", reason="kernel has no callx", status="SKIPPED")
    trap("trap-unknown-helper-callx-zero", ["callx through r3 = 0: helper 0 does not exist."],
         asm=prog("mov %r3, 0", "call %r3", "mov %r0, 0", "exit"), kind="UNKNOWN_HELPER", reason="kernel has no callx", status="SKIPPED")


# =============================================================================================
# Evaluation and emission

def evaluate(t):
    if t.raw is not None:
        slots = list(t.raw)
    else:
        assert "#" not in t.asm, t.name
        slots = M.assemble(t.asm)
    kernel = t.kernel
    try:
        M.validate(slots)
        valid = True
    except M.Rejected as e:
        valid = False
        why = str(e)
    if t.expect == "rejected":
        assert not valid, "%s: expected a load rejection" % t.name
        return "rejected", kernel
    assert valid, "%s: model rejects: %s" % (t.name, why)
    if t.budget_test:
        pcs = set()
        for b in range(1000, 1012):
            out = M.run(slots, t.mem, budget=b)
            assert out[0] == "trap" and out[1] == "BUDGET_EXHAUSTED", (t.name, out)
            pcs.add(out[2])
        assert len(pcs) == 1, (t.name, pcs)
        return "trap %s at pc %d" % ("BUDGET_EXHAUSTED", pcs.pop()), kernel
    out = M.run(slots, t.mem, budget=10 ** 7)
    if isinstance(t.expect, tuple):
        assert out[0] == "trap" and out[1] == t.expect[1], (t.name, out[:3])
        return "trap %s at pc %d" % (out[1], out[2]), kernel
    assert out[0] == "result", (t.name, out[:3])
    r0, m = out[1], out[2]
    if t.check is not None:
        assert r0 == u64(t.check), "%s: model %s, python %s" % (t.name, h(r0), h(u64(t.check)))
    if t.helper_test:
        for kw in ({"time0": 5, "seed": 99, "cpu": 1}, {"time0": 1 << 40, "seed": 7, "cpu": 3}):
            alt = M.run(slots, t.mem, **kw)
            assert alt[0] == "result" and alt[1] == r0, "%s depends on helper values" % t.name
    if kernel is None:
        for w in slots:
            op, _, _, _, imm = M.fields(w)
            if op & 7 in (M.ALU, M.ALU64) and not op & 8:
                if op >> 4 in (0x3, 0x9) and imm == 0:
                    kernel = IMMZERO
                if op >> 4 in (0x6, 0x7, 0xc) and not 0 <= imm < (64 if op & 7 == M.ALU64 else 32):
                    kernel = SHIFTIMM
    if kernel is None:
        if m.used_callx:
            kernel = ("SKIPPED", "kernel has no callx")
        elif M.reachable(slots):
            kernel = ("REJECTED", "verifier rejects unreachable instructions")
        elif M.recursive(slots):
            kernel = ("REJECTED", "verifier rejects recursive calls")
        elif m.max_depth + 2 > 8:
            kernel = ("REJECTED", "needs %d frames; the kernel allows 8 including the wrapper" % (m.max_depth + 2))
    if kernel is None or kernel[0] == "SKIPPED":
        assert not m.lint, "%s: kernel lint %s" % (t.name, m.lint)
    return r0, kernel


def render(t, outcome):
    lines = ["# " + d for d in t.desc] + datafile.program_lines(t, outcome)
    for i, l in enumerate(lines):
        assert "--" not in l or l.startswith("-- "), "%s: '--' outside a directive: %s" % (t.name, l)
        assert not (l.startswith("-- ") and l[3:].split()[0] not in ("asm", "raw", "mem", "result", "error")), l
    return "\n".join(lines) + "\n"


def build():
    alu_family(); endian_family(); jmp_family(); mem_family(); atomic_family(); call_family(); prog_family()
    negative_family()
    files, manifest, names = {}, [], set()
    for t in TESTS:
        assert t.name not in names, "duplicate test name " + t.name
        names.add(t.name)
        outcome, kernel = evaluate(t)
        files[os.path.join(t.family, t.name + ".data")] = render(t, outcome)
        if kernel:
            manifest.append((t.family, t.name, kernel))
    for t in gen_maps.build():  # maps, helpers, global data, tail calls, ring buffers, bpf_loop
        assert t.name not in names, "duplicate test name " + t.name
        names.add(t.name)
        outcome, sections, kernel = gen_maps.evaluate(t)
        files[os.path.join(t.family, t.name + ".data")] = gen_maps.render(t, outcome, sections)
        if kernel:
            manifest.append((t.family, t.name, kernel))
    man = ["# Corpus tests the real kernel is expected NOT to pass (generated by tools/gen_corpus.py).",
           "# TEST STATUS reason; TEST = file name without .data; STATUS = REJECTED (verifier refuses the load)",
           "# or SKIPPED (the backend cannot express the program). Every other corpus test must pass on the kernel."]
    for fam in sorted({f for f, _, _ in manifest}):
        man.append("# %s" % fam)
        for f, n, (st, why) in manifest:
            if f == fam:
                man.append("%s %s %s" % (n, st, why))
    files["kernel.expect"] = "\n".join(man) + "\n"
    return files


def generated_here(rel):
    """Every file under the corpus except the hand-written manifests of other backends (ubpf.expect,
    ubpf-jit.expect: they judge engines, not this model, and are kept by hand)."""
    return not (rel.endswith(".expect") and os.sep not in rel and rel != "kernel.expect")


def main():
    files = build()
    if "--check" in sys.argv:
        bad = 0
        for rel, text in files.items():
            p = os.path.join(ROOT, rel)
            if not os.path.exists(p) or open(p).read() != text:
                print("differs: " + rel)
                bad += 1
        on_disk = {os.path.relpath(os.path.join(d, f), ROOT) for d, _, fs in os.walk(ROOT) for f in fs}
        for extra in sorted(r for r in on_disk - set(files) if generated_here(r)):
            print("not generated: " + extra)
            bad += 1
        sys.exit(1 if bad else 0)
    on_disk = {os.path.relpath(os.path.join(d, f), ROOT) for d, _, fs in os.walk(ROOT) for f in fs} if os.path.isdir(ROOT) else set()
    for stale in on_disk - set(files):
        if generated_here(stale):
            os.remove(os.path.join(ROOT, stale))
    for rel, text in sorted(files.items()):
        p = os.path.join(ROOT, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", newline="\n") as f:
            f.write(text)
    fams = {}
    for rel in files:
        if rel.endswith(".data"):
            fams[rel.split(os.sep)[0]] = fams.get(rel.split(os.sep)[0], 0) + 1
    print("wrote %d .data files: %s" % (sum(fams.values()), ", ".join("%s %d" % kv for kv in sorted(fams.items()))))


if __name__ == "__main__":
    main()
