package eqt.checkpoint;

import eqt.model.ModelKind;

import eqt.model.Tiny;
import eqt.ops.Tensors;
import eqt.model.Model;
import eqt.model.ModelConfig;

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
import java.util.List;
import java.util.Map;
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
        return Checkpoint.load(TorchInterchange.referenceContents(sd, 2, null, 0.1, file), file, Tiny.CPU);
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
        assertArrayEquals(new long[] {1, 60, 8}, sd.get(TorchInterchange.POSITIONS).shape(),
                "the fixture holds the original's persistent positional buffer");
        assertEquals(29, sd.size(), "28 weights and pos_encoder.pe, as the original's model.pkl");
        Model m = imported(sd, f);
        assertEquals(60, m.config().maxLength(), "max_length from the table's length");
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
        // max_length 80, windows of 60: the original's module, built with the exported table's length, loads it.
        ModelConfig mc = new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(8, 2, 2, 16), new ModelConfig.Dropouts(0.1, 0.1), 80, false, 0, 0);
        Model m = Model.create(mc, Tiny.CPU, 17);
        Map<String, TorchStateDict.Array> sd = new LinkedHashMap<>();
        m.state().forEach((k, v) -> sd.put(k, new TorchStateDict.Array(v.shape(), Tensors.toArray(v))));
        Path exported = dir.resolve("java.pkl");
        TorchStateDict.write(TorchInterchange.withPositions(sd, mc), exported);
        TorchStateDict.Array x = TorchStateDict.read(fixture("ref_tiny_io.pt")).get("input");
        Map<String, TorchStateDict.Array> io = new LinkedHashMap<>();
        io.put("input", x);
        io.put("output", new TorchStateDict.Array(x.shape(), run(m, x)));
        Path ioFile = dir.resolve("io.pt");
        TorchStateDict.write(io, ioFile);
        eqt.testing.Child.Result r = eqt.testing.Child.run(List.of("/usr/bin/python3",
                Path.of("test/python/check_export.py").toAbsolutePath().toString(), exported.toString(), ioFile.toString(),
                "2"), null, Map.of(), 120);
        String out = r.out();
        assertEquals(0, r.exit(), out);
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

    @Test
    void aPositionalTableThatIsNotTheSinusoidIsRefusedByName() {
        Path f = fixture("ref_tiny_state_dict.pkl");
        Map<String, TorchStateDict.Array> sd = new LinkedHashMap<>(TorchStateDict.read(f));
        TorchStateDict.Array pe = sd.get(TorchInterchange.POSITIONS);
        float[] learned = pe.values().clone();
        learned[8 * 3 + 1] += 0.5f;
        sd.put(TorchInterchange.POSITIONS, new TorchStateDict.Array(pe.shape(), learned));
        String msg = assertThrows(BadInputException.class, () -> imported(sd, f)).getMessage();
        assertTrue(msg.contains("pos_encoder.pe is not the fixed sinusoidal table at position 3, feature 1"), msg);
        sd.put(TorchInterchange.POSITIONS, new TorchStateDict.Array(new long[] {1, 60, 4}, new float[240]));
        msg = assertThrows(BadInputException.class, () -> imported(sd, f)).getMessage();
        assertTrue(msg.contains("pos_encoder.pe has shape [1, 60, 4], expected [1, max_length, 8]"), msg);
    }

    @Test
    void anExportCarriesTheTableAfterTheEmbedding() {
        ModelConfig mc = new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(8, 2, 2, 16), new ModelConfig.Dropouts(0.1, 0.1), 80, false, 0, 0);
        Model m = Model.create(mc, Tiny.CPU, 3);
        Map<String, TorchStateDict.Array> sd = new LinkedHashMap<>();
        m.state().forEach((k, v) -> sd.put(k, new TorchStateDict.Array(v.shape(), Tensors.toArray(v))));
        Map<String, TorchStateDict.Array> out = TorchInterchange.withPositions(sd, mc);
        assertEquals(List.of("embedding.0.weight", "embedding.0.bias", TorchInterchange.POSITIONS),
                out.keySet().stream().limit(3).toList());
        assertArrayEquals(new long[] {1, 80, 8}, out.get(TorchInterchange.POSITIONS).shape());
        Path f = dir.resolve("round.pkl");
        TorchStateDict.write(out, f);
        assertEquals(80, imported(TorchStateDict.read(f), f).config().maxLength(), "and comes back in");
    }

    /** Whether Debian's PyTorch is there; under CI (which installs it) its absence fails rather than skips. */
    static boolean pythonTorch() {
        boolean there;
        try {
            there = eqt.testing.Child.run(List.of("/usr/bin/python3", "-c", "import torch"), null, Map.of(), 120).exit() == 0;
        } catch (IOException | AssertionError e) {
            there = false;
        }
        assertTrue(there || System.getenv("CI") == null, "python3-torch is missing under CI, which installs it (.ci/run)");
        return there;
    }
}
