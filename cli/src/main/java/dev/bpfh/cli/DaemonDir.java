package dev.bpfh.cli;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where the daemons' sockets live, and the check that makes the socket private. Java's Unix domain
 * channels do not expose the peer's uid (SO_PEERCRED), so the daemon cannot ask who connected: it
 * relies on the directory being reachable by its owner only. Anyone who can connect can run eBPF
 * programs with the daemon's rights, the kernel backend's (root) included.
 *
 * <p>The rule is the one bpfh-client.c applies: {@code $BPFH_DAEMON_DIR}, else
 * {@code $XDG_RUNTIME_DIR/bpfh}, else {@code ${XDG_CACHE_HOME:-$HOME/.cache}/bpfh/daemon-UID}.
 */
final class DaemonDir {
    private DaemonDir() {}

    static final String DIR_ENV = "BPFH_DAEMON_DIR";

    static long uid() {
        return new UnixSystem().getUid();
    }

    /** The socket directory for this environment (not created or checked). */
    static Path resolve(Map<String, String> env) {
        String dir = env.get(DIR_ENV);
        if (dir != null && !dir.isEmpty()) {
            return Path.of(dir);
        }
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty()) {
            return Path.of(runtime, "bpfh");
        }
        String cache = env.get("XDG_CACHE_HOME");
        if (cache == null || cache.isEmpty()) {
            String home = env.get("HOME");
            if (home == null || home.isEmpty()) {
                throw UserError.usage("no socket directory for the daemon: set " + DIR_ENV + " or HOME");
            }
            cache = home + "/.cache";
        }
        return Path.of(cache, "bpfh", "daemon-" + uid());
    }

    /** Creates {@code dir} (mode 0700) when missing, then {@link #check}s it. */
    static void prepare(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(dir.toAbsolutePath().getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw UserError.usage("cannot create the daemon directory " + dir + ": " + Main.oneLine(e.getMessage()));
            }
        }
        check(dir);
    }

    /** Refuses a directory that is a symlink, not ours, or open to group or others. */
    static void check(Path dir) {
        PosixFileAttributes a;
        long owner;
        try {
            a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            owner = ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (IOException e) {
            throw UserError.usage("cannot read the daemon directory " + dir + ": " + Main.oneLine(e.getMessage()));
        }
        Set<PosixFilePermission> open = EnumSet.copyOf(a.permissions());
        open.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        if (!a.isDirectory() || owner != uid() || !open.isEmpty()) {
            throw UserError.usage("refusing the daemon directory " + dir + ": it must be a directory owned by uid "
                    + uid() + " with mode 0700 (it is " + (a.isSymbolicLink() ? "a symlink" : a.isDirectory()
                    ? "a directory" : "not a directory") + ", uid " + owner + ", mode "
                    + PosixFilePermissions.toString(a.permissions()) + ")");
        }
    }
}
