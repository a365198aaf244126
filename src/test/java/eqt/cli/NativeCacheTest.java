package eqt.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Each build extracts its native libraries into a cache of its own (named by its libtorch), never a shared one. */
class NativeCacheTest {

    @Test
    void theCacheIsNamedAfterThisBuildsLibtorch() {
        String torch = NativeCache.build().getProperty("pytorch");
        assertNotNull(torch, "build.properties filled in by Maven");
        assertTrue(torch.matches("\\d+\\.\\d+\\.\\d+-\\d+\\.\\d+\\.\\d+"), torch); // not the unfilled ${pytorch.version}
        Path f = NativeCache.folder(Path.of("/c"));
        assertEquals(Path.of("/c"), f.getParent());
        assertTrue(f.getFileName().toString().endsWith("-torch-" + torch), f.toString());
        // the two builds CI tests: their caches differ
        assertTrue(torch.startsWith("2.10.0") || torch.startsWith("2.7.1"), torch);
    }
}
