package dev.bpfh.cli;

import dev.bpfh.asm.Assembler;
import dev.bpfh.asm.AssemblyException;
import dev.bpfh.data.ContextLines;
import dev.bpfh.data.DataFile;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.data.DataFormatException;
import dev.bpfh.elf.ElfException;
import dev.bpfh.elf.ObjectFile;
import dev.bpfh.elf.ObjectLoader;
import dev.bpfh.isa.Program;
import dev.bpfh.pcap.PcapFormatException;
import dev.bpfh.run.ProgramSource;
import dev.bpfh.run.TraceRunner;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh run}: one program on every backend, over one packet or a whole capture, compared as it goes. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a program on every backend and compares what each did: the result (with its name: XDP_DROP, "
                    + "TC_ACT_OK ...), the packet after the run, the context after (with --ctx), ring buffer records "
                    + "and the maps after.",
            "FILE is a clang object (ELF; --prog picks the program), a .data test (its -- mem is the packet unless "
                    + "--packet or --pcap is given) or a raw program (assembly text, or little-endian slots).",
            "With --pcap every packet runs in order and each backend keeps its maps across packets, as on a real "
                    + "interface; the output is a verdict histogram per backend, packets per second, and the first "
                    + "packet on which backends disagree.",
        },
        footer = {"",
            "Examples:",
            "  bpfh run examples/xdp_firewall.o --pcap examples/traces/mixed.pcap",
            "  bpfh run examples/tc_marker.o --packet 00112233445566778899aabb0800... --ctx mark=5",
            "  bpfh run prog.s --type xdp --packet $(cat frame.hex) --backends interp,kernel --json out.json",
            "",
            "Exit codes: 0 every backend loaded the program and all agree on every packet and the maps; "
                    + "1 they disagree, or none could load it; 2 bad usage or unreadable input (the message names "
                    + "the file and line, offset or packet)."})
final class RunCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "FILE", description = "Object (.o), .data test, or raw program (.s/.asm text or binary slots).")
    Path file;

    @Option(names = "--prog", paramLabel = "NAME", description = "The object's program (function) to run. Default: its only program.")
    String prog;

    @Option(names = "--type", paramLabel = "TYPE",
            description = "raw, xdp, tc or socket_filter, for a raw program or assembly. Objects and .data tests carry their own.")
    String type;

    @Option(names = "--packet", paramLabel = "HEX", description = "One packet (a whole Ethernet frame), in hex.")
    String packet;

    @Option(names = "--pcap", paramLabel = "TRACE", description = "A pcap or pcapng capture of Ethernet frames: every packet runs, in order.")
    Path pcap;

    @Option(names = "--ctx", paramLabel = "FIELD=VALUE", split = ",",
            description = "test_run's ctx_in fields (mark=5,cb0=7,ingress_ifindex=1 ...); the context after the run is compared too.")
    List<String> ctx = new ArrayList<>();

    @Option(names = "--backends", split = ",", paramLabel = "NAME",
            description = "Comma-separated backends. Default: every available built-in backend.")
    List<String> backends = new ArrayList<>();

    @Option(names = "--budget", paramLabel = "N", description = "Instructions a run may execute. Default: 10000000.")
    Long budget;

    @Option(names = "--json", paramLabel = "OUT", description = "Also write the results as JSON to OUT.")
    Path json;

    @Override
    public Integer call() {
        Path path = main.workDir.resolve(file);
        if (packet != null && pcap != null) {
            throw UserError.usage("give --packet or --pcap, not both");
        }
        Loaded what = load(path);
        List<Backend> engines = RunOptions.availableBackends(main, backends, "left out");
        if (engines.isEmpty()) {
            throw UserError.usage("no backend is available");
        }
        try {
            LoadOptions options = LoadOptions.DEFAULTS.withInstructionBudget(
                    budget == null ? 10_000_000L : RunOptions.checkBudget(budget));
            TraceRunner.Report report;
            String inputLabel;
            RunInput single = null;
            if (pcap != null) {
                Path trace = main.workDir.resolve(pcap);
                try (PacketTrace t = PacketTrace.open(trace, what.source.type(), ctx)) {
                    inputLabel = "over " + pcap + " (" + t.format() + ")";
                    report = TraceRunner.run(what.source, engines, options, t, new Progress(main.err));
                    t.rethrow();
                } catch (IOException | PcapFormatException e) {
                    throw UserError.usage(Main.oneLine(e.getMessage()));
                }
            } else {
                RunInput input = singleInput(what);
                single = input;
                inputLabel = "on one packet of " + input.data().length + " bytes";
                report = TraceRunner.run(what.source, engines, options, List.of(input).iterator(), (n, t) -> {});
            }
            RunPrinter printer = new RunPrinter(main.out);
            printer.print(report, inputLabel, single);
            if (json != null) {
                RunJson.write(main.workDir.resolve(json), report, inputLabel);
            }
            return report.agree() && report.backends().stream().anyMatch(b -> b.loadFailure() == null)
                    ? Main.EXIT_OK : Main.EXIT_FAILED;
        } finally {
            engines.forEach(Backend::close);
        }
    }

    /** The program and, for a .data file, its own packet and context. */
    private record Loaded(ProgramSource source, byte[] memory, byte[] ctx) {}

    private Loaded load(Path path) {
        if (!Files.isRegularFile(path)) {
            throw UserError.usage(file + ": no such file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw UserError.usage(file + ": " + Main.oneLine(e.getMessage()));
        }
        if (bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F') {
            return loadObject(path);
        }
        if (file.toString().endsWith(".data")) {
            if (prog != null || type != null) {
                throw UserError.usage("a .data test names its own program and type: drop --prog/--type");
            }
            try {
                DataFile d = DataFileParser.parse(path);
                return new Loaded(ProgramSource.of(label(d.program(), file.toString()), d), d.memory(), d.ctx());
            } catch (DataFormatException e) {
                throw UserError.usage(e.getMessage());
            }
        }
        if (prog != null) {
            throw UserError.usage("--prog is for objects; " + file + " is a single program");
        }
        ProgramType t = programType();
        String name = path.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        Program p;
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (file.toString().endsWith(".s") || file.toString().endsWith(".asm")) {
            try {
                p = Assembler.assemble(name, text);
            } catch (AssemblyException e) {
                throw UserError.usage(file + ":" + Main.oneLine(e.getMessage()));
            }
        } else {
            byte[] raw = DisasmCommand.hexBytes(bytes);
            raw = raw == null ? bytes : raw;
            if (raw.length == 0 || raw.length % Program.SLOT_BYTES != 0) {
                throw UserError.usage(file + ": " + raw.length + " bytes is not a whole number of 8-byte slots");
            }
            p = Program.fromBytes(name, raw);
        }
        p = p.withType(t);
        return new Loaded(ProgramSource.of(label(p, file.toString()), p), new byte[0], null);
    }

    private Loaded loadObject(Path path) {
        if (type != null) {
            throw UserError.usage("an object's programs take their type from their section: drop --type");
        }
        ObjectFile object;
        try {
            object = ObjectLoader.load(path);
        } catch (ElfException e) {
            throw UserError.usage(file + ": " + Main.oneLine(e.getMessage()));
        }
        List<String> names = object.programNames();
        if (names.isEmpty()) {
            throw UserError.usage(file + ": the object has no programs");
        }
        String entry = prog;
        if (entry == null) {
            if (names.size() > 1) {
                throw UserError.usage(file + " has " + names.size() + " programs; pick one with --prog: " + String.join(", ", names));
            }
            entry = names.get(0);
        }
        String chosen = entry;
        Program p = object.program(entry).orElseThrow(() -> UserError.usage(file + " has no program '" + chosen
                + "'; it has: " + String.join(", ", names)));
        return new Loaded(ProgramSource.of(label(p, file.toString()), object, p), new byte[0], null);
    }

    private static String label(Program p, String from) {
        return p.name() + " (" + p.type().word() + ") from " + from;
    }

    private ProgramType programType() {
        if (type == null) {
            return ProgramType.RAW;
        }
        return ProgramType.fromWord(type.toLowerCase(Locale.ROOT)).orElseThrow(() -> UserError.usage(
                "--type must be raw, xdp, tc or socket_filter: " + type));
    }

    private RunInput singleInput(Loaded what) {
        byte[] data;
        if (packet != null) {
            data = DisasmCommand.hexBytes(packet.getBytes(StandardCharsets.US_ASCII));
            if (data == null) {
                throw UserError.usage("--packet is not hex: " + packet);
            }
        } else if (what.source.type() != ProgramType.RAW && what.memory.length == 0) {
            throw UserError.usage("a " + what.source.type().word() + " program needs a packet: give --packet HEX or --pcap TRACE");
        } else {
            data = what.memory;
        }
        byte[] context = ctx.isEmpty() ? (packet == null ? what.ctx : null) : contextBytes(what.source.type(), ctx, data.length);
        return new RunInput(data, context);
    }

    static byte[] contextBytes(ProgramType type, List<String> pairs, int packetLength) {
        try {
            return ContextLines.fromArguments(type, pairs, packetLength);
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage());
        }
    }

    /** The packets of a capture as run inputs, read as they are needed. */
    static final class PacketTrace implements Iterator<RunInput>, AutoCloseable {
        private final dev.bpfh.pcap.PcapReader reader;
        private final byte[] ctxTemplate;
        private final List<String> ctxPairs;
        private final ProgramType type;
        private dev.bpfh.pcap.CapturedPacket next;
        private Exception failure;

        private PacketTrace(dev.bpfh.pcap.PcapReader reader, ProgramType type, List<String> ctxPairs) {
            this.reader = reader;
            this.type = type;
            this.ctxPairs = ctxPairs;
            this.ctxTemplate = ctxPairs.isEmpty() ? null : contextBytes(type, ctxPairs, 0);
            advance();
        }

        static PacketTrace open(Path file, ProgramType type, List<String> ctxPairs) throws IOException, PcapFormatException {
            return new PacketTrace(dev.bpfh.pcap.PcapReader.open(file), type, ctxPairs);
        }

        String format() {
            return reader.format() == dev.bpfh.pcap.CaptureFormat.PCAPNG ? "pcapng" : "pcap";
        }

        private void advance() {
            try {
                next = reader.nextEthernet();
            } catch (IOException | PcapFormatException e) {
                failure = e;
                next = null;
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public RunInput next() {
            byte[] data = next.data();
            advance();
            byte[] c = ctxTemplate == null ? null
                    : type == ProgramType.XDP ? contextBytes(type, ctxPairs, data.length) : ctxTemplate.clone();
            return new RunInput(data, c);
        }

        /** A read error ends the trace early; it is reported after the packets before it ran. */
        void rethrow() throws IOException, PcapFormatException {
            if (failure instanceof IOException e) {
                throw e;
            }
            if (failure instanceof PcapFormatException e) {
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    /** A line on stderr every two seconds of a long trace. */
    private static final class Progress implements TraceRunner.Listener {
        private final java.io.PrintStream err;
        private long nextReport = 2_000_000_000L;

        Progress(java.io.PrintStream err) {
            this.err = err;
        }

        @Override
        public void progress(int packets, long elapsed) {
            if (elapsed >= nextReport) {
                nextReport = elapsed + 2_000_000_000L;
                err.printf(Locale.ROOT, "bpfh run: %,d packets in %.0f s%n", packets, elapsed / 1e9);
            }
        }
    }
}
