package eqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eqt.TestData;
import eqt.formats.Formats;
import eqt.formats.Record;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate, invert and torch end to end on a tiny default model trained through the command line. */
class SubcommandsTest {

    @TempDir
    Path dir;

    private static final List<String> TINY = List.of("--windows", "12", "--window_length", "200", "--d_model", "8",
            "--n_head", "2", "--num_layers", "1", "--dim_feedforward", "16", "--max_length", "200", "--batch_size", "4",
            "--threads", "1");

    private record Outcome(int code, String err) {
    }

    private Outcome run(String... args) {
        StringWriter err = new StringWriter();
        return new Outcome(Main.run(new PrintWriter(err, true), args), err.toString());
    }

    private Path train(Path data, String... more) {
        Path run = dir.resolve("run" + more.length);
        List<String> a = new ArrayList<>(TINY);
        a.addAll(List.of("--data-dir", data.toString(), "--epochs", "2", "--out", run.toString()));
        a.addAll(List.of(more));
        if (!a.contains("reference")) a.addAll(List.of("--fir_taps", "64"));
        Outcome t = run(a.toArray(new String[0]));
        assertEquals(0, t.code(), t.err());
        return run.resolve("model_transf/model.eqt");
    }

    @Test
    void evaluateScoresTheContinuousHeldOutBlocksAgainstTheClassicalInversesAndZero() throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 3);
        Path ckpt = train(data);
        Path out = dir.resolve("eval");
        Outcome e = run("evaluate", "--checkpoint", ckpt.toString(), "--data-dir", data.toString(), "--out",
                out.toString(), "--threads", "1");
        assertEquals(0, e.code(), e.err());
        JsonNode j = new ObjectMapper().readTree(out.resolve("evaluation.json").toFile());
        assertEquals(11, j.path("split").path("windows").asInt() - 1, "12 windows, the last of them held out");
        assertEquals(1, j.path("split").path("testWindows").asInt(), "a tenth of 12, at least one");
        assertEquals(List.of(2200, 2400), List.of(j.path("spans").path("test_samples").get(0).asInt(),
                j.path("spans").path("test_samples").get(1).asInt()), "the test block as one continuous span");
        JsonNode methods = j.path("methods");
        for (String m : List.of("model", "wiener-hopf", "spectral-wiener", "zero", "model, windowed")) {
            assertTrue(methods.path(m).path("test").path("mse").asDouble() > 0, m);
            assertEquals(10, methods.path(m).path("test_channels").size(), m);
        }
        String best = j.path("best_classical").asText();
        assertTrue(List.of("wiener-hopf", "spectral-wiener").contains(best), best);
        double bestVal = methods.path(best).path("validation").path("mse").asDouble();
        for (String m : List.of("wiener-hopf", "spectral-wiener")) {
            assertTrue(bestVal <= methods.path(m).path("validation").path("mse").asDouble(), "chosen on validation: " + m);
        }
        double base = methods.path(best).path("test").path("mse").asDouble();
        double zero = methods.path("zero").path("test").path("mse").asDouble();
        assertTrue(base < zero, "the classical inverse beats zero on physical data: " + base + " vs " + zero);
        assertEquals(methods.path("model").path("test").path("mse").asDouble() / base,
                j.path("model_to_best_classical_mse_ratio").asDouble(), 1e-12);
        assertTrue(Files.size(out.resolve("snr_per_channel.png")) > 0);
        assertTrue(Files.size(out.resolve("waveform_0.png")) > 0);
        assertEquals(2, run("evaluate", "--checkpoint", ckpt.toString(), "--threads", "0").code());
    }

    @Test
    void invertWritesTheWholeRecordAndRefusesWhatItCannotInvert() throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 4);
        Path ckpt = train(data);
        Path out = dir.resolve("source.npy");
        Outcome i = run("invert", "--checkpoint", ckpt.toString(), "--input", data.toString(), "--output",
                out.toString(), "--threads", "1");
        assertEquals(0, i.code(), i.err());
        Record r = Formats.read(List.of(out), 10, 100);
        assertEquals(10, r.channels().size());
        assertEquals(TestData.TINY.samplesPerFile(), r.samples(), "every sample of the record comes back");
        assertEquals(2, run("invert", "--checkpoint", ckpt.toString(), "--input", data.toString(), "--output",
                out.toString()).code(), "an existing output is not overwritten without --overwrite");
        Path one = dir.resolve("one.npy");
        Formats.write(new Record(List.of("a"), List.of(new float[500]), 100, null), one, "npy");
        Outcome wrong = run("invert", "--checkpoint", ckpt.toString(), "--input", one.toString(), "--output",
                dir.resolve("x.npy").toString());
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("inverts 10 channels; the input has 1"), wrong.err());
        assertFalse(Files.exists(dir.resolve("x.npy")), "nothing written on bad input");
    }

    @Test
    void torchExportThenImportGivesTheSameWeights() throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 5);
        List<String> ref = new ArrayList<>(List.of("--model", "reference"));
        Path ckpt = train(data, ref.toArray(new String[0]));
        Path pkl = dir.resolve("model.pkl");
        Outcome x = run("torch", "export", "--checkpoint", ckpt.toString(), "--output", pkl.toString());
        assertEquals(0, x.code(), x.err());
        Path back = dir.resolve("back.eqt");
        Outcome i = run("torch", "import", "--state-dict", pkl.toString(), "--output", back.toString(), "--n_head", "2",
                "--max_length", "200");
        assertEquals(0, i.code(), i.err());
        var a = eqt.checkpoint.Checkpoint.read(ckpt).tensors();
        var b = eqt.checkpoint.Checkpoint.read(back).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) org.junit.jupiter.api.Assertions.assertArrayEquals(a.get(k), b.get(k), k);
        Outcome bad = run("torch", "import", "--state-dict", data.resolve("value_0").toString(), "--output",
                dir.resolve("y.eqt").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("not a PyTorch zip checkpoint"), bad.err());
    }
}
