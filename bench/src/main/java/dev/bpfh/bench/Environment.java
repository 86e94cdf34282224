package dev.bpfh.bench;

import dev.bpfh.reports.Fingerprint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where a benchmark ran: what a reader needs to judge or reproduce the numbers. */
final class Environment {
    private Environment() {}

    /**
     * The run's {@link Fingerprint}: this machine, plus the flags of the measuring JVMs (JMH forks
     * inherit this JVM's input arguments and append {@link Defaults#FORK_JVM_ARGS}), JMH's version
     * and settings, and the git commit, dirty flag and branch of the working directory.
     */
    static Fingerprint fingerprint(String jmhSettings) {
        List<String> flags = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        flags.addAll(List.of(Defaults.FORK_JVM_ARGS));
        String commit = git("rev-parse", "HEAD");
        return Fingerprint.ofThisMachine().with(Map.of(
                "jvm.flags", String.join(" ", flags),
                "jmh.version", org.openjdk.jmh.util.Version.getPlainVersion(),
                "jmh.settings", jmhSettings,
                "git.commit", commit,
                "git.dirty", commit.equals("unknown") ? "unknown" : Boolean.toString(!git("status", "--porcelain").isEmpty()),
                "git.branch", git("rev-parse", "--abbrev-ref", "HEAD")));
    }

    /** The summary's short environment block, for readers; {@link #fingerprint} is the full record. */
    static Map<String, String> describe() {
        Fingerprint machine = Fingerprint.ofThisMachine();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("date", Instant.now().toString());
        m.put("machine", read("/proc/sys/kernel/hostname") + " (" + System.getProperty("os.arch") + ")");
        m.put("cpu", machine.get("cpu.model"));
        m.put("cpus", machine.get("cpu.count"));
        m.put("kernel", System.getProperty("os.name") + " " + machine.get("kernel.release"));
        m.put("bpf_jit_enable", machine.get("sysctl.bpf_jit_enable"));
        m.put("jdk", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.vm.version") + ")");
        m.put("commit", git("rev-parse", "HEAD") + (git("status", "--porcelain").isEmpty() ? "" : " (dirty)"));
        return m;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String git(String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "git";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
