package dev.bpfh.elf;

import static org.junit.jupiter.api.Assertions.*;

import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import dev.bpfh.spi.ProgramType;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The loader on every committed example object. Expectations come from elsewhere than the loader:
 * program names, types and map definitions from the C sources in {@code examples/}; instruction
 * positions, relocation targets and raw encodings from {@code llvm-objdump -dr} and symbol offsets
 * from {@code llvm-readelf -s} run on the committed objects (quoted next to each fact), and the
 * patched forms from programs.md §2.1/§5.2 (src 1 map, src 2 value + offset, src 4 function).
 */
class ExampleObjectsTest {

    private static final int LDDW = 0x18;

    @Test
    void xdpFirewallHasItsHashBlocklistAndPerCpuDropCounters() throws Exception {
        ObjectFile o = Examples.load("xdp_firewall.o");
        assertEquals("xdp_firewall", o.name());
        assertEquals("GPL", o.license());
        assertEquals(List.of(new MapSpec("blocklist", MapType.HASH, 4, 1, 1024, 0),
                new MapSpec("drops", MapType.PERCPU_ARRAY, 4, 8, 2, 0)), o.maps());
        Program p = only(o, "xdp_firewall", ProgramType.XDP, 488 / 8); // llvm-readelf: size 488
        // llvm-objdump -dr: 15, 33, 51 "r1 = 0 ll  R_BPF_64_64 drops"; 42 "r1 = 0 ll  R_BPF_64_64 blocklist"
        for (int pc : new int[] {15, 33, 51}) {
            assertMapRef(p, pc, 1, o.mapIndex("drops"));
        }
        assertMapRef(p, 42, 1, o.mapIndex("blocklist"));
        assertEquals(1, o.mapIndex("drops"));
        assertEquals(Map.of("xdp_firewall", "xdp"), o.programSections());
        assertTrue(o.programArrays().isEmpty() && o.initialData().isEmpty() && o.globalData().isEmpty());
    }

    @Test
    void protocolCounterUsesAnArrayOf256Counters() throws Exception {
        ObjectFile o = Examples.load("proto_counter.o");
        assertEquals(List.of(new MapSpec("proto_stats", MapType.ARRAY, 4, 16, 256, 0)), o.maps());
        Program p = only(o, "count_protocols", ProgramType.XDP, 192 / 8);
        assertMapRef(p, 12, 1, 0); // 12: r1 = 0 ll  R_BPF_64_64 proto_stats
    }

    @Test
    void vlanStripCallsAdjustHeadAndKeepsItsCodeAsCompiled() throws Exception {
        ObjectFile o = Examples.load("vlan_strip.o");
        assertTrue(o.maps().isEmpty());
        Program p = only(o, "vlan_strip", ProgramType.XDP, 320 / 8);
        assertRaw(p, 33, "85 00 00 00 2c 00 00 00"); // 33: call 44 (bpf_xdp_adjust_head)
        assertRaw(p, 1, "61 13 04 00 00 00 00 00"); // 1: r3 = *(u32 *)(r1 + 4)  (data_end)
    }

    @Test
    void tailTruncationCallsAdjustTail() throws Exception {
        Program p = only(Examples.load("tail_trunc.o"), "truncate_tail", ProgramType.XDP, 104 / 8);
        assertRaw(p, 7, "85 00 00 00 41 00 00 00"); // 7: call 65
    }

    @Test
    void tcMarkerIsASchedClsProgramWritingMarkPriorityAndCb() throws Exception {
        Program p = only(Examples.load("tc_marker.o"), "tc_marker", ProgramType.SCHED_CLS, 176 / 8);
        assertRaw(p, 10, "63 21 30 00 00 00 00 00"); // 10: *(u32 *)(r1 + 48) = r2   cb[0]
        assertRaw(p, 18, "63 31 20 00 00 00 00 00"); // 18: *(u32 *)(r1 + 32) = r3   priority
        assertRaw(p, 19, "63 51 08 00 00 00 00 00"); // 19: *(u32 *)(r1 + 8) = r5    mark
    }

    @Test
    void socketFilterIsASocketFilterWithLegacyPacketLoads() throws Exception {
        Program p = only(Examples.load("socket_filter.o"), "ssh_filter", ProgramType.SOCKET_FILTER, 224 / 8);
        assertRaw(p, 2, "30 00 00 00 00 00 00 00"); // 2: r0 = *(u8 *)skb[0]
        assertRaw(p, 7, "30 00 00 00 09 00 00 00"); // 7: r0 = *(u8 *)skb[9]
        assertRaw(p, 16, "85 00 00 00 1a 00 00 00"); // 16: call 26 (bpf_skb_load_bytes)
    }

    @Test
    void tailCallChainFillsItsProgramArrayFromTheInitialiser() throws Exception {
        ObjectFile o = Examples.load("tail_calls.o");
        assertEquals(List.of(new MapSpec("jmp_table", MapType.PROG_ARRAY, 4, 4, 4, 0),
                new MapSpec("hops", MapType.ARRAY, 4, 8, 4, 0)), o.maps());
        // .values = {[0] = &stage_eth, [1] = &stage_ip, [2] = &stage_verdict}
        assertEquals(Map.of("jmp_table", Map.of(0, "stage_eth", 1, "stage_ip", 2, "stage_verdict")), o.programArrays());
        // llvm-readelf -s: stage_eth 0x0 (200 bytes), stage_ip 0xc8 (144), stage_verdict 0x158 (168), xdp_entry 0x200 (144)
        assertEquals(List.of("stage_eth", "stage_ip", "stage_verdict", "xdp_entry"), o.programNames());
        Program eth = only(o, "stage_eth", ProgramType.XDP, 200 / 8);
        Program ip = only(o, "stage_ip", ProgramType.XDP, 144 / 8);
        Program verdict = only(o, "stage_verdict", ProgramType.XDP, 168 / 8);
        Program entry = only(o, "xdp_entry", ProgramType.XDP, 144 / 8);
        // llvm-objdump -dr (section insn numbers): 7 hops (r1), 19 jmp_table (r2), 30 hops, 37 jmp_table,
        // 49 hops, 69 hops, 76 jmp_table; a program's pc = section insn - its offset / 8.
        assertMapRef(eth, 7, 1, 1);
        assertMapRef(eth, 19, 2, 0);
        assertMapRef(ip, 30 - 0xc8 / 8, 1, 1);
        assertMapRef(ip, 37 - 0xc8 / 8, 2, 0);
        assertMapRef(verdict, 49 - 0x158 / 8, 1, 1);
        assertMapRef(entry, 69 - 0x200 / 8, 1, 1);
        assertMapRef(entry, 76 - 0x200 / 8, 2, 0);
        for (Program p : o.programs()) {
            assertEquals(o.maps(), p.maps(), "every program has the object's map list, same indices");
        }
    }

    @Test
    void ringBufferLoggerReservesSubmitsDiscardsAndOutputs() throws Exception {
        ObjectFile o = Examples.load("ringbuf_logger.o");
        assertEquals(List.of(new MapSpec("events", MapType.RINGBUF, 0, 0, 4096, 0)), o.maps());
        Program p = only(o, "log_packets", ProgramType.XDP, 384 / 8);
        assertMapRef(p, 12, 1, 0); // 12, 18: r1 = 0 ll  R_BPF_64_64 events
        assertMapRef(p, 18, 1, 0);
        assertRaw(p, 16, "85 00 00 00 82 00 00 00"); // call 130
        assertRaw(p, 22, "85 00 00 00 83 00 00 00"); // call 131
        assertRaw(p, 29, "85 00 00 00 85 00 00 00"); // call 133
        assertRaw(p, 45, "85 00 00 00 84 00 00 00"); // call 132
    }

    @Test
    void lruFlowTableIsKeyedByAFiveTupleStruct() throws Exception {
        ObjectFile o = Examples.load("lru_flows.o");
        // struct flow_key: 4 + 4 + 2 + 2 + 1 + 3 = 16; struct flow_stats: 2 x u64 = 16
        assertEquals(List.of(new MapSpec("flows", MapType.LRU_HASH, 16, 16, 64, 0)), o.maps());
        Program p = only(o, "track_flows", ProgramType.SCHED_CLS, 456 / 8); // SEC("classifier")
        assertMapRef(p, 31, 1, 0); // 31, 51: r1 = 0 ll  R_BPF_64_64 flows
        assertMapRef(p, 51, 1, 0);
        assertEquals(Map.of("track_flows", "classifier"), o.programSections());
    }

    @Test
    void rodataConfigurationAndCountersAreGlobalDataMaps() throws Exception {
        ObjectFile o = Examples.load("rodata_config.o");
        // llvm-readelf -S: .rodata 6 bytes, .bss 0x18 (NOBITS), .data 4, in that section order.
        assertEquals(List.of(new MapSpec("rodata_c.rodata", MapType.ARRAY, 4, 6, 1, MapSpec.F_RDONLY_PROG),
                new MapSpec("rodata_c.bss", MapType.ARRAY, 4, 24, 1, 0),
                new MapSpec("rodata_c.data", MapType.ARRAY, 4, 4, 1, 0)), o.maps());
        assertEquals(Map.of(".rodata", "rodata_c.rodata", ".bss", "rodata_c.bss", ".data", "rodata_c.data"),
                o.globalData());
        // max_frame = 1514 (0x5ea), blocked_proto = 17, verdict_on_block = XDP_DROP (1); generation = 7
        assertArrayEquals(HexFormat.of().parseHex("ea0500001101"), o.initialValue(".rodata").orElseThrow());
        assertArrayEquals(HexFormat.of().parseHex("07000000"), o.initialValue("rodata_c.data").orElseThrow());
        assertTrue(o.initialValue(".bss").isEmpty(), ".bss starts as zeros and has no initial value");
        assertEquals(0, o.mapIndex(".rodata"));
        assertEquals(0, o.mapIndex("rodata_c.rodata"));
        assertEquals(-1, o.mapIndex(".text"));
        // llvm-readelf -s: the OBJECT symbols of .rodata (5), .bss (6), .data (7); _license is in "license".
        assertEquals(Map.of("max_frame", new ObjectFile.Variable("rodata_c.rodata", 0, 4),
                "blocked_proto", new ObjectFile.Variable("rodata_c.rodata", 4, 1),
                "verdict_on_block", new ObjectFile.Variable("rodata_c.rodata", 5, 1),
                "passed", new ObjectFile.Variable("rodata_c.bss", 0, 8),
                "dropped", new ObjectFile.Variable("rodata_c.bss", 8, 8),
                "last_len", new ObjectFile.Variable("rodata_c.bss", 16, 8),
                "generation", new ObjectFile.Variable("rodata_c.data", 0, 4)), o.variables());
        Program p = only(o, "xdp_config", ProgramType.XDP, 400 / 8);
        // llvm-objdump -dr: 4 "r4 = 16 ll  .bss" (the static last_len, via the section symbol);
        // llvm-readelf -s: max_frame .rodata+0, blocked_proto +4, verdict_on_block +5; passed .bss+0,
        // dropped .bss+8; generation .data+0.
        assertValueRef(p, 4, 4, 1, 16);
        assertValueRef(p, 7, 4, 0, 0); // max_frame
        assertValueRef(p, 11, 1, 1, 8); // dropped
        assertValueRef(p, 24, 2, 0, 4); // blocked_proto
        assertValueRef(p, 28, 1, 1, 8); // dropped
        assertValueRef(p, 33, 1, 0, 5); // verdict_on_block
        assertValueRef(p, 37, 1, 1, 0); // passed
        assertValueRef(p, 42, 1, 2, 0); // generation
    }

    @Test
    void legacyMapsSectionDefinitionsAreRead() throws Exception {
        ObjectFile o = Examples.load("legacy_maps.o");
        assertEquals(List.of(new MapSpec("size_classes", MapType.ARRAY, 4, 8, 3, 0)), o.maps());
        assertMapRef(only(o, "size_class", ProgramType.XDP, 152 / 8), 11, 1, 0);
    }

    @Test
    void bpfLoopCallbackAndGlobalSubprogramAreAppendedInOrderOfFirstReference() throws Exception {
        ObjectFile o = Examples.load("loop_sum.o");
        // llvm-readelf -s: loop_sum xdp+0 (280 bytes = 35 insns); .text: fold16 +0 (72 = 9), add_byte +0x48 (112 = 14).
        // llvm-objdump -dr: 10 "r2 = 72 ll  .text" (add_byte), 19 "call -1  fold16", 25 "r1 = 0 ll  sums".
        // First reference order: add_byte (10), then fold16 (19) -> add_byte at 35, fold16 at 49.
        Program p = only(o, "loop_sum", ProgramType.XDP, 35 + 14 + 9);
        assertFunctionRef(p, 10, 2, 35);
        assertCall(p, 19, 49);
        assertMapRef(p, 25, 1, 0);
        assertRaw(p, 35, "57 01 00 00 1f 00 00 00"); // add_byte's first insn: r1 &= 31
        assertRaw(p, 49 + 8, "95 00 00 00 00 00 00 00"); // fold16's last insn: exit
    }

    @Test
    void coReRelocationsAreRefusedNamingSectionAndInstruction() {
        var e = assertThrows(ElfException.class, () -> Examples.load("refused/core_access.o"));
        // llvm-objdump: 6 "r1 = *(u32 *)(r1 + 4)" reads t->pid through preserve_access_index
        assertTrue(e.getMessage().contains("section .BTF.ext holds CO-RE relocations (the first for section xdp"
                + " offset 0x30, instruction 6)"), e.getMessage());
        assertTrue(e.getMessage().startsWith(Examples.path("refused/core_access.o").toString()), e.getMessage());
    }

    @Test
    void externsAreRefusedNamingTheSymbol() {
        var e = assertThrows(ElfException.class, () -> Examples.load("refused/extern_kconfig.o"));
        // llvm-objdump -dr: 0 "r1 = 0 ll  R_BPF_64_64 LINUX_KERNEL_VERSION"; llvm-readelf: NOTYPE GLOBAL UND
        assertTrue(e.getMessage().contains("section xdp offset 0x0 (program kernel_version_gate insn 0):"
                + " relocation against undefined symbol 'LINUX_KERNEL_VERSION'"), e.getMessage());
    }

    @Test
    void aPointerInGlobalDataIsRefused() {
        var e = assertThrows(ElfException.class, () -> Examples.load("refused/data_pointer.o"));
        // llvm-readelf -r: .rel.data "0000000000000008 R_BPF_64_ABS64 target"
        assertTrue(e.getMessage().endsWith("section .data offset 0x8: a pointer in global data (.rel.data) cannot be"
                + " resolved: global data holds no addresses at run time"), e.getMessage());
    }

    // ---- assertions on linked instructions (forms from programs.md §2.1) ----

    static Program only(ObjectFile o, String name, ProgramType type, int length) {
        Program p = o.program(name).orElseThrow(() -> new AssertionError("no program " + name + " in " + o.programNames()));
        assertEquals(type, p.type(), name);
        assertEquals(length, p.length(), name + " length");
        assertEquals(o.maps(), p.maps());
        return p;
    }

    /** {@code lddw dst, map:index}: src 1, imm = index, next_imm 0. */
    static void assertMapRef(Program p, int pc, int dst, int index) {
        assertEquals(new Insn(LDDW, dst, 1, 0, index), p.insn(pc), p.name() + " pc " + pc);
        assertEquals(new Insn(0, 0, 0, 0, 0), p.insn(pc + 1), p.name() + " pc " + (pc + 1));
    }

    /** {@code lddw dst, map_value:index+offset}: src 2, imm = index, next_imm = offset. */
    static void assertValueRef(Program p, int pc, int dst, int index, int offset) {
        assertEquals(new Insn(LDDW, dst, 2, 0, index), p.insn(pc), p.name() + " pc " + pc);
        assertEquals(new Insn(0, 0, 0, 0, offset), p.insn(pc + 1), p.name() + " pc " + (pc + 1));
    }

    /** {@code lddw dst, func:target}: src 4, imm = target - pc - 1. */
    static void assertFunctionRef(Program p, int pc, int dst, int target) {
        assertEquals(new Insn(LDDW, dst, 4, 0, target - pc - 1), p.insn(pc), p.name() + " pc " + pc);
        assertEquals(new Insn(0, 0, 0, 0, 0), p.insn(pc + 1), p.name() + " pc " + (pc + 1));
    }

    /** {@code call local}: 0x85 src 1, imm = target - pc - 1. */
    static void assertCall(Program p, int pc, int target) {
        assertEquals(new Insn(0x85, 0, 1, 0, target - pc - 1), p.insn(pc), p.name() + " pc " + pc);
    }

    /** The slot at {@code pc} has exactly these bytes (llvm-objdump's raw column). */
    static void assertRaw(Program p, int pc, String bytes) {
        byte[] b = HexFormat.ofDelimiter(" ").parseHex(bytes);
        long want = 0;
        for (int i = 7; i >= 0; i--) {
            want = (want << 8) | (b[i] & 0xff);
        }
        assertEquals(want, p.slot(pc), p.name() + " pc " + pc + ": " + bytes);
    }
}
