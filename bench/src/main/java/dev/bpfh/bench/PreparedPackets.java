package dev.bpfh.bench;

import dev.bpfh.load.LoadedObject;
import dev.bpfh.load.ObjectSetupException;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.RunInput;
import java.io.IOException;

/**
 * A packet workload loaded on one backend and run once over its whole trace, so a benchmark never
 * times a program that traps. (That every backend gives the same answers is checked before JMH
 * starts: {@link BenchRunner#precheck}.)
 */
final class PreparedPackets implements AutoCloseable {
    final PacketWorkload workload;
    final Backend backend;
    final LoadedObject loaded;

    private PreparedPackets(PacketWorkload workload, Backend backend, LoadedObject loaded) {
        this.workload = workload;
        this.backend = backend;
        this.loaded = loaded;
    }

    static PreparedPackets of(String nameOrSpec, String backendName) throws IOException {
        PacketWorkload w = PacketWorkload.load(nameOrSpec);
        Backend b = Prepared.backend(backendName);
        LoadedObject loaded;
        try {
            loaded = w.source().load(b, LoadOptions.DEFAULTS);
        } catch (LoadRejected e) {
            if (e.unsupported()) {
                throw new UnsupportedWorkload(w.name(), backendName, e.getMessage());
            }
            throw new IllegalStateException(w.name() + " on " + backendName + ": rejected: " + e.getMessage());
        } catch (ObjectSetupException e) {
            throw new IllegalStateException(w.name() + " on " + backendName + ": " + e.getMessage());
        }
        PreparedPackets p = new PreparedPackets(w, b, loaded);
        int i = 0;
        for (RunInput in : w.packets()) {
            Outcome o = loaded.run(in);
            if (!(o instanceof Outcome.Returned)) {
                p.close();
                throw new IllegalStateException(w.name() + " on " + backendName + ": packet " + i + ": " + o);
            }
            i++;
        }
        return p;
    }

    @Override
    public void close() {
        loaded.close();
        backend.close();
    }
}
