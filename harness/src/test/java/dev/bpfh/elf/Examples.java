package dev.bpfh.elf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed example objects in the repository's {@code examples/} (tests run in the module directory). */
final class Examples {
    private Examples() {}

    static Path dir() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("examples");
            if (Files.isRegularFile(candidate.resolve("build.sh"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no examples/build.sh above " + here);
    }

    static Path path(String object) {
        return dir().resolve(object);
    }

    static byte[] bytes(String object) {
        try {
            return Files.readAllBytes(path(object));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectFile load(String object) throws ElfException {
        return ObjectLoader.load(path(object));
    }
}
