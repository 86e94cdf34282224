#!/usr/bin/env python3
"""Runs the map corpus families on the real kernel through bpf(2) (ctypes), as a cross-check of
the model and of kernel.expect. Needs root and BPF; not part of the build.

    python3 conformance-suite/tools/kernel_check.py [TEST-NAME-SUBSTRING ...]

Each program is wrapped like the kernel backend does it (docs/architecture.md "The kernel
backend"): an XDP program proves [data, data+len+8), calls the test program as a bpf-to-bpf
subprogram with r1 = data, r2 = len and stores r0 at data+len. Tail-call tests cannot work that
way (tail_call needs the context in r1), so they are also run unwrapped, r1 = the XDP context, and
compared on the low 32 bits of r0 (the XDP return value). Maps are created from `-- map`, filled
from `-- map-init`, and compared with `-- map-expect` / `-- ringbuf-expect` after the run, with
the thread pinned to CPU 0. Prints one line per disagreement and a summary.
"""
import ctypes
import mmap
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpfmodel as M  # noqa: E402
import mapmodel as MM  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main",
                                     "resources", "bpfh", "corpus"))
FAMILIES = ("maps", "mapdef", "globals", "tailcall", "ringbuf", "loop")
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NCPU = 0
for part in open("/sys/devices/system/cpu/possible").read().strip().split(","):
    lo, _, hi = part.partition("-")
    NCPU += int(hi or lo) - int(lo) + 1


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), 128)
    r = libc.syscall(321, cmd, buf, 128)
    return (r, 0, buf.raw) if r >= 0 else (-1, ctypes.get_errno(), buf.raw)


class Keep:
    """Keeps ctypes buffers alive while their addresses sit in an attr."""
    def __init__(self):
        self.bufs = []

    def ptr(self, data):
        b = ctypes.create_string_buffer(bytes(data), max(len(data), 1))
        self.bufs.append(b)
        return ctypes.addressof(b)


def parse(path):
    sec, cur = [], None
    for line in open(path).read().splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("-- "):
            cur = [line[3:].split(), []]
            sec.append(cur)
        elif cur is not None:
            cur[1].append(line)
    return sec


def hexbytes(s):
    return bytes(int(x, 16) for x in s.split())


def create(d):
    name = d.name.encode()
    attr = struct.pack("<IIIII", MM.TYPE_IDS[d.type], d.key, d.value, d.entries, d.flags) + bytes(8) + name.ljust(16, b"\0")
    fd, err, _ = bpf(0, attr)
    return fd, err


def update(fd, key, value, keep, flags=0):
    return bpf(2, struct.pack("<IIQQQ", fd, 0, keep.ptr(key), keep.ptr(value), flags))


def lookup(fd, key, size, keep):
    out = ctypes.create_string_buffer(size)
    r, err, _ = bpf(1, struct.pack("<IIQQ", fd, 0, keep.ptr(key), ctypes.addressof(out)))
    return out.raw if r == 0 else None


def next_key(fd, key, size, keep):
    out = ctypes.create_string_buffer(size)
    r, err, _ = bpf(4, struct.pack("<IIQQ", fd, 0, keep.ptr(key) if key is not None else 0, ctypes.addressof(out)))
    return out.raw if r == 0 else None


def btf_blob(nfuncs):
    strs = b"\0int\0" + b"".join(b"f%d\0" % i for i in range(nfuncs))
    types = struct.pack("<III", 1, 1 << 24, 4) + struct.pack("<I", (1 << 24) | 32)
    types += struct.pack("<III", 0, 13 << 24, 1)
    off = 5
    for i in range(nfuncs):
        types += struct.pack("<III", off, 12 << 24, 2)
        off += len(b"f%d\0" % i)
    hdr = struct.pack("<HBBIIIII", 0xeb9f, 1, 0, 24, 0, len(types), len(types), len(strs))
    return hdr + types + strs


def subprog_starts(slots):
    starts = {0}
    for pc, w in enumerate(slots):
        op, dst, src, off, imm = M.fields(w)
        if (op, src) in ((0x85, 1), (0x18, 4)):
            starts.add(pc + 1 + imm)
    return sorted(starts)


def load(slots, keep):
    """(fd, None) or (-1, last verifier log line)."""
    insns = b"".join(struct.pack("<Q", w) for w in slots)
    lic = keep.ptr(b"GPL\0")
    log = ctypes.create_string_buffer(1 << 22)
    btf_fd, finfo, nf = 0, 0, 0
    if any((M.fields(w)[0], M.fields(w)[2]) == (0x18, 4) or (M.fields(w)[0], M.fields(w)[4]) == (0x85, 12)
           for w in slots):   # callbacks need func_info; tail calls from subprograms need BTF
        starts = subprog_starts(slots)
        blob = btf_blob(len(starts))
        bfd, err, _ = bpf(18, struct.pack("<QQII", keep.ptr(blob), 0, len(blob), 0))
        assert bfd >= 0, "BTF_LOAD errno %d" % err
        btf_fd = bfd
        finfo = keep.ptr(b"".join(struct.pack("<II", s, 3 + i) for i, s in enumerate(starts)))
        nf = len(starts)
    attr = struct.pack("<IIQQIIQII16sIIIIQI", 6, len(slots), keep.ptr(insns), lic, 1, len(log),
                       ctypes.addressof(log), 0, 0, b"t", 0, 0, btf_fd, 8 if nf else 0, finfo, nf)
    fd, err, _ = bpf(5, attr)
    if btf_fd:
        os.close(btf_fd)
    if fd < 0:
        lines = [l for l in log.value.decode(errors="replace").splitlines() if l.strip()]
        lines = [l for l in lines if not l.startswith("processed")]
        return -1, "errno %d: %s" % (err, " / ".join(lines[-2:]))
    return fd, None


def wrap(user, length):
    """XDP prolog/epilog around the test program (a bpf-to-bpf subprogram)."""
    S = M.slot
    pro = [S(0x61, 2, 1, 0), S(0x61, 3, 1, 4), S(0xbf, 4, 2), S(0x07, 4, 0, 0, length + 8), None,
           S(0xbf, 6, 2), S(0xbf, 1, 2), S(0xb7, 2, 0, 0, length), S(0xb7, 3), S(0xb7, 4), S(0xb7, 5), None,
           S(0x7b, 6, 0, length), S(0xb7, 0, 0, 0, 2), 0x95, S(0xb7), 0x95]
    pro[4] = S(0x2d, 4, 3, len(pro) - 2 - 5)           # jgt r4, r3 -> fail
    pro[11] = S(0x85, 0, 1, 0, len(pro) - 12)          # call local user
    return pro + list(user)


def run_test(path, tail=False):
    """tail: load the program itself as the XDP program (r1 = ctx), no wrapper."""
    name = os.path.basename(path)[:-5]
    secs = parse(path)
    maps, inits, expects, rings = [], {}, {}, {}
    asm = raw = None
    mem, result, error = b"", None, None
    for (word, *rest), body in secs:
        if word == "map":
            k = dict(x.split("=") for x in body[0].split())
            maps.append(MM.MapDef(rest[0], k["type"], int(k["key"]), int(k["value"]), int(k["entries"]),
                                  int(k.get("flags", "0"), 0)))
        elif word == "map-init":
            inits[rest[0]] = [tuple(p.strip() for p in l.split(":")) for l in body]
        elif word == "map-expect":
            expects[rest[0]] = [tuple(hexbytes(p) for p in l.split(":")) for l in body]
        elif word == "ringbuf-expect":
            rings[rest[0]] = [hexbytes(l) for l in body]
        elif word == "asm":
            asm = "\n".join(body)
        elif word == "raw":
            raw = [int(l, 16) for l in body]
        elif word == "mem":
            mem = b"".join(hexbytes(l) for l in body)
        elif word == "result":
            result = int(body[0], 16)
        elif word == "error":
            error = body[0]
    names = [d.name for d in maps]
    keep = Keep()
    fds = []
    try:
        for d in maps:
            fd, err = create(d)
            if fd < 0:
                want = MM.create_error(d)
                if want is None or want[0] != err:
                    return "error", "map %s: create errno %d, the model says %s" % (d.name, err, want)
                return "rejected", "map %s: create errno %d (%s)" % (d.name, err, want[1])
            fds.append(fd)
        try:
            slots = raw if raw is not None else M.assemble(asm, names)
        except M.AsmError as e:
            return "rejected", "asm: %s" % e
        patched = list(slots)
        for pc, w in enumerate(slots):
            op, dst, src, off, imm = M.fields(w)
            if op == 0x18 and src in (1, 2) and 0 <= imm < len(fds):
                patched[pc] = (w & M.M32) | (fds[imm] << 32)
        prog = patched if tail else wrap(patched, len(mem))
        pfd, why = load(prog, keep)
        if pfd < 0:
            return "rejected", why
        fds.append(pfd)
        for d, fd in zip(maps, fds):
            for k, v in [(hexbytes(k), v) for k, v in inits.get(d.name, [])]:
                if v == "self":
                    value = struct.pack("<I", pfd)
                elif d.type.startswith("percpu"):
                    value = hexbytes(v).ljust(MM.round8(d.value), b"\0") + bytes(MM.round8(d.value) * (NCPU - 1))
                else:
                    value = hexbytes(v)
                r, err, _ = update(fd, k, value, keep)
                assert r == 0, "%s: map-init errno %d" % (name, err)
        data = bytearray(mem) + bytes(8)
        data += bytes(max(0, 14 - len(data)))
        out = ctypes.create_string_buffer(len(data) + 64)
        os.sched_setaffinity(0, {0})
        attr = struct.pack("<IIIIQQII", pfd, 0, len(data), len(out), keep.ptr(data), ctypes.addressof(out), 1, 0)
        r, err, back = bpf(10, attr)
        if r < 0:
            return "error", "test_run errno %d" % err
        retval = struct.unpack_from("<I", back, 4)[0]
        r0 = retval if tail else struct.unpack_from("<Q", out.raw, len(mem))[0]
        problems = []
        if error is not None:
            problems.append("ran (r0 %#x) but the file expects %s" % (r0, error))
        elif (r0 if not tail else r0 & M.M32) != (result if not tail else result & M.M32):
            problems.append("r0 %#x, file %#x" % (r0, result))
        for d, fd in zip(maps, fds):
            if d.name in expects:
                problems += compare_map(d, fd, expects[d.name], keep)
            if d.name in rings:
                got = read_ring(fd, d.entries)
                if got != rings[d.name]:
                    problems.append("ringbuf %s: %s, file %s" % (d.name, [g.hex() for g in got],
                                                                 [x.hex() for x in rings[d.name]]))
        return ("pass", "") if not problems else ("fail", "; ".join(problems))
    finally:
        for fd in fds:
            os.close(fd)


def compare_map(d, fd, want, keep):
    vs = MM.round8(d.value) * NCPU if d.type.startswith("percpu") else d.value

    def cpu0(v):
        return v[:d.value] if v is not None else None
    got = {}
    if d.type in MM.ARRAYS:
        for i in range(d.entries):
            v = cpu0(lookup(fd, struct.pack("<I", i), vs, keep))
            if any(v):
                got[struct.pack("<I", i)] = v
    else:
        k = None
        while True:
            k = next_key(fd, k, d.key, keep)
            if k is None:
                break
            got[k] = cpu0(lookup(fd, k, vs, keep))
    w = {k: v for k, v in want if d.type not in MM.ARRAYS or any(v)}
    if got != w:
        return ["map %s: kernel %s, file %s" % (d.name, sorted((k.hex(), v.hex()) for k, v in got.items()),
                                                sorted((k.hex(), v.hex()) for k, v in w.items()))]
    return []


def read_ring(fd, size):
    cons = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0)
    prod = mmap.mmap(fd, 4096 + 2 * size, mmap.MAP_SHARED, mmap.PROT_READ, offset=4096)
    c, p = struct.unpack_from("<Q", cons, 0)[0], struct.unpack_from("<Q", prod, 0)[0]
    out = []
    while c < p:
        h = struct.unpack_from("<I", prod, 4096 + (c & (size - 1)))[0]
        if h & MM.BUSY:
            break
        n = h & 0x3fffffff
        if not h & MM.DISCARD:
            s = 4096 + (c & (size - 1)) + 8
            out.append(bytes(prod[s:s + n]))
        c += (n + 15) & ~7
    cons.close()
    prod.close()
    return out


def main():
    listed = {}
    for line in open(os.path.join(ROOT, "kernel.expect")):
        if line.strip() and not line.startswith("#"):
            n, st, why = line.rstrip("\n").split(" ", 2)
            listed[n] = (st, why)
    bad = total = 0
    for fam in FAMILIES:
        for f in sorted(os.listdir(os.path.join(ROOT, fam))):
            name = f[:-5]
            if len(sys.argv) > 1 and not any(a in name for a in sys.argv[1:]):
                continue
            total += 1
            path = os.path.join(ROOT, fam, f)
            status, why = run_test(path)
            is_reject_test = "\n-- error\nrejected" in open(path).read()
            ok = status == ("rejected" if name in listed or is_reject_test else "pass")
            if not ok or os.environ.get("KCHECK") == "-v":
                bad += not ok
                print("%s %s/%s: %s %s%s" % ("OK " if ok else "BAD", fam, name, status, why,
                                            " (listed: %s)" % listed[name][1] if name in listed else ""))
            if fam == "tailcall":   # what the kernel does when the context reaches tail_call
                status, why = run_test(path, tail=True)
                print("%s tailcall/%s unwrapped (r1 = ctx, low 32 bits of r0): %s %s" % (
                    "OK " if status == "pass" else "-- ", name, status, why))
    print("%d tests, %d disagree with the corpus / kernel.expect" % (total, bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
