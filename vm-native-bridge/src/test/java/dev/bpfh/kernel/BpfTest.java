package dev.bpfh.kernel;

import static dev.bpfh.kernel.Asm.exit;
import static dev.bpfh.kernel.Asm.movImm;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The typed bpf() wrappers against the running kernel: struct offsets, errno mapping, maps, prog info. */
class BpfTest {
    private Bpf bpf;

    @BeforeEach
    void open() {
        KernelAssumptions.requireKernel();
        bpf = new Bpf();
    }

    @AfterEach
    void close() {
        if (bpf != null) {
            bpf.close();
        }
    }

    @Test
    void testRunOnAnInvalidFdFailsWithEbadf() {
        // prog_fd is at offset 0 of attr.test: -1 there must reach the kernel as an fd, not garbage.
        BpfException e = assertThrows(BpfException.class,
                () -> bpf.progTestRun(-1, bpf.allocate(14), null, 1));
        assertEquals(Errno.EBADF, e.errno());
        assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
    }

    @Test
    void xdpProgramReturnsItsRetvalAndTheWholePacket() {
        Bpf.LoadAttempt a = bpf.progLoad(Bpf.PROG_TYPE_XDP, new long[] {movImm(0, 2), exit()}, "t", 0, 0);
        assertTrue(a.ok(), () -> "load failed: " + Errno.name(a.errno()));
        try (Fd prog = a.fd()) {
            MemorySegment in = bpf.allocate(20);
            in.set(JAVA_INT, 16, 0x5a5a5a5a);
            MemorySegment out = bpf.allocate(20);
            Bpf.TestRun r = bpf.progTestRun(prog.value(), in, out, 1);
            assertEquals(2, r.retval());          // attr.test.retval @4
            assertEquals(20, r.dataSizeOut());    // attr.test.data_size_out @12
            assertEquals(0x5a5a5a5a, out.get(JAVA_INT, 16)); // data_out @24 got the packet
        }
    }

    @Test
    void progInfoReportsTranslatedAndJitedSizes() {
        Bpf.LoadAttempt a = bpf.progLoad(Bpf.PROG_TYPE_XDP, new long[] {movImm(0, 2), exit()}, "t", 0, 0);
        try (Fd prog = a.fd()) {
            Bpf.ProgInfo info = bpf.progInfo(prog.value(), true);
            assertEquals(Bpf.PROG_TYPE_XDP, info.type());
            assertEquals(2, info.xlatedInsns()); // nothing to rewrite in "r0 = 2; exit"
            assertTrue(info.jitedProgLen() > 0, "JIT is always on here");
            assertEquals(info.jitedProgLen(), info.jitedImage().length);
            assertEquals(2, info.verifiedInsns());
        }
    }

    @Test
    void refusedProgramGivesTheErrnoAndALog() {
        long[] readsR5 = {Asm.movReg(0, 5), exit()};
        Bpf.LoadAttempt quiet = bpf.progLoad(Bpf.PROG_TYPE_XDP, readsR5, "t", 0, 0);
        assertFalse(quiet.ok());
        assertEquals(Errno.EACCES, quiet.errno());
        assertEquals("", quiet.log());
        Bpf.LoadAttempt logged = bpf.progLoad(Bpf.PROG_TYPE_XDP, readsR5, "t", 1, 64 * 1024);
        assertTrue(logged.log().contains("R5 !read_ok"), logged.log());
    }

    @Test
    void aTooSmallLogBufferFailsEvenAValidProgramWithEnospc() {
        // kernel.md §3: on 6.x the rotating log makes a valid load fail when its log does not fit.
        long[] valid = {movImm(0, 1), movImm(1, 2), Asm.addReg(0, 1), exit()};
        Bpf.LoadAttempt a = bpf.progLoad(Bpf.PROG_TYPE_XDP, valid, "t", 2, 16);
        assertFalse(a.ok());
        assertEquals(Errno.ENOSPC, a.errno());
        assertTrue(a.logTrueSize() > 16, "log_true_size @140 says how much was needed: " + a.logTrueSize());
    }

    @Test
    void hashMapRoundTripsAndIterates() {
        try (Fd map = bpf.mapCreate(Bpf.MAP_TYPE_HASH, 4, 8, 8, 0)) {
            MemorySegment key = bpf.allocate(4);
            MemorySegment value = bpf.allocate(8);
            for (int k : new int[] {10, 20, 30}) {
                key.set(JAVA_INT, 0, k);
                value.set(JAVA_LONG, 0, k * 1000L);
                bpf.mapUpdate(map.value(), key, value, 0);
            }
            key.set(JAVA_INT, 0, 20);
            assertTrue(bpf.mapLookup(map.value(), key, value));
            assertEquals(20_000L, value.get(JAVA_LONG, 0));
            assertTrue(bpf.mapDelete(map.value(), key));
            assertFalse(bpf.mapDelete(map.value(), key), "second delete: ENOENT");
            assertFalse(bpf.mapLookup(map.value(), key, value));

            int seen = 0;
            MemorySegment next = bpf.allocate(4);
            MemorySegment cursor = null;
            while (bpf.mapGetNextKey(map.value(), cursor, next)) {
                int k = next.get(JAVA_INT, 0);
                assertTrue(k == 10 || k == 30, "unexpected key " + k);
                seen++;
                cursor = bpf.allocate(4);
                cursor.set(JAVA_INT, 0, k);
            }
            assertEquals(2, seen);

            key.set(JAVA_INT, 0, 10);
            BpfException e = assertThrows(BpfException.class, () -> bpf.mapUpdate(map.value(), key, value, 1));
            assertEquals("EEXIST", e.errnoName(), "BPF_NOEXIST on an existing key");
        }
    }

    @Test
    void arrayMapElementsCannotBeDeleted() {
        try (Fd map = bpf.mapCreate(Bpf.MAP_TYPE_ARRAY, 4, 8, 1, 0)) {
            MemorySegment key = bpf.allocate(4);
            BpfException e = assertThrows(BpfException.class, () -> bpf.mapDelete(map.value(), key));
            assertEquals(Errno.EINVAL, e.errno());
        }
    }

    @Test
    void badMapParametersNameTheErrno() {
        BpfException e = assertThrows(BpfException.class, () -> bpf.mapCreate(Bpf.MAP_TYPE_ARRAY, 8, 8, 1, 0));
        assertEquals("EINVAL", e.errnoName(), "ARRAY keys must be 4 bytes");
    }

    @Test
    void closingAnFdTwiceIsHarmless() {
        Fd map = bpf.mapCreate(Bpf.MAP_TYPE_ARRAY, 4, 8, 1, 0);
        map.close();
        assertEquals(-1, map.value());
        map.close();
        assertFalse(map.isOpen());
    }
}
