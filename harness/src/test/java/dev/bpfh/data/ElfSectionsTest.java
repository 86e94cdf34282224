package dev.bpfh.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.ProgramType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -- elf}: the object relative to the file, its program and type, map sections by the object's names. */
class ElfSectionsTest {

    @TempDir
    Path dir;

    /** An IPv4 Ethernet frame's first 14 bytes. */
    static final String PACKET = "-- mem\n00 00 00 00 00 00 00 00 00 00 00 00 08 00\n";

    @BeforeEach
    void copyObjects() throws IOException {
        Files.createDirectories(dir.resolve("objs"));
        for (String o : List.of("xdp_firewall.o", "rodata_config.o", "tail_calls.o", "ringbuf_logger.o")) {
            Files.copy(examples().resolve(o), dir.resolve("objs").resolve(o));
        }
    }

    static Path examples() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("examples/build.sh"))) {
                return p.resolve("examples");
            }
        }
        throw new IllegalStateException("no examples/ above " + Path.of("").toAbsolutePath());
    }

    private DataFile parse(String text) throws Exception {
        Path f = dir.resolve("tests/t.data");
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        return DataFileParser.parse(f);
    }

    private String error(String text) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> parse(text));
        String prefix = dir.resolve("tests/t.data") + ":";
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        return e.getMessage().substring(prefix.length());
    }

    @Test
    void theProgramTypeAndMapsComeFromTheObject() throws Exception {
        DataFile d = parse("-- elf\n../objs/xdp_firewall.o xdp_firewall\n" + PACKET + "-- result\nXDP_PASS\n");
        assertEquals(ProgramType.XDP, d.programType());
        assertEquals("xdp_firewall", d.program().name());
        assertEquals(List.of("blocklist", "drops"), d.program().maps().stream().map(MapSpec::name).toList());
        assertEquals(OptionalLong.of(2), d.result());
        DataFile.ElfReference ref = d.elf().orElseThrow();
        assertEquals(dir.resolve("tests/../objs/xdp_firewall.o"), ref.file());
        assertEquals("xdp_firewall", ref.program());
        assertEquals(d.program(), ref.object().program("xdp_firewall").orElseThrow());
    }

    @Test
    void aMatchingProgramTypeIsAcceptedAndAnotherIsAnError() throws Exception {
        assertEquals(ProgramType.XDP, parse("-- program-type\nxdp\n-- elf\n../objs/xdp_firewall.o xdp_firewall\n" + PACKET
                + "-- result\n2\n").programType());
        assertEquals("2: -- program-type says tc, but program 'xdp_firewall' of xdp_firewall.o is xdp (section 'xdp')",
                error("-- program-type\ntc\n-- elf\n../objs/xdp_firewall.o xdp_firewall\n" + PACKET + "-- result\n2\n"));
    }

    @Test
    void sectionNamesBecomeTheGlobalDataMapsNames() throws Exception {
        DataFile d = parse("""
                -- map-init .rodata     # before -- elf: the object's maps are known once the file is read
                00 00 00 00 : 40 00 00 00 11 01
                -- elf
                ../objs/rodata_config.o xdp_config
                -- mem
                00 00 00 00 00 00 00 00 00 00 00 00 08 00
                -- result
                XDP_PASS
                -- map-expect .bss
                00 00 00 00 : 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 0e 00 00 00 00 00 00 00
                -- map-expect rodata_c.data
                00 00 00 00 : 07 00 00 00
                """);
        assertEquals(Set.of("rodata_c.rodata"), d.mapInit().keySet());
        assertEquals(Set.of("rodata_c.bss", "rodata_c.data"), d.mapExpect().keySet());
        assertArrayEquals(new byte[] {0x40, 0, 0, 0, 0x11, 1}, d.mapInit().get("rodata_c.rodata").get(0).value());
    }

    @Test
    void mapSectionsAreCheckedAgainstTheObjectsMaps() {
        String head = "-- elf\n../objs/rodata_config.o xdp_config\n" + PACKET + "-- result\n2\n";
        assertEquals("8: value of 4 bytes, but map 'rodata_c.rodata' has value=6",
                error(head + "-- map-init .rodata\n00 00 00 00 : 01 02 03 04\n"));
        assertEquals("7: -- map-expect names map 'counters', which object rodata_config.o does not have (maps:"
                + " rodata_c.rodata, rodata_c.bss, rodata_c.data)", error(head + "-- map-expect counters\n"));
        assertEquals("7: -- ringbuf-expect does not apply to map 'rodata_c.bss' (array)",
                error(head + "-- ringbuf-expect .bss\n"));
        assertEquals("8: a second -- map-init section for map 'rodata_c.data' (here as '.data')",
                error(head + "-- map-init rodata_c.data\n-- map-init .data\n"));
    }

    @Test
    void ringBuffersAndProgramArraysOfTheObject() throws Exception {
        DataFile d = parse("-- elf\n../objs/ringbuf_logger.o log_packets\n" + PACKET + "-- result\n2\n"
                + "-- ringbuf-expect events\naa\n");
        assertEquals(Set.of("events"), d.ringbufExpect().keySet());
        assertEquals("7: -- map-expect does not apply to prog_array map 'jmp_table'",
                error("-- elf\n../objs/tail_calls.o xdp_entry\n" + PACKET + "-- result\n2\n-- map-expect jmp_table\n"));
    }

    @Test
    void aMapDeclarationIsAConsistencyCheck() throws Exception {
        String body = "-- elf\n../objs/xdp_firewall.o xdp_firewall\n" + PACKET + "-- result\n2\n";
        assertEquals(2, parse("-- map drops\ntype=percpu_array key=4 value=8 entries=2\n" + body).program().maps().size());
        assertEquals("1: -- map drops says type=percpu_array key=4 value=4 entries=2 flags=0x0, but object xdp_firewall.o"
                + " defines drops as type=percpu_array key=4 value=8 entries=2 flags=0x0 (with -- elf a -- map"
                + " declaration is only a check; leave it out or make it match)",
                error("-- map drops\ntype=percpu_array key=4 value=4 entries=2\n" + body));
        assertEquals("1: -- map names map 'extra', which object xdp_firewall.o does not have (maps: blocklist, drops)",
                error("-- map extra\ntype=array key=4 value=4 entries=1\n" + body));
    }

    @Test
    void badReferencesAreLineErrors() {
        assertEquals("2: object xdp_firewall.o has no program 'firewall' (programs: xdp_firewall)",
                error("-- elf\n../objs/xdp_firewall.o firewall\n" + PACKET + "-- result\n2\n"));
        assertEquals("2: -- elf takes one line: OBJECT_PATH PROGRAM_NAME (the path relative to this file)",
                error("-- elf\n../objs/xdp_firewall.o\n" + PACKET + "-- result\n2\n"));
        assertEquals("1: -- elf takes one line: OBJECT_PATH PROGRAM_NAME (the path relative to this file)",
                error("-- elf\n" + PACKET + "-- result\n2\n"));
        assertTrue(error("-- elf\nnothing.o prog\n" + PACKET + "-- result\n2\n").startsWith("2: " + dir.resolve("tests/nothing.o")
                + ": cannot read"));
        assertEquals("2: a file with -- elf takes its program from the object: it has no -- asm or -- raw",
                error("-- elf\n../objs/xdp_firewall.o xdp_firewall\n-- asm\nexit\n" + PACKET + "-- result\n2\n"));
    }

    @Test
    void inMemoryTextCannotNameAnObject() {
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> DataFileParser.parse("t", null, "-- elf\nfw.o xdp_firewall\n" + PACKET + "-- result\n2\n"));
        assertEquals("t.data:2: -- elf names 'fw.o' relative to the test, but this text was not read from a file",
                e.getMessage());
    }
}
