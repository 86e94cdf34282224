package dev.bpfh.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The map extension of the .data format: declarations, contents, expectations and their errors. */
class MapSectionsTest {

    static DataFile parse(String text) throws DataFormatException {
        return DataFileParser.parse("t", null, text);
    }

    static String error(String text) {
        return assertThrows(DataFormatException.class, () -> parse(text)).getMessage();
    }

    static final String PROGRAM = """
            -- map counters
            type=hash key=4 value=8 entries=16
            -- map events
            type=ringbuf key=0 value=0 entries=4096
            -- map jmp
            type=prog_array key=4 value=4 entries=2
            -- map .rodata
            type=array key=4 value=16 entries=1 flags=0x80
            -- map-init counters
            01 00 00 00 : 05 00 00 00 00 00 00 00
            -- map-init jmp
            01 00 00 00 : self
            -- asm
            lddw %r1, map:counters
            lddw %r2, map_value:.rodata+8
            lddw %r3, map:@1
            lddw %r4, func:cb
            mov %r0, 0
            exit
            cb:
            exit
            -- result
            0x0
            -- map-expect counters   # the complete set
            01 00 00 00 : 06 00 00 00 00 00 00 00
            -- ringbuf-expect events
            aa bb
            """;

    @Test
    void declaredMapsBecomeTheProgramsMapsInOrder() throws Exception {
        DataFile d = parse(PROGRAM);
        List<MapSpec> maps = d.program().maps();
        assertEquals(List.of("counters", "events", "jmp", ".rodata"), maps.stream().map(MapSpec::name).toList());
        assertEquals(new MapSpec("counters", MapType.HASH, 4, 8, 16, 0), maps.get(0));
        assertEquals(new MapSpec(".rodata", MapType.ARRAY, 4, 16, 1, 0x80), maps.get(3));
    }

    @Test
    void mapOperandsAssembleToPseudoSources() throws Exception {
        long[] s = parse(PROGRAM).program().slots();
        assertEquals(Opcodes.PSEUDO_MAP_FD, Insn.src(s[0]));
        assertEquals(0, Insn.imm(s[0])); // counters is map 0
        assertEquals(Opcodes.PSEUDO_MAP_VALUE, Insn.src(s[2]));
        assertEquals(3, Insn.imm(s[2]));
        assertEquals(8, Insn.imm(s[3])); // the offset is the second immediate
        assertEquals(1, Insn.imm(s[4])); // map:@1
        assertEquals(Opcodes.PSEUDO_FUNC, Insn.src(s[6]));
        assertEquals(10 - 6 - 1, Insn.imm(s[6])); // cb is slot 10
    }

    @Test
    void contentsAndExpectationsAreKept() throws Exception {
        DataFile d = parse(PROGRAM);
        MapLine init = d.mapInit().get("counters").get(0);
        assertArrayEquals(new byte[] {1, 0, 0, 0}, init.key());
        assertArrayEquals(new byte[] {5, 0, 0, 0, 0, 0, 0, 0}, init.value());
        assertTrue(d.mapInit().get("jmp").get(0).self());
        assertEquals(6, d.mapExpect().get("counters").get(0).value()[0]);
        assertArrayEquals(new byte[] {(byte) 0xaa, (byte) 0xbb}, d.ringbufExpect().get("events").get(0));
        assertTrue(d.expectsMaps());
    }

    @Test
    void filesWithoutMapSectionsParseAsBefore() throws Exception {
        DataFile d = parse("-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n");
        assertEquals(List.of(), d.program().maps());
        assertEquals(false, d.expectsMaps());
        // A map name containing "asm" is an extension name, not the asm directive.
        DataFile e = parse("-- map asm_counts\ntype=array key=4 value=4 entries=1\n-- asm\nlddw %r1, map:asm_counts\n"
                + "mov %r0, 0\nexit\n-- result\n0x0\n");
        assertEquals("asm_counts", e.program().maps().get(0).name());
    }

    @Test
    void malformedSectionsNameTheirLine() {
        assertEquals("t.data:2: unknown map type 'tree' (known: [hash, array, prog_array, percpu_hash, percpu_array, "
                        + "lru_hash, ringbuf])",
                error("-- map m\ntype=tree key=4 value=4 entries=1\n-- asm\nexit\n-- result\n0x0\n"));
        assertEquals("t.data:2: map 'm' needs entries=",
                error("-- map m\ntype=array key=4 value=4\n-- asm\nexit\n-- result\n0x0\n"));
        assertEquals("t.data:2: expected type=T key=K value=V entries=N [flags=F], got 'size=4'",
                error("-- map m\nsize=4\n-- asm\nexit\n-- result\n0x0\n"));
        assertEquals("t.data:1: -- map-init names map 'm', which no earlier -- map declares",
                error("-- map-init m\n01 00 00 00 : 00\n-- asm\nexit\n-- result\n0x0\n"));
        assertEquals("t.data:4: value of 1 bytes, but map 'm' has value=4",
                error("-- map m\ntype=array key=4 value=4 entries=1\n-- map-init m\n00 00 00 00 : 01\n-- asm\nexit\n"
                        + "-- result\n0x0\n"));
        assertEquals("t.data:4: key of 2 bytes, but map 'm' has key=4",
                error("-- map m\ntype=hash key=4 value=1 entries=1\n-- map-expect m\n00 00 : 01\n-- asm\nexit\n"
                        + "-- result\n0x0\n"));
        assertEquals("t.data:4: expected two-digit hex bytes, got 'zz'",
                error("-- map m\ntype=hash key=1 value=1 entries=1\n-- map-init m\nzz : 01\n-- asm\nexit\n-- result\n0x0\n"));
        assertEquals("t.data:3: map 'm' is declared twice (first at line 1)",
                error("-- map m\ntype=hash key=1 value=1 entries=1\n-- map m\n-- asm\nexit\n-- result\n0x0\n"));
        assertEquals("t.data:4: 'self' is a value only in the -- map-init of a prog_array",
                error("-- map m\ntype=array key=4 value=4 entries=1\n-- map-init m\n00 00 00 00 : self\n-- asm\nexit\n"
                        + "-- result\n0x0\n"));
        assertEquals("t.data:3: -- ringbuf-expect does not apply to map 'm' (array)",
                error("-- map m\ntype=array key=4 value=4 entries=1\n-- ringbuf-expect m\n-- asm\nexit\n-- result\n0x0\n"));
        assertEquals("t.data:2: Unknown map: nope (no -- map is declared)",
                error("-- asm\nlddw %r1, map:nope\nexit\n-- result\n0x0\n"));
    }
}
