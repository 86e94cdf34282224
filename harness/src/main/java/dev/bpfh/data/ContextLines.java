package dev.bpfh.data;

import dev.bpfh.ctx.ContextField;
import dev.bpfh.ctx.ContextLayout;
import dev.bpfh.spi.ProgramType;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code -- ctx} section: {@code field=value} pairs (several per line allowed) that become
 * test_run's ctx_in, the bytes of the type's context struct ({@link ContextLayout}) with every field
 * not named zero. Values are unsigned, decimal or {@code 0x} hex, and must fit the field's uapi size.
 * Only the fields test_run takes in ctx_in may be named (programs.md §4.1, §4.3).
 *
 * <p>{@code -- ctx-out} takes the same lines: the fields of ctx_out (test_run's context after the run)
 * the test checks; fields it does not name are not compared.
 *
 * <p>For XDP, {@code data_end} defaults to the packet length: it is an offset into data_in, and
 * any smaller value would turn the packet's tail into fragments (the kernel accepts it, but a test
 * that names the interface should not have to spell out the packet's length).
 */
public final class ContextLines {
    private ContextLines() {}

    /** One {@code field=value} as written, with its line. */
    record Entry(String field, String value, int line) {}

    private static final Pattern NUMBER = Pattern.compile("0[xX][0-9a-fA-F]+|[0-9]+");

    /** Parses one line of the section into its entries (syntax only: the type may come later in the file). */
    static List<Entry> parse(String line, int lineNo, LineFailure fail) throws DataFormatException {
        List<Entry> out = new java.util.ArrayList<>();
        for (String pair : line.strip().split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw fail.at(lineNo, "expected FIELD=VALUE in -- ctx, got '" + pair + "'");
            }
            out.add(new Entry(pair.substring(0, eq), pair.substring(eq + 1), lineNo));
        }
        return out;
    }

    /**
     * The ctx_in bytes for {@code type}. {@code directiveLine} is where {@code -- ctx} stands (for a
     * raw program, which takes none).
     */
    static byte[] build(ProgramType type, List<Entry> entries, int directiveLine, int packetLength, LineFailure fail)
            throws DataFormatException {
        ContextLayout layout = ContextLayout.of(type).orElseThrow(() -> fail.at(directiveLine,
                "-- ctx is for typed programs; this one is raw (give -- program-type xdp, tc or socket_filter)"));
        byte[] ctx = new byte[layout.size()];
        Map<ContextField, Long> values = fields(layout, entries, "ctx_in", fail);
        values.forEach((f, v) -> ContextLayout.write(ctx, f, v));
        if (type == ProgramType.XDP && values.keySet().stream().noneMatch(f -> f.name().equals("data_end"))) {
            ContextLayout.write(ctx, layout.field("data_end").orElseThrow(), packetLength);
        }
        return ctx;
    }

    /**
     * {@code -- ctx-out}: the fields named, with the values ctx_out must hold (the fields of ctx_in:
     * the ones test_run reports back). {@code ctxLine} is where {@code -- ctx} stands, 0 when absent.
     */
    static Map<String, Long> expected(ProgramType type, List<Entry> entries, int directiveLine, int ctxLine,
            LineFailure fail) throws DataFormatException {
        ContextLayout layout = ContextLayout.of(type).orElseThrow(() -> fail.at(directiveLine,
                "-- ctx-out is for typed programs; this one is raw"));
        if (ctxLine == 0) {
            throw fail.at(directiveLine, "-- ctx-out needs a -- ctx: test_run reports ctx_out only when it is given ctx_in");
        }
        Map<String, Long> out = new LinkedHashMap<>();
        fields(layout, entries, "ctx_out", fail).forEach((f, v) -> out.put(f.name(), v));
        return out;
    }

    private static Map<ContextField, Long> fields(ContextLayout layout, List<Entry> entries, String what,
            LineFailure fail) throws DataFormatException {
        String type = layout.type().word();
        Map<ContextField, Long> out = new LinkedHashMap<>();
        for (Entry e : entries) {
            ContextField f = layout.field(e.field()).orElseThrow(() -> fail.at(e.line(), "unknown " + type
                    + " context field '" + e.field() + "' (test_run takes: " + inputFields(layout) + ")"));
            if (!f.inInput()) {
                throw fail.at(e.line(), "test_run does not take " + type + " context field '" + f.name() + "' in "
                        + what + " (" + (what.equals("ctx_in") ? "the kernel refuses it with EINVAL" : "it is not reported")
                        + "; it takes: " + inputFields(layout) + ")");
            }
            if (out.containsKey(f)) {
                throw fail.at(e.line(), "context field '" + f.name() + "' is given twice");
            }
            out.put(f, value(e, f, fail));
        }
        return out;
    }

    private static long value(Entry e, ContextField f, LineFailure fail) throws DataFormatException {
        if (!NUMBER.matcher(e.value()).matches()) {
            throw fail.at(e.line(), "invalid value '" + e.value() + "' for context field '" + f.name()
                    + "': expected an unsigned decimal or 0x hex number");
        }
        String v = e.value();
        BigInteger n = v.startsWith("0x") || v.startsWith("0X") ? new BigInteger(v.substring(2), 16) : new BigInteger(v);
        if (n.bitLength() > 8 * f.size()) {
            throw fail.at(e.line(), "value " + v + " does not fit the " + f.size() + "-byte context field '" + f.name() + "'");
        }
        return n.longValue();
    }

    private static String inputFields(ContextLayout layout) {
        return String.join(", ", layout.fields().stream().filter(ContextField::inInput).map(ContextField::name).toList());
    }

    /**
     * ctx_in from {@code field=value} arguments (a command line's {@code --ctx}), with the same rules
     * as the section; a bad pair is an {@link IllegalArgumentException} whose message names it.
     */
    public static byte[] fromArguments(ProgramType type, List<String> pairs, int packetLength) {
        LineFailure fail = (line, reason) -> new DataFormatException(null, "--ctx", line, reason);
        try {
            List<Entry> entries = new java.util.ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                entries.addAll(parse(pairs.get(i), i + 1, fail));
            }
            return build(type, entries, 0, packetLength, fail);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("--ctx: " + e.reason(), e);
        }
    }
}
