package dev.bpfh.history;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bpfh.reports.Fingerprint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * The history database over JDBC: SQLite by default (one file, xerial sqlite-jdbc), PostgreSQL or
 * any database that speaks {@link Schema}'s SQL for a team. Every write is one transaction, so a
 * failure leaves nothing half-written and concurrent writers each see the other's whole runs.
 */
public final class HistoryStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Millisecond ISO-8601 UTC: fixed width, so text order is time order. */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /**
     * How long a SQLite writer waits for another's transaction before giving up: a whole
     * {@code history add} of a full bench run takes well under a second.
     */
    static final int SQLITE_BUSY_TIMEOUT_MILLIS = 60_000;

    /** Any constant: the PostgreSQL advisory lock that serialises schema migrations. */
    private static final long PG_MIGRATION_LOCK = 0x62706668L; // "bpfh"

    enum Dialect { SQLITE, POSTGRESQL, OTHER }

    private final Connection connection;
    private final String url;

    private HistoryStore(Connection connection, String url) {
        this.connection = connection;
        this.url = url;
    }

    /**
     * Opens (and migrates) the database at {@code url}. With {@code mustExist}, a SQLite file that
     * does not exist is an error instead of a new empty history.
     */
    public static HistoryStore open(String url, boolean mustExist) throws HistoryException {
        return open(url, mustExist, Schema.CURRENT);
    }

    static HistoryStore open(String url, boolean mustExist, int schemaVersion) throws HistoryException {
        Dialect dialect = dialect(url);
        Properties props = new Properties();
        if (dialect == Dialect.SQLITE) {
            Path file = Path.of(url.substring("jdbc:sqlite:".length()));
            if (mustExist && !Files.exists(file)) {
                throw new HistoryException("no history database at " + file + " (run 'bpfh history add' first, or pass --db)");
            }
            // Writers take the lock when their transaction begins, so two never deadlock upgrading
            // a read lock; a busy database is waited for rather than failed.
            props.setProperty("transaction_mode", "IMMEDIATE");
            props.setProperty("busy_timeout", Integer.toString(SQLITE_BUSY_TIMEOUT_MILLIS));
            props.setProperty("foreign_keys", "true");
        }
        Connection c;
        try {
            c = DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            throw new HistoryException("cannot open history database " + redact(url) + ": " + oneLine(e));
        }
        HistoryStore store = new HistoryStore(c, url);
        try {
            store.transaction(() -> {
                if (dialect == Dialect.POSTGRESQL) {
                    try (Statement st = c.createStatement()) {
                        st.execute("SELECT pg_advisory_xact_lock(" + PG_MIGRATION_LOCK + ")");
                    }
                }
                return Schema.migrate(c, schemaVersion);
            });
        } catch (SQLException e) {
            store.close();
            throw new HistoryException("cannot use history database " + redact(url) + ": " + oneLine(e));
        } catch (HistoryException e) {
            store.close();
            throw new HistoryException(redact(url) + ": " + e.getMessage());
        }
        return store;
    }

    static Dialect dialect(String url) {
        return url.startsWith("jdbc:sqlite:") ? Dialect.SQLITE
                : url.startsWith("jdbc:postgresql:") ? Dialect.POSTGRESQL : Dialect.OTHER;
    }

    /** One stored (or skipped) run: {@code stored} is false when the same file was stored before. */
    public record Added(RunRecord run, String id, boolean stored) {}

    /** Stores every run in one transaction: all of them, or on any error none. */
    public List<Added> add(List<RunRecord> runs) throws HistoryException {
        try {
            return transaction(() -> insert(runs));
        } catch (SQLException e) {
            throw new HistoryException("nothing stored: " + redact(url) + ": " + oneLine(e));
        }
    }

    private List<Added> insert(List<RunRecord> runs) throws SQLException {
        List<Added> out = new ArrayList<>();
        String now = TIME.format(Instant.now());
        try (PreparedStatement fp = connection.prepareStatement(
                        "INSERT INTO bpfh_fingerprints (id, fields) VALUES (?, ?) ON CONFLICT (id) DO NOTHING");
                PreparedStatement run = connection.prepareStatement(
                        "INSERT INTO bpfh_runs (id, content_sha, source, commit_sha, branch, dirty, run_date, added_at,"
                                + " fingerprint_id, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_sha) DO NOTHING");
                PreparedStatement result = connection.prepareStatement(
                        "INSERT INTO bpfh_results (run_id, workload, backend, unit, value, error, samples)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (RunRecord r : runs) {
                String fpId = r.fingerprint().id();
                fp.setString(1, fpId);
                fp.setString(2, json(r.fingerprint().fields()));
                fp.executeUpdate();
                String id = UUID.randomUUID().toString();
                run.setString(1, id);
                run.setString(2, r.contentSha());
                run.setString(3, r.source());
                run.setString(4, r.commit());
                run.setString(5, r.branch());
                run.setString(6, r.dirty());
                run.setString(7, TIME.format(r.date()));
                run.setString(8, now);
                run.setString(9, fpId);
                run.setString(10, json(r.tags()));
                if (run.executeUpdate() == 0) {
                    out.add(new Added(r, existingId(r.contentSha()), false));
                    continue;
                }
                for (Measurement m : r.measurements()) {
                    result.setString(1, id);
                    result.setString(2, m.workload());
                    result.setString(3, m.backend());
                    result.setString(4, m.unit());
                    result.setDouble(5, m.value());
                    if (Double.isFinite(m.error())) {
                        result.setDouble(6, m.error());
                    } else {
                        result.setNull(6, java.sql.Types.DOUBLE);
                    }
                    result.setString(7, json(m.samples().stream().filter(Double::isFinite).toList()));
                    result.addBatch();
                }
                result.executeBatch();
                out.add(new Added(r, id, true));
            }
        }
        return out;
    }

    private interface Work<T> {
        T run() throws SQLException, HistoryException;
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
     * Outside it the connection is in auto-commit, so an idle open store holds no lock (sqlite-jdbc
     * would otherwise begin the next transaction right after each commit).
     */
    private <T> T transaction(Work<T> work) throws SQLException, HistoryException {
        connection.setAutoCommit(false);
        try {
            T t = work.run();
            connection.commit();
            return t;
        } catch (SQLException | HistoryException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // the connection is broken; the caller reports the first error
            }
        }
    }

    private static String json(Object o) throws SQLException {
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("cannot encode " + o.getClass().getSimpleName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private String existingId(String contentSha) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement("SELECT id FROM bpfh_runs WHERE content_sha = ?")) {
            st.setString(1, contentSha);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : "";
            }
        }
    }

    /** Every stored figure, runs in measurement-date order, with the fingerprints they refer to. */
    public History load() throws HistoryException {
        try {
            return transaction(this::select);
        } catch (SQLException e) {
            throw new HistoryException("cannot read history database " + redact(url) + ": " + oneLine(e));
        }
    }

    private History select() throws SQLException {
        Map<String, Fingerprint> fingerprints = new LinkedHashMap<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, fields FROM bpfh_fingerprints")) {
            while (rs.next()) {
                try {
                    fingerprints.put(rs.getString(1), new Fingerprint(JSON.readValue(rs.getString(2),
                            new TypeReference<Map<String, String>>() {})));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new SQLException("fingerprint " + rs.getString(1) + " is not a JSON object", e);
                }
            }
        }
        List<History.Point> points = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT r.id, r.commit_sha, r.branch, r.run_date, r.fingerprint_id,"
                        + " x.workload, x.backend, x.unit, x.value, x.error FROM bpfh_results x"
                        + " JOIN bpfh_runs r ON x.run_id = r.id ORDER BY r.run_date, r.added_at, r.id, x.workload, x.backend")) {
            while (rs.next()) {
                double error = rs.getDouble(10);
                if (rs.wasNull()) {
                    error = Double.NaN;
                }
                points.add(new History.Point(rs.getString(1), rs.getString(2), rs.getString(3),
                        Instant.parse(rs.getString(4)), rs.getString(5), rs.getString(6), rs.getString(7),
                        rs.getString(8), rs.getDouble(9), error));
            }
        }
        return new History(points, fingerprints);
    }

    /** The schema version stored in the database. */
    int schemaVersion() throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT version FROM bpfh_schema")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    Connection connection() {
        return connection;
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the original error is the one to report
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing is pending: every write commits or rolls back before returning
        }
    }

    /** The URL with any password replaced by {@code ***}, for messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("(//[^/:@]*:)[^@/]*@", "$1***@");
    }

    private static String oneLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return redact((nl < 0 ? m : m.substring(0, nl)).strip());
    }
}
