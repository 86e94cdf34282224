package dev.bpfh.cli;

import dev.bpfh.asm.Disassembler;
import dev.bpfh.isa.Program;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh disasm [FILE|-]}: program bytes (hex or raw) to assembly. */
@Command(
        name = "disasm",
        mixinStandardHelpOptions = true,
        description = {
            "Disassembles a program into the canonical assembly of isa.md §4.6, one instruction per line.",
            "Input is hex text (bytes separated by any whitespace, each optionally prefixed by 0x, "
                    + "or runs of hex digits) or, when the input is not hex text, raw binary. "
                    + "Slots no mnemonic encodes print as '.slot 0x...', which the assembler accepts, "
                    + "so the output always reassembles to the same bytes.",
        },
        footer = {"", "Example: bpfh asm prog.s | bpfh disasm -",
                "Exit codes: 0 ok, 1 not a whole number of 8-byte slots, 2 unreadable file."})
final class DisasmCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", defaultValue = "-",
            description = "Hex or binary program; - (the default) for stdin.")
    String file;

    /** One token of hex text: optional 0x, then whole bytes. */
    private static final Pattern HEX_TOKEN = Pattern.compile("(0[xX])?([0-9a-fA-F]{2})+");

    @Override
    public Integer call() {
        byte[] input = main.readInput(file);
        byte[] program = hexBytes(input);
        if (program == null) {
            program = input;
        }
        String name = file.equals("-") ? "<stdin>" : file;
        if (program.length == 0) {
            throw UserError.failed(name + ": no program bytes");
        }
        if (program.length % Program.SLOT_BYTES != 0) {
            throw UserError.failed(name + ": " + program.length + " bytes is not a whole number of 8-byte slots");
        }
        main.out.print(Disassembler.disassemble(Program.fromBytes(name, program)));
        return Main.EXIT_OK;
    }

    /** The bytes the input spells in hex, or null when it is not hex text (then it is raw binary). */
    static byte[] hexBytes(byte[] input) {
        for (byte b : input) {
            if (b < 0 || (b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f')) {
                return null; // not text
            }
        }
        String text = new String(input, StandardCharsets.US_ASCII).strip();
        if (text.isEmpty()) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String token : text.split("\\s+")) {
            if (!HEX_TOKEN.matcher(token).matches()) {
                return null;
            }
            String digits = token.startsWith("0x") || token.startsWith("0X") ? token.substring(2) : token;
            for (int i = 0; i < digits.length(); i += 2) {
                out.write(Integer.parseInt(digits, i, i + 2, 16));
            }
        }
        return out.toByteArray();
    }
}
