package dev.bpfh.cli;

import dev.bpfh.asm.AssemblyException;
import dev.bpfh.asm.Assembler;
import dev.bpfh.data.DataFileParser;
import dev.bpfh.data.DataFormatException;
import dev.bpfh.isa.Program;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh asm FILE}: assembly (or a {@code .data} file's program) to hex bytes. */
@Command(
        name = "asm",
        mixinStandardHelpOptions = true,
        description = {
            "Assembles bpf_conformance assembly (isa.md §4) and prints the program bytes as lowercase hex "
                    + "pairs separated by single spaces, on one line.",
            "A .data file (or stdin holding '-- asm'/'-- raw' sections) gives its program. "
                    + "In plain assembly, '#' starts a comment.",
        },
        footer = {"", "Example: bpfh asm prog.s | bpfh disasm -",
                "Exit codes: 0 ok, 1 bad source (file:line: message), 2 unreadable file."})
final class AsmCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "FILE", description = "Assembly text or a .data file; - for stdin.")
    String file;

    @Override
    public Integer call() {
        String text = new String(main.readInput(file), StandardCharsets.UTF_8);
        String name = file.equals("-") ? "<stdin>" : file;
        Program program = isDataFile(file, text) ? fromDataFile(name, text) : assemble(name, text);
        if (program.length() == 0) {
            throw UserError.failed(name + ": no instructions");
        }
        main.out.println(HexFormat.ofDelimiter(" ").formatHex(program.toBytes()));
        return Main.EXIT_OK;
    }

    /** A {@code .data} file by name, or text with a {@code --} directive line (assembly never has one). */
    static boolean isDataFile(String file, String text) {
        return file.endsWith(".data") || text.lines().anyMatch(l -> l.strip().startsWith("--"));
    }

    private static Program fromDataFile(String name, String text) {
        try {
            String base = Path.of(name).getFileName().toString().replaceFirst("\\.data$", "");
            return DataFileParser.parse(base, Path.of(name), text).program();
        } catch (DataFormatException e) {
            throw UserError.failed(e.getMessage());
        }
    }

    private static Program assemble(String name, String text) {
        // The assembler has no comment syntax (isa.md §4.1); '#' can never be valid assembly, so
        // cutting it keeps line numbers and accepts commented files.
        StringBuilder source = new StringBuilder();
        text.lines().forEach(l -> {
            int hash = l.indexOf('#');
            source.append(hash < 0 ? l : l.substring(0, hash)).append('\n');
        });
        try {
            return Assembler.assemble(Path.of(name).getFileName().toString(), source.toString());
        } catch (AssemblyException e) {
            throw UserError.failed(e.located(name));
        }
    }
}
