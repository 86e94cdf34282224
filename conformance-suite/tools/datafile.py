"""The part of a `.data` file every generator writes the same way: the program (`-- raw` words or
`-- asm` text), the input memory (`-- mem`, 16 bytes a line) and the expectation (`-- result` r0 or
`-- error` text). gen_corpus.py and gen_maps.py add their own sections around it."""


def hex_bytes(b):
    return " ".join("%02x" % x for x in b)


def program_lines(t, outcome):
    """t has .raw (64-bit words or None), .asm and .mem; outcome is an int r0 or an error text."""
    lines = []
    if t.raw is not None:
        lines.append("-- raw")
        lines += ["0x%016x" % w for w in t.raw]
    else:
        lines.append("-- asm")
        lines += t.asm.rstrip("\n").split("\n")
    if t.mem:
        lines.append("-- mem")
        lines += [hex_bytes(t.mem[i:i + 16]) for i in range(0, len(t.mem), 16)]
    if isinstance(outcome, int):
        lines += ["-- result", "0x%x" % outcome]
    else:
        lines += ["-- error", outcome]
    return lines
