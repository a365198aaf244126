package eqt.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** torch_sdaa's package is found where pip puts it, and a build for another PyTorch is refused by name. */
class TorchSdaaTest {

    @TempDir
    Path venv;

    private void install(String version, String requires) throws Exception {
        Path site = Files.createDirectories(venv.resolve("lib/python3.10/site-packages"));
        Files.createDirectories(site.resolve("torch_sdaa/lib"));
        Path info = Files.createDirectories(site.resolve("torch_sdaa-" + version + ".dist-info"));
        Files.writeString(info.resolve("METADATA"), "Metadata-Version: 2.1\nName: torch_sdaa\nVersion: " + version + "\n"
                + (requires != null ? "Requires-Dist: torch ==" + requires + "\n" : ""));
    }

    @Test
    void aTorchSdaaBuiltForAnotherPyTorchIsRefused() throws Exception {
        install("3.0.1", "2.7.1");
        List<TorchSdaa.Install> found = TorchSdaa.find(Map.of("VIRTUAL_ENV", venv.toString()));
        assertEquals(1, found.size(), found.toString());
        TorchSdaa.Install i = found.get(0);
        assertEquals(venv.resolve("lib/python3.10/site-packages/torch_sdaa/lib"), i.lib());
        assertEquals("2.7.1", i.torchRequired());
        String refused = TorchSdaa.mismatch(i, "2.10.0");
        assertTrue(refused != null && refused.contains("was built for PyTorch 2.7, this build links libtorch 2.10.0")
                && refused.contains("-Psdaa"), refused);
        assertNull(TorchSdaa.mismatch(i, "2.7.1"), "the -Psdaa build fits");
    }

    @Test
    void withoutARequirementTheMajorVersionTells() throws Exception {
        install("1.2.0", null);
        TorchSdaa.Install i = TorchSdaa.find(Map.of("VIRTUAL_ENV", venv.toString())).get(0);
        assertTrue(TorchSdaa.mismatch(i, "2.7.1").contains("built for PyTorch 2.0"));
        assertNull(TorchSdaa.mismatch(new TorchSdaa.Install(i.lib(), null, null), "2.7.1"), "unknown: not refused");
    }

    @Test
    void theLinkedLibtorchIsNamed() {
        assertTrue(TorchSdaa.linkedLibtorch().matches("\\d+\\.\\d+\\.\\d+"), TorchSdaa.linkedLibtorch());
    }
}
