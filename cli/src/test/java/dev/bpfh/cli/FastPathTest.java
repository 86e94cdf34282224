package dev.bpfh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which command lines skip picocli: plain plugin calls and a lone --version; help keeps picocli's output. */
class FastPathTest {

    @Test
    void theVersionAloneIsPrintedAsPicocliPrintsIt() throws Exception {
        assertTrue(FastPath.versionOnly(new String[] {"--version"}));
        assertTrue(FastPath.versionOnly(new String[] {"-V"}));
        assertFalse(FastPath.versionOnly(new String[] {"--version", "x"}));
        assertEquals(new Main.Version().getVersion()[0] + "\n", CliRun.run("--version").out());
        CliRun viaPicocli = CliRun.run("--debug", "--version");
        assertEquals(CliRun.run("-V").out(), viaPicocli.out());
    }


    @Test
    void aPluginCallPassesEveryArgumentToTheProtocolAsIs() {
        assertEquals(List.of("aa bb", "--backend", "jit", "--elf", "--debug", "--other-plugins-option"),
                FastPath.protocolArguments(new String[] {"plugin", "aa bb", "--backend", "jit", "--elf", "--debug",
                        "--other-plugins-option"}));
        assertEquals(List.of(), FastPath.protocolArguments(new String[] {"plugin"}));
    }

    @Test
    void helpAndVersionGoThroughPicocli() {
        for (String flag : new String[] {"--help", "-h", "--version", "-V", "-hV"}) {
            assertNull(FastPath.protocolArguments(new String[] {"plugin", "--backend", "jit", flag}), flag);
        }
        CliRun help = CliRun.run("plugin", "--backend", "jit", "--help");
        assertTrue(help.out().startsWith("Usage: bpfh plugin"), help.out());
    }

    @Test
    void otherCommandsAndOptionsBeforeTheCommandGoThroughPicocli() {
        assertNull(FastPath.protocolArguments(new String[] {"conformance", "plugin"}));
        assertNull(FastPath.protocolArguments(new String[] {"--debug", "plugin"}));
        assertNull(FastPath.protocolArguments(new String[0]));
    }
}
