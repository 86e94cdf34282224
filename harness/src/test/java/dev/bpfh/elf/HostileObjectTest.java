package dev.bpfh.elf;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Malformed, truncated and hostile objects: the loader's only failure is its own one-line
 * {@link ElfException}. These tests call {@link ObjectLoader#parse} directly, below the public
 * entry's last line of defence (which would turn an unchecked exception into an ElfException and
 * hide a missing check), so any other exception fails them.
 */
class HostileObjectTest {

    /** Objects covering BTF maps, PROG_ARRAY initialisers, global data, .text linking and legacy maps. */
    static final List<String> OBJECTS = List.of("tail_calls.o", "rodata_config.o", "subprograms.o", "legacy_maps.o",
            "loop_sum.o");

    /** Loads {@code bytes}; returns normally or with an ElfException whose message is one non-blank line. */
    static void loadsOrRefusesCleanly(byte[] bytes, String what) {
        try {
            ObjectLoader.parse("hostile", bytes);
        } catch (ElfException e) {
            String m = e.getMessage();
            assertFalse(m == null || m.isBlank() || m.contains("\n"), what + ": bad message " + m);
        } catch (Throwable t) {
            throw new AssertionError(what + ": " + t, t);
        }
    }

    @Test
    void everyTruncationOfARealObjectIsRefusedCleanly() {
        for (String object : OBJECTS) {
            byte[] whole = Examples.bytes(object);
            for (int n = 0; n < whole.length; n++) {
                byte[] cut = Arrays.copyOf(whole, n);
                var e = assertThrows(ElfException.class, () -> ObjectLoader.parse("cut", cut), object + " cut at " + n);
                assertFalse(e.getMessage().contains("\n"));
            }
        }
    }

    @Test
    void randomByteFlipsNeverEscapeAsAnotherException() {
        SplittableRandom random = new SplittableRandom(0x5eed_e1f);
        for (String object : OBJECTS) {
            byte[] good = Examples.bytes(object);
            for (int trial = 0; trial < 2000; trial++) {
                byte[] bad = good.clone();
                int flips = 1 + random.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                }
                loadsOrRefusesCleanly(bad, object + " trial " + trial);
            }
        }
    }

    /** Flips confined to the headers and tables the loader interprets (where a missing check would hide). */
    @Test
    void flipsInHeadersSymbolsRelocationsAndBtfAreRefusedCleanly() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        for (String object : OBJECTS) {
            byte[] good = Examples.bytes(object);
            ElfFile elf = ElfFile.parse(good);
            int shoff = (int) ElfFile.i64(good, 40);
            List<int[]> regions = new java.util.ArrayList<>();
            regions.add(new int[] {0, 64});
            regions.add(new int[] {shoff, elf.sections().size() * 64});
            for (ElfFile.Section s : elf.sections()) {
                if (s.type() == ElfFile.SHT_SYMTAB || s.type() == ElfFile.SHT_REL || s.name().startsWith(".BTF")
                        || s.name().equals(".maps") || s.name().equals("maps")) {
                    regions.add(new int[] {(int) s.offset(), (int) s.size()});
                }
            }
            for (int trial = 0; trial < 3000; trial++) {
                byte[] bad = good.clone();
                int[] r = regions.get(random.nextInt(regions.size()));
                int at = r[0] + random.nextInt(Math.max(1, r[1]));
                switch (random.nextInt(4)) {
                    case 0 -> bad[at] = (byte) random.nextInt(256);
                    case 1 -> bad[at] ^= (byte) (1 << random.nextInt(8));
                    case 2 -> bad[at] = (byte) 0xff;
                    default -> bad[at] = 0;
                }
                loadsOrRefusesCleanly(bad, object + " byte " + at);
            }
        }
    }

    @Test
    void absurdSectionHeadersAreRefusedNamingTheSection() throws Exception {
        byte[] good = Examples.bytes("tail_calls.o");
        ElfFile elf = ElfFile.parse(good);
        int shoff = (int) ElfFile.i64(good, 40);
        int maps = elf.section(".maps").orElseThrow().index();
        int btf = elf.section(".BTF").orElseThrow().index();
        long[] absurd = {-1L, Long.MAX_VALUE, 1L << 40, 0x7fff_ffffL, good.length, good.length + 1L};
        for (int section : new int[] {1, maps, btf}) {
            for (long v : absurd) {
                for (int field : new int[] {24, 32}) { // sh_offset, sh_size
                    byte[] bad = good.clone();
                    putLong(bad, shoff + section * 64 + field, v);
                    loadsOrRefusesCleanly(bad, "section " + section + " field " + field + " = " + v);
                    if (v == -1L || v == Long.MAX_VALUE || v == 1L << 40) {
                        var e = assertThrows(ElfException.class, () -> ObjectLoader.parse("x", bad));
                        assertTrue(e.getMessage().startsWith("section " + section + " "), e.getMessage());
                    }
                }
            }
        }
        // A section table claiming 65535 entries of 64 KiB each.
        byte[] huge = good.clone();
        putShort(huge, 58, 0xffff);
        putShort(huge, 60, 0xffff);
        var e = assertThrows(ElfException.class, () -> ObjectLoader.parse("x", huge));
        assertTrue(e.getMessage().startsWith("section header table"), e.getMessage());
    }

    @Test
    void aNobitsBssOfATerabyteIsRefusedWithoutAllocatingIt() throws Exception {
        byte[] good = Examples.bytes("rodata_config.o");
        ElfFile elf = ElfFile.parse(good);
        int shoff = (int) ElfFile.i64(good, 40);
        int bss = elf.section(".bss").orElseThrow().index();
        byte[] bad = good.clone();
        putLong(bad, shoff + bss * 64 + 32, 1L << 40);
        var e = assertThrows(ElfException.class, () -> ObjectLoader.parse("x", bad));
        assertEquals("section .bss: 1099511627776 bytes of global data is too large", e.getMessage());
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    static void putShort(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }
}
