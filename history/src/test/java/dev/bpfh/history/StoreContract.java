package dev.bpfh.history;

import static dev.bpfh.history.Runs.MACHINE_A;
import static dev.bpfh.history.Runs.MACHINE_B;
import static dev.bpfh.history.Runs.ns;
import static dev.bpfh.history.Runs.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What every history database must do; run against SQLite and PostgreSQL by the subclasses. */
abstract class StoreContract {

    /** A JDBC URL of an empty database (or schema) for this test. */
    abstract String url();

    @Test
    void storedRunsComeBackAsSeriesPerEnvironmentInMeasurementOrder() throws Exception {
        try (HistoryStore s = HistoryStore.open(url(), false)) {
            // added out of order: the series follows the measurement dates
            s.add(List.of(run("r2", "c2", 200, MACHINE_A, ns("sum", "jit", 110), ns("sum", "interp", 900)),
                    run("r1", "c1", 100, MACHINE_A, ns("sum", "jit", 100)),
                    run("r3", "c3", 300, MACHINE_B, ns("sum", "jit", 50))));
        }
        try (HistoryStore s = HistoryStore.open(url(), true)) {
            History h = s.load();
            List<History.Series> jit = h.series("sum", "jit", 0);
            assertEquals(2, jit.size(), "machine A and machine B are separate series");
            History.Series a = jit.getFirst();
            assertEquals(MACHINE_A.id(), a.key().fingerprintId());
            assertEquals(List.of("c1", "c2"), a.points().stream().map(History.Point::commit).toList());
            assertEquals(110.0, a.points().get(1).value());
            assertEquals(1.1, a.points().get(1).error(), 1e-12);
            assertEquals(MACHINE_B.id(), jit.get(1).key().fingerprintId());
            assertEquals("Test CPU A", h.fingerprint(MACHINE_A.id()).get("cpu.model"));
            assertEquals(1, h.series(null, "interp", 0).size());
            assertEquals(List.of(110.0), h.series("sum", "jit", 1).getFirst().points().stream()
                    .map(History.Point::value).toList(), "--last 1 keeps the newest point");
        }
    }

    @Test
    void theSameFileIsStoredOnce() throws Exception {
        try (HistoryStore s = HistoryStore.open(url(), false)) {
            List<HistoryStore.Added> first = s.add(List.of(run("r1", "c1", 100, MACHINE_A, ns("sum", "jit", 100))));
            List<HistoryStore.Added> again = s.add(List.of(run("r1", "c1", 100, MACHINE_A, ns("sum", "jit", 100))));
            assertTrue(first.getFirst().stored());
            assertFalse(again.getFirst().stored());
            assertEquals(first.getFirst().id(), again.getFirst().id());
            assertEquals(1, s.load().points().size());
        }
    }

    @Test
    void aFailingAddWritesNothingOfAnyRunInIt() throws Exception {
        try (HistoryStore s = HistoryStore.open(url(), false)) {
            RunRecord good = run("good", "c1", 100, MACHINE_A, ns("sum", "jit", 100));
            // the same workload and backend twice in one run violates the results' primary key
            RunRecord bad = run("bad", "c2", 200, MACHINE_A, ns("sum", "jit", 100), ns("sum", "jit", 101));
            HistoryException e = assertThrows(HistoryException.class, () -> s.add(List.of(good, bad)));
            assertTrue(e.getMessage().startsWith("nothing stored: "), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            assertEquals(0, s.load().points().size());
            assertTrue(s.add(List.of(good)).getFirst().stored(), "the good run was not half-stored before");
        }
    }

    @Test
    void twoConcurrentWritersLoseNothing() throws Exception {
        int perWriter = 15;
        HistoryStore.open(url(), false).close(); // the schema exists before the race (its creation is tested below)
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> writers = new ArrayList<>();
            for (String w : List.of("a", "b")) {
                writers.add(pool.submit(() -> {
                    start.await();
                    int stored = 0;
                    try (HistoryStore s = HistoryStore.open(url(), false)) {
                        for (int i = 0; i < perWriter; i++) {
                            // one transaction per run, interleaving with the other writer's
                            stored += s.add(List.of(run(w + i, w + i, i * 2L + (w.equals("a") ? 0 : 1), MACHINE_A,
                                    ns("sum", "jit", 100 + i), ns("sum", "interp", 1000 + i)))).size();
                        }
                    }
                    return stored;
                }));
            }
            start.countDown();
            for (Future<Integer> f : writers) {
                assertEquals(perWriter, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        try (HistoryStore s = HistoryStore.open(url(), true)) {
            History h = s.load();
            assertEquals(2 * perWriter, h.runIds().size());
            assertEquals(4 * perWriter, h.points().size());
            assertEquals(2 * perWriter, h.series("sum", "jit", 0).getFirst().points().size());
        }
    }

    @Test
    void twoProcessesCreatingTheSchemaAtOnceBothSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Boolean>> openers = new ArrayList<>();
            for (String w : List.of("a", "b")) {
                openers.add(pool.submit(() -> {
                    start.await();
                    try (HistoryStore s = HistoryStore.open(url(), false)) {
                        return s.add(List.of(run(w, w, 1, MACHINE_A, ns("sum", "jit", 1)))).getFirst().stored();
                    }
                }));
            }
            start.countDown();
            for (Future<Boolean> f : openers) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNewerSchemaIsRefusedAndLeftAlone() throws Exception {
        try (HistoryStore s = HistoryStore.open(url(), false); Statement st = s.connection().createStatement()) {
            st.executeUpdate("UPDATE bpfh_schema SET version = 99");
        }
        HistoryException e = assertThrows(HistoryException.class, () -> HistoryStore.open(url(), true));
        assertTrue(e.getMessage().contains("schema version 99 is newer than this bpfh understands (" + Schema.CURRENT + ")"),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void anOlderSchemaIsMigratedForwardKeepingItsRuns() throws Exception {
        try (HistoryStore s = HistoryStore.open(url(), false, 1)) {
            assertEquals(1, s.schemaVersion());
            s.add(List.of(run("old", "c0", 10, MACHINE_A, ns("sum", "jit", 42))));
        }
        try (HistoryStore s = HistoryStore.open(url(), true)) {
            assertEquals(Schema.CURRENT, s.schemaVersion());
            assertEquals(42.0, s.load().points().getFirst().value());
        }
    }
}
