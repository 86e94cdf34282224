package dev.bpfh.bench;

import dev.bpfh.elf.ElfException;
import dev.bpfh.elf.ObjectFile;
import dev.bpfh.elf.ObjectLoader;
import dev.bpfh.isa.Program;
import dev.bpfh.pcap.CapturedPacket;
import dev.bpfh.pcap.PcapFormatException;
import dev.bpfh.pcap.PcapReader;
import dev.bpfh.reports.JmhSummaries;
import dev.bpfh.run.ProgramSource;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A program of a clang object run over a packet trace: one packet per benchmark call, in the
 * trace's order and round again, each backend keeping its maps across packets as on an interface.
 * ns per call is ns per packet.
 *
 * <p>Named either by a built-in name ({@link #BUILT_IN}: the example objects over the example
 * traces, packaged into the jar) or by a spec {@code OBJECT#PROGRAM@TRACE} of paths.
 */
public record PacketWorkload(String name, ProgramSource source, List<RunInput> packets) {

    static final String RESOURCE_DIR = "bpfh/objects/";

    /** A built-in: object file, program and trace under {@link #RESOURCE_DIR}. */
    private record BuiltIn(String object, String program, String trace) {}

    /** The built-in packet workloads, by name: real programs over the traces they were written for. */
    private static final Map<String, BuiltIn> BUILT_IN = Map.of(
            "xdp_firewall@mixed", new BuiltIn("xdp_firewall.o", "xdp_firewall", "mixed.pcap"),
            "proto_counter@mixed", new BuiltIn("proto_counter.o", "count_protocols", "mixed.pcap"),
            "vlan_strip@vlan", new BuiltIn("vlan_strip.o", "vlan_strip", "vlan.pcap"),
            "tc_marker@mixed", new BuiltIn("tc_marker.o", "tc_marker", "mixed.pcap"));

    /** In the order the summary lists them. */
    public static final List<String> BUILT_IN_NAMES =
            List.of("xdp_firewall@mixed", "proto_counter@mixed", "vlan_strip@vlan", "tc_marker@mixed");

    /** Whether a workload parameter names a packet workload (built-in or spec) rather than a {@code .data} one. */
    public static boolean isPacketWorkload(String nameOrSpec) {
        return BUILT_IN.containsKey(nameOrSpec) || nameOrSpec.contains("#") && nameOrSpec.contains("@");
    }

    /** The spec of an object's program over a trace, as {@code bpfh bench FILE.o --prog P --pcap T} passes it. */
    public static String spec(Path object, String program, Path trace) {
        return object.toAbsolutePath() + "#" + program + "@" + trace.toAbsolutePath();
    }

    /** The name reports show: the program @ the trace's file name without extension ({@link JmhSummaries#shortName}). */
    public static String displayName(String nameOrSpec) {
        return JmhSummaries.shortName(nameOrSpec);
    }

    /** Loads the object and reads every packet of the trace; one-line errors name the file. */
    public static PacketWorkload load(String nameOrSpec) throws IOException {
        BuiltIn b = BUILT_IN.get(nameOrSpec);
        String objectName;
        byte[] objectBytes;
        String program;
        String traceName;
        byte[] traceBytes;
        if (b != null) {
            objectName = b.object();
            objectBytes = resource(b.object());
            program = b.program();
            traceName = b.trace();
            traceBytes = resource(b.trace());
        } else {
            int hash = nameOrSpec.lastIndexOf('#');
            int at = nameOrSpec.lastIndexOf('@');
            if (hash < 0 || at < hash) {
                throw new IOException("'" + nameOrSpec + "' is not a packet workload (OBJECT#PROGRAM@TRACE)");
            }
            Path object = Path.of(nameOrSpec.substring(0, hash));
            Path trace = Path.of(nameOrSpec.substring(at + 1));
            objectName = object.toString();
            objectBytes = Files.readAllBytes(object);
            program = nameOrSpec.substring(hash + 1, at);
            traceName = trace.toString();
            traceBytes = Files.readAllBytes(trace);
        }
        ObjectFile object;
        try {
            object = ObjectLoader.load(objectName, objectBytes);
        } catch (ElfException e) {
            throw new IOException(objectName + ": " + e.getMessage(), e);
        }
        Program entry = object.program(program).orElseThrow(() -> new IOException(objectName + " has no program '"
                + program + "'; it has: " + String.join(", ", object.programNames())));
        if (entry.type() == ProgramType.RAW) {
            throw new IOException(objectName + ": program '" + program + "' has no packet type (its section names none)");
        }
        List<RunInput> packets = new ArrayList<>();
        try (PcapReader r = PcapReader.open(traceName, traceBytes)) {
            for (CapturedPacket p; (p = r.nextEthernet()) != null; ) {
                packets.add(RunInput.of(p.data()));
            }
        } catch (PcapFormatException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (packets.isEmpty()) {
            throw new IOException(traceName + ": no packets");
        }
        String label = entry.name() + " (" + entry.type().word() + ") from " + objectName;
        return new PacketWorkload(displayName(nameOrSpec), ProgramSource.of(label, object, entry), List.copyOf(packets));
    }

    private static byte[] resource(String file) throws IOException {
        try (InputStream in = PacketWorkload.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + file)) {
            if (in == null) {
                throw new IOException("no built-in object or trace '" + file + "' under " + RESOURCE_DIR);
            }
            return in.readAllBytes();
        }
    }
}
