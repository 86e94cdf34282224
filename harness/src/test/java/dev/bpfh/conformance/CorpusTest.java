package dev.bpfh.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.data.DataFileParser;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in corpus is found on the class path both in a directory and inside a jar. */
class CorpusTest {

    @TempDir
    Path dir;

    private static final String TEST = "-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n";

    private List<Corpus.Entry> builtInWith(ClassLoader loader) throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader old = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            Path root = Corpus.builtIn().orElseThrow();
            assertTrue(Corpus.builtInKernelManifest().isPresent());
            return Corpus.collect(List.of(root));
        } finally {
            t.setContextClassLoader(old);
        }
    }

    @Test
    void fromADirectory() throws Exception {
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes.resolve("bpfh/corpus/alu"));
        Files.writeString(classes.resolve("bpfh/corpus/alu/one.data"), TEST);
        Files.writeString(classes.resolve("bpfh/corpus/kernel.expect"), "");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
            List<Corpus.Entry> found = builtInWith(loader);
            assertEquals(List.of("alu/one"), found.stream().map(Corpus.Entry::id).toList());
        }
    }

    @Test
    void fromInsideAJarWhoseFilesTheParserCanRead() throws Exception {
        Path jar = dir.resolve("corpus.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : List.of("bpfh/corpus/b/two.data", "bpfh/corpus/a.data", "bpfh/corpus/kernel.expect")) {
                out.putNextEntry(new JarEntry(name));
                out.write((name.endsWith(".data") ? TEST : "").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            List<Corpus.Entry> found = builtInWith(loader);
            assertEquals(List.of("a", "b/two"), found.stream().map(Corpus.Entry::id).toList());
            assertEquals(1L, DataFileParser.parse(found.get(1).path()).result().getAsLong());
            assertEquals(found, builtInWith(loader), "a second lookup reuses the open zip file system");
        }
    }
}
