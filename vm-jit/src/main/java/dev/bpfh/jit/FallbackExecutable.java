package dev.bpfh.jit;

import dev.bpfh.spi.Executable;
import dev.bpfh.spi.MapSpec;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.RunInput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A program the jit could not compile, running on the interpreter: the interpreter's outcome and
 * maps, with {@code info().get("fallback")} saying why. A PROG_ARRAY slot given such a wrapper holds
 * the interpreter's executable, so that a tail call is one to the interpreter's program itself (or
 * to a sibling of its set, {@link ProgramSet}).
 */
final class FallbackExecutable implements Executable {
    private final Executable inner;
    private final Map<String, Object> info;
    private final List<MapView> maps;

    FallbackExecutable(Executable inner, String reason) {
        this.inner = inner;
        Map<String, Object> i = new LinkedHashMap<>(inner.info());
        i.put("fallback", reason);
        this.info = i;
        this.maps = inner.maps().stream().map(m -> (MapView) new View(m)).toList();
    }

    @Override
    public Outcome run(byte[] memory) {
        return inner.run(memory);
    }

    /** A typed program's packet and context go to the interpreter unchanged. */
    @Override
    public Outcome run(RunInput input) {
        return inner.run(input);
    }

    @Override
    public Map<String, Object> info() {
        return info;
    }

    @Override
    public List<MapView> maps() {
        return maps;
    }

    @Override
    public void close() {
        inner.close();
    }

    private final class View implements MapView {
        private final MapView m;

        View(MapView m) {
            this.m = m;
        }

        @Override
        public MapSpec spec() {
            return m.spec();
        }

        @Override
        public byte[] lookup(byte[] key) {
            return m.lookup(key);
        }

        @Override
        public int update(byte[] key, byte[] value, long flags) {
            return m.update(key, value, flags);
        }

        @Override
        public int delete(byte[] key) {
            return m.delete(key);
        }

        @Override
        public List<Entry> entries() {
            return m.entries();
        }

        @Override
        public int setProgram(int index, Executable program) {
            return m.setProgram(index, program instanceof FallbackExecutable f ? f.inner : program);
        }

        @Override
        public List<byte[]> drainRecords() {
            return m.drainRecords();
        }
    }
}
