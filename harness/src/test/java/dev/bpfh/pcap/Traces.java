package dev.bpfh.pcap;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's {@code examples/traces/} and the pcap test data (tests run in the module directory). */
final class Traces {
    private Traces() {}

    static Path dir() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("examples");
            if (Files.isRegularFile(candidate.resolve("build.sh"))) {
                return candidate.resolve("traces");
            }
        }
        throw new IllegalStateException("no examples/build.sh above " + here);
    }

    static Path testData(String name) {
        return Path.of("src/test/resources/pcap").toAbsolutePath().resolve(name);
    }
}
