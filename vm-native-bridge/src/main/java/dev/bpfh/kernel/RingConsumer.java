package dev.bpfh.kernel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The userspace side of a RINGBUF map, exactly as programs.md §6 measured it: the consumer page
 * (file offset 0) mapped read-write, the producer page and the data pages (offset 4096) mapped
 * read-only, the data pages twice in a row so that a wrapped record is contiguous. Positions are
 * read with acquire and the consumer position published with release, as libbpf does.
 */
final class RingConsumer implements AutoCloseable {
    private static final long PAGE = 4096;
    private static final int BUSY = 1 << 31;
    private static final int DISCARD = 1 << 30;
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment consumerPage;
    private final MemorySegment producerAndData;
    private final MemorySegment data;
    private final long mask;

    private RingConsumer(MemorySegment consumerPage, MemorySegment producerAndData, long size) {
        this.consumerPage = consumerPage;
        this.producerAndData = producerAndData;
        this.data = producerAndData.asSlice(PAGE);
        this.mask = size - 1;
    }

    /** Maps the ring of {@code fd} ({@code size} = max_entries bytes of data). */
    static RingConsumer map(int fd, long size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment capture = a.allocate(LibC.CAPTURE_LAYOUT);
            MemorySegment cons = LibC.mmap(capture, PAGE, LibC.PROT_READ | LibC.PROT_WRITE, fd, 0);
            if (cons == null) {
                throw new BpfException("mmap of the ringbuf consumer page", LibC.errno(capture));
            }
            MemorySegment prod = LibC.mmap(capture, PAGE + 2 * size, LibC.PROT_READ, fd, PAGE);
            if (prod == null) {
                int e = LibC.errno(capture);
                LibC.munmap(cons);
                throw new BpfException("mmap of the ringbuf producer and data pages", e);
            }
            return new RingConsumer(cons, prod, size);
        }
    }

    /** Consumes every committed record; returns the payloads of those not discarded, in order. */
    List<byte[]> drain() {
        List<byte[]> out = new ArrayList<>();
        long cons = (long) LONG.getAcquire(consumerPage, 0L);
        long prod = (long) LONG.getAcquire(producerAndData, 0L);
        while (cons < prod) {
            long at = cons & mask;
            int header = (int) INT.getAcquire(data, at);
            if ((header & BUSY) != 0) {
                break;
            }
            int len = header & 0x3fffffff;
            if ((header & DISCARD) == 0) {
                out.add(data.asSlice(at + 8, len).toArray(JAVA_BYTE));
            }
            cons += (len + 15) & ~7L;
        }
        LONG.setRelease(consumerPage, 0L, cons);
        return out;
    }

    @Override
    public void close() {
        LibC.munmap(consumerPage);
        LibC.munmap(producerAndData);
    }
}
