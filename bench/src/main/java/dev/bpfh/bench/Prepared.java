package dev.bpfh.bench;

import dev.bpfh.kernel.KernelBackend;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Backends;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import java.io.IOException;

/**
 * A workload loaded on one backend and checked: the first run must return the expected r0, so a
 * benchmark never times a wrong answer.
 */
final class Prepared implements AutoCloseable {
    final Workload workload;
    final Backend backend;
    final Executable executable;

    private Prepared(Workload workload, Backend backend, Executable executable) {
        this.workload = workload;
        this.backend = backend;
        this.executable = executable;
    }

    static Backend backend(String name) {
        Backend b = Backends.find(name)
                .orElseThrow(() -> new IllegalStateException("no backend named '" + name + "' on the class path"));
        var availability = b.probe();
        if (!availability.available()) {
            throw new IllegalStateException("backend " + name + " is unavailable: " + availability.reason());
        }
        return b;
    }

    /**
     * Loads and checks; the exception message is one line naming workload and backend. A backend
     * that does not support the workload throws {@link UnsupportedWorkload}.
     */
    static Prepared of(String workloadName, String backendName) throws IOException {
        Workload w = Workloads.load(workloadName);
        Backend b = backend(backendName);
        Executable e;
        try {
            e = load(b, w);
        } catch (LoadRejected r) {
            if (r.unsupported()) {
                throw new UnsupportedWorkload(w.name(), backendName, r.getMessage());
            }
            throw new IllegalStateException(w.name() + " on " + backendName + ": rejected: " + r.getMessage());
        }
        Prepared p = new Prepared(w, b, e);
        String problem = p.check();
        if (problem != null) {
            p.close();
            throw new IllegalStateException(problem);
        }
        return p;
    }

    /**
     * Loads {@code w} on {@code b}. The kernel backend is told the memory length, which its wrapper
     * bakes into the program for the verifier; otherwise it would verify for a nominal length first.
     */
    static Executable load(Backend b, Workload w) throws LoadRejected {
        if (b instanceof KernelBackend k) {
            return k.load(w.program(), LoadOptions.DEFAULTS, w.memory().length);
        }
        return b.load(w.program(), LoadOptions.DEFAULTS);
    }

    /** Null if a run returns the expected r0, else a one-line description of what came back. */
    String check() {
        Outcome o = executable.run(workload.memory());
        return switch (o) {
            case Outcome.Returned r when r.r0() == workload.expected() -> null;
            case Outcome.Returned r -> String.format("%s on %s: r0 = 0x%x, expected 0x%x", workload.name(),
                    backend.name(), r.r0(), workload.expected());
            case Outcome.Trapped t -> workload.name() + " on " + backend.name() + ": " + t;
            case Outcome.Refused r -> workload.name() + " on " + backend.name() + ": " + r;
        };
    }

    @Override
    public void close() {
        executable.close();
    }
}
