package dev.bpfh.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Known, accepted deviations: tests a backend is expected to reject or skip, with the reason.
 *
 * <p>Format, one entry per line; {@code #} starts a comment, blank lines are ignored:
 *
 * <pre>
 * TEST STATUS [reason...]            # applies to the file's default backend
 * BACKEND/TEST STATUS [reason...]    # applies to BACKEND only
 * *&#47;TEST STATUS [reason...]         # applies to every backend
 * </pre>
 *
 * <ul>
 *   <li>TEST is the test's file name without {@code .data} (e.g. {@code lock_add}), or its path
 *       relative to the corpus root without {@code .data} (e.g. {@code ubpf/lock_add}) when a name
 *       is ambiguous; the path form wins over the name form.
 *   <li>STATUS is {@code REJECTED} or {@code SKIPPED} (any case).
 *   <li>BACKEND is {@code interp}, {@code jit}, {@code kernel} (up to the first {@code /}), or a
 *       {@code plugin:} name (up to the last {@code /}, so {@code plugin:/usr/bin/ubpf_plugin/TEST}
 *       works; plugin command lines with spaces cannot be named). Any other word before a
 *       {@code /} is part of a corpus-relative test path.
 *   <li><b>Default backend of a file:</b> a file named {@code NAME.expect} applies its unqualified
 *       lines to backend {@code NAME} (the built-in {@code kernel.expect} therefore covers
 *       {@code kernel}); a file with any other name applies them to every backend.
 *   <li>A qualified entry wins over an unqualified one; among equals, the last one read wins.
 * </ul>
 *
 * <p>A listed test that gets exactly the listed status is expected and does not fail the run. A
 * listed test that passes is reported as "unexpected pass; remove from manifest". A listed test
 * with another non-pass status is not covered.
 */
public final class ExpectationManifest {

    /** One line. {@code backend} is {@code null} for "every backend". */
    public record Entry(String backend, String test, Status status, String reason, String source) {}

    private static final ExpectationManifest EMPTY = new ExpectationManifest(List.of());

    private final List<Entry> entries;

    private ExpectationManifest(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static ExpectationManifest empty() {
        return EMPTY;
    }

    /** Reads a manifest file; the default backend follows from its name (see the class comment). */
    public static ExpectationManifest read(Path file) throws IOException, ConformanceException {
        String fileName = file.getFileName() == null ? "" : file.getFileName().toString();
        String defaultBackend = fileName.endsWith(".expect") && fileName.length() > ".expect".length()
                ? fileName.substring(0, fileName.length() - ".expect".length())
                : null;
        return parse(file.toString(), defaultBackend, Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /**
     * Parses manifest lines. {@code source} names the file in error messages; {@code defaultBackend}
     * ({@code null}: every backend) is the backend of unqualified lines.
     */
    public static ExpectationManifest parse(String source, String defaultBackend, List<String> lines)
            throws ConformanceException {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = source + ":" + (i + 1);
            String[] words = line.split("\\s+", 3);
            if (words.length < 2) {
                throw new ConformanceException(where + ": expected 'TEST STATUS [reason]', got '" + line + "'");
            }
            Status status;
            try {
                status = Status.valueOf(words[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                status = null;
            }
            if (status != Status.REJECTED && status != Status.SKIPPED) {
                throw new ConformanceException(where + ": status must be REJECTED or SKIPPED, got '" + words[1] + "'");
            }
            String backend = defaultBackend;
            String test = words[0];
            int slash = qualifierEnd(test);
            if (slash >= 0) {
                String qualifier = test.substring(0, slash);
                backend = qualifier.equals("*") ? null : qualifier;
                test = test.substring(slash + 1);
            }
            if (test.endsWith(".data")) {
                test = test.substring(0, test.length() - ".data".length());
            }
            if (test.isEmpty()) {
                throw new ConformanceException(where + ": empty test name");
            }
            entries.add(new Entry(backend, test, status, words.length > 2 ? words[2] : "", where));
        }
        return new ExpectationManifest(entries);
    }

    /**
     * Where the backend qualifier of a first word ends, or -1. A qualifier is "*", a built-in name
     * (then the test may still be a corpus path: {@code kernel/ubpf/lock_add}), or a {@code plugin:}
     * name (up to the last '/', since commands are paths). Any other prefix is part of a test path.
     */
    private static int qualifierEnd(String word) {
        if (word.startsWith("plugin:")) {
            return word.lastIndexOf('/');
        }
        int slash = word.indexOf('/');
        if (slash < 0) {
            return -1;
        }
        String head = word.substring(0, slash);
        return head.equals("*") || dev.bpfh.spi.Backends.BUILT_IN_ORDER.contains(head) ? slash : -1;
    }

    public ExpectationManifest plus(ExpectationManifest other) {
        List<Entry> all = new ArrayList<>(entries);
        all.addAll(other.entries);
        return new ExpectationManifest(all);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The entry covering this (backend, test), if any. {@code testId} is the corpus-relative path without {@code .data}. */
    public Optional<Entry> lookup(String backend, String testId, String testName) {
        Entry best = null;
        int bestRank = -1;
        for (Entry e : entries) {
            if (e.backend() != null && !e.backend().equals(backend)) {
                continue;
            }
            boolean byId = e.test().equals(testId);
            if (!byId && !e.test().equals(testName)) {
                continue;
            }
            int rank = (e.backend() != null ? 2 : 0) + (byId ? 1 : 0);
            if (rank >= bestRank) {
                best = e;
                bestRank = rank;
            }
        }
        return Optional.ofNullable(best);
    }
}
