package dev.bpfh.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The type section {@code .BTF} (programs.md §5.3), parsed far enough to read BTF-defined maps:
 * every kind is decoded (so the type ids stay right), names, sizes, array dimensions, struct
 * members, DATASEC entries. Untrusted input: every offset is checked, type references are checked
 * when followed, and following them stops after {@link #MAX_DEPTH} steps (a cycle is an error).
 */
public final class Btf {

    public static final int MAGIC = 0xeB9F;
    /** The kernel's and libbpf's limit on chains of modifiers and typedefs. */
    static final int MAX_DEPTH = 32;

    public static final int INT = 1, PTR = 2, ARRAY = 3, STRUCT = 4, UNION = 5, ENUM = 6, FWD = 7, TYPEDEF = 8,
            VOLATILE = 9, CONST = 10, RESTRICT = 11, FUNC = 12, FUNC_PROTO = 13, VAR = 14, DATASEC = 15,
            FLOAT = 16, DECL_TAG = 17, TYPE_TAG = 18, ENUM64 = 19;

    /** A member of a STRUCT/UNION, or an entry of a DATASEC (then {@code offset} is in bytes, with {@code size}). */
    public record Member(String name, int type, long offset, long size) {}

    /**
     * One type. {@code sizeOrType} is the size (INT, STRUCT, UNION, ENUM, DATASEC, FLOAT) or the
     * referenced type (PTR, TYPEDEF, modifiers, FUNC, VAR, FUNC_PROTO's return). ARRAY keeps its
     * element type and count in {@code elementType}/{@code count}.
     */
    public record Type(int id, int kind, String name, int vlen, long sizeOrType, int elementType, long count,
            List<Member> members) {}

    private final List<Type> types; // index = id; 0 is void (null)
    private final String section;
    private final byte[] blob;
    private final int strBase;
    private final int strLen;

    private Btf(List<Type> types, String section, byte[] blob, int strBase, int strLen) {
        this.types = types;
        this.section = section;
        this.blob = blob;
        this.strBase = strBase;
        this.strLen = strLen;
    }

    /** Parses a {@code .BTF} blob; {@code section} names it in messages. */
    public static Btf parse(byte[] b, String section) throws ElfException {
        if (b.length < 24) {
            throw new ElfException("section " + section + ": truncated BTF header (" + b.length + " bytes, need 24)");
        }
        int magic = ElfFile.u16(b, 0);
        if (magic != MAGIC) {
            throw new ElfException("section " + section + ": bad BTF magic 0x" + Integer.toHexString(magic));
        }
        if (b[2] != 1) {
            throw new ElfException("section " + section + ": unsupported BTF version " + (b[2] & 0xff));
        }
        long hdrLen = ElfFile.u32(b, 4);
        long typeOff = ElfFile.u32(b, 8);
        long typeLen = ElfFile.u32(b, 12);
        long strOff = ElfFile.u32(b, 16);
        long strLen = ElfFile.u32(b, 20);
        if (hdrLen < 24 || hdrLen > b.length) {
            throw new ElfException("section " + section + ": BTF header length " + hdrLen + " is invalid");
        }
        check(b, section, "type data", hdrLen + typeOff, typeLen);
        check(b, section, "string data", hdrLen + strOff, strLen);
        int strBase = (int) (hdrLen + strOff);
        List<Type> types = new ArrayList<>();
        types.add(null);
        Reader r = new Reader(b, section, (int) (hdrLen + typeOff), (int) (hdrLen + typeOff + typeLen), strBase,
                (int) strLen);
        while (r.pos < r.end) {
            types.add(r.type(types.size()));
        }
        return new Btf(Collections.unmodifiableList(types), section, b, strBase, (int) strLen);
    }

    /** The string at {@code offset} of the string data (names in {@code .BTF.ext} point there), if any. */
    public Optional<String> string(long offset) {
        if (offset < 0 || offset >= strLen) {
            return Optional.empty();
        }
        int from = strBase + (int) offset;
        for (int i = from; i < strBase + strLen; i++) {
            if (blob[i] == 0) {
                return Optional.of(new String(blob, from, i - from, StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    /** The number of type ids, void included. */
    public int size() {
        return types.size();
    }

    /** Type {@code id} (1…); an error naming {@code what} when it does not exist or is void. */
    public Type type(long id, String what) throws ElfException {
        if (id <= 0 || id >= types.size()) {
            throw new ElfException("section " + section + ": " + what + " refers to type id " + id
                    + ", which does not exist (" + (types.size() - 1) + " types)");
        }
        return types.get((int) id);
    }

    /** The first DATASEC called {@code name}. */
    public Optional<Type> datasec(String name) {
        return types.stream().filter(t -> t != null && t.kind() == DATASEC && t.name().equals(name)).findFirst();
    }

    /** Follows typedefs and modifiers (volatile, const, restrict, type tags) to the underlying type. */
    public Type skipModifiers(long id, String what) throws ElfException {
        Type t = type(id, what);
        for (int depth = 0; isModifier(t.kind()); depth++) {
            if (depth >= MAX_DEPTH) {
                throw new ElfException("section " + section + ": " + what + ": more than " + MAX_DEPTH
                        + " typedefs or modifiers in a row (a cycle?)");
            }
            t = type(t.sizeOrType(), what);
        }
        return t;
    }

    /**
     * sizeof the type, as C would say: through typedefs and modifiers, PTR 8, ARRAY count × element
     * (libbpf's btf__resolve_size). Sizes above 2^31 − 1 are refused.
     */
    public long resolveSize(long id, String what) throws ElfException {
        long multiplier = 1;
        Type t = type(id, what);
        for (int depth = 0; ; depth++) {
            if (depth >= MAX_DEPTH) {
                throw new ElfException("section " + section + ": " + what + ": type chain longer than " + MAX_DEPTH
                        + " (a cycle?)");
            }
            switch (t.kind()) {
                case INT, STRUCT, UNION, ENUM, ENUM64, DATASEC, FLOAT -> {
                    return checked(multiplier, t.sizeOrType(), what);
                }
                case PTR -> {
                    return checked(multiplier, 8, what);
                }
                case TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, VAR -> t = type(t.sizeOrType(), what);
                case ARRAY -> {
                    multiplier = checked(multiplier, t.count(), what);
                    t = type(t.elementType(), what);
                }
                default -> throw new ElfException("section " + section + ": " + what + ": type [" + t.id() + "] "
                        + kindName(t.kind()) + " has no size");
            }
        }
    }

    private long checked(long a, long b, String what) throws ElfException {
        if (b < 0 || (b != 0 && a > Integer.MAX_VALUE / b)) {
            throw new ElfException("section " + section + ": " + what + ": size " + a + " x " + b + " is too large");
        }
        return a * b;
    }

    static boolean isModifier(int kind) {
        return kind == TYPEDEF || kind == VOLATILE || kind == CONST || kind == RESTRICT || kind == TYPE_TAG;
    }

    static String kindName(int kind) {
        return switch (kind) {
            case INT -> "INT";
            case PTR -> "PTR";
            case ARRAY -> "ARRAY";
            case STRUCT -> "STRUCT";
            case UNION -> "UNION";
            case ENUM -> "ENUM";
            case FWD -> "FWD";
            case TYPEDEF -> "TYPEDEF";
            case VOLATILE -> "VOLATILE";
            case CONST -> "CONST";
            case RESTRICT -> "RESTRICT";
            case FUNC -> "FUNC";
            case FUNC_PROTO -> "FUNC_PROTO";
            case VAR -> "VAR";
            case DATASEC -> "DATASEC";
            case FLOAT -> "FLOAT";
            case DECL_TAG -> "DECL_TAG";
            case TYPE_TAG -> "TYPE_TAG";
            case ENUM64 -> "ENUM64";
            default -> "kind " + kind;
        };
    }

    private static void check(byte[] b, String section, String what, long offset, long length) throws ElfException {
        if (offset > b.length || length > b.length - offset) {
            throw new ElfException("section " + section + ": BTF " + what + " (offset " + offset + ", length "
                    + length + ") lies outside the section (" + b.length + " bytes)");
        }
    }

    /** Walks the type data; {@code pos} is the byte offset in the section. */
    private static final class Reader {
        final byte[] b;
        final String section;
        int pos;
        final int end;
        final int strBase;
        final int strLen;

        Reader(byte[] b, String section, int pos, int end, int strBase, int strLen) {
            this.b = b;
            this.section = section;
            this.pos = pos;
            this.end = end;
            this.strBase = strBase;
            this.strLen = strLen;
        }

        Type type(int id) throws ElfException {
            int at = pos;
            need(12, id);
            long nameOff = ElfFile.u32(b, pos);
            int info = ElfFile.i32(b, pos + 4);
            long sizeOrType = ElfFile.u32(b, pos + 8);
            pos += 12;
            int vlen = info & 0xffff;
            int kind = (info >>> 24) & 0x1f;
            String name = string(nameOff, id);
            List<Member> members = List.of();
            int elementType = 0;
            long count = 0;
            switch (kind) {
                case INT, VAR, DECL_TAG -> skip(4, id);
                case PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG -> {}
                case ARRAY -> {
                    need(12, id);
                    elementType = ElfFile.i32(b, pos);
                    count = ElfFile.u32(b, pos + 8);
                    pos += 12;
                }
                case STRUCT, UNION -> {
                    boolean bitfields = (info >>> 31) != 0;
                    need(12L * vlen, id);
                    List<Member> ms = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++) {
                        long off = ElfFile.u32(b, pos + 8);
                        ms.add(new Member(string(ElfFile.u32(b, pos), id), ElfFile.i32(b, pos + 4),
                                bitfields ? off & 0xffffff : off, 0));
                        pos += 12;
                    }
                    members = List.copyOf(ms);
                }
                case ENUM -> skip(8L * vlen, id);
                case FUNC_PROTO -> skip(8L * vlen, id);
                case ENUM64 -> skip(12L * vlen, id);
                case DATASEC -> {
                    need(12L * vlen, id);
                    List<Member> ms = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++) {
                        ms.add(new Member("", ElfFile.i32(b, pos), ElfFile.u32(b, pos + 4), ElfFile.u32(b, pos + 8)));
                        pos += 12;
                    }
                    members = List.copyOf(ms);
                }
                default -> throw new ElfException("section " + section + ": type [" + id + "] at offset " + at
                        + " has unknown BTF kind " + kind);
            }
            return new Type(id, kind, name, vlen, sizeOrType, elementType, count, members);
        }

        private void need(long n, int id) throws ElfException {
            if (n > end - pos) {
                throw new ElfException("section " + section + ": type [" + id + "] at offset " + pos
                        + " is truncated (needs " + n + " more bytes, " + (end - pos) + " left)");
            }
        }

        private void skip(long n, int id) throws ElfException {
            need(n, id);
            pos += (int) n;
        }

        private String string(long off, int id) throws ElfException {
            if (off >= strLen) {
                throw new ElfException("section " + section + ": type [" + id + "] name offset " + off
                        + " lies outside the string data (" + strLen + " bytes)");
            }
            int from = strBase + (int) off;
            for (int i = from; i < strBase + strLen; i++) {
                if (b[i] == 0) {
                    return new String(b, from, i - from, StandardCharsets.UTF_8);
                }
            }
            throw new ElfException("section " + section + ": type [" + id + "] name is not NUL-terminated");
        }
    }
}
