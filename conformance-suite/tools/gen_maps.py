"""Map, helper, global data, tail call, ring buffer and bpf_loop tests (issue #10).

Imported by gen_corpus.py. Every `-- result`, `-- map-expect` and `-- ringbuf-expect` is what the
reference model (bpfmodel.py + mapmodel.py, written from programs.md and MAPS-FORMAT.md) computes
for the program text written to the file; most tests also carry ``check``, the r0 the spec's
tables predict, computed here in plain Python, and every test is re-run with a different LRU
eviction choice and a different high half of bpf_loop's -E2BIG to prove it does not depend on
what the kernel leaves open. The model's kernel lint decides which tests `kernel.expect` lists.
"""
import bpfmodel as M
import datafile
import mapmodel as MM
from bpfmodel import u32, u64

ENOENT, E2BIG, EAGAIN, EEXIST, EINVAL = (-MM.ENOENT, -MM.E2BIG, -MM.EAGAIN, -MM.EEXIST, -MM.EINVAL)
MAP_TESTS = []

# The kernel backend loads a program that calls bpf_tail_call unwrapped, as XDP with r1 = the
# context (docs/architecture.md "The kernel backend"), so tail-call tests pass there as long as they
# treat r1 as opaque and return 32-bit values; one that reads r1 as memory reads the context.
UNWRAPPED_CTX = ("REJECTED", "invalid bpf_context access off=0 size=1 (tail-calling programs load unwrapped: "
                 "r1 is the XDP context, which this program reads as memory)")
# The kernel backend runs a program whose packet accesses the verifier refuses on the map-value
# wrapper instead (SCHED_CLS, the memory is a map value), so such a lint is not a refusal there.
MAP_VALUE_FALLBACK = "map-value-fallback"


class MT:
    """One map test. maps: [MapDef]; init: {name: [(key bytes, value bytes or "self")]};
    expect: None (runs and returns), "rejected", or ("trap", KIND); kernel: None = the kernel
    must pass it (the model asserts no lint), else (STATUS, verifier reason) for kernel.expect."""

    def __init__(self, family, name, desc, asm, maps=(), init=None, mem=b"", expect=None, kernel=None,
                 check=None, lint=False):
        self.family, self.name, self.desc, self.asm = family, name, desc, asm
        self.maps, self.init, self.mem = list(maps), dict(init or {}), bytes(mem)
        self.expect, self.kernel, self.check, self.lint = expect, kernel, check, lint
        self.raw = None
        MAP_TESTS.append(self)


def h(v):
    return "0x%x" % v


def prog(*lines):
    out = []
    for l in lines:
        if isinstance(l, (list, tuple)):
            out += list(l)
        elif l is not None:
            out.append(l)
    return "\n".join(out) + "\n"


def le(v, n):
    return (v & ((1 << (8 * n)) - 1)).to_bytes(n, "little")


def k4(v):
    return le(v, 4)


def v8(v):
    return le(v, 8)


hexb = datafile.hex_bytes


# --- assembly snippets ------------------------------------------------------------------------

def put(off, data):
    """Stores data at r10-off (off a multiple of 4) with stw / stb; returns the lines."""
    lines = []
    i = 0
    while i < len(data):
        if len(data) - i >= 4:
            lines.append("stw [%%r10-%d], %d" % (off - i, M.s32(int.from_bytes(data[i:i + 4], "little"))))
            i += 4
        else:
            lines.append("stb [%%r10-%d], %d" % (off - i, data[i]))
            i += 1
    return lines


def ptr(reg, off):
    return ["mov %%r%d, %%r10" % reg, "add %%r%d, -%d" % (reg, off)]


def lookup(m, koff):
    return ["lddw %%r1, map:%s" % m] + ptr(2, koff) + ["call 1"]


def update(m, koff, voff, flags):
    return ["lddw %%r1, map:%s" % m] + ptr(2, koff) + ptr(3, voff) + ["mov %%r4, %d" % flags, "call 2"]


def delete(m, koff):
    return ["lddw %%r1, map:%s" % m] + ptr(2, koff) + ["call 3"]


# =============================================================================================
# Element semantics of ARRAY, HASH, PERCPU_ARRAY, PERCPU_HASH and LRU_HASH (programs.md 1.3)

KV = ("array", "hash", "percpu_array", "percpu_hash", "lru_hash")
WHAT = {"array": "ARRAY", "hash": "HASH", "percpu_array": "PERCPU_ARRAY (CPU 0 of one CPU)",
        "percpu_hash": "PERCPU_HASH (CPU 0 of one CPU)", "lru_hash": "LRU_HASH"}
NULL_DEREF = ("REJECTED", "invalid mem access 'map_value_or_null'")


def kv_family():
    F = "maps"
    for t in KV:
        arr = t in MM.ARRAYS
        W = WHAT[t]
        ent = 4 if t == "lru_hash" else 8
        d = MM.MapDef("m", t, 4, 8, ent)
        have = [(k4(1), v8(0x1111)), (k4(3), v8(0x3333))]   # keys 1 and 3 present (arrays: non-zero)
        miss = 8 if arr else 2                               # arrays: index == max_entries
        base = dict(maps=[d], init={"m": have})
        pre = "%s: " % W

        def T(name, desc, asm, **kw):
            args = dict(base)
            args.update(kw)
            MT(F, "%s-%s" % (t.replace("_", "-"), name), [pre + desc[0]] + desc[1:], asm, **args)

        # lookup
        T("lookup-hit", ["map_lookup_elem (1) of a present key returns a pointer to its value;",
                         "r0 = the u64 read through it (0x3333)."],
          prog(put(4, k4(3)), lookup("m", 4), "jeq %r0, 0, miss", "ldxdw %r0, [%r0]", "exit", "miss:",
               "mov %r0, -1", "exit"), check=0x3333)
        T("lookup-miss", ["map_lookup_elem of %s returns NULL: r0 = 1 after the NULL check." %
                          ("index %d = max_entries (out of range)" % miss if arr else "an absent key")],
          prog(put(4, k4(miss)), lookup("m", 4), "mov %r6, %r0", "mov %r0, 1", "jeq %r6, 0, +1", "mov %r0, 2",
               "exit"), check=1)
        if arr:
            T("lookup-index-all-ones", ["lookup of index 0xffffffff (the largest u32) returns NULL, r0 = 1."],
              prog(put(4, k4(M32)), lookup("m", 4), "mov %r6, %r0", "mov %r0, 1", "jeq %r6, 0, +1", "mov %r0, 2",
                   "exit"), check=1)
            T("lookup-zeroed-element", ["Array elements start zeroed: index 5 (never written) reads 0; r0 = 0x7 | value."],
              prog(put(4, k4(5)), lookup("m", 4), "jeq %r0, 0, miss", "ldxdw %r0, [%r0]", "or %r0, 7", "exit",
                   "miss:", "mov %r0, -1", "exit"), check=7)
        # update x flags
        for flags, fname in ((0, "any"), (1, "noexist"), (2, "exist")):
            for key, kname in ((3, "existing"), (miss if not arr else 6, "new" if not arr else "unset-index")):
                want = 0
                if flags == 1 and (arr or kname == "existing"):
                    want = EEXIST
                if flags == 2 and not arr and kname == "new":
                    want = ENOENT
                rule = {0: "BPF_ANY (0) always writes", 1: "BPF_NOEXIST (1) writes only a new key%s" %
                        (" (every array index exists: -EEXIST)" if arr else ""),
                        2: "BPF_EXIST (2) writes only an existing key%s" % (" (every in-range index exists)" if arr else "")}
                T("update-%s-%s" % (fname, kname),
                  ["map_update_elem (2) with %s; key %d is %s." % (rule[flags], key,
                                                                 "present" if kname == "existing" else
                                                                 "an unwritten in-range index" if arr else "absent"),
                   "r0 = the helper's return (%d); map-expect shows the contents after the run." % want],
                  prog(put(4, k4(key)), put(16, v8(0xabcdef0012345678)), update("m", 4, 16, flags), "exit"),
                  check=u64(want))
        for flags in (3, 4, 8):
            T("update-flags-%d" % flags, ["map_update_elem with flags %d (%s) returns -EINVAL and changes nothing." %
                                          (flags, {3: "NOEXIST|EXIST", 4: "BPF_F_LOCK without a spin lock",
                                                   8: "an unknown bit"}[flags])],
              prog(put(4, k4(3)), put(16, v8(0x77)), update("m", 4, 16, flags), "exit"), check=u64(EINVAL))
        # delete
        if arr:
            T("delete", ["map_delete_elem (3) on an array always returns -EINVAL (elements cannot be removed)."],
              prog(put(4, k4(3)), delete("m", 4), "exit"), check=u64(EINVAL))
            T("update-out-of-range", ["map_update_elem of index %d = max_entries returns -E2BIG." % miss],
              prog(put(4, k4(miss)), put(16, v8(5)), update("m", 4, 16, 0), "exit"), check=u64(E2BIG))
            T("update-out-of-range-noexist", ["map_update_elem of an out-of-range index with NOEXIST: the range",
                                              "check comes first, so -E2BIG (not -EEXIST)."],
              prog(put(4, k4(miss + 100)), put(16, v8(5)), update("m", 4, 16, 1), "exit"), check=u64(E2BIG))
        else:
            T("delete-existing", ["map_delete_elem (3) of a present key returns 0; a second lookup then misses (r0 = 0 | 1<<8)."],
              prog(put(4, k4(3)), delete("m", 4), "mov %r6, %r0", lookup("m", 4), "mov %r7, 1", "jeq %r0, 0, +1",
                   "mov %r7, 2", "lsh %r7, 8", "or %r6, %r7", "mov %r0, %r6", "exit"), check=0x100)
            T("delete-missing", ["map_delete_elem of an absent key returns -ENOENT."],
              prog(put(4, k4(miss)), delete("m", 4), "exit"), check=u64(ENOENT))
            T("delete-then-insert", ["Delete key 1 then insert key 9 with NOEXIST: both succeed (r0 = 0 | 0)."],
              prog(put(4, k4(1)), delete("m", 4), "mov %r6, %r0", put(4, k4(9)), put(16, v8(0x99)),
                   update("m", 4, 16, 1), "or %r0, %r6", "exit"), check=0)
        # values through pointers
        T("write-through-pointer", ["A store through the lookup pointer changes the map without an update:",
                                    "the value of key 3 becomes 0x3334; a second lookup reads it back."],
          prog(put(4, k4(3)), lookup("m", 4), "jeq %r0, 0, miss", "ldxdw %r6, [%r0]", "add %r6, 1", "stxdw [%r0], %r6",
               lookup("m", 4), "jeq %r0, 0, miss", "ldxdw %r0, [%r0]", "exit", "miss:", "mov %r0, -1", "exit"),
          check=0x3334)
        T("atomic-add-value", ["lock add on a map value (the classic per-key counter) adds 5 to key 1's value."],
          prog(put(4, k4(1)), lookup("m", 4), "jeq %r0, 0, miss", "mov %r1, 5", "lock add [%r0], %r1",
               "ldxdw %r0, [%r0]", "exit", "miss:", "mov %r0, -1", "exit"), check=0x1116)
        T("value-word-offset", ["A value is 8 bytes: the lookup pointer + 4 reads its high word (0)",
                                "and + 0 its low word; stw at +4 sets the high word of key 3's value."],
          prog(put(4, k4(3)), lookup("m", 4), "jeq %r0, 0, miss", "stw [%r0+4], 0x42", "ldxw %r6, [%r0+4]",
               "ldxw %r0, [%r0]", "lsh %r6, 32", "or %r0, %r6", "exit", "miss:", "mov %r0, -1", "exit"),
          check=0x4200003333)
        T("value-unaligned-read", ["Map values allow unaligned access (legal on x86, no trap): ldxh at value offset 1."],
          prog(put(4, k4(3)), lookup("m", 4), "jeq %r0, 0, miss", "ldxh %r0, [%r0+1]", "exit", "miss:", "mov %r0, -1",
               "exit"), check=0x33)
        T("null-deref-trap", ["Dereferencing the NULL of a missed lookup without a check traps OUT_OF_BOUNDS",
                              "(region 0); the kernel verifier refuses the unchecked access at load."],
          prog(put(4, k4(miss)), lookup("m", 4), "ldxdw %r0, [%r0]", "exit"), expect=("trap", "OUT_OF_BOUNDS"),
          kernel=NULL_DEREF)
        T("value-overrun-trap", ["Reading 8 bytes at value offset 4 of an 8-byte value overruns it: OUT_OF_BOUNDS."],
          prog(put(4, k4(3)), lookup("m", 4), "jeq %r0, 0, miss", "ldxdw %r0, [%r0+4]", "exit", "miss:", "mov %r0, 0",
               "exit"), expect=("trap", "OUT_OF_BOUNDS"),
          kernel=("REJECTED", "invalid access to map value, value_size=8 off=4 size=8"))
        T("value-store-overrun-trap", ["Storing a byte at value offset 8 (one past an 8-byte value) traps OUT_OF_BOUNDS."],
          prog(put(4, k4(3)), lookup("m", 4), "jeq %r0, 0, miss", "stb [%r0+8], 1", "mov %r0, 0", "exit", "miss:",
               "mov %r0, 0", "exit"), expect=("trap", "OUT_OF_BOUNDS"),
          kernel=("REJECTED", "invalid access to map value, value_size=8 off=8 size=1"))
        T("missing-null-check", ["A lookup of a present key dereferenced without a NULL check works at run time",
                                 "(r0 = 0x1111), but the kernel verifier refuses the possibly-NULL access."],
          prog(put(4, k4(1)), lookup("m", 4), "ldxdw %r0, [%r0]", "exit"), kernel=NULL_DEREF, lint=True,
          check=0x1111)
        T("same-element-twice", ["Two lookups of one key return the same element: a write through the first",
                                 "pointer is read through the second (r0 = 0x55)."],
          prog(put(4, k4(1)), lookup("m", 4), "jeq %r0, 0, miss", "mov %r6, %r0", lookup("m", 4), "jeq %r0, 0, miss",
               "stdw [%r6], 0x55", "ldxdw %r0, [%r0]", "exit", "miss:", "mov %r0, -1", "exit"), check=0x55)
        T("update-from-value", ["The value argument of map_update_elem may point into another element: key 1's",
                                "value is copied to key %s; r0 = the helper's return." % ("6" if arr else "5")],
          prog(put(4, k4(1)), lookup("m", 4), "jeq %r0, 0, miss", "mov %r6, %r0", put(8, k4(6 if arr else 5)),
               "lddw %r1, map:m", "mov %r2, %r10", "add %r2, -8", "mov %r3, %r6", "mov %r4, 0", "call 2", "exit",
               "miss:", "mov %r0, -1", "exit"), check=0)
        T("empty-map-lookup", ["A map with no map-init: %s" % ("every element is zero, so index 0 reads 0 (r0 = 0x10)."
                                                               if arr else "every lookup misses (r0 = 0x10).")],
          prog(put(4, k4(0)), lookup("m", 4), "mov %r6, 0x10", "jeq %r0, 0, done", "ldxdw %r1, [%r0]", "or %r6, %r1",
               "done:", "mov %r0, %r6", "exit"), init={}, check=0x10)
        T("helper-preserves-r6-r9", ["r6..r9 survive map helper calls: 6+7+8+9 = 30 after lookup, update and delete."],
          prog("mov %r6, 6", "mov %r7, 7", "mov %r8, 8", "mov %r9, 9", put(4, k4(1)), put(16, v8(2)), lookup("m", 4),
               update("m", 4, 16, 0), delete("m", 4), "mov %r0, %r6", "add %r0, %r7", "add %r0, %r8", "add %r0, %r9",
               "exit"), check=30)


M32 = (1 << 32) - 1


def kv_extra_family():
    F = "maps"
    # full hash maps
    for t in ("hash", "percpu_hash"):
        d = MM.MapDef("m", t, 4, 8, 2)
        full = {"m": [(k4(1), v8(1)), (k4(2), v8(2))]}
        n = t.replace("_", "-")
        MT(F, n + "-full-insert-e2big", ["%s with max_entries 2 holding two keys: inserting a third returns -E2BIG." % t.upper()],
           prog(put(4, k4(3)), put(16, v8(3)), update("m", 4, 16, 0), "exit"), maps=[d], init=full, check=u64(E2BIG))
        MT(F, n + "-full-replace", ["%s full (2 of 2): replacing an existing key still succeeds (r0 = 0)." % t.upper()],
           prog(put(4, k4(2)), put(16, v8(0x22)), update("m", 4, 16, 0), "exit"), maps=[d], init=full, check=0)
        MT(F, n + "-full-exist-missing", ["%s full: BPF_EXIST on an absent key is -ENOENT (the flag check comes" % t.upper(),
                                          "before the capacity check)."],
           prog(put(4, k4(3)), put(16, v8(3)), update("m", 4, 16, 2), "exit"), maps=[d], init=full, check=u64(ENOENT))
        MT(F, n + "-full-after-delete", ["%s full: after deleting key 1 a new key fits (r0 = delete | insert = 0)." % t.upper()],
           prog(put(4, k4(1)), delete("m", 4), "mov %r6, %r0", put(4, k4(3)), put(16, v8(3)), update("m", 4, 16, 1),
                "or %r0, %r6", "exit"), maps=[d], init=full, check=0)
    MT(F, "hash-fill-loop", ["A bounded loop inserts keys 0..9 into a HASH of max_entries 8: r0 counts the",
                             "successful inserts (8); the last two return -E2BIG."],
       prog("mov %r6, 0", "mov %r7, 0", "loop:", "stxw [%r10-4], %r6", "stxdw [%r10-16], %r6", update("m", 4, 16, 0),
            "jne %r0, 0, +1", "add %r7, 1", "add %r6, 1", "jlt %r6, 10, loop", "mov %r0, %r7", "exit"),
       maps=[MM.MapDef("m", "hash", 4, 8, 8)], check=8)
    MT(F, "hash-key-12-bytes", ["A HASH keyed by a 12-byte tuple (src, dst, ports): the key is compared as bytes;",
                                "a lookup of the stored tuple hits, one differing in the last byte misses: r0 = 0x10 | 0."],
       prog(put(12, bytes(range(1, 13))), lookup("m", 12), "mov %r6, 0", "jeq %r0, 0, +2", "ldxdw %r6, [%r0]",
            "lsh %r6, 4", "stb [%r10-1], 99", lookup("m", 12), "jeq %r0, 0, +1", "add %r6, 1", "mov %r0, %r6", "exit"),
       maps=[MM.MapDef("m", "hash", 12, 8, 4)], init={"m": [(bytes(range(1, 13)), v8(1))]}, check=0x10)
    MT(F, "hash-value-16-bytes", ["A HASH with a 16-byte value: the update copies all 16 bytes; the second word",
                                  "is read back at pointer + 8 (0x2222)."],
       prog(put(4, k4(7)), put(24, v8(0x1111) + v8(0x2222)), update("m", 4, 24, 0), lookup("m", 4), "jeq %r0, 0, miss",
            "ldxdw %r0, [%r0+8]", "exit", "miss:", "mov %r0, -1", "exit"),
       maps=[MM.MapDef("m", "hash", 4, 16, 4)], check=0x2222)
    MT(F, "hash-key-8-bytes", ["A HASH with u64 keys: keys 1 and 1<<32 are different keys (all 8 bytes count)."],
       prog(put(8, v8(1 << 32)), lookup("m", 8), "mov %r6, 1", "jeq %r0, 0, +1", "mov %r6, 2", "mov %r0, %r6", "exit"),
       maps=[MM.MapDef("m", "hash", 8, 8, 4)], init={"m": [(v8(1), v8(5))]}, check=1)
    MT(F, "array-value-4-bytes", ["An ARRAY with value_size 4: ldxw at +0 is the whole value; the update writes 4 bytes."],
       prog(put(4, k4(2)), put(8, k4(0xdeadbeef)), update("m", 4, 8, 0), lookup("m", 4), "jeq %r0, 0, miss",
            "ldxw %r0, [%r0]", "exit", "miss:", "mov %r0, -1", "exit"),
       maps=[MM.MapDef("m", "array", 4, 4, 4)], check=0xdeadbeef)
    MT(F, "array-value-4-overrun-trap", ["An ARRAY with value_size 4: ldxdw at +0 reads 8 bytes, past the value: OUT_OF_BOUNDS."],
       prog(put(4, k4(2)), lookup("m", 4), "jeq %r0, 0, miss", "ldxdw %r0, [%r0]", "exit", "miss:", "mov %r0, 0", "exit"),
       maps=[MM.MapDef("m", "array", 4, 4, 4)], expect=("trap", "OUT_OF_BOUNDS"),
       kernel=("REJECTED", "invalid access to map value, value_size=4 off=0 size=8"))
    MT(F, "percpu-array-value-4-overrun-trap", ["PERCPU_ARRAY value_size 4: the kernel stores round_up(4, 8) bytes per CPU,",
                                                "but a program may touch only value_size: ldxw at +4 traps OUT_OF_BOUNDS."],
       prog(put(4, k4(0)), lookup("m", 4), "jeq %r0, 0, miss", "ldxw %r0, [%r0+4]", "exit", "miss:", "mov %r0, 0", "exit"),
       maps=[MM.MapDef("m", "percpu_array", 4, 4, 2)], expect=("trap", "OUT_OF_BOUNDS"),
       kernel=("REJECTED", "invalid access to map value, value_size=4 off=4 size=4"))
    MT(F, "array-counter-histogram", ["Byte histogram of the input into a 4-entry ARRAY indexed by byte & 3 (lock add per",
                                      "byte); map-expect holds the counts, r0 = the number of bytes."],
       prog("mov %r6, %r1", "mov %r7, 0", "loop:", "ldxb %r1, [%r6]", "and %r1, 3", "stxw [%r10-4], %r1",
            lookup("m", 4), "jeq %r0, 0, next", "mov %r1, 1", "lock add [%r0], %r1", "next:", "add %r6, 1",
            "add %r7, 1", "jlt %r7, 8, loop", "mov %r0, %r7", "exit"),
       maps=[MM.MapDef("m", "array", 4, 8, 4)], mem=bytes([0, 1, 2, 3, 3, 3, 2, 7]), check=8)
    MT(F, "percpu-array-counter", ["PERCPU_ARRAY counter: three lookups each add 1 through the pointer to CPU 0's",
                                   "value (init 10): r0 = 13, and map-expect is CPU 0's value."],
       prog(put(4, k4(1)), "mov %r6, 3", "loop:", lookup("m", 4), "jeq %r0, 0, miss", "ldxdw %r1, [%r0]", "add %r1, 1",
            "stxdw [%r0], %r1", "mov %r7, %r1", "sub %r6, 1", "jne %r6, 0, loop", "mov %r0, %r7", "exit", "miss:",
            "mov %r0, -1", "exit"),
       maps=[MM.MapDef("m", "percpu_array", 4, 8, 4)], init={"m": [(k4(1), v8(10))]}, check=13)
    MT(F, "percpu-hash-cpu-id", ["bpf_get_smp_processor_id (8) is CPU 0 in every engine, so the PERCPU_HASH",
                                 "value updated there is CPU 0's: r0 = the stored cpu id + 0x100 = 0x100."],
       prog("call 8", "stxdw [%r10-16], %r0", put(4, k4(1)), update("m", 4, 16, 0), lookup("m", 4), "jeq %r0, 0, miss",
            "ldxdw %r0, [%r0]", "add %r0, 0x100", "exit", "miss:", "mov %r0, -1", "exit"),
       maps=[MM.MapDef("m", "percpu_hash", 4, 8, 4)], check=0x100)
    # LRU beyond max_entries: only what the kernel guarantees (programs.md 1.5)
    MT(F, "lru-hash-insert-beyond-max", ["LRU_HASH max_entries 4: inserting keys 1..6 always succeeds (r0 bit 0 = all",
                                         "inserts returned 0), the newest key 6 is present (bit 1) and at most 4 of",
                                         "the 6 keys remain (bit 2). Which keys were evicted is the kernel's choice",
                                         "(section 1.5), so no map-expect."],
       prog("mov %r6, 1", "mov %r8, 0", "ins:", "stxw [%r10-4], %r6", "stxdw [%r10-16], %r6", update("m", 4, 16, 0),
            "or %r8, %r0", "add %r6, 1", "jle %r6, 6, ins", "mov %r9, 0", "jne %r8, 0, +1", "or %r9, 1",
            put(4, k4(6)), lookup("m", 4), "jeq %r0, 0, +1", "or %r9, 2",
            "mov %r6, 1", "mov %r7, 0", "cnt:", "stxw [%r10-4], %r6", lookup("m", 4), "jeq %r0, 0, +1", "add %r7, 1",
            "add %r6, 1", "jle %r6, 6, cnt", "jgt %r7, 4, +1", "or %r9, 4", "mov %r0, %r9", "exit"),
       maps=[MM.MapDef("m", "lru_hash", 4, 8, 4)], check=7)
    MT(F, "lru-hash-within-max", ["LRU_HASH max_entries 8 below capacity behaves like a HASH: 8 inserts of keys",
                                  "0..7 (value = key * 3) all stay (map-expect), r0 = sum of the returns = 0."],
       prog("mov %r6, 0", "mov %r8, 0", "ins:", "stxw [%r10-4], %r6", "mov %r1, %r6", "mul %r1, 3",
            "stxdw [%r10-16], %r1", update("m", 4, 16, 0), "or %r8, %r0", "add %r6, 1", "jlt %r6, 8, ins",
            "mov %r0, %r8", "exit"),
       maps=[MM.MapDef("m", "lru_hash", 4, 8, 8)], check=0)
    MT(F, "lru-hash-full-replace", ["LRU_HASH max_entries 4 holding 4 keys: replacing key 2 succeeds and key 2",
                                    "then holds the new value (r0 = 0x222). The kernel may evict another key to do",
                                    "it, so no map-expect."],
       prog(put(4, k4(2)), put(16, v8(0x222)), update("m", 4, 16, 0), "jne %r0, 0, fail", lookup("m", 4),
            "jeq %r0, 0, fail", "ldxdw %r0, [%r0]", "exit", "fail:", "mov %r0, -1", "exit"),
       maps=[MM.MapDef("m", "lru_hash", 4, 8, 4)], init={"m": [(k4(i), v8(i)) for i in (1, 2, 3, 4)]}, check=0x222)
    MT(F, "two-maps", ["Two maps in one program (index 0 and 1 in declaration order): the ARRAY value at index 2",
                       "(0x40) is copied into the HASH under key 0x40; r0 = the HASH lookup of 0x40."],
       prog(put(4, k4(2)), lookup("a", 4), "jeq %r0, 0, miss", "ldxdw %r6, [%r0]", "stxw [%r10-8], %r6",
            "stxdw [%r10-16], %r6", update("h", 8, 16, 1), lookup("h", 8), "jeq %r0, 0, miss", "ldxdw %r0, [%r0]",
            "exit", "miss:", "mov %r0, -1", "exit"),
       maps=[MM.MapDef("a", "array", 4, 8, 4), MM.MapDef("h", "hash", 4, 8, 4)], init={"a": [(k4(2), v8(0x40))]},
       check=0x40)
    MT(F, "map-by-index", ["lddw map:@1 names the second declared map by index (the disassembler's form):",
                           "lookup of key 1 in map #1 (value 0x2) rather than map #0 (value 0x1)."],
       prog(put(4, k4(1)), "lddw %r1, map:@1", "mov %r2, %r10", "add %r2, -4", "call 1", "jeq %r0, 0, miss",
            "ldxdw %r0, [%r0]", "exit", "miss:", "mov %r0, -1", "exit"),
       maps=[MM.MapDef("first", "hash", 4, 8, 2), MM.MapDef("second", "hash", 4, 8, 2)],
       init={"first": [(k4(1), v8(1))], "second": [(k4(1), v8(2))]}, check=2)
    MT(F, "key-from-map-value", ["The key argument may point into a map value: the ARRAY value at index 0 holds 3,",
                                 "which is used directly as the HASH key; r0 = the HASH value (0x33)."],
       prog(put(4, k4(0)), lookup("a", 4), "jeq %r0, 0, miss", "mov %r2, %r0", "lddw %r1, map:h", "call 1",
            "jeq %r0, 0, miss", "ldxdw %r0, [%r0]", "exit", "miss:", "mov %r0, -1", "exit"),
       maps=[MM.MapDef("a", "array", 4, 4, 1), MM.MapDef("h", "hash", 4, 8, 4)],
       init={"a": [(k4(0), k4(3))], "h": [(k4(3), v8(0x33))]}, check=0x33)


# =============================================================================================
# Definitions refused at load (programs.md 1.2) and bad pseudo lddw (programs.md 2.1)

def mapdef_family():
    F = "mapdef"
    bad = [
        ("array", 8, 8, 4, 0, "array-key-8", "an ARRAY key must be exactly 4 bytes (EINVAL)"),
        ("array", 0, 8, 4, 0, "array-key-0", "an ARRAY key must be exactly 4 bytes (EINVAL)"),
        ("array", 4, 0, 4, 0, "array-value-0", "value_size 0 (EINVAL)"),
        ("array", 4, 8, 0, 0, "array-entries-0", "max_entries 0 (EINVAL)"),
        ("array", 4, 1 << 31, 1, 0, "array-value-2p31", "value_size 2^31 > INT_MAX (E2BIG)"),
        ("array", 4, 8, 4, 0x1, "array-no-prealloc", "NO_PREALLOC is not an array flag (EINVAL)"),
        ("array", 4, 8, 4, 0x180, "array-rdonly-wronly", "RDONLY_PROG and WRONLY_PROG together (EINVAL)"),
        ("array", 4, 8, 4, 0x2, "array-no-common-lru", "NO_COMMON_LRU is not an array flag (EINVAL)"),
        ("hash", 0, 8, 4, 0, "hash-key-0", "key_size 0 (EINVAL)"),
        ("hash", 4, 0, 4, 0, "hash-value-0", "value_size 0 (EINVAL)"),
        ("hash", 4, 8, 0, 0, "hash-entries-0", "max_entries 0 (EINVAL)"),
        ("hash", 4, 4194252, 1, 0, "hash-key-plus-value-too-big", "key + value = 4194256 > 4194255 (E2BIG)"),
        ("hash", 4, 8, 1 << 31, 0, "hash-entries-2p31", "max_entries 2^31 (E2BIG)"),
        ("hash", 4, 8, 4, 0x400, "hash-mmapable", "MMAPABLE is not a hash flag (EINVAL)"),
        ("hash", 4, 8, 4, 0x2, "hash-no-common-lru", "NO_COMMON_LRU on a plain HASH (EINVAL)"),
        ("percpu_array", 8, 8, 4, 0, "percpu-array-key-8", "a PERCPU_ARRAY key must be 4 bytes (EINVAL)"),
        ("percpu_array", 4, 32769, 1, 0, "percpu-array-value-too-big", "round_up(32769, 8) > 32768 (E2BIG)"),
        ("percpu_array", 4, 8, 4, 0x1, "percpu-array-no-prealloc", "NO_PREALLOC on a PERCPU_ARRAY (EINVAL)"),
        ("percpu_hash", 4, 32769, 1, 0, "percpu-hash-value-too-big", "round_up(32769, 8) > 32768 (E2BIG)"),
        ("percpu_hash", 4, 8, 0, 0, "percpu-hash-entries-0", "max_entries 0 (EINVAL)"),
        ("lru_hash", 4, 8, 4, 0x1, "lru-hash-no-prealloc", "an LRU_HASH must be preallocated (-524 ENOTSUPP)"),
        ("lru_hash", 0, 8, 4, 0, "lru-hash-key-0", "key_size 0 (EINVAL)"),
        ("lru_hash", 4, 8, 4, 0x400, "lru-hash-mmapable", "MMAPABLE is not an LRU flag (EINVAL)"),
        ("prog_array", 8, 4, 4, 0, "prog-array-key-8", "a PROG_ARRAY needs key 4 (EINVAL)"),
        ("prog_array", 4, 8, 4, 0, "prog-array-value-8", "a PROG_ARRAY needs value 4 (a program fd) (EINVAL)"),
        ("prog_array", 4, 4, 0, 0, "prog-array-entries-0", "max_entries 0 (EINVAL)"),
        ("ringbuf", 4, 0, 4096, 0, "ringbuf-key-4", "a RINGBUF has key_size 0 (EINVAL)"),
        ("ringbuf", 0, 4, 4096, 0, "ringbuf-value-4", "a RINGBUF has value_size 0 (EINVAL)"),
        ("ringbuf", 0, 0, 2048, 0, "ringbuf-entries-2048", "2048 is a power of 2 but not a multiple of 4096 (EINVAL)"),
        ("ringbuf", 0, 0, 12288, 0, "ringbuf-entries-12288", "12288 is a multiple of 4096 but not a power of 2 (EINVAL)"),
        ("ringbuf", 0, 0, 4096, 0x400, "ringbuf-mmapable", "MMAPABLE is not a ringbuf flag (EINVAL)"),
    ]
    for typ, key, value, entries, flags, name, why in bad:
        d = MM.MapDef("bad", typ, key, value, entries, flags)
        MT(F, "mapdef-" + name, ["BPF_MAP_CREATE refuses this %s definition: %s." % (typ.upper(), why),
                                 "Every engine refuses the load (the map cannot exist)."],
           prog("lddw %r1, map:bad", "mov %r0, 0", "exit"), maps=[d], expect="rejected")
    # a good definition next to a bad one still refuses the load
    MT(F, "mapdef-second-map-bad", ["The first map is valid, the second (ARRAY key 2) is not: the load is refused."],
       prog("lddw %r1, map:good", "mov %r0, 0", "exit"),
       maps=[MM.MapDef("good", "hash", 4, 8, 4), MM.MapDef("bad", "array", 2, 8, 4)], expect="rejected")
    # lddw pseudo forms the kernel refuses at load
    MT(F, "lddw-map-value-on-hash", ["lddw src=2 (direct value address) works only for a 1-entry ARRAY: on a HASH",
                                     "the kernel refuses the load (EINVAL, no direct value access support)."],
       prog("lddw %r1, map_value:h+0", "ldxdw %r0, [%r1]", "exit"), maps=[MM.MapDef("h", "hash", 4, 8, 1)],
       expect="rejected")
    MT(F, "lddw-map-value-two-entries", ["lddw src=2 on an ARRAY of 2 entries is refused (-524): only max_entries 1."],
       prog("lddw %r1, map_value:a+0", "ldxdw %r0, [%r1]", "exit"), maps=[MM.MapDef("a", "array", 4, 8, 2)],
       expect="rejected")
    MT(F, "lddw-map-value-percpu", ["lddw src=2 on a 1-entry PERCPU_ARRAY is refused (EINVAL)."],
       prog("lddw %r1, map_value:a+0", "ldxdw %r0, [%r1]", "exit"), maps=[MM.MapDef("a", "percpu_array", 4, 8, 1)],
       expect="rejected")
    MT(F, "lddw-map-value-offset-past-end", ["lddw src=2 with offset 8 = value_size: the offset must be below the",
                                             "value size (EINVAL at load)."],
       prog("lddw %r1, map_value:a+8", "mov %r0, 0", "exit"), maps=[MM.MapDef("a", "array", 4, 8, 1)],
       expect="rejected")
    # Map types the helper does not take (the kernel's check_map_func_compatibility), where the
    # program loads the map into the argument register right before the call.
    key = ["stw [%r10-4], 0", "mov %r2, %r10", "add %r2, -4"]
    misuse = [
        ("misuse-lookup-prog-array", "map_lookup_elem on a PROG_ARRAY (only bpf_tail_call takes one)",
         key + ["lddw %r1, map:m", "call 1"], MM.MapDef("m", "prog_array", 4, 4, 1)),
        ("misuse-lookup-ringbuf", "map_lookup_elem on a RINGBUF (only the ring buffer helpers take one)",
         key + ["lddw %r1, map:m", "call 1"], MM.MapDef("m", "ringbuf", 0, 0, 4096)),
        ("misuse-update-ringbuf", "map_update_elem on a RINGBUF",
         key + ["mov %r3, %r2", "lddw %r1, map:m", "mov %r4, 0", "call 2"], MM.MapDef("m", "ringbuf", 0, 0, 4096)),
        ("misuse-ringbuf-output-hash", "ringbuf_output into a HASH",
         ["stdw [%r10-8], 0", "lddw %r1, map:m", "mov %r2, %r10", "add %r2, -8", "mov %r3, 8", "mov %r4, 0",
          "call 130"], MM.MapDef("m", "hash", 4, 8, 1)),
        ("misuse-ringbuf-reserve-array", "ringbuf_reserve from an ARRAY",
         ["lddw %r1, map:m", "mov %r2, 8", "mov %r3, 0", "call 131"], MM.MapDef("m", "array", 4, 8, 1)),
        ("misuse-tail-call-hash", "bpf_tail_call through a HASH (it needs a PROG_ARRAY in r2)",
         ["lddw %r2, map:m", "mov %r3, 0", "call 12"], MM.MapDef("m", "hash", 4, 4, 1)),
    ]
    for name, what, body, mdef in misuse:
        MT(F, name, ["%s: the kernel refuses the load (cannot pass map_type), and so does every engine." % what],
           prog(*body, "mov %r0, 0", "exit"), maps=[mdef], expect="rejected")
    d = [MM.MapDef("a", "array", 4, 8, 1)]
    rawtests = [
        ("lddw-map-fd-next-imm", "lddw src=1 whose second slot imm is 1 (must be 0): EINVAL, unrecognized ld_imm64.",
         [M.slot(0x18, 1, 1, 0, 0), M.slot(0, 0, 0, 0, 1), M.slot(0xb7), 0x95]),
        ("lddw-map-fd-no-such-map", "lddw src=1 naming map #5 when only one map is declared: refused (EBADF).",
         [M.slot(0x18, 1, 1, 0, 5), M.slot(0), M.slot(0xb7), 0x95]),
        ("lddw-map-value-no-such-map", "lddw src=2 naming map #1 when only map #0 exists: refused.",
         [M.slot(0x18, 1, 2, 0, 1), M.slot(0), M.slot(0xb7), 0x95]),
        ("lddw-src-3", "lddw src=3 (PSEUDO_BTF_ID, a kernel symbol) is not supported: refused.",
         [M.slot(0x18, 1, 3, 0, 0), M.slot(0), M.slot(0xb7), 0x95]),
        ("lddw-src-5", "lddw src=5 (MAP_IDX through fd_array) is not part of the format: refused.",
         [M.slot(0x18, 1, 5, 0, 0), M.slot(0), M.slot(0xb7), 0x95]),
        ("lddw-func-out-of-range", "lddw src=4 (function address) pointing past the program: refused.",
         [M.slot(0x18, 2, 4, 0, 10), M.slot(0), M.slot(0xb7), 0x95]),
        ("lddw-func-into-lddw", "lddw src=4 pointing at the second slot of an lddw: refused.",
         [M.slot(0x18, 2, 4, 0, 0), M.slot(0), M.slot(0xb7), 0x95]),
    ]
    for name, why, raw in rawtests:
        t = MT(F, name, [why], None, maps=d, expect="rejected")
        t.raw = raw


# =============================================================================================
# Global data: .rodata / .data / .bss as 1-entry ARRAY maps (programs.md 2.2, MAPS-FORMAT.md)

def globals_family():
    F = "globals"
    ro = MM.MapDef(".rodata", "array", 4, 16, 1, 0x80)
    rw = MM.MapDef(".data", "array", 4, 16, 1)
    bss = MM.MapDef(".bss", "array", 4, 16, 1)
    rodata = {".rodata": [(k4(0), v8(0x1122334455667788) + k4(0xcafe) + b"OK!\0")]}
    data = {".data": [(k4(0), v8(40) + v8(2))]}
    MT(F, "rodata-read-u64", [".rodata (ARRAY key 4 value 16 entries 1 flags RDONLY_PROG 0x80) read through",
                              "lddw map_value:.rodata+0: r0 = the u64 at offset 0."],
       prog("lddw %r1, map_value:.rodata+0", "ldxdw %r0, [%r1]", "exit"), maps=[ro], init=rodata,
       check=0x1122334455667788)
    MT(F, "rodata-read-offset", ["lddw map_value:.rodata+8 points at offset 8 (next_imm = 8): ldxw reads 0xcafe."],
       prog("lddw %r1, map_value:.rodata+8", "ldxw %r0, [%r1]", "exit"), maps=[ro], init=rodata, check=0xcafe)
    MT(F, "rodata-read-negative-offset", ["A pointer to .rodata+12 with a load at -12 reads offset 0 (the low word 0x55667788)."],
       prog("lddw %r1, map_value:.rodata+12", "ldxw %r0, [%r1-12]", "exit"), maps=[ro], init=rodata,
       check=0x55667788)
    MT(F, "rodata-read-string", [".rodata holds \"OK!\" at offset 12: the three bytes summed = 0x4f+0x4b+0x21."],
       prog("lddw %r1, map_value:.rodata+12", "ldxb %r0, [%r1]", "ldxb %r2, [%r1+1]", "add %r0, %r2",
            "ldxb %r2, [%r1+2]", "add %r0, %r2", "exit"), maps=[ro], init=rodata, check=0x4f + 0x4b + 0x21)
    MT(F, "rodata-store-trap", ["A store into .rodata (RDONLY_PROG) traps OUT_OF_BOUNDS in the userspace engines;",
                                "the kernel refuses it at load."],
       prog("lddw %r1, map_value:.rodata+0", "stdw [%r1], 1", "mov %r0, 0", "exit"), maps=[ro], init=rodata,
       expect=("trap", "OUT_OF_BOUNDS"), kernel=("REJECTED", "write into map forbidden, value_size=16 off=0 size=8"))
    MT(F, "rodata-stx-trap", ["stxb into .rodata at offset 15 traps OUT_OF_BOUNDS (read-only to the program)."],
       prog("lddw %r1, map_value:.rodata+0", "mov %r2, 7", "stxb [%r1+15], %r2", "mov %r0, 0", "exit"), maps=[ro],
       init=rodata, expect=("trap", "OUT_OF_BOUNDS"),
       kernel=("REJECTED", "write into map forbidden, value_size=16 off=15 size=1"))
    MT(F, "rodata-atomic-trap", ["An atomic add into .rodata traps OUT_OF_BOUNDS (it writes)."],
       prog("lddw %r1, map_value:.rodata+0", "mov %r2, 1", "lock add [%r1], %r2", "mov %r0, 0", "exit"), maps=[ro],
       init=rodata, expect=("trap", "OUT_OF_BOUNDS"),
       kernel=("REJECTED", "write into map forbidden, value_size=16 off=0 size=8"))
    MT(F, "rodata-overrun-trap", ["Reading 8 bytes at .rodata+12 of a 16-byte section overruns it: OUT_OF_BOUNDS."],
       prog("lddw %r1, map_value:.rodata+12", "ldxdw %r0, [%r1]", "exit"), maps=[ro], init=rodata,
       expect=("trap", "OUT_OF_BOUNDS"), kernel=("REJECTED", "invalid access to map value, value_size=16 off=12 size=8"))
    MT(F, "rodata-mmapable", [".rodata as libbpf creates it when it has globals: flags RDONLY_PROG|MMAPABLE (0x480)."],
       prog("lddw %r1, map_value:.rodata+8", "ldxw %r0, [%r1]", "exit"),
       maps=[MM.MapDef(".rodata", "array", 4, 16, 1, 0x480)], init=rodata, check=0xcafe)
    MT(F, "data-read", [".data (read-write, map-init 40 and 2): r0 = 40 + 2."],
       prog("lddw %r1, map_value:.data+0", "ldxdw %r0, [%r1]", "ldxdw %r2, [%r1+8]", "add %r0, %r2", "exit"),
       maps=[rw], init=data, check=42)
    MT(F, "data-write-persists", ["A store into .data persists in the map: offset 8 becomes 0x99 (map-expect)."],
       prog("lddw %r1, map_value:.data+8", "stdw [%r1], 0x99", "ldxdw %r0, [%r1-8]", "exit"), maps=[rw], init=data,
       check=40)
    MT(F, "data-counter-loop", ["A loop increments the .data counter at offset 0 ten times: r0 = 40 + 10."],
       prog("lddw %r6, map_value:.data+0", "mov %r7, 10", "loop:", "ldxdw %r1, [%r6]", "add %r1, 1", "stxdw [%r6], %r1",
            "sub %r7, 1", "jne %r7, 0, loop", "ldxdw %r0, [%r6]", "exit"), maps=[rw], init=data, check=50)
    MT(F, "data-mmapable", [".data with MMAPABLE (0x400, as libbpf creates it) behaves the same: write then read 7."],
       prog("lddw %r1, map_value:.data+4", "stw [%r1], 7", "ldxw %r0, [%r1]", "exit"),
       maps=[MM.MapDef(".data", "array", 4, 16, 1, 0x400)], check=7)
    MT(F, "bss-starts-zero", [".bss has no map-init: it reads as zero (r0 = 0 | 0x100)."],
       prog("lddw %r1, map_value:.bss+0", "ldxdw %r0, [%r1+8]", "or %r0, 0x100", "exit"), maps=[bss], check=0x100)
    MT(F, "bss-write", ["Stores into .bss at offsets 0 and 12 persist (map-expect); r0 = the byte at 12 (0x2a)."],
       prog("lddw %r1, map_value:.bss+12", "stw [%r1], 42", "lddw %r2, map_value:.bss+0", "stdw [%r2], -1",
            "ldxb %r0, [%r2+12]", "exit"), maps=[bss], check=42)
    MT(F, "bss-atomic", ["lock fetch add on .bss returns the old value: 0 then 5; r0 = old1 + old2 + final = 0 + 5 + 8."],
       prog("lddw %r6, map_value:.bss+0", "mov %r1, 5", "lock fetch add [%r6], %r1", "mov %r2, 3",
            "lock fetch add [%r6], %r2", "ldxdw %r0, [%r6]", "add %r0, %r1", "add %r0, %r2", "exit"), maps=[bss],
       check=13)
    MT(F, "all-three-sections", ["Three global sections in one program: .data[0] = .rodata[8] + .bss[0] (set to 1 first);",
                                 "r0 = .data[0] = 0xcafe + 1."],
       prog("lddw %r1, map_value:.bss+0", "stdw [%r1], 1", "lddw %r2, map_value:.rodata+8", "ldxw %r3, [%r2]",
            "ldxdw %r4, [%r1]", "add %r3, %r4", "lddw %r5, map_value:.data+0", "stxdw [%r5], %r3", "ldxdw %r0, [%r5]",
            "exit"), maps=[ro, rw, bss], init=dict(rodata, **data), check=0xcafe + 1)
    MT(F, "global-as-helper-key", ["A global used as a helper argument: the HASH key is read from .rodata+8 (0xcafe)."],
       prog("lddw %r1, map:h", "lddw %r2, map_value:.rodata+8", "call 1", "jeq %r0, 0, miss", "ldxdw %r0, [%r0]", "exit",
            "miss:", "mov %r0, -1", "exit"),
       maps=[ro, MM.MapDef("h", "hash", 4, 8, 2)], init=dict(rodata, h=[(k4(0xcafe), v8(0xbeef))]), check=0xbeef)
    MT(F, "global-as-update-value", ["A global as the value argument of map_update_elem: .data+0 (40) copied to key 1."],
       prog(put(4, k4(1)), "lddw %r1, map:h", "mov %r2, %r10", "add %r2, -4", "lddw %r3, map_value:.data+0", "mov %r4, 0",
            "call 2", "exit"),
       maps=[MM.MapDef(".data", "array", 4, 8, 1), MM.MapDef("h", "hash", 4, 8, 2)], init={".data": [(k4(0), v8(40))]},
       check=0)
    MT(F, "global-big-section", ["A 256-byte .bss: a store at its last u64 (offset 248) reads back."],
       prog("lddw %r1, map_value:.bss+248", "stdw [%r1], 0x77", "lddw %r2, map_value:.bss+0", "ldxdw %r0, [%r2+248]",
            "exit"), maps=[MM.MapDef(".bss", "array", 4, 256, 1)], check=0x77)
    MT(F, "global-lookup-by-helper", ["A global section is an ordinary ARRAY: map_lookup_elem of key 0 returns its",
                                      "value, and a write through it is seen through lddw map_value (r0 = 0x31)."],
       prog(put(4, k4(0)), lookup(".data", 4), "jeq %r0, 0, miss", "stdw [%r0+8], 0x31", "lddw %r1, map_value:.data+8",
            "ldxdw %r0, [%r1]", "exit", "miss:", "mov %r0, -1", "exit"), maps=[rw], init=data, check=0x31)


# =============================================================================================
# Tail calls (programs.md 3.2 helper 12, MAPS-FORMAT.md)

def tail_counter(limit=None, idx="mov %r3, 0", mark=0x1000):
    """Counts its executions in cnt[0], then tail-calls jmp[idx] (stopping once count >= limit);
    a fall-through returns mark | count."""
    return prog("mov %r6, %r1", put(4, k4(0)), lookup("cnt", 4), "jeq %r0, 0, out", "ldxdw %r7, [%r0]", "add %r7, 1",
                "stxdw [%r0], %r7", "jge %%r7, %d, done" % limit if limit else None, "mov %r1, %r6",
                "lddw %r2, map:jmp", idx, "call 12", "mov %%r0, %d" % mark, "or %r0, %r7", "exit",
                "done:" if limit else None, "mov %r0, %r7" if limit else None, "exit" if limit else None,
                "out:", "mov %r0, -1", "exit")


def tailcall_family():
    F = "tailcall"
    cnt = MM.MapDef("cnt", "array", 4, 8, 1)
    jmp = MM.MapDef("jmp", "prog_array", 4, 4, 4)
    selfslot = {"jmp": [(k4(0), "self")]}
    MT(F, "tailcall-self-34-executions", ["A program that tail-calls itself unconditionally through jmp[0] = self",
                                          "runs 34 times: 33 tail calls succeed, the 34th execution's call falls",
                                          "through. It counts executions in an ARRAY: r0 = 0x1000 | 34."],
       tail_counter(), maps=[cnt, jmp], init=selfslot, check=0x1000 | 34)
    for limit, note in ((33, "stops itself at 33 executions (32 tail calls): r0 = 33, no fall-through."),
                        (34, "stops itself at 34 executions: the 33rd tail call (the last allowed) succeeded, r0 = 34."),
                        (35, "wants 35 executions: the 34th execution's tail call falls through (limit 33),"
                             " r0 = 0x1000 | 34.")):
        MT(F, "tailcall-chain-limit-%d" % limit, ["Self tail-call chain that %s" % note],
           tail_counter(limit), maps=[cnt, jmp], init=selfslot,
           check=limit if limit < 35 else 0x1000 | 34)
    MT(F, "tailcall-empty-slot", ["tail_call to an empty PROG_ARRAY slot (jmp[1]; only jmp[0] is set) falls through:",
                                  "the program continues after the call, executed once (r0 = 0x1000 | 1)."],
       tail_counter(idx="mov %r3, 1"), maps=[cnt, jmp], init=selfslot, check=0x1001)
    MT(F, "tailcall-no-slots", ["tail_call through a PROG_ARRAY with no map-init at all falls through (r0 = 0x1000 | 1)."],
       tail_counter(), maps=[cnt, jmp], check=0x1001)
    MT(F, "tailcall-index-max", ["tail_call with index 4 = max_entries falls through (r0 = 0x1000 | 1)."],
       tail_counter(idx="mov %r3, 4"), maps=[cnt, jmp], init={"jmp": [(k4(i), "self") for i in range(4)]},
       check=0x1001)
    MT(F, "tailcall-index-all-ones", ["tail_call with index 0xffffffff falls through (r0 = 0x1000 | 1)."],
       tail_counter(idx="mov32 %r3, -1"), maps=[cnt, jmp], init=selfslot, check=0x1001)
    MT(F, "tailcall-index-u32", ["The index argument is a u32: r3 = 0x100000003 selects slot 3 (self), so the",
                                 "program runs 34 times (r0 = 0x1000 | 34)."],
       tail_counter(idx="lddw %r3, 0x100000003"), maps=[cnt, jmp], init={"jmp": [(k4(3), "self")]},
       check=0x1000 | 34)
    MT(F, "tailcall-r1-is-ctx", ["After a tail call r1 is the context again (the input memory): each execution",
                                 "increments input byte 0 through r1 and tail-calls while it is below 5; r0 = 5."],
       prog("ldxb %r2, [%r1]", "add %r2, 1", "stxb [%r1], %r2", "jge %r2, 5, done", "lddw %r2, map:jmp", "mov %r3, 0",
            "call 12", "mov %r0, -1", "exit", "done:", "mov %r0, %r2", "exit"),
       maps=[jmp], init=selfslot, mem=bytes(4), kernel=UNWRAPPED_CTX, check=5)
    MT(F, "tailcall-fresh-registers", ["A tail call restarts the program at pc 0 with only r1 (the context) set: the",
                                       "second execution rebuilds r6 and r7 itself and returns 0x200 | count 2."],
       prog("mov %r6, %r1", put(4, k4(0)), lookup("cnt", 4), "jeq %r0, 0, out", "ldxdw %r7, [%r0]", "add %r7, 1",
            "stxdw [%r0], %r7", "jge %r7, 2, done", "mov %r1, %r6", "mov %r6, 7", "lddw %r2, map:jmp", "mov %r3, 0",
            "call 12", "mov %r0, -1", "exit", "done:", "mov %r0, 0x200", "or %r0, %r7", "exit", "out:", "mov %r0, -1",
            "exit"), maps=[cnt, jmp], init=selfslot, check=0x202)


# =============================================================================================
# Ring buffers (programs.md 3.2 helpers 130-133, section 6)

def output(rb, doff, size, flags):
    return (["lddw %%r1, map:%s" % rb] + ptr(2, doff) + ["mov %%r3, %d" % size, "mov %%r4, %d" % flags, "call 130"])


def reserve(rb, size, flags=0):
    return ["lddw %%r1, map:%s" % rb, "mov %%r2, %d" % size, "mov %%r3, %d" % flags, "call 131"]


def release(reg, discard=False, flags=0):
    return ["mov %%r1, %%r%d" % reg, "mov %%r2, %d" % flags, "call %d" % (133 if discard else 132)]


def ringbuf_family():
    F = "ringbuf"
    rb = MM.MapDef("rb", "ringbuf", 0, 0, 4096)
    R = dict(maps=[rb])
    MT(F, "ringbuf-output-one", ["bpf_ringbuf_output (130) of 8 stack bytes returns 0; the consumer sees one record."],
       prog(put(8, bytes(range(1, 9))), output("rb", 8, 8, 0), "exit"), check=0, **R)
    MT(F, "ringbuf-output-sizes", ["Three outputs of 5, 12 and 1 bytes: records keep their exact lengths and order",
                                   "(headers round to 8 bytes inside the ring); r0 = the or of the returns."],
       prog(put(16, bytes(range(0x10, 0x20))), output("rb", 16, 5, 0), "mov %r6, %r0", output("rb", 16, 12, 0),
            "or %r6, %r0", output("rb", 12, 1, 0), "or %r0, %r6", "exit"), check=0, **R)
    for flags, name in ((1, "no-wakeup"), (2, "force-wakeup")):
        MT(F, "ringbuf-output-flags-%s" % name, ["bpf_ringbuf_output with flags %d (BPF_RB_%s) is accepted: r0 = 0, one record." %
                                                 (flags, name.upper().replace("-", "_"))],
           prog(put(8, v8(0x0102030405060708)), output("rb", 8, 8, flags), "exit"), check=0, **R)
    MT(F, "ringbuf-output-flags-both", ["bpf_ringbuf_output with flags 3 (NO_WAKEUP|FORCE_WAKEUP): the kernel rejects only",
                                        "bits outside 0x3, so this is accepted: r0 = 0, one record (measured on 6.18;",
                                        "programs.md 3.2 lists only 0, 1, 2)."],
       prog(put(8, v8(0x33)), output("rb", 8, 8, 3), "exit"), check=0, **R)
    MT(F, "ringbuf-output-flags-bad", ["bpf_ringbuf_output with flags 4 (no such flag) returns -EINVAL; no record."],
       prog(put(8, v8(1)), output("rb", 8, 8, 4), "exit"), check=u64(EINVAL), **R)
    MT(F, "ringbuf-output-from-input", ["bpf_ringbuf_output straight from the input memory (r1, 6 bytes)."],
       prog("mov %r2, %r1", "lddw %r1, map:rb", "mov %r3, 6", "mov %r4, 0", "call 130", "exit"),
       mem=b"packet", check=0, lint=MAP_VALUE_FALLBACK, **R)
    MT(F, "ringbuf-output-from-global", ["bpf_ringbuf_output of a .rodata global (16 bytes)."],
       prog("lddw %r1, map:rb", "lddw %r2, map_value:.rodata+0", "mov %r3, 16", "mov %r4, 0", "call 130", "exit"),
       maps=[rb, MM.MapDef(".rodata", "array", 4, 16, 1, 0x80)],
       init={".rodata": [(k4(0), b"hello, ringbuf!\n")]}, check=0)
    MT(F, "ringbuf-reserve-submit", ["bpf_ringbuf_reserve (131) of 16 bytes, both words written, bpf_ringbuf_submit",
                                     "(132): one 16-byte record; r0 = 0 after the NULL check."],
       prog(reserve("rb", 16), "jeq %r0, 0, none", "mov %r6, %r0", "stdw [%r6], 0x11", "stdw [%r6+8], 0x22",
            release(6), "mov %r0, 0", "exit", "none:", "mov %r0, 1", "exit"), check=0, **R)
    MT(F, "ringbuf-reserve-discard", ["bpf_ringbuf_discard (133) drops the reserved record: the consumer sees none."],
       prog(reserve("rb", 16), "jeq %r0, 0, none", "mov %r6, %r0", "stdw [%r6], 0x11", "stdw [%r6+8], 0x22",
            release(6, True), "mov %r0, 0", "exit", "none:", "mov %r0, 1", "exit"), check=0, **R)
    MT(F, "ringbuf-submit-flags", ["bpf_ringbuf_submit with BPF_RB_NO_WAKEUP (1) still commits the record."],
       prog(reserve("rb", 8), "jeq %r0, 0, none", "mov %r6, %r0", "stdw [%r6], 0x5a", release(6, False, 1),
            "mov %r0, 0", "exit", "none:", "mov %r0, 1", "exit"), check=0, **R)
    MT(F, "ringbuf-mixed-order", ["output(4 bytes), reserve 8 + discard, reserve 8 + submit, output(3): the consumer",
                                  "sees the three committed records in ring order, the discarded one skipped."],
       prog(put(8, bytes([0xa1, 0xa2, 0xa3, 0xa4, 0xb1, 0xb2, 0xb3, 0xb4])), output("rb", 8, 4, 0), reserve("rb", 8),
            "jeq %r0, 0, none", "mov %r6, %r0", "stdw [%r6], 0", release(6, True), reserve("rb", 8), "jeq %r0, 0, none",
            "mov %r6, %r0", "stdw [%r6], 0x77", release(6), output("rb", 4, 3, 0), "exit", "none:", "mov %r0, 1", "exit"),
       check=0, **R)
    MT(F, "ringbuf-submit-out-of-order", ["Reserve A then B, submit B first, then A: the consumer reads records in",
                                          "ring position order, so A (0xaa..) comes before B (0xbb..)."],
       prog(reserve("rb", 8), "jeq %r0, 0, none", "mov %r6, %r0", reserve("rb", 8), "jeq %r0, 0, none1",
            "mov %r7, %r0", "lddw %r1, 0xaaaaaaaaaaaaaaaa", "stxdw [%r6], %r1", "lddw %r1, 0xbbbbbbbbbbbbbbbb",
            "stxdw [%r7], %r1", release(7), release(6), "mov %r0, 0", "exit",
            "none1:", release(6, True), "none:", "mov %r0, 1", "exit"), check=0, **R)
    MT(F, "ringbuf-reserve-max-payload", ["A 4096-byte ring holds a payload of at most 4096 - 16 = 4080 bytes: reserve",
                                          "4080 succeeds (then discard), r0 = 1."],
       prog(reserve("rb", 4080), "jeq %r0, 0, none", release(0, True), "mov %r0, 1", "exit", "none:", "mov %r0, 0",
            "exit"), check=1, **R)
    MT(F, "ringbuf-reserve-too-big", ["Reserve 4081 bytes in a 4096-byte ring: the record (4096 with header) does not",
                                      "fit in S - 1 bytes, so NULL (r0 = 0)."],
       prog(reserve("rb", 4081), "jeq %r0, 0, none", release(0, True), "mov %r0, 1", "exit", "none:", "mov %r0, 0",
            "exit"), check=0, **R)
    MT(F, "ringbuf-reserve-bigger-than-ring", ["Reserve 8192 bytes in a 4096-byte ring: NULL (r0 = 0)."],
       prog(reserve("rb", 8192), "jeq %r0, 0, none", release(0, True), "mov %r0, 1", "exit", "none:", "mov %r0, 0",
            "exit"), check=0, **R)
    MT(F, "ringbuf-reserve-flags", ["bpf_ringbuf_reserve with flags 1 (any non-zero flags) returns NULL (r0 = 0)."],
       prog(reserve("rb", 8, 1), "jeq %r0, 0, none", release(0, True), "mov %r0, 1", "exit", "none:", "mov %r0, 0",
            "exit"), check=0, **R)
    MT(F, "ringbuf-output-when-full", ["A discarded record still occupies the ring until consumed: after reserve 4072",
                                       "(4080 with header) + discard, an 8-byte output needs 16 more: 4096 > 4095,",
                                       "so -EAGAIN and no record."],
       prog(reserve("rb", 4072), "jeq %r0, 0, none", release(0, True), put(8, v8(9)), output("rb", 8, 8, 0), "exit",
            "none:", "mov %r0, 1", "exit"), check=u64(EAGAIN), **R)
    MT(F, "ringbuf-output-exact-fit", ["After reserve 4064 + discard (4072 used), an 8-byte output needs 16: 4088 <= 4095",
                                       "fits (0); a second one would reach 4104: -EAGAIN. r0 = first | second << 8."],
       prog(reserve("rb", 4064), "jeq %r0, 0, none", release(0, True), put(8, v8(0x1234)), output("rb", 8, 8, 0),
            "mov %r6, %r0", output("rb", 8, 8, 0), "and %r0, 0xff", "lsh %r0, 8", "or %r0, %r6", "exit",
            "none:", "mov %r0, 1", "exit"), check=(u64(EAGAIN) & 0xff) << 8, **R)
    MT(F, "ringbuf-fill-loop", ["Output 8-byte records in a loop until one fails: a 4096-byte ring takes 255 records of",
                                "16 bytes (255 * 16 = 4080 <= 4095); r0 = 255. Each payload is the loop counter."],
       prog("mov %r6, 0", "loop:", "stxdw [%r10-8], %r6", output("rb", 8, 8, 0), "jne %r0, 0, done", "add %r6, 1",
            "jlt %r6, 300, loop", "done:", "mov %r0, %r6", "exit"), check=255, **R)
    MT(F, "ringbuf-two-rings", ["Two ring buffers in one program: one record each, different contents."],
       prog(put(8, v8(0x1111)), output("a", 8, 8, 0), "mov %r6, %r0", put(8, v8(0x2222)), output("b", 8, 4, 0),
            "or %r0, %r6", "exit"),
       maps=[MM.MapDef("a", "ringbuf", 0, 0, 4096), MM.MapDef("b", "ringbuf", 0, 0, 8192)], check=0)
    MT(F, "ringbuf-big-ring", ["An 8192-byte ring takes a 4096-byte reservation (8192 - 16 = 8176 is the limit): r0 = 1."],
       prog(reserve("rb", 8176), "jeq %r0, 0, none", release(0, True), "mov %r0, 1", "exit", "none:", "mov %r0, 0",
            "exit"), maps=[MM.MapDef("rb", "ringbuf", 0, 0, 8192)], check=1)
    MT(F, "ringbuf-record-overrun-trap", ["Writing 8 bytes at offset 4 of an 8-byte reservation overruns the record:",
                                          "OUT_OF_BOUNDS; the kernel refuses the access at load."],
       prog(reserve("rb", 8), "jeq %r0, 0, none", "mov %r6, %r0", "stdw [%r6+4], 1", release(6), "none:", "mov %r0, 0",
            "exit"), expect=("trap", "OUT_OF_BOUNDS"),
       kernel=("REJECTED", "invalid access to memory, mem_size=8 off=4 size=8"), **R)
    MT(F, "ringbuf-null-deref-trap", ["A reservation too big for the ring is NULL; writing through it unchecked traps",
                                      "OUT_OF_BOUNDS; the kernel refuses the unchecked access."],
       prog(reserve("rb", 8192), "mov %r6, %r0", "stdw [%r6], 1", "mov %r0, 0", "exit"), expect=("trap", "OUT_OF_BOUNDS"),
       kernel=("REJECTED", "invalid mem access 'ringbuf_mem_or_null'"), **R)


# =============================================================================================
# bpf_loop (programs.md 3.2 helper 181, 3.3)

def loop_call(n, cb="cb", ctx_off=None, flags=0, nreg=None):
    return ([nreg or "mov %%r1, %d" % n, "lddw %%r2, func:%s" % cb] +
            (ptr(3, ctx_off) if ctx_off else ["mov %r3, 0"]) + ["mov %%r4, %d" % flags, "call 181"])


def loop_family():
    F = "loop"
    cb0 = ["cb:", "mov %r0, 0", "exit"]
    sum_cb = ["cb:", "ldxdw %r3, [%r2]", "add %r3, %r1", "stxdw [%r2], %r3", "mov %r0, 0", "exit"]
    MT(F, "loop-count", ["bpf_loop (181) with n = 5 and a callback returning 0 returns the number of calls: r0 = 5."],
       prog(loop_call(5), "exit", cb0), check=5)
    MT(F, "loop-sum-index", ["The callback gets (index, ctx): it adds each index to a u64 on the caller's stack",
                             "(ctx = r10-8); after n = 10 the sum is 0+1+...+9 = 45; r0 = sum << 8 | calls."],
       prog("stdw [%r10-8], 0", loop_call(10, ctx_off=8), "ldxdw %r1, [%r10-8]", "lsh %r1, 8", "or %r0, %r1", "exit",
            sum_cb), check=45 << 8 | 10)
    MT(F, "loop-early-exit", ["A callback returning 1 stops the loop: it stops at index 2, so r0 = 3 calls and the",
                              "ctx sum is 0+1+2 = 3; r0 = sum << 8 | calls."],
       prog("stdw [%r10-8], 0", loop_call(10, ctx_off=8), "ldxdw %r1, [%r10-8]", "lsh %r1, 8", "or %r0, %r1", "exit",
            "cb:", "ldxdw %r3, [%r2]", "add %r3, %r1", "stxdw [%r2], %r3", "mov %r0, 0", "jne %r1, 2, +1",
            "mov %r0, 1", "exit"), check=3 << 8 | 3)
    MT(F, "loop-stop-first", ["A callback returning 1 at index 0: one call, r0 = 1."],
       prog(loop_call(100), "exit", "cb:", "mov %r0, 1", "exit"), check=1)
    MT(F, "loop-zero", ["bpf_loop with n = 0 calls nothing: r0 = 0 and the ctx u64 stays 0x77; r0 = ctx << 8 | calls."],
       prog("stdw [%r10-8], 0x77", loop_call(0, ctx_off=8), "ldxdw %r1, [%r10-8]", "lsh %r1, 8", "or %r0, %r1", "exit",
            sum_cb), check=0x77 << 8,
       kernel=("REJECTED", "verifier bug: No program to jit (subprog < 0): with a constant n = 0 the verifier never "
                           "visits the inlined loop's callback (measured on 6.18)"))
    MT(F, "loop-zero-from-input", ["bpf_loop with n = 0 read from the input (unknown to the verifier): no calls, r0 = 0,",
                                   "the ctx u64 stays 0x77; r0 = ctx << 8 | calls."],
       prog("ldxb %r6, [%r1]", "stdw [%r10-8], 0x77", loop_call(None, ctx_off=8, nreg="mov %r1, %r6"),
            "ldxdw %r1, [%r10-8]", "lsh %r1, 8", "or %r0, %r1", "exit", sum_cb), mem=bytes(1), check=0x77 << 8)
    MT(F, "loop-count-from-input", ["bpf_loop with n = 9 read from the input: r0 = 9 calls, ctx sum 0+...+8 = 36;",
                                    "r0 = sum << 8 | calls."],
       prog("ldxb %r6, [%r1]", "stdw [%r10-8], 0", loop_call(None, ctx_off=8, nreg="mov %r1, %r6"),
            "ldxdw %r1, [%r10-8]", "lsh %r1, 8", "or %r0, %r1", "exit", sum_cb), mem=bytes([9]), check=36 << 8 | 9)
    MT(F, "loop-too-many", ["bpf_loop with n = (1<<23) + 1 returns -E2BIG without calling back. The kernel's inlined",
                            "form returns it as a 32-bit value, so only the low 32 bits are compared: r0 =",
                            "(low 32 bits of r0) | ctx << 32 with the untouched ctx 0."],
       prog("stdw [%r10-8], 0", loop_call(None, ctx_off=8, nreg="mov %%r1, %d" % ((1 << 23) + 1)), "mov32 %r0, %r0",
            "ldxdw %r1, [%r10-8]", "lsh %r1, 32", "or %r0, %r1", "exit", sum_cb), check=u32(E2BIG))
    MT(F, "loop-max-plus-big", ["bpf_loop with n = 0x7fffffff: -E2BIG (low 32 bits compared)."],
       prog(loop_call(None, nreg="mov32 %r1, 0x7fffffff"), "mov32 %r0, %r0", "exit", cb0), check=u32(E2BIG))
    MT(F, "loop-flags", ["bpf_loop with flags 1 (must be 0) returns -EINVAL and calls nothing."],
       prog(loop_call(3, flags=1), "exit", "cb:", "mov %r0, 1", "exit"), check=u64(EINVAL))
    MT(F, "loop-null-ctx", ["bpf_loop with ctx NULL (r3 = 0): the callback's r2 is 0 and unused; r0 = 7 calls."],
       prog(loop_call(7), "exit", "cb:", "mov %r0, 0", "jne %r2, 0, +1", "exit", "mov %r0, 1", "exit"), check=7)
    MT(F, "loop-map-updates", ["The callback inserts key i -> i*i into a HASH for i = 0..4 (map-expect); r0 = 5."],
       prog(loop_call(5), "exit", "cb:", "stxw [%r10-4], %r1", "mov %r3, %r1", "mul %r3, %r1", "stxdw [%r10-16], %r3",
            update("sq", 4, 16, 0), "mov %r0, 0", "exit"), maps=[MM.MapDef("sq", "hash", 4, 8, 8)], check=5)
    MT(F, "loop-nested", ["A callback that runs bpf_loop itself: 3 outer x 4 inner calls; the inner callback counts",
                          "into the outer ctx (passed through): r0 = count << 8 | outer calls = 12 << 8 | 3."],
       prog("stdw [%r10-8], 0", loop_call(3, cb="outer", ctx_off=8), "ldxdw %r1, [%r10-8]", "lsh %r1, 8",
            "or %r0, %r1", "exit",
            "outer:", "mov %r3, %r2", "mov %r1, 4", "lddw %r2, func:inner", "mov %r4, 0", "call 181", "mov %r0, 0",
            "exit",
            "inner:", "ldxdw %r3, [%r2]", "add %r3, 1", "stxdw [%r2], %r3", "mov %r0, 0", "exit"), check=12 << 8 | 3)
    MT(F, "loop-callback-calls-local", ["The callback calls a local function (one frame deeper) that doubles the index;",
                                        "the doubled indexes 0..3 are summed in ctx: 2*(0+1+2+3) = 12; r0 = 12 << 8 | 4."],
       prog("stdw [%r10-8], 0", loop_call(4, ctx_off=8), "ldxdw %r1, [%r10-8]", "lsh %r1, 8", "or %r0, %r1", "exit",
            "cb:", "mov %r6, %r2", "call local dbl", "ldxdw %r3, [%r6]", "add %r3, %r0", "stxdw [%r6], %r3",
            "mov %r0, 0", "exit", "dbl:", "mov %r0, %r1", "add %r0, %r1", "exit"), check=12 << 8 | 4)
    MT(F, "loop-preserves-r6-r9", ["r6..r9 of the caller survive bpf_loop even though the callback overwrites its",
                                   "own r6..r9: r0 = r6 + r9 + calls = 100 + 200 + 2."],
       prog("mov %r6, 100", "mov %r9, 200", loop_call(2), "add %r0, %r6", "add %r0, %r9", "exit",
            "cb:", "mov %r6, 1", "mov %r9, 1", "mov %r0, 0", "exit"), check=302)
    MT(F, "loop-last-index", ["The callback stores its index in ctx each call: after n = 6 the last index is 5;",
                              "r0 = last << 8 | calls."],
       prog("stdw [%r10-8], 0", loop_call(6, ctx_off=8), "ldxdw %r1, [%r10-8]", "lsh %r1, 8", "or %r0, %r1", "exit",
            "cb:", "stxdw [%r2], %r1", "mov %r0, 0", "exit"), check=5 << 8 | 6)


# =============================================================================================
# Evaluation and rendering

def _expects(env):
    """The `-- map-expect` / `-- ringbuf-expect` sections the run's final state gives."""
    out = []
    for d, m in zip(env.defs, env.maps):
        if d.type == "ringbuf":
            recs = m.delivered()
            assert all(recs), "%s: an empty record has no line of its own" % d.name
            out.append(("ringbuf-expect", d.name, [hexb(r) for r in recs]))
        elif d.type == "prog_array" or m.evicted:
            continue
        else:
            out.append(("map-expect", d.name, ["%s : %s" % (hexb(k), hexb(v)) for k, v in m.contents()]))
    return out


def evaluate(t):
    """(outcome, expect sections, kernel entry or None); outcome = r0 or an `-- error` text."""
    names = [d.name for d in t.maps]
    assert len(set(names)) == len(names), t.name
    assert set(t.init) <= set(names), t.name
    refused = [d for d in t.maps if MM.create_error(d)]
    if refused:
        assert t.expect == "rejected" and t.kernel is None, t.name
        return "rejected", [], None
    slots = list(t.raw) if t.raw is not None else M.assemble(t.asm, names)
    try:
        M.validate(slots, t.maps)
    except M.Rejected as e:
        assert t.expect == "rejected" and t.kernel is None, "%s: model rejects: %s" % (t.name, e)
        return "rejected", [], None
    assert t.expect != "rejected", "%s: expected a load rejection" % t.name
    inits = {names.index(n): v for n, v in t.init.items()}
    runs = []
    for policy, hi in (("oldest", 0xffffffff), ("other", 0)):
        env = MM.MapEnv(t.maps, inits, lru_policy=policy)
        out = M.run(slots, t.mem, budget=10 ** 7, env=env, e2big_hi=hi)
        if out[0] == "result":
            runs.append(((out[1],), _expects(env), out[2]))
        else:
            runs.append((out[:3], [], out[3]))
    (res, sections, m), (res2, sections2, _) = runs
    assert res == res2, "%s depends on what the kernel leaves open: %s vs %s" % (t.name, res, res2)
    sections = [x for x in sections if x in sections2]   # an LRU that evicted in either run is not asserted
    if isinstance(t.expect, tuple):
        assert res[0] == "trap" and res[1] == t.expect[1], (t.name, res)
        assert t.kernel and t.kernel[0] == "REJECTED", "%s: a trap test must be listed for the kernel" % t.name
        outcome, sections = "trap %s at pc %d" % (res[1], res[2]), []
    else:
        assert res[0] != "trap" and len(res) == 1, (t.name, res)
        outcome = res[0]
        if t.check is not None:
            assert outcome == u64(t.check), "%s: model %s, spec %s" % (t.name, h(outcome), h(u64(t.check)))
    clean = (not m.lint and not M.reachable(slots) and not M.recursive(slots) and m.max_depth + 2 <= 8)
    if t.kernel is None:
        assert clean or (t.lint == MAP_VALUE_FALLBACK and m.lint), "%s: kernel lint %s" % (t.name, m.lint)
    elif t.lint:
        assert m.lint, "%s: expected a kernel lint" % t.name
    elif not isinstance(t.expect, tuple):
        assert clean, "%s: kernel lint beyond the listed reason: %s" % (t.name, m.lint)
    return outcome, sections, t.kernel


DIRECTIVES = ("asm", "raw", "mem", "result", "error", "map", "map-init", "map-expect", "ringbuf-expect")


def render(t, outcome, sections):
    lines = ["# " + d for d in t.desc]
    for d in t.maps:
        lines += ["-- map " + d.name, d.line()]
    for d in t.maps:
        if t.init.get(d.name):
            lines.append("-- map-init " + d.name)
            lines += ["%s : %s" % (hexb(k), v if v == "self" else hexb(v)) for k, v in t.init[d.name]]
    lines += datafile.program_lines(t, outcome)
    for word, name, body in sections:
        lines.append("-- %s %s" % (word, name))
        lines += body
    for l in lines:
        assert "--" not in l or l.startswith("-- "), "%s: '--' outside a directive: %s" % (t.name, l)
        assert not (l.startswith("-- ") and l[3:].split()[0] not in DIRECTIVES), l
        assert l == l.strip() and l, "%s: blank or padded line %r" % (t.name, l)
    return "\n".join(lines) + "\n"


def build():
    kv_family(); kv_extra_family(); mapdef_family(); globals_family(); tailcall_family(); ringbuf_family()
    loop_family()
    return MAP_TESTS
