package dev.bpfh.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bpfh.interp.InterpreterBackend;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.MapView;
import dev.bpfh.spi.Outcome;
import java.util.HashSet;
import java.util.List;

/**
 * One program loaded in the kernel and in the userspace interpreter: every run goes to both, and
 * r0, memory, map contents and ring buffer records must be identical (the kernel is the reference;
 * a difference names the interpreter's or harness maps' deviation).
 */
final class BothEngines implements AutoCloseable {
    final KernelExecutable kernel;
    final Executable interp;

    private BothEngines(KernelExecutable kernel, Executable interp) {
        this.kernel = kernel;
        this.interp = interp;
    }

    static BothEngines load(Program p, int memoryLength) throws LoadRejected {
        KernelExecutable k = new KernelBackend().load(p, LoadOptions.DEFAULTS, memoryLength);
        try {
            return new BothEngines(k, new InterpreterBackend().load(p, LoadOptions.DEFAULTS));
        } catch (LoadRejected | RuntimeException e) {
            k.close();
            throw e;
        }
    }

    /** Runs both on copies of {@code memory}; asserts equal r0 and memory; returns the kernel's outcome. */
    Outcome.Returned run(byte[] memory) {
        Outcome.Returned k = assertInstanceOf(Outcome.Returned.class, kernel.run(memory.clone()), "kernel");
        Outcome.Returned i = assertInstanceOf(Outcome.Returned.class, interp.run(memory.clone()), "interp");
        assertEquals(k.r0(), i.r0(), () -> "r0: kernel 0x" + Long.toHexString(k.r0()) + ", interp 0x"
                + Long.toHexString(i.r0()));
        assertArrayEquals(k.memory(), i.memory(), "memory after the run");
        return k;
    }

    /** Map {@code index}'s entries are the same (hash maps as sets, arrays in index order). */
    List<MapView.Entry> assertSameEntries(int index) {
        MapView k = kernel.maps().get(index);
        MapView i = interp.maps().get(index);
        List<MapView.Entry> ke = k.entries();
        if (k.spec().type().isHash()) {
            assertEquals(new HashSet<>(ke), new HashSet<>(i.entries()), "entries of map " + k.spec().name());
        } else {
            assertEquals(ke, i.entries(), "entries of map " + k.spec().name());
        }
        return ke;
    }

    /** Drains ring buffer {@code index} in both; the records must be identical. Returns them. */
    List<byte[]> assertSameRecords(int index) {
        List<byte[]> k = kernel.maps().get(index).drainRecords();
        List<byte[]> i = interp.maps().get(index).drainRecords();
        assertEquals(hex(k), hex(i), "ring buffer records");
        return k;
    }

    static List<String> hex(List<byte[]> records) {
        return records.stream().map(java.util.HexFormat.of()::formatHex).toList();
    }

    /** Both engines' view of map {@code index}, kernel first. */
    MapView[] views(int index) {
        return new MapView[] {kernel.maps().get(index), interp.maps().get(index)};
    }

    @Override
    public void close() {
        kernel.close();
        interp.close();
    }
}
