package dev.bpfh.cli;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The launcher's staleness rule, answered by the daemon without walking the tree on every call.
 * A source is a regular file among {@code ROOT/pom.xml}, {@code ROOT/*}{@code /pom.xml} and
 * everything under {@code ROOT/*}{@code /src} except below a directory (or a file) named
 * {@code target}, {@code .git} or {@code bpfh-out}; the jar is stale when a source was modified
 * after it. That is the set and the test of the launcher's {@code find ... -newer bpfh.jar}, which
 * runs before every command the daemon does not serve.
 *
 * <p>With inotify, every directory of that set is watched from the start, each one before its
 * entries are looked at, so a file changed while the daemon starts is either seen by that look or
 * reported by an event. A request then reads the events queued since the last one (a change
 * finished before the request is among them, {@link Inotify}) and examines only the paths they
 * name; a new or moved-in directory is watched and examined whole. Files found newer than the jar
 * are kept and examined again on every request, so one deleted or set back to an older time stops
 * counting, as it would for find. A queue overflow re-examines everything.
 *
 * <p>Without inotify (not Linux, or the user's limit of inotify instances or watches reached) each
 * request walks the set instead, as the launcher's find would. The daemon's request threads share
 * one instance: its methods are synchronized.
 */
final class SourceWatch implements AutoCloseable {

    private static final Set<String> PRUNED = Set.of("target", ".git", "bpfh-out");
    private static final int EVENTS = Inotify.IN_MODIFY | Inotify.IN_ATTRIB | Inotify.IN_CLOSE_WRITE
            | Inotify.IN_CREATE | Inotify.IN_MOVED_TO;

    /** What a watched directory is: the root, a module directory, or a directory under a module's src. */
    private enum Kind { ROOT, MODULE, SOURCE }

    private record Watched(Path dir, Kind kind) {}

    private final Path root;
    private final FileTime jarTime;
    private final Map<Integer, Watched> watched = new HashMap<>();
    private final Set<Path> newer = new LinkedHashSet<>();
    private Inotify inotify;
    private String mode;
    private int overflows;

    private SourceWatch(Path root, FileTime jarTime) {
        this.root = root;
        this.jarTime = jarTime;
    }

    /** Starts watching the sources under {@code root} for changes after {@code jarTime}; with {@code useInotify} false, scans instead. */
    static SourceWatch start(Path root, FileTime jarTime, boolean useInotify) {
        SourceWatch w = new SourceWatch(root.toAbsolutePath().normalize(), jarTime);
        String why = useInotify ? Inotify.unavailableReason() : "not asked to";
        if (why == null) {
            try {
                w.inotify = Inotify.open();
                w.examineAll();
            } catch (IOException | Unwatchable e) {
                why = e.getMessage();
                w.stopWatching();
            }
        }
        w.mode = why == null
                ? "watched with inotify (" + w.watched.size() + " directories)"
                : "scanned on every request (no inotify: " + why + ")";
        return w;
    }

    /** How many times the event queue overflowed (each time everything was examined again). */
    synchronized int overflows() {
        return overflows;
    }

    /** How the sources are checked, for the daemon's log and status. */
    synchronized String mode() {
        return mode;
    }

    /** A source newer than the jar, if there is one now. */
    synchronized Optional<Path> newerThanJar() {
        if (inotify != null) {
            try {
                boolean overflow = false;
                for (Inotify.Event e : inotify.drain()) {
                    overflow |= (e.mask() & Inotify.IN_Q_OVERFLOW) != 0;
                    if (!overflow) {
                        apply(e);
                    }
                }
                if (overflow) {
                    overflows++;
                    examineAll();
                }
            } catch (IOException | Unwatchable e) {
                stopWatching();
                mode = "scanned on every request (inotify failed: " + e.getMessage() + ")";
            }
        }
        if (inotify == null) {
            newer.clear();
            examineAll();
        } else {
            newer.removeIf(p -> !isNewer(p));
        }
        return newer.stream().findFirst();
    }

    @Override
    public synchronized void close() {
        stopWatching();
    }

    private void stopWatching() {
        if (inotify != null) {
            inotify.close();
            inotify = null;
        }
        watched.clear();
    }

    /** What find would look at: the root's pom.xml and each module directory (as the shell's {@code *} matches them). */
    private void examineAll() {
        watch(root, Kind.ROOT);
        examine(root.resolve("pom.xml"));
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path e : entries) {
                module(e);
            }
        } catch (IOException | DirectoryIteratorException e) {
            // The root is gone or unreadable: nothing of it can be newer.
        }
    }

    private void module(Path dir) {
        if (dir.getFileName().toString().startsWith(".") || !Files.isDirectory(dir)) {
            return;
        }
        watch(dir, Kind.MODULE);
        examine(dir.resolve("pom.xml"));
        visit(dir.resolve("src"));
    }

    /** A path under src: a regular file is examined, a directory watched and then walked. */
    private void visit(Path p) {
        BasicFileAttributes a = attributes(p);
        if (a == null) {
            return;
        }
        if (a.isRegularFile()) {
            examineFile(p, a);
        } else if (a.isDirectory()) {
            watch(p, Kind.SOURCE);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
                for (Path e : entries) {
                    if (!PRUNED.contains(e.getFileName().toString())) {
                        visit(e);
                    }
                }
            } catch (IOException | DirectoryIteratorException e) {
                // Removed meanwhile, or unreadable (find would skip it too).
            }
        }
    }

    private void apply(Inotify.Event e) {
        Watched w = watched.get(e.wd());
        if (w == null) {
            return;
        }
        if ((e.mask() & Inotify.IN_IGNORED) != 0) {
            watched.remove(e.wd()); // the directory was removed
            return;
        }
        if (e.name().isEmpty()) {
            return; // about the directory itself: its entries report their own changes
        }
        Path p = w.dir().resolve(e.name());
        switch (w.kind()) {
            case ROOT -> {
                if (e.name().equals("pom.xml")) {
                    examine(p);
                } else {
                    module(p);
                }
            }
            case MODULE -> {
                if (e.name().equals("pom.xml")) {
                    examine(p);
                } else if (e.name().equals("src")) {
                    visit(p);
                }
            }
            case SOURCE -> {
                if (!PRUNED.contains(e.name())) {
                    visit(p);
                }
            }
        }
    }

    private void watch(Path dir, Kind kind) {
        if (inotify == null) {
            return;
        }
        // A module directory may be a symlink (the shell's `*/pom.xml` follows it); below src/ find does not.
        int wd = inotify.addWatch(dir, kind == Kind.MODULE ? EVENTS : EVENTS | Inotify.IN_DONT_FOLLOW);
        if (wd >= 0) {
            watched.put(wd, new Watched(dir, kind)); // a directory moved here keeps its descriptor: new path
        } else if (-wd != Inotify.ENOENT && -wd != Inotify.ENOTDIR) {
            // ENOSPC: the user's limit of watches (fs.inotify.max_user_watches). Gone meanwhile is fine.
            throw new Unwatchable("inotify_add_watch " + dir + ": errno " + -wd
                    + (-wd == 28 ? " (ENOSPC: fs.inotify.max_user_watches reached)" : ""));
        }
    }

    private void examine(Path p) {
        BasicFileAttributes a = attributes(p);
        if (a != null && a.isRegularFile()) {
            examineFile(p, a);
        }
    }

    private void examineFile(Path p, BasicFileAttributes a) {
        if (a.lastModifiedTime().compareTo(jarTime) > 0) {
            newer.add(p);
        }
    }

    private boolean isNewer(Path p) {
        BasicFileAttributes a = attributes(p);
        return a != null && a.isRegularFile() && a.lastModifiedTime().compareTo(jarTime) > 0;
    }

    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    /** A directory that could not be watched while it exists: watching is given up for scanning. */
    private static final class Unwatchable extends RuntimeException {
        Unwatchable(String message) {
            super(message, null, false, false);
        }
    }
}
