package dev.bpfh.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where a benchmark ran: what a reader needs to judge or reproduce the numbers. */
final class Environment {
    private Environment() {}

    static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("date", Instant.now().toString());
        m.put("machine", read("/proc/sys/kernel/hostname") + " (" + System.getProperty("os.arch") + ")");
        m.put("cpu", cpuModel());
        m.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("kernel", System.getProperty("os.name") + " " + read("/proc/sys/kernel/osrelease"));
        m.put("bpf_jit_enable", read("/proc/sys/net/core/bpf_jit_enable"));
        m.put("jdk", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.vm.version") + ")");
        m.put("commit", git("rev-parse", "HEAD") + (git("status", "--porcelain").isEmpty() ? "" : " (dirty)"));
        return m;
    }

    private static String cpuModel() {
        return read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
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
