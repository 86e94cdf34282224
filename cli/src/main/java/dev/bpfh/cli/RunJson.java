package dev.bpfh.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bpfh.run.PacketOutcome;
import dev.bpfh.run.TraceRunner.BackendResult;
import dev.bpfh.run.TraceRunner.Report;
import dev.bpfh.spi.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code bpfh run --json}: the report as JSON, written to a temporary file and moved into place. */
final class RunJson {
    private RunJson() {}

    static void write(Path file, Report r, String inputLabel) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("program", r.source().program().name());
        root.put("type", r.source().type().word());
        root.put("source", r.source().label());
        root.put("input", inputLabel);
        root.put("packets", r.packets());
        root.put("skipped", r.skipped());
        root.put("agree", r.agree());
        root.put("disagreeingPackets", r.disagreeingPackets());
        root.put("loadDisagreement", r.loadDisagreement());
        root.put("mapDisagreement", r.mapDisagreement());
        if (r.firstDisagreement() != null) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("index", r.firstDisagreement().index());
            d.put("packet", HexFormat.of().formatHex(r.firstDisagreement().packet()));
            Map<String, Object> outcomes = new LinkedHashMap<>();
            r.firstDisagreement().outcomes().forEach((name, o) -> outcomes.put(name, outcome(o, r)));
            d.put("outcomes", outcomes);
            root.put("firstDisagreement", d);
        }
        List<Map<String, Object>> backends = r.backends().stream().map(b -> backend(b, r)).toList();
        root.put("backends", backends);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), root);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw UserError.usage("cannot write " + file + ": " + Main.oneLine(e.getMessage()));
        }
    }

    private static Map<String, Object> backend(BackendResult b, Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", b.name());
        m.put("loadFailure", b.loadFailure());
        m.put("packets", b.packets());
        m.put("verdicts", b.verdicts());
        m.put("runNanos", b.runNanos());
        m.put("packetsPerSecond", b.packetsPerSecond());
        m.put("mapsAfter", b.mapsAfter());
        if (b.lastOutcome() != null) {
            m.put("lastOutcome", outcome(b.lastOutcome(), r));
        }
        return m;
    }

    private static Map<String, Object> outcome(PacketOutcome o, Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("verdict", o.verdict(r.source().type()));
        m.put("describe", o.describe(r.source().type()));
        if (o.outcome() instanceof Outcome.Returned ret) {
            m.put("result", ret.r0());
            m.put("packetAfter", HexFormat.of().formatHex(ret.memory()));
            if (ret.ctx() != null) {
                m.put("contextAfter", HexFormat.of().formatHex(ret.ctx()));
            }
        }
        Map<String, List<String>> records = new LinkedHashMap<>();
        o.records().forEach((k, v) -> records.put(k, v.stream().map(HexFormat.of()::formatHex).toList()));
        m.put("ringbufRecords", records);
        return m;
    }
}
