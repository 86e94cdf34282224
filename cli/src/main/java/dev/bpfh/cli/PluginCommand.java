package dev.bpfh.cli;

import dev.bpfh.plugin.PluginServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh plugin}: a bpf_conformance plugin (isa.md §6) backed by one of our engines. */
@Command(
        name = "plugin",
        mixinStandardHelpOptions = true,
        description = {
            "Speaks bpf_conformance's plugin protocol: program hex on stdin (or --program HEX), memory hex "
                    + "as the first argument that is not an option, r0 printed as lowercase hex on stdout.",
            "",
            "Options (any other --option is ignored, as the runner passes options meant for other plugins):",
            "  --backend NAME   interp (default), jit or kernel",
            "  --program HEX    the program instead of stdin",
            "  --elf            the input is an ELF object (EM_BPF); its .text/xdp section or symbol main runs",
            "  --debug          diagnostics on stderr",
        },
        footer = {"",
            "Example: bpfh asm prog.s | bpfh plugin --backend jit 'aa bb cc dd'",
            "As a bpf_conformance plugin: --plugin_path ./bpfh --plugin_options \"plugin --backend jit\"",
            "In bpfh itself: bpfh conformance --backends 'plugin:./bpfh plugin --backend jit'",
            "",
            "Exit codes: 0 ran (r0 on stdout); 1 'rejected: <reason>' or 'trap <KIND> at pc <N>: <message>' on "
                    + "stdout; 2 'error: ...' or 'unavailable: ...' on stdout (bad input, unknown or "
                    + "unavailable backend)."})
final class PluginCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "ARG", arity = "0..*", description = "Passed to the protocol as is.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> argv = new ArrayList<>(args);
        if (main.debug && !argv.contains("--debug")) {
            argv.add("--debug"); // consumed by picocli as the inherited option
        }
        return PluginServer.withDiscoveredBackends().run(argv, main.in, main.out, main.err);
    }
}
