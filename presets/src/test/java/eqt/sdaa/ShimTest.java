package eqt.sdaa;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import eqt.sdaa.global.sdaa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.SizeTPointer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The shim's plumbing: its JNI library loads, a missing vendor runtime is reported with what was searched, a
 * library without the entry points is refused, and with a test-only stand-in runtime the calls and error codes
 * travel both ways. The order matters: the shim keeps what it loaded for the life of the process.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShimTest {

    static {
        Loader.load(sdaa.class);
    }

    @Test
    @Order(1)
    void callsBeforeLoadingSayWhatIsMissing() {
        int[] n = new int[1];
        assertEquals(sdaa.EQT_SDAA_ERR_NOT_LOADED, sdaa.eqt_sdaa_device_count(n));
        assertTrue(sdaa.eqt_sdaa_last_error().getString().contains("libsdaart.so is not loaded"));
    }

    @Test
    @Order(2)
    void missingRuntimeIsReportedWithTheSearchedPaths() {
        assumeTrue(System.getenv("SDAA_HOME") == null && System.getenv("TECO_HOME") == null,
                "a vendor SDK is configured on this machine");
        sdaa.eqt_sdaa_set_extra_dir("/nonexistent/eqt-test");
        assertEquals(sdaa.EQT_SDAA_ERR_NOT_FOUND, sdaa.eqt_sdaa_load_runtime());
        String err = sdaa.eqt_sdaa_last_error().getString();
        assertTrue(err.contains("libsdaart.so not found") && err.contains("SDAA_HOME"), err);
        String searched = sdaa.eqt_sdaa_searched().getString();
        assertTrue(searched.contains("/nonexistent/eqt-test/libsdaart.so") && searched.contains("loader search"),
                searched);
        assertEquals(sdaa.EQT_SDAA_ERR_NOT_FOUND, sdaa.eqt_sdaa_load_tccl());
        assertTrue(sdaa.eqt_sdaa_last_error().getString().contains("libtccl.so"));
    }

    @Test
    @Order(3)
    void libraryWithoutTheEntryPointsIsRefused() throws Exception {
        Path dir = compile("sdaart_broken.c", "broken");
        sdaa.eqt_sdaa_set_extra_dir(dir.toString());
        assertEquals(sdaa.EQT_SDAA_ERR_SYMBOL, sdaa.eqt_sdaa_load_runtime());
        assertTrue(sdaa.eqt_sdaa_last_error().getString().contains("has no symbol sdaaGetDevice"));
        assertEquals("", sdaa.eqt_sdaa_loaded_path(sdaa.EQT_SDAA_LIB_RUNTIME).getString());
    }

    @Test
    @Order(4)
    void standInRuntimeAnswersThroughTheShim() throws Exception {
        Path dir = compile("sdaart_standin.c", "standin");
        sdaa.eqt_sdaa_set_extra_dir(dir.toString());
        assertEquals(sdaa.EQT_SDAA_OK, sdaa.eqt_sdaa_load_runtime(), sdaa.eqt_sdaa_last_error().getString());
        assertEquals(dir.resolve("libsdaart.so").toString(),
                sdaa.eqt_sdaa_loaded_path(sdaa.EQT_SDAA_LIB_RUNTIME).getString());
        int[] n = new int[1];
        assertEquals(sdaa.EQT_SDAA_OK, sdaa.eqt_sdaa_device_count(n));
        assertEquals(2, n[0]);
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            assertEquals(sdaa.EQT_SDAA_OK, sdaa.eqt_sdaa_mem_info(free, total));
            assertEquals(32L << 30, total.get());
            assertEquals(30L << 30, free.get());
        }
        assertEquals(sdaa.EQT_SDAA_OK, sdaa.eqt_sdaa_set_device(1));
        int[] cur = new int[1];
        assertEquals(sdaa.EQT_SDAA_OK, sdaa.eqt_sdaa_get_device(cur));
        assertEquals(1, cur[0]);
        assertEquals(sdaa.EQT_SDAA_ERR_VENDOR, sdaa.eqt_sdaa_set_device(7));
        String err = sdaa.eqt_sdaa_last_error().getString();
        assertTrue(err.contains("sdaaSetDevice failed with error 101") && err.contains("stand-in"), err);
        assertEquals(sdaa.EQT_SDAA_ERR_ARGUMENT, sdaa.eqt_sdaa_device_count((int[]) null));
    }

    /** Compiles a test-only stand-in into {@code standin.dir}/NAME/libsdaart.so; skips when no C compiler exists. */
    private static Path compile(String source, String name) throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("standin.dir", "target/standin")).resolve(name);
        Files.createDirectories(dir);
        Path src = Path.of(System.getProperty("standin.sources", "src/test/native")).resolve(source);
        Process p;
        try {
            p = new ProcessBuilder("cc", "-shared", "-fPIC", "-o", dir.resolve("libsdaart.so").toString(), src.toString())
                    .inheritIO().start();
        } catch (IOException e) {
            assumeTrue(false, "no C compiler (cc) to build the stand-in: " + e.getMessage());
            throw e;
        }
        assertEquals(0, p.waitFor(), "cc failed on " + src);
        return dir;
    }
}
