package eqt.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;
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
        assertTrue(refused != null && refused.contains("was built for PyTorch 2.7.1, this build links libtorch 2.10.0")
                && refused.contains("-Psdaa"), refused);
        assertNull(TorchSdaa.mismatch(i, "2.7.1"), "the -Psdaa build fits");
    }

    /** The vendor ships a 2.4 line and a 2.7 line under one torch_sdaa major: the full release decides. */
    @Test
    void theFullPyTorchReleaseDecidesNotTheMajorVersion() throws Exception {
        install("3.1.0", "2.4.0");
        TorchSdaa.Install i = TorchSdaa.find(Map.of("VIRTUAL_ENV", venv.toString())).get(0);
        String refused = TorchSdaa.mismatch(i, "2.7.1");
        assertTrue(refused != null && refused.contains("built for PyTorch 2.4.0"), refused);
        assertNotNull(TorchSdaa.mismatch(new TorchSdaa.Install(i.lib(), "3.0.0", "2.7.0"), "2.7.1"), "2.7.0 is not 2.7.1");
        assertNull(TorchSdaa.mismatch(new TorchSdaa.Install(i.lib(), "3.0.0", "2.7.1+cpu"), "2.7.1"));
    }

    @Test
    void withoutARequirementOnly1xTells() throws Exception {
        install("1.2.0", null);
        TorchSdaa.Install i = TorchSdaa.find(Map.of("VIRTUAL_ENV", venv.toString())).get(0);
        assertTrue(TorchSdaa.mismatch(i, "2.7.1").contains("built for PyTorch 2.0.0a0"));
        assertNull(TorchSdaa.mismatch(new TorchSdaa.Install(i.lib(), "3.0.0", null), "2.7.1"), "3.x alone: cannot tell");
        assertNull(TorchSdaa.mismatch(new TorchSdaa.Install(i.lib(), null, null), "2.7.1"), "unknown: not refused");
    }

    private void cc(Path out, String source, String... more) throws Exception {
        Path src = Files.writeString(out.resolveSibling(out.getFileName() + ".c"), source);
        java.util.List<String> cmd = new java.util.ArrayList<>(List.of("cc", "-shared", "-fPIC", "-o", out.toString(), src.toString()));
        cmd.addAll(List.of(more));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "no C compiler (cc): " + e.getMessage());
            return;
        }
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
    }

    /**
     * A torch_sdaa built against Python (its libtorch_sdaa.so NEEDs libpython, as torch_npu's wheel does) loads
     * once the libpython of its own installation is preloaded globally; one built without Python needs nothing;
     * a missing libpython is named with where it was looked for. Both libraries are built here, so the ELF entries
     * are a real linker's.
     */
    @Test
    void aLibpythonTheLibraryNeedsIsFoundInItsOwnPythonAndPreloaded() throws Exception {
        install("3.0.1", "2.7.1");
        Path prefixLib = venv.resolve("lib");
        Path lib = venv.resolve("lib/python3.10/site-packages/torch_sdaa/lib");
        cc(prefixLib.resolve("libpython3.10.so.1.0"), "int Py_IsInitialized(void) { return 7; }\n",
                "-Wl,-soname,libpython3.10.so.1.0");
        cc(lib.resolve("libtorch_sdaa.so"), "extern int Py_IsInitialized(void);\nint sdaa_probe(void) { return Py_IsInitialized(); }\n",
                "-L" + prefixLib, "-l:libpython3.10.so.1.0");
        TorchSdaa.Install i = TorchSdaa.find(Map.of("VIRTUAL_ENV", venv.toString())).get(0);
        assertTrue(ElfNeeded.of(lib.resolve("libtorch_sdaa.so")).contains("libpython3.10.so.1.0"));
        // without the preload the loader cannot find it (it is in no system folder)
        assertThrows(UnsatisfiedLinkError.class, () -> System.load(lib.resolve("libtorch_sdaa.so").toString()));
        java.util.List<String> loaded = new java.util.ArrayList<>();
        assertNull(TorchSdaa.preparePython(i, path -> {
            loaded.add(path);
            org.bytedeco.javacpp.Loader.loadGlobal(path);
        }));
        assertEquals(List.of(prefixLib.resolve("libpython3.10.so.1.0").toString()), loaded);
        System.load(lib.resolve("libtorch_sdaa.so").toString()); // now it resolves

        Files.delete(prefixLib.resolve("libpython3.10.so.1.0"));
        String refused = TorchSdaa.preparePython(i, path -> fail("nothing to load"));
        assertTrue(refused != null && refused.contains("needs libpython3.10.so.1.0") && refused.contains(prefixLib.toString()),
                refused);
    }

    @Test
    void aLibraryBuiltWithoutPythonNeedsNothing() throws Exception {
        install("3.0.1", "2.7.1");
        Path lib = venv.resolve("lib/python3.10/site-packages/torch_sdaa/lib");
        cc(lib.resolve("libtorch_sdaa.so"), "int sdaa_probe(void) { return 1; }\n");
        assertTrue(ElfNeeded.of(lib.resolve("libtorch_sdaa.so")).stream().noneMatch(n -> n.startsWith("libpython")));
        TorchSdaa.Install i = TorchSdaa.find(Map.of("VIRTUAL_ENV", venv.toString())).get(0);
        assertNull(TorchSdaa.preparePython(i, path -> fail("nothing to load: " + path)));
    }

    @Test
    void theLinkedLibtorchIsNamed() {
        assertTrue(TorchSdaa.linkedLibtorch().matches("\\d+\\.\\d+\\.\\d+"), TorchSdaa.linkedLibtorch());
    }
}
