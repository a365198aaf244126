package eqt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import eqt.io.BadInputException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyTorch interchange against fixtures written by PyTorch itself (src/test/python/make_torch_fixture.py):
 * a state_dict saved as the original saves model.pkl gives the same outputs in Java as in Python.
 */
class TorchStateDictTest {

    @TempDir
    Path dir;

    static Path fixture(String name) {
        try {
            return Path.of(TorchStateDictTest.class.getResource("/torch/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Model imported(Map<String, TorchStateDict.Array> sd, Path file) {
        ModelConfig mc = TorchStateDict.referenceConfig(sd, 2, 60, 0.1, file);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        sd.forEach((k, v) -> {
            values.put(k, v.values());
            shapes.put(k, v.shape());
        });
        return Checkpoint.load(new Checkpoint.Contents(mc, null, values, shapes, null), file, Tiny.CPU);
    }

    static float[] run(Model m, TorchStateDict.Array x) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            return Tensors.toArray(m.forward(Tensors.of(x.values(), Tiny.CPU, x.shape()), false));
        }
    }

    @Test
    void aPyTorchStateDictGivesPyTorchsOutputs() {
        Path f = fixture("ref_tiny_state_dict.pkl");
        Map<String, TorchStateDict.Array> sd = TorchStateDict.read(f);
        assertEquals("embedding.0.weight", sd.keySet().iterator().next(), "PyTorch's order is kept");
        assertEquals("output_layer.bias", sd.keySet().stream().reduce((a, b) -> b).orElseThrow());
        Model m = imported(sd, f);
        assertEquals(8, m.config().dModel());
        assertEquals(2, m.config().numLayers());
        assertEquals(16, m.config().ffDim());
        assertEquals(10, m.config().channels());
        Map<String, TorchStateDict.Array> io = TorchStateDict.read(fixture("ref_tiny_io.pt"));
        assertArrayEquals(io.get("output").values(), run(m, io.get("input")), 1e-5f);
    }

    @Test
    void dataParallelPrefixesAreStripped() {
        Map<String, TorchStateDict.Array> plain = TorchStateDict.read(fixture("ref_tiny_state_dict.pkl"));
        Map<String, TorchStateDict.Array> ddp = TorchStateDict.read(fixture("ref_tiny_ddp.pkl"));
        assertEquals(plain.keySet(), ddp.keySet());
        for (String k : plain.keySet()) assertArrayEquals(plain.get(k).values(), ddp.get(k).values(), k);
    }

    @Test
    void exportedWeightsReadBackIdentically() {
        Map<String, TorchStateDict.Array> sd = TorchStateDict.read(fixture("ref_tiny_state_dict.pkl"));
        Path out = dir.resolve("export.pkl");
        TorchStateDict.write(sd, out);
        Map<String, TorchStateDict.Array> back = TorchStateDict.read(out);
        assertEquals(sd.keySet().stream().toList(), back.keySet().stream().toList(), "names, in order");
        for (String k : sd.keySet()) {
            assertArrayEquals(sd.get(k).shape(), back.get(k).shape(), k);
            assertArrayEquals(sd.get(k).values(), back.get(k).values(), k);
        }
    }

    /** The other direction through PyTorch itself; runs where Debian's python3-torch is installed. */
    @Test
    void pythonLoadsAJavaExportAndReproducesJavasOutputs() throws IOException, InterruptedException {
        assumeTrue(pythonTorch(), "needs /usr/bin/python3 with torch (Debian: python3-torch)");
        ModelConfig mc = new ModelConfig(ModelConfig.REFERENCE, 10, 8, 2, 2, 16, 0.1, 0.1, 60, false);
        Model m = Model.create(mc, Tiny.CPU, 17);
        Map<String, TorchStateDict.Array> sd = new LinkedHashMap<>();
        m.state().forEach((k, v) -> sd.put(k, new TorchStateDict.Array(v.shape(), Tensors.toArray(v))));
        Path exported = dir.resolve("java.pkl");
        TorchStateDict.write(sd, exported);
        TorchStateDict.Array x = TorchStateDict.read(fixture("ref_tiny_io.pt")).get("input");
        Map<String, TorchStateDict.Array> io = new LinkedHashMap<>();
        io.put("input", x);
        io.put("output", new TorchStateDict.Array(x.shape(), run(m, x)));
        Path ioFile = dir.resolve("io.pt");
        TorchStateDict.write(io, ioFile);
        Process p = new ProcessBuilder("/usr/bin/python3", Path.of("test/python/check_export.py").toAbsolutePath().toString(),
                exported.toString(), ioFile.toString(), "2").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("max abs difference"), out);
    }

    @Test
    void badFilesAreRefusedByName() throws IOException {
        Path text = dir.resolve("model.pkl");
        Files.writeString(text, "not a checkpoint");
        assertTrue(assertThrows(BadInputException.class, () -> TorchStateDict.read(text)).getMessage().contains("model.pkl"));
        byte[] good = Files.readAllBytes(fixture("ref_tiny_state_dict.pkl"));
        Path cut = dir.resolve("cut.pkl");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length / 2));
        assertThrows(BadInputException.class, () -> TorchStateDict.read(cut));
        assertThrows(BadInputException.class, () -> TorchStateDict.read(dir.resolve("missing.pkl")));
        Map<String, TorchStateDict.Array> sd = TorchStateDict.read(fixture("ref_tiny_state_dict.pkl"));
        sd.remove("output_layer.bias");
        String msg = assertThrows(BadInputException.class, () -> imported(sd, text)).getMessage();
        assertTrue(msg.contains("missing [output_layer.bias]"), msg);
    }

    static boolean pythonTorch() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
