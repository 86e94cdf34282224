package dev.bpfh.elf;

import static org.junit.jupiter.api.Assertions.*;

import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Btf} and BTF-defined map parsing on blobs built here by hand from the format in
 * programs.md §5.3 (header, 12-byte type records with their extra data, string table), so each
 * test states exactly the types it feeds in.
 */
class BtfTest {

    /** Builds a BTF blob: types get ids 1, 2, ... in the order they are added. */
    static final class Builder {
        private final ByteArrayOutputStream types = new ByteArrayOutputStream();
        private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
        private int next = 1;

        Builder() {
            strings.write(0);
        }

        int name(String s) {
            if (s.isEmpty()) {
                return 0;
            }
            int off = strings.size();
            strings.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return off;
        }

        private int type(String name, int kind, int vlen, boolean kindFlag, long sizeOrType, int... extra) {
            u32(types, name(name));
            u32(types, vlen | kind << 24 | (kindFlag ? 1 << 31 : 0));
            u32(types, sizeOrType);
            for (int e : extra) {
                u32(types, e);
            }
            return next++;
        }

        int integer(String name, int size) {
            return type(name, Btf.INT, 0, false, size, size * 8);
        }

        int ptr(int to) {
            return type("", Btf.PTR, 0, false, to);
        }

        int array(int element, int count) {
            return type("", Btf.ARRAY, 0, false, 0, element, 1, count);
        }

        int typedef(String name, int to) {
            return type(name, Btf.TYPEDEF, 0, false, to);
        }

        int modifier(int kind, int to) {
            return type("", kind, 0, false, to);
        }

        int funcProto(int ret) {
            return type("", Btf.FUNC_PROTO, 0, false, ret);
        }

        /** members: name, type, name, type ...; offsets are 64 bits apart (every map field is a pointer). */
        int struct(String name, long size, Object... members) {
            int vlen = members.length / 2;
            int[] extra = new int[vlen * 3];
            for (int i = 0; i < vlen; i++) {
                extra[3 * i] = name((String) members[2 * i]);
                extra[3 * i + 1] = (Integer) members[2 * i + 1];
                extra[3 * i + 2] = 64 * i;
            }
            return type(name, Btf.STRUCT, vlen, false, size, extra);
        }

        int raw(int kind, int vlen, long sizeOrType, int... extra) {
            return type("", kind, vlen, false, sizeOrType, extra);
        }

        byte[] build() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0x9f);
            out.write(0xeb);
            out.write(1);
            out.write(0);
            u32(out, 24);
            u32(out, 0);
            u32(out, types.size());
            u32(out, types.size());
            u32(out, strings.size());
            out.writeBytes(types.toByteArray());
            out.writeBytes(strings.toByteArray());
            return out.toByteArray();
        }

        private static void u32(ByteArrayOutputStream o, long v) {
            for (int i = 0; i < 4; i++) {
                o.write((int) (v >>> (8 * i)));
            }
        }
    }

    /** The members of a map struct, as the __uint/__type/__array macros encode them. */
    static final class MapDef {
        final Builder b = new Builder();
        final int u32 = b.integer("unsigned int", 4);
        final List<Object> members = new ArrayList<>();

        MapDef uint(String field, int n) {
            members.add(field);
            members.add(b.ptr(b.array(u32, n)));
            return this;
        }

        MapDef type(String field, int typeId) {
            members.add(field);
            members.add(b.ptr(typeId));
            return this;
        }

        MapSpec parse() throws ElfException {
            int struct = b.struct("", 8L * members.size() / 2, members.toArray());
            Btf btf = Btf.parse(b.build(), ".BTF");
            return MapDefinitions.btfMap(btf, "m", 1, 0, 8L * members.size() / 2, struct).spec();
        }
    }

    @Test
    void sizesResolveThroughTypedefsModifiersArraysAndPointers() throws Exception {
        Builder b = new Builder();
        int u32 = b.integer("unsigned int", 4);
        int typedef = b.typedef("__u32", u32);
        int constT = b.modifier(Btf.CONST, typedef);
        int volatileT = b.modifier(Btf.VOLATILE, constT);
        int ptr = b.ptr(volatileT);
        int arr = b.array(volatileT, 6);
        int arrOfPtr = b.array(ptr, 3);
        int nested = b.array(arr, 2);
        int struct = b.struct("pair", 16, "a", u32, "b", u32);
        Btf btf = Btf.parse(b.build(), ".BTF");
        assertEquals(4, btf.resolveSize(volatileT, "t"));
        assertEquals(8, btf.resolveSize(ptr, "t"));
        assertEquals(24, btf.resolveSize(arr, "t"));
        assertEquals(24, btf.resolveSize(arrOfPtr, "t"));
        assertEquals(48, btf.resolveSize(nested, "t"));
        assertEquals(16, btf.resolveSize(struct, "t"));
        assertEquals(Btf.INT, btf.skipModifiers(volatileT, "t").kind());
        assertEquals("pair", btf.type(struct, "t").name());
        assertEquals(List.of("a", "b"), btf.type(struct, "t").members().stream().map(Btf.Member::name).toList());
    }

    @Test
    void aModifierCycleIsAnErrorNotAnEndlessLoop() throws Exception {
        Builder b = new Builder();
        b.typedef("loop", 2); // [1] -> [2]
        b.modifier(Btf.CONST, 1); // [2] -> [1]
        Btf btf = Btf.parse(b.build(), ".BTF");
        var e = assertThrows(ElfException.class, () -> btf.resolveSize(1, "key"));
        assertTrue(e.getMessage().contains("(a cycle?)"), e.getMessage());
        assertThrows(ElfException.class, () -> btf.skipModifiers(2, "key"));
    }

    @Test
    void anArrayWhoseSizeOverflowsIsRefused() throws Exception {
        Builder b = new Builder();
        int u64 = b.integer("u64", 8);
        int big = b.array(u64, 0x7fff_ffff);
        Btf btf = Btf.parse(b.build(), ".BTF");
        var e = assertThrows(ElfException.class, () -> btf.resolveSize(big, "value"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void typesWithoutASizeAndMissingIdsAreNamed() throws Exception {
        Builder b = new Builder();
        int proto = b.funcProto(0);
        Btf btf = Btf.parse(b.build(), ".BTF");
        assertEquals("section .BTF: value: type [1] FUNC_PROTO has no size",
                assertThrows(ElfException.class, () -> btf.resolveSize(proto, "value")).getMessage());
        assertEquals("section .BTF: key refers to type id 9, which does not exist (1 types)",
                assertThrows(ElfException.class, () -> btf.type(9, "key")).getMessage());
        assertThrows(ElfException.class, () -> btf.type(0, "void"));
    }

    @Test
    void malformedBlobsAreRefusedWithTheirOffset() {
        Builder b = new Builder();
        b.integer("int", 4);
        byte[] good = b.build();
        assertTrue(assertThrows(ElfException.class, () -> Btf.parse(Arrays.copyOf(good, 10), ".BTF"))
                .getMessage().contains("truncated BTF header"));
        byte[] badMagic = good.clone();
        badMagic[0] = 0;
        assertTrue(assertThrows(ElfException.class, () -> Btf.parse(badMagic, ".BTF")).getMessage()
                .contains("bad BTF magic"));
        byte[] unknownKind = good.clone();
        unknownKind[24 + 7] = 30; // info's kind byte
        assertEquals("section .BTF: type [1] at offset 24 has unknown BTF kind 30",
                assertThrows(ElfException.class, () -> Btf.parse(unknownKind, ".BTF")).getMessage());
        byte[] longType = good.clone();
        longType[12] = 100; // type_len beyond the blob
        assertTrue(assertThrows(ElfException.class, () -> Btf.parse(longType, ".BTF")).getMessage()
                .contains("type data"));
        Builder many = new Builder();
        many.raw(Btf.STRUCT, 0xffff, 8); // claims 65535 members, has none
        assertTrue(assertThrows(ElfException.class, () -> Btf.parse(many.build(), ".BTF")).getMessage()
                .contains("is truncated"));
    }

    @Test
    void aHashMapWithKeyAndValueTypes() throws Exception {
        MapDef d = new MapDef();
        int u64 = d.b.integer("unsigned long long", 8);
        int value = d.b.array(u64, 3);
        MapSpec spec = d.uint("type", 1).uint("max_entries", 128).type("key", d.u32).type("value", value)
                .uint("map_flags", 1).parse();
        assertEquals(new MapSpec("m", MapType.HASH, 4, 24, 128, 1), spec);
    }

    @Test
    void keySizeAndValueSizeFieldsWork() throws Exception {
        assertEquals(new MapSpec("m", MapType.PERCPU_ARRAY, 4, 16, 2, 0),
                new MapDef().uint("type", 6).uint("key_size", 4).uint("value_size", 16).uint("max_entries", 2).parse());
    }

    @Test
    void aKeyTypeThatDisagreesWithKeySizeIsRefused() {
        MapDef d = new MapDef();
        d.uint("type", 1).uint("key_size", 8).type("key", d.u32);
        assertEquals("map 'm' field 'key': size 4 conflicts with the size 8 given before",
                assertThrows(ElfException.class, d::parse).getMessage());
    }

    @Test
    void unknownFieldsAndUnsupportedTypesAreRefused() {
        assertEquals("map 'm': unknown field 'colour'",
                assertThrows(ElfException.class, new MapDef().uint("type", 2).uint("colour", 3)::parse).getMessage());
        assertTrue(assertThrows(ElfException.class, new MapDef().uint("type", 22)::parse).getMessage()
                .startsWith("map 'm': map type 22 is not supported by bpfh"));
        assertEquals("map 'm' has no 'type' field",
                assertThrows(ElfException.class, new MapDef().uint("max_entries", 3)::parse).getMessage());
    }

    @Test
    void aProgArrayWithValuesHasFourByteValues() throws Exception {
        MapDef d = new MapDef();
        int proto = d.b.funcProto(d.u32);
        int values = d.b.array(d.b.ptr(proto), 0);
        d.uint("type", 3).uint("max_entries", 4).uint("key_size", 4);
        d.members.add("values");
        d.members.add(values);
        assertEquals(new MapSpec("m", MapType.PROG_ARRAY, 4, 4, 4, 0), d.parse());
    }

    @Test
    void aFieldThatIsNotAPointerIsRefused() {
        MapDef d = new MapDef();
        d.members.add("type");
        d.members.add(d.u32);
        assertEquals("map 'm' field 'type' is INT, not a pointer (__uint)",
                assertThrows(ElfException.class, d::parse).getMessage());
    }

    @Test
    void longMapNamesAreCutTo15CharactersAsTheKernelKeepsThem() {
        assertEquals("a_very_long_map", MapDefinitions.kernelName("a_very_long_map_name"));
        assertEquals("short", MapDefinitions.kernelName("short"));
    }

    @Test
    void globalDataMapsAreNamedLikeLibbpf() {
        assertEquals("xdp_fire.rodata", GlobalData.mapName("xdp_firewall", ".rodata"));
        assertEquals("xdp_fire.bss", GlobalData.mapName("xdp_firewall", ".bss"));
        assertEquals("fw.data", GlobalData.mapName("fw", ".data"));
        assertEquals(".rodata.str1.1", GlobalData.mapName("fw", ".rodata.str1.1"));
        assertEquals("a_b.data", GlobalData.mapName("a-b", ".data"));
        assertEquals("fw", ObjectLoader.objectName("fw.bpf.o"));
    }
}
