package dev.bpfh.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {
    @TempDir
    Path dir;

    private String url;

    @BeforeEach
    void file() {
        url = "jdbc:sqlite:" + dir.resolve("history.db");
    }

    @Override
    String url() {
        return url;
    }

    @Test
    void aMissingFileIsAnErrorWhenItMustExistAndIsNotCreated() {
        HistoryException e = assertThrows(HistoryException.class, () -> HistoryStore.open(url, true));
        assertTrue(e.getMessage().startsWith("no history database at "), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("history.db")));
    }

    @Test
    void aFileThatIsNotADatabaseIsOneLineError() throws Exception {
        Files.writeString(dir.resolve("history.db"), "this is not a SQLite database, it is a text file of some length\n".repeat(20));
        HistoryException e = assertThrows(HistoryException.class, () -> HistoryStore.open(url, true));
        assertEquals(1, e.getMessage().lines().count());
        assertTrue(e.getMessage().contains("history.db"), e.getMessage());
    }
}
