package dev.bpfh.elf;

import java.util.Optional;

/**
 * The one thing bpfh needs from {@code .BTF.ext} (programs.md §5.3): whether it holds CO-RE
 * relocations, and where the first one applies. CO-RE rewrites field offsets and constants against
 * the running kernel's types; bpfh has no kernel types to resolve against, so such an object is
 * refused instead of being run unpatched.
 *
 * <p>func_info and line_info are not read: the linked programs carry no BTF (issue #11 leaves
 * loading BTF into the kernel to the backend).
 */
final class BtfExt {
    private BtfExt() {}

    /** Where a CO-RE relocation applies: the code section and the instruction's byte offset in it. */
    record CoreSite(String section, long byteOffset) {}

    /** The first CO-RE relocation record, or empty when core_relo_len is 0 or absent (hdr_len < 32). */
    static Optional<CoreSite> firstCoreRelocation(byte[] b, Btf btf, String name) throws ElfException {
        if (b.length < 24) {
            throw new ElfException("section " + name + ": truncated header (" + b.length + " bytes, need 24)");
        }
        if (ElfFile.u16(b, 0) != Btf.MAGIC) {
            throw new ElfException("section " + name + ": bad magic 0x" + Integer.toHexString(ElfFile.u16(b, 0)));
        }
        long hdrLen = ElfFile.u32(b, 4);
        if (hdrLen < 24 || hdrLen > b.length) {
            throw new ElfException("section " + name + ": header length " + hdrLen + " is invalid");
        }
        if (hdrLen < 32) {
            return Optional.empty(); // written before CO-RE existed
        }
        long off = ElfFile.u32(b, 24);
        long len = ElfFile.u32(b, 28);
        if (len == 0) {
            return Optional.empty();
        }
        long start = hdrLen + off;
        if (start > b.length || len > b.length - start || len < 4) {
            throw new ElfException("section " + name + ": CO-RE relocations (offset " + off + ", length " + len
                    + ") lie outside the section (" + b.length + " bytes)");
        }
        int at = (int) start;
        long recSize = ElfFile.u32(b, at);
        long end = start + len;
        at += 4;
        // Each group: sec_name_off, num_info, then num_info records of recSize bytes (insn_off first).
        while (end - at >= 8) {
            long secName = ElfFile.u32(b, at);
            long num = ElfFile.u32(b, at + 4);
            at += 8;
            String section = btf == null ? "?" : btf.string(secName).orElse("?");
            if (num > 0) {
                if (recSize < 4 || end - at < recSize) {
                    throw new ElfException("section " + name + ": CO-RE relocation record of " + recSize
                            + " bytes at offset " + at + " does not fit");
                }
                return Optional.of(new CoreSite(section, ElfFile.u32(b, at)));
            }
        }
        throw new ElfException("section " + name + ": " + len + " bytes of CO-RE relocations hold no record");
    }
}
