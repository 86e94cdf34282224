package dev.bpfh.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds the built-in backends on the class path. */
public final class Backends {
    private Backends() {}

    /** The canonical order of the built-in engines in matrices and tables. */
    public static final List<String> BUILT_IN_ORDER = List.of("interp", "jit", "kernel");

    /** Every backend registered through {@code META-INF/services/dev.bpfh.spi.Backend}, in canonical order. */
    public static List<Backend> discover() {
        List<Backend> found = new ArrayList<>();
        ServiceLoader.load(Backend.class).forEach(found::add);
        found.sort((a, b) -> Integer.compare(rank(a.name()), rank(b.name())));
        return found;
    }

    /** The backends a run uses when it names none: {@link #discover()} minus those not {@link Backend#runsByDefault()}. */
    public static List<Backend> defaults() {
        List<Backend> all = discover();
        all.removeIf(b -> !b.runsByDefault());
        return all;
    }

    /** A built-in backend by name. */
    public static Optional<Backend> find(String name) {
        for (Backend b : ServiceLoader.load(Backend.class)) {
            if (b.name().equals(name)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    private static int rank(String name) {
        int i = BUILT_IN_ORDER.indexOf(name);
        return i < 0 ? BUILT_IN_ORDER.size() : i;
    }
}
