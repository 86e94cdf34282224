package dev.bpfh.history;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The history tables and their forward migrations. Version {@code N} is reached by applying
 * {@link #MIGRATIONS}[0..N) in order, each once, recorded in {@code bpfh_schema}. A database at a
 * newer version than this code knows is refused, never written. Table names start with
 * {@code bpfh_} so a team database can hold other tables.
 *
 * <p>The SQL is the subset SQLite and PostgreSQL share (TEXT, INTEGER, DOUBLE PRECISION,
 * {@code INSERT ... ON CONFLICT DO NOTHING}). Times are ISO-8601 UTC text with milliseconds,
 * which sorts in time order.
 */
final class Schema {
    private Schema() {}

    static final List<List<String>> MIGRATIONS = List.of(
            // 1: runs with their environment fingerprint and figures
            List.of("CREATE TABLE bpfh_fingerprints (id VARCHAR(64) PRIMARY KEY, fields TEXT NOT NULL)",
                    "CREATE TABLE bpfh_runs (id VARCHAR(36) PRIMARY KEY, content_sha VARCHAR(64) NOT NULL UNIQUE,"
                            + " source TEXT NOT NULL, commit_sha TEXT NOT NULL, branch TEXT NOT NULL,"
                            + " dirty TEXT NOT NULL, run_date VARCHAR(32) NOT NULL, added_at VARCHAR(32) NOT NULL,"
                            + " fingerprint_id VARCHAR(64) NOT NULL REFERENCES bpfh_fingerprints(id), tags TEXT NOT NULL)",
                    "CREATE TABLE bpfh_results (run_id VARCHAR(36) NOT NULL REFERENCES bpfh_runs(id),"
                            + " workload TEXT NOT NULL, backend TEXT NOT NULL, unit TEXT NOT NULL,"
                            + " value DOUBLE PRECISION NOT NULL, error DOUBLE PRECISION, samples TEXT NOT NULL,"
                            + " PRIMARY KEY (run_id, workload, backend))"),
            // 2: series are read by workload and backend, runs in date order
            List.of("CREATE INDEX bpfh_results_series ON bpfh_results (workload, backend)",
                    "CREATE INDEX bpfh_runs_date ON bpfh_runs (run_date)"));

    static final int CURRENT = MIGRATIONS.size();

    /**
     * Brings the database to {@code target} inside the caller's transaction (which holds the lock
     * that keeps two processes from migrating at once); returns the version found.
     */
    static int migrate(Connection c, int target) throws SQLException, HistoryException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS bpfh_schema (version INTEGER NOT NULL)");
            int found;
            boolean hasRow;
            try (ResultSet rs = st.executeQuery("SELECT version FROM bpfh_schema")) {
                hasRow = rs.next();
                found = hasRow ? rs.getInt(1) : 0;
            }
            if (found > CURRENT) {
                throw new HistoryException("history database schema version " + found
                        + " is newer than this bpfh understands (" + CURRENT + "); use a newer bpfh");
            }
            for (int v = found; v < target; v++) {
                for (String sql : MIGRATIONS.get(v)) {
                    st.execute(sql);
                }
            }
            if (target > found) {
                st.execute(hasRow ? "UPDATE bpfh_schema SET version = " + target
                        : "INSERT INTO bpfh_schema (version) VALUES (" + target + ")");
            }
            return found;
        }
    }
}
