package dev.bpfh.cli;

import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code bpfh backends}: what can run here, and why not. */
@Command(
        name = "backends",
        mixinStandardHelpOptions = true,
        description = "Lists the built-in backends found on the class path, whether each can run on this "
                + "machine, and the reason when it cannot.",
        footer = {"", "Exit codes: 0 ok; 1 when BPFH_REQUIRE_KERNEL=1 and the kernel backend is unavailable."})
final class BackendsCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Override
    public Integer call() {
        List<Backend> backends = Backends.discover();
        if (backends.isEmpty()) {
            main.out.println("no backends found on the class path");
        }
        int width = backends.stream().mapToInt(b -> b.name().length()).max().orElse(0);
        String kernelReason = "no kernel backend on the class path";
        for (Backend b : backends) {
            Availability a = probe(b);
            String detail = a.available() ? (b.description().equals(b.name()) ? "" : b.description()) : a.reason();
            main.out.println(String.format(Locale.ROOT, "%-" + width + "s  %-11s  %s", b.name(),
                    a.available() ? "available" : "unavailable", detail).stripTrailing());
            if (b.name().equals("kernel")) {
                kernelReason = a.available() ? null : a.reason();
            }
            b.close();
        }
        if (main.requireKernel() && kernelReason != null) {
            throw UserError.failed(Main.REQUIRE_KERNEL_ENV + "=1 but the kernel backend is unavailable: " + kernelReason);
        }
        return Main.EXIT_OK;
    }

    static Availability probe(Backend b) {
        try {
            return b.probe();
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("probe failed: " + Main.oneLine(String.valueOf(e)));
        }
    }
}
