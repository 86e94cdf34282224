package dev.bpfh.history;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * The store contract on a real PostgreSQL server: {@code BPFH_TEST_PG_URL} (set by {@code .ci/run},
 * which starts one) is a JDBC URL of a database this test may create schemas in. Each test gets its
 * own schema, dropped afterwards. Without the variable the tests are skipped and say why.
 */
class PostgresStoreTest extends StoreContract {
    static final String ENV = "BPFH_TEST_PG_URL";

    private String base;
    private String schema;

    /** The server's URL, or a printed skip. */
    static String requirePostgres() {
        String url = System.getenv(ENV);
        if (url == null || url.isBlank()) {
            String reason = ENV + " is unset: no PostgreSQL server to test against (.ci/run starts one)";
            System.out.println("SKIP " + reason);
            Assumptions.assumeTrue(false, reason);
        }
        return url;
    }

    @BeforeEach
    void createSchema() throws Exception {
        base = requirePostgres();
        schema = "bpfh_test_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(base); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
    }

    @AfterEach
    void dropSchema() throws Exception {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(base); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Override
    String url() {
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }
}
