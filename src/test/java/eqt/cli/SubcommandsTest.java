package eqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
        // A dropout merged as a run of zeros into pair 3's station record, inside the test block (2 200-2 399)
        Path station = data.resolve("value_13");
        List<String> lines = new ArrayList<>(Files.readAllLines(station));
        for (int t = 2250; t < 2330; t++) lines.set(t, "0.0");
        Files.write(station, lines);
        // And pair 5's sensor clipped: held at the largest value before it (full scale), 50 test samples (2 300-2 349)
        Path clippedStation = data.resolve("value_15");
        List<String> clipped = new ArrayList<>(Files.readAllLines(clippedStation));
        double peak = 0;
        for (int t = 0; t < 2300; t++) peak = Math.max(peak, Math.abs(Double.parseDouble(clipped.get(t))));
        for (int t = 2300; t < 2350; t++) clipped.set(t, Float.toString((float) peak));
        Files.write(clippedStation, clipped);
        double sourceInGap = 0;
        List<String> source = Files.readAllLines(data.resolve("value_3"));
        for (int t = 2250; t < 2330; t++) sourceInGap += Math.pow(Double.parseDouble(source.get(t)), 2);
        List<String> clippedSource = Files.readAllLines(data.resolve("value_5"));
        for (int t = 2300; t < 2350; t++) sourceInGap += Math.pow(Double.parseDouble(clippedSource.get(t)), 2);
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
        // The test error where the station recorded nothing and elsewhere, apart: 130 of the 2 000 test samples
        for (String m : List.of("model", "wiener-hopf", "zero")) {
            double in = methods.path(m).path("test_mse_in_gaps").asDouble();
            double outside = methods.path(m).path("test_mse_outside_gaps").asDouble();
            assertEquals(methods.path(m).path("test").path("mse").asDouble() * 2000, in * 130 + outside * 1870,
                    1e-7 * (in * 130 + outside * 1870), m + ": the two parts pool to the whole (Metrics sums in its own order)");
        }
        assertEquals(sourceInGap / 130, methods.path("zero").path("test_mse_in_gaps").asDouble(), 1e-6 * sourceInGap / 130,
                "zero's error inside the dropout and the clipped run is the source's power there");
        JsonNode anchor = methods.path(j.path("anchor").asText());
        assertEquals(methods.path("model").path("test_mse_outside_gaps").asDouble()
                        / anchor.path("test_mse_outside_gaps").asDouble(),
                j.path("model_to_anchor_mse_ratio_outside_gaps").asDouble(), 1e-12);
        JsonNode iv = j.path("intervals");
        assertTrue(iv.path("stored").asBoolean(), "training calibrated the checkpoint's error bars at its end");
        assertEquals(0.9, iv.path("level").asDouble(), 0);
        double val = iv.path("validation").asDouble();
        // Split-conformal on each third of validation, the widest third's bound (pooled, 2 000 scores here): every
        // third covers at least the level, so the block does, up to one sample on the bound per third that float
        // rounding between training's estimate and evaluate's may move; a third of ~670 scores widens it a few points.
        assertTrue(Math.round(val * 2000) >= 1797 && val <= 0.95, "calibrated on validation, so it covers the level there: " + val);
        assertEquals(10, iv.path("testChannels").size());
        double test = iv.path("test").asDouble();
        assertTrue(test > 0 && test <= 1, "coverage is a share of the test samples: " + test);
        assertEquals(130, iv.path("testGapSamples").asLong(), "the dropout and the clipped run are missing");
        assertEquals(50, iv.path("testSaturatedSamples").asLong(), "of which the clipped run, held at full scale");
        double clippedCover = iv.path("testSaturated").asDouble();
        assertTrue(clippedCover >= 0 && clippedCover <= 1, "its coverage reported apart: " + clippedCover);
        assertTrue(Files.size(out.resolve("snr_per_channel.png")) > 0);
        assertTrue(Files.size(out.resolve("waveform_0.png")) > 0);
        assertEquals(2, run("evaluate", "--checkpoint", ckpt.toString(), "--threads", "0").code());
    }

    /**
     * At 16 features (the width the fused pass takes) {@code --precision bf16} inverts through the bf16 path: the
     * same record to bf16's precision, not bit for bit; an unknown precision is refused by name.
     */
    @Test
    void invertAtBf16StaysWithinBf16PrecisionOfFp32() throws Exception {
        assumeTrue(eqt.ops.PairConvKernel.hasBf16() && eqt.ops.Autocast.available(), "no AVX512-BF16 or no autocast");
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 4);
        List<String> a = new ArrayList<>(TINY);
        a.set(a.indexOf("--d_model") + 1, "16");
        // No validation block: a 2-epoch network's correction is kept whatever validation would say (bf16 touches
        // only the network, so it must have something to change), and no per-pair gate is chosen.
        a.addAll(List.of("--data-dir", data.toString(), "--epochs", "2", "--out", dir.resolve("run16").toString(),
                "--fir_taps", "64", "--val_windows", "0"));
        assertEquals(0, run(a.toArray(new String[0])).code());
        String ckpt = dir.resolve("run16/model_transf/model.eqt").toString();
        float[][] y = new float[2][];
        String[] precisions = {"fp32", "bf16"};
        for (int k = 0; k < 2; k++) {
            Path out = dir.resolve(precisions[k] + ".npy");
            Outcome i = run("invert", "--checkpoint", ckpt, "--input", data.toString(), "--output", out.toString(),
                    "--precision", precisions[k]);
            assertEquals(0, i.code(), i.err());
            y[k] = Formats.read(List.of(out), 10, 100).channels().get(3);
        }
        double diff = 0;
        double norm = 0;
        for (int t = 0; t < y[0].length; t++) {
            diff += (y[1][t] - y[0][t]) * (double) (y[1][t] - y[0][t]);
            norm += y[0][t] * (double) y[0][t];
        }
        double rel = Math.sqrt(diff / norm);
        assertTrue(rel > 0 && rel < 1e-2, "bf16 against fp32, relative RMS " + rel);
        Outcome bad = run("invert", "--checkpoint", ckpt, "--input", data.toString(), "--output",
                dir.resolve("x.npy").toString(), "--precision", "fp16");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown precision 'fp16'; valid: fp32, bf16"), bad.err());
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
    void invertWritesCalibratedIntervalsBesideTheEstimateInEveryFormat() throws Exception {
        Path data = TestData.write(dir.resolve("data"), TestData.TINY, 5);
        Path ckpt = train(data);
        Path out = dir.resolve("source.npy");
        Outcome i = run("invert", "--checkpoint", ckpt.toString(), "--input", data.toString(), "--output",
                out.toString(), "--threads", "1", "--intervals", "0.9");
        assertEquals(0, i.code(), i.err());
        float[][] est = channels(out);
        float[][] lo = channels(dir.resolve("source.lo90.npy"));
        float[][] hi = channels(dir.resolve("source.hi90.npy"));
        float[][] plain = channels(invert(ckpt, data, "plain.npy"));
        int widerSomewhere = 0;
        for (int c = 0; c < 10; c++) {
            assertTrue(java.util.Arrays.equals(plain[c], est[c]), "the estimate is the same with or without intervals");
            for (int t = 0; t < est[c].length; t++) {
                assertTrue(lo[c][t] < est[c][t] && est[c][t] < hi[c][t], "bounds on either side at " + c + "/" + t);
                assertEquals(est[c][t] - lo[c][t], hi[c][t] - est[c][t], 1e-5 * (1 + Math.abs(est[c][t])), "symmetric");
                if (hi[c][t] - lo[c][t] > 1.5 * (hi[c][0] - lo[c][0])) widerSomewhere++;
            }
        }
        assertTrue(widerSomewhere > 0, "the width follows the estimate, it is not one constant");
        // A dropout merged into the input as a run of zeros: the bars there are the missing samples' (the source's
        // level), not the estimate's, which falls towards zero inside it. Shown on the channel whose own bars are
        // most often narrower than the level's (on a channel whose bars are wider everywhere, as a 2-epoch model's
        // can be, the two could not be told apart).
        eqt.dsp.ErrorBars bars = eqt.checkpoint.Checkpoint.read(ckpt).errorBars();
        int droppedChannel = 0;
        int mostNarrower = -1;
        for (int c = 0; c < 10; c++) {
            int k = 0;
            for (int t = 0; t < est[c].length; t++) if (hi[c][t] - est[c][t] < 0.9 * bars.missingHalfWidth(c, 0.9, 0)) k++;
            if (k > mostNarrower) {
                mostNarrower = k;
                droppedChannel = c;
            }
        }
        Record stations = Formats.read(List.of(data), 10, 100);
        int n = stations.channels().get(droppedChannel).length;
        int from = n / 4;
        int to = from + Math.min(600, n / 4);
        java.util.Arrays.fill(stations.channels().get(droppedChannel), from, to, 0f);
        Path dropped = dir.resolve("dropped.npy");
        Formats.write(stations, dropped, "npy");
        assertEquals(0, run("invert", "--checkpoint", ckpt.toString(), "--input", dropped.toString(), "--output",
                dir.resolve("d.npy").toString(), "--threads", "1", "--intervals", "0.9").code());
        float[][] dEst = channels(dir.resolve("d.npy"));
        float[][] dHi = channels(dir.resolve("d.hi90.npy"));
        double floor = bars.missingHalfWidth(droppedChannel, 0.9, 0);
        for (int t = from; t < to; t++) {
            assertTrue(dHi[droppedChannel][t] - dEst[droppedChannel][t] >= floor * (1 - 1e-4), "the missing samples' bars at " + t);
        }
        int narrower = 0;
        double narrowest = Double.POSITIVE_INFINITY;
        for (int t = 0; t < from; t++) {
            if (dHi[droppedChannel][t] - dEst[droppedChannel][t] < floor * 0.9) narrower++;
            narrowest = Math.min(narrowest, (dHi[droppedChannel][t] - dEst[droppedChannel][t]) / floor);
        }
        assertTrue(narrower > 0, "outside the dropout the level's bars, narrower somewhere: at best " + narrowest + " of them, channel "
                + droppedChannel + " (narrower at " + mostNarrower + " samples without the dropout)");
        Path sac = dir.resolve("sac");
        assertEquals(0, run("invert", "--checkpoint", ckpt.toString(), "--input", data.toString(), "--output",
                sac.toString(), "--format", "sac", "--intervals", "0.95", "--threads", "1").code());
        try (var files = Files.list(sac)) {
            for (Path f : files.toList()) {
                assertTrue(Files.isRegularFile(dir.resolve("sac.lo95").resolve(f.getFileName())), f + " has a lower bound");
                assertTrue(Files.isRegularFile(dir.resolve("sac.hi95").resolve(f.getFileName())), f + " has an upper bound");
            }
        }
        Outcome level = run("invert", "--checkpoint", ckpt.toString(), "--input", data.toString(), "--output",
                dir.resolve("x.npy").toString(), "--intervals", "0.3");
        assertEquals(2, level.code());
        assertTrue(level.err().contains("[0.5, 0.99]"), level.err());
        Path bare = withoutErrorBars(ckpt, dir.resolve("bare.eqt"));
        Outcome none = run("invert", "--checkpoint", bare.toString(), "--input", data.toString(), "--output",
                dir.resolve("y.npy").toString(), "--intervals", "0.9");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("eq calibrate --checkpoint"), none.err());
        assertFalse(Files.exists(dir.resolve("y.npy")), "nothing written on refusal");
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream was = System.out;
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(0, run("calibrate", "--checkpoint", bare.toString(), "--threads", "1").code());
        } finally {
            System.setOut(was);
        }
        String said = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(said.contains("where a station record is missing") && !said.contains("NaN"), said);
        assertEquals(0, run("invert", "--checkpoint", bare.toString(), "--input", data.toString(), "--output",
                dir.resolve("y.npy").toString(), "--intervals", "0.9", "--threads", "1").code());
        assertTrue(java.util.Arrays.equals(hi[3], channels(dir.resolve("y.hi90.npy"))[3]),
                "eq calibrate fits the same error bars as training's end");
    }

    private Path invert(Path ckpt, Path data, String name) {
        Path out = dir.resolve(name);
        assertEquals(0, run("invert", "--checkpoint", ckpt.toString(), "--input", data.toString(), "--output",
                out.toString(), "--threads", "1").code());
        return out;
    }

    private static float[][] channels(Path npy) {
        return Formats.read(List.of(npy), 10, 100).channels().toArray(new float[0][]);
    }

    /** A copy of {@code ckpt} without its error bars, as a checkpoint saved before training's end is. */
    private static Path withoutErrorBars(Path ckpt, Path to) throws Exception {
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(ckpt));
             var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(to))) {
            boolean had = false;
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.getName().equals(eqt.checkpoint.Checkpoint.ERROR_BARS)) {
                    had = true;
                    continue;
                }
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            assertTrue(had, "the trained checkpoint held error bars");
        }
        return to;
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
