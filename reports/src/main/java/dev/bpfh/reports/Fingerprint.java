package dev.bpfh.reports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything about where a benchmark ran that can change its numbers: the machine (CPU model and
 * flags, CPU count, memory, host), the kernel (release, every CPU vulnerability mitigation line —
 * mitigations change the cost of a bpf-to-bpf call several-fold on the same kernel — and the BPF
 * sysctls), the JVM (vendor, version, flags of the measuring JVMs), JMH (version and settings), and
 * the provenance of the code (git commit, dirty flag, branch).
 *
 * <p>Two runs belong to the same series only when their {@link #id()}s are equal. The id hashes
 * every field except the {@link #PROVENANCE} ones, which say which code ran rather than where.
 *
 * @param fields sorted key to value; keys are dotted names such as {@code cpu.model},
 *     {@code kernel.vuln.spectre_v2}, {@code jvm.flags}
 */
public record Fingerprint(Map<String, String> fields) {

    /** Fields that describe the code under test, not the environment: left out of {@link #id()}. */
    public static final Set<String> PROVENANCE = Set.of("git.commit", "git.dirty", "git.branch");

    public static final Fingerprint EMPTY = new Fingerprint(Map.of());

    public Fingerprint {
        fields = java.util.Collections.unmodifiableMap(new TreeMap<>(fields));
    }

    /** 16 hex digits of SHA-256 over the sorted non-provenance {@code key=value} lines. */
    public String id() {
        StringBuilder canonical = new StringBuilder();
        identity().forEach((k, v) -> canonical.append(k).append('=').append(v).append('\n'));
        return sha256(canonical.toString()).substring(0, 16);
    }

    /** The fields the id covers. */
    public Map<String, String> identity() {
        Map<String, String> m = new TreeMap<>(fields);
        PROVENANCE.forEach(m::remove);
        return m;
    }

    public String get(String key) {
        return fields.getOrDefault(key, "");
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** This fingerprint with {@code more} added (replacing equal keys). */
    public Fingerprint with(Map<String, String> more) {
        Map<String, String> m = new TreeMap<>(fields);
        m.putAll(more);
        return new Fingerprint(m);
    }

    /** Identity keys whose values differ between the two (present in one only counts), sorted. */
    public List<String> differences(Fingerprint other) {
        Set<String> keys = new java.util.TreeSet<>(identity().keySet());
        keys.addAll(other.identity().keySet());
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            if (!get(k).equals(other.get(k))) {
                out.add(k);
            }
        }
        return out;
    }

    /**
     * The machine and kernel part, read from {@code /proc} and {@code /sys} of the running system
     * ("unknown" where a file is missing, e.g. not on Linux), and the JDK running this code.
     */
    public static Fingerprint ofThisMachine() {
        Map<String, String> m = new TreeMap<>();
        String cpuinfo = read("/proc/cpuinfo");
        m.put("cpu.model", cpuinfoField(cpuinfo, "model name"));
        m.put("cpu.flags", cpuinfoField(cpuinfo, "flags"));
        m.put("cpu.count", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("memory.total", memoryTotal(read("/proc/meminfo")));
        m.put("kernel.release", read("/proc/sys/kernel/osrelease"));
        m.put("sysctl.bpf_jit_enable", read("/proc/sys/net/core/bpf_jit_enable"));
        m.put("sysctl.bpf_jit_harden", read("/proc/sys/net/core/bpf_jit_harden"));
        m.put("sysctl.bpf_stats_enabled", read("/proc/sys/kernel/bpf_stats_enabled"));
        Path vulns = Path.of("/sys/devices/system/cpu/vulnerabilities");
        if (Files.isDirectory(vulns)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(vulns)) {
                for (Path f : files) {
                    m.put("kernel.vuln." + f.getFileName(), read(f.toString()));
                }
            } catch (IOException e) {
                m.put("kernel.vuln", "unreadable: " + e.getMessage());
            }
        }
        m.put("host.id", hostId());
        m.put("jdk.vendor", System.getProperty("java.vendor", "unknown"));
        m.put("jdk.version", System.getProperty("java.vm.name", "") + " " + System.getProperty("java.vm.version", ""));
        m.put("os.arch", System.getProperty("os.arch", "unknown"));
        return new Fingerprint(m);
    }

    /**
     * A stable id of the host that does not reveal {@code /etc/machine-id} (which systemd asks not
     * to expose): its SHA-256 prefix; the hostname's when there is no machine id.
     */
    static String hostId() {
        String id = read("/etc/machine-id");
        if (id.equals("unknown") || id.isEmpty()) {
            id = "hostname:" + read("/proc/sys/kernel/hostname");
        }
        return sha256(id).substring(0, 16);
    }

    /**
     * MemTotal rounded to 0.1 GiB: the exact kB figure moves by a few pages with firmware or
     * kernel reservations, which must not start a new series.
     */
    static String memoryTotal(String meminfo) {
        return meminfo.lines().filter(l -> l.startsWith("MemTotal:")).findFirst().map(l -> {
            String kb = l.replaceAll("[^0-9]", "");
            return kb.isEmpty() ? "unknown"
                    : String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(kb) / (1024.0 * 1024.0));
        }).orElse("unknown");
    }

    static String cpuinfoField(String cpuinfo, String name) {
        return cpuinfo.lines().filter(l -> l.startsWith(name) && l.indexOf(':') > 0
                        && l.substring(0, l.indexOf(':')).strip().equals(name))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }
}
