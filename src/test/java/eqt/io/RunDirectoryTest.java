package eqt.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {

    @TempDir
    Path root;

    @Test
    void concurrentRunsGetDistinctDirectories() throws Exception {
        Set<Path> made = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 32; i++) pool.submit(() -> made.add(RunDirectory.create(null, root, "train", false)));
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(32, made.size());
    }

    @Test
    void explicitEmptyDirectoryIsFineButAFileIsNot() throws Exception {
        Path empty = root.resolve("empty");
        java.nio.file.Files.createDirectory(empty);
        assertEquals(empty, RunDirectory.create(empty, root, "x", false));
        Path file = root.resolve("file");
        java.nio.file.Files.writeString(file, "x");
        assertThrows(BadInputException.class, () -> RunDirectory.create(file, root, "x", false));
    }
}
