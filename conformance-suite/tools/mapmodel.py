"""Maps, global data and ring buffers for the bpfh reference model.

Written from /work/shared/spec/programs.md (sections 1.2, 1.3, 1.5, 2, 3.2, 6) and
/work/wt/MAPS-FORMAT.md, not from the Java code. bpfmodel.Machine calls into a ``MapEnv`` for the
map helpers; this module holds the map definitions, the kernel's create-time checks, the element
semantics of every map type and the ring buffer's record layout and capacity rule.

Userspace engines are CPU 0 of a one-CPU machine, so a per-CPU map holds CPU 0's value only.
Standard library only.
"""
import re
from collections import OrderedDict

ENOENT, E2BIG, EAGAIN, EEXIST, EINVAL, ENOTSUPP = 2, 7, 11, 17, 22, 524
ANY, NOEXIST, EXIST = 0, 1, 2

F_NO_PREALLOC, F_NO_COMMON_LRU, F_ZERO_SEED = 0x1, 0x2, 0x40
F_RDONLY_PROG, F_WRONLY_PROG, F_MMAPABLE = 0x80, 0x100, 0x400

TYPES = ("array", "hash", "percpu_array", "percpu_hash", "lru_hash", "prog_array", "ringbuf")
TYPE_IDS = {"hash": 1, "array": 2, "prog_array": 3, "percpu_hash": 5, "percpu_array": 6, "lru_hash": 9,
            "ringbuf": 27}
HASHES = ("hash", "percpu_hash", "lru_hash")
ARRAYS = ("array", "percpu_array")
NAME = re.compile(r"[A-Za-z0-9_.]{1,15}")


class MapDef:
    """One `-- map` declaration."""

    def __init__(self, name, type, key, value, entries, flags=0):
        assert NAME.fullmatch(name), name
        assert type in TYPES, type
        self.name, self.type, self.key, self.value, self.entries, self.flags = name, type, key, value, entries, flags

    def line(self):
        t = "type=%s key=%d value=%d entries=%d" % (self.type, self.key, self.value, self.entries)
        return t + (" flags=0x%x" % self.flags if self.flags else "")


def round8(n):
    return (n + 7) & ~7


def create_error(d):
    """None if BPF_MAP_CREATE accepts the definition, else (errno, reason) (programs.md 1.2)."""
    def bad(reason, errno=EINVAL):
        return errno, reason

    access = d.flags & (F_RDONLY_PROG | F_WRONLY_PROG)
    if access == F_RDONLY_PROG | F_WRONLY_PROG:
        return bad("RDONLY_PROG and WRONLY_PROG together")
    if d.type in HASHES:
        allowed = F_NO_PREALLOC | F_ZERO_SEED | F_RDONLY_PROG | F_WRONLY_PROG
        if d.type == "lru_hash":
            allowed = F_NO_COMMON_LRU | F_ZERO_SEED | F_RDONLY_PROG | F_WRONLY_PROG
            if d.flags & F_NO_PREALLOC:
                return bad("LRU hash without preallocation", ENOTSUPP)
        if d.flags & ~allowed:
            return bad("flags 0x%x not allowed for %s" % (d.flags & ~allowed, d.type))
        if d.key < 1 or d.value < 1 or d.entries < 1:
            return bad("key, value and max_entries must be >= 1")
        if d.key + d.value > 4194255:
            return bad("key + value larger than 4194255", E2BIG)
        if d.type == "percpu_hash" and round8(d.value) > 32768:
            return bad("per-CPU value larger than 32768", E2BIG)
        if d.entries >= 1 << 31:
            return bad("max_entries 2^31 or more", E2BIG)
        return None
    if d.type in ARRAYS:
        allowed = F_RDONLY_PROG | F_WRONLY_PROG | (F_MMAPABLE if d.type == "array" else 0)
        if d.key != 4 or d.value < 1 or d.entries < 1 or d.flags & ~allowed:
            return bad("array needs key 4, value >= 1, max_entries >= 1 and array flags")
        if d.value >= 1 << 31:
            return bad("value larger than INT_MAX", E2BIG)
        if d.type == "percpu_array" and round8(d.value) > 32768:
            return bad("per-CPU value larger than 32768", E2BIG)
        return None
    if d.type == "prog_array":
        if d.key != 4 or d.value != 4 or d.entries < 1 or d.flags:
            return bad("prog_array needs key 4, value 4, max_entries >= 1, no flags")
        return None
    # ringbuf
    s = d.entries
    if d.key or d.value or d.flags or s < 4096 or s & (s - 1) or s % 4096:
        return bad("ringbuf needs key 0, value 0, no flags, max_entries a power of 2 and a multiple of 4096")
    return None


class Map:
    """Contents of one map. Values are bytearrays whose identity is stable while the element
    exists, so a lookup pointer (a tagged region over the same bytearray) sees later writes."""

    def __init__(self, d, lru_policy="oldest"):
        self.d = d
        self.elems = OrderedDict()    # hash: key bytes -> value; array: index -> value (lazily zero)
        self.slots = {}               # prog_array: index -> "self"
        self.lru_policy = lru_policy
        self.evicted = False          # LRU evicted (or may have): the exact contents are not asserted

    # --- element access (programs.md 1.3) ---
    def lookup(self, key):
        d = self.d
        if d.type in ARRAYS:
            i = int.from_bytes(key, "little")
            if i >= d.entries:
                return None
            return self.elems.setdefault(i, bytearray(d.value))
        v = self.elems.get(bytes(key))
        if v is not None and d.type == "lru_hash":
            self.elems.move_to_end(bytes(key))  # the reference bit: a used node is not evicted first
        return v

    def update(self, key, value, flags):
        d = self.d
        if d.type in ARRAYS:
            if flags & ~4 > EXIST:
                return -EINVAL
            i = int.from_bytes(key, "little")
            if i >= d.entries:
                return -E2BIG
            if flags & NOEXIST:
                return -EEXIST
            if flags & 4:          # BPF_F_LOCK without a spin lock in the value
                return -EINVAL
            self.elems.setdefault(i, bytearray(d.value))[:] = value
            return 0
        if flags > EXIST:          # 3, BPF_F_LOCK (no spin lock) and unknown bits
            return -EINVAL
        k = bytes(key)
        old = self.elems.get(k)
        if old is not None and flags == NOEXIST:
            return -EEXIST
        if old is None and flags == EXIST:
            return -ENOENT
        if old is not None:
            if d.type == "lru_hash":
                self.elems.move_to_end(k)
                if len(self.elems) >= d.entries:
                    # the kernel takes a fresh node even to replace: a full LRU may evict another key
                    self.evicted = True
                    if self.lru_policy != "oldest" and len(self.elems) > 1:
                        victims = [x for x in self.elems if x != k]
                        del self.elems[victims[len(victims) // 2]]
            old[:] = value
            return 0
        if len(self.elems) >= d.entries:
            if d.type != "lru_hash":
                return -E2BIG
            self.evicted = True
            victims = list(self.elems)
            del self.elems[victims[0] if self.lru_policy == "oldest" else victims[len(victims) // 2]]
        self.elems[k] = bytearray(value)
        return 0

    def delete(self, key):
        if self.d.type in ARRAYS:
            return -EINVAL
        if self.elems.pop(bytes(key), None) is None:
            return -ENOENT
        return 0

    def contents(self):
        """Non-zero ARRAY entries / every HASH entry, as sorted (key bytes, value bytes)."""
        if self.d.type in ARRAYS:
            return [(i.to_bytes(4, "little"), bytes(v)) for i, v in sorted(self.elems.items()) if any(v)]
        return sorted((k, bytes(v)) for k, v in self.elems.items())


BUSY, DISCARD = 1 << 31, 1 << 30


class RingBuf:
    """programs.md section 6: records {u32 len; u32 pg_off} + payload at data[pos & (S-1)], the next
    at pos + round_up(len + 8, 8); a record fits when prod + round_up(size + 8, 8) - cons <= S - 1.
    Nothing consumes during a run, so cons stays 0."""

    def __init__(self, d):
        self.d, self.size = d, d.entries
        self.prod, self.cons = 0, 0
        self.records = []   # [pos, header word, payload bytearray, written-mask bytearray]

    def reserve(self, size, flags):
        if flags:
            return None
        if size > 0x3fffffff:
            return None
        need = round8(size + 8)
        if need > self.size or self.prod + need - self.cons > self.size - 1:
            return None
        rec = [self.prod, size | BUSY, bytearray(size), bytearray(size)]
        self.prod += need
        self.records.append(rec)
        return rec

    def commit(self, rec, discard):
        assert rec[1] & BUSY, "record committed twice"
        rec[1] = (rec[1] & ~BUSY) | (DISCARD if discard else 0)

    def delivered(self):
        """Payloads the consumer reads after the run, in ring (position) order."""
        out = []
        for pos, hdr, payload, written in sorted(self.records, key=lambda r: r[0]):
            assert not hdr & BUSY, "record never committed"
            if not hdr & DISCARD:
                assert all(written), "a submitted record has bytes the program never wrote"
                out.append(bytes(payload))
        return out


class MapEnv:
    """The maps of one test: built from the declarations and their `-- map-init` contents."""

    def __init__(self, defs, inits=None, lru_policy="oldest"):
        self.defs = list(defs)
        self.maps = []
        for d in self.defs:
            assert create_error(d) is None, "%s: refused at create" % d.name
            self.maps.append(RingBuf(d) if d.type == "ringbuf" else Map(d, lru_policy))
        for idx, entries in (inits or {}).items():
            m = self.maps[idx]
            for k, v in entries:
                if m.d.type == "prog_array":
                    assert v == "self" and len(k) == 4
                    m.slots[int.from_bytes(k, "little")] = "self"
                    continue
                assert len(k) == m.d.key and len(v) == m.d.value, "map-init sizes of " + m.d.name
                assert m.update(k, v, ANY) == 0, "map-init of %s refused" % m.d.name
            assert not getattr(m, "evicted", False), "map-init overfills " + m.d.name
