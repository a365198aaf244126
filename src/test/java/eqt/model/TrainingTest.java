package eqt.model;

import eqt.ops.Tensors;

import static org.junit.jupiter.api.Assertions.*;

import eqt.TestData;
import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.SyntheticGenerator;
import eqt.device.Devices;
import eqt.device.SelectedDevice;
import eqt.model.Inference;
import eqt.dsp.Metrics;
import eqt.train.TrainConfig;
import eqt.train.TrainLog;
import eqt.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {

    @TempDir
    Path dir;

    private static final SelectedDevice CPU = Devices.select("cpu");
    private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @Test
    void oneStepLowersTheLossOnAFixedBatch() {
        EqDataset d = new SyntheticGenerator(TestData.TINY, 2).generate();
        EqTransformer m = new EqTransformer(Tiny.config(0.0), Tiny.CPU, 1);
        Trainer t = new Trainer(m, TrainConfig.reference(1, 4, 3e-3, 1), CPU);
        try (PointerScope s = new PointerScope()) {
            int len = TestData.TINY.windowLength();
            Tensor x = Tensors.of(d.stationWindows(0, 4), Tiny.CPU, 4, len, 10);
            Tensor y = Tensors.of(d.sourceWindows(0, 4), Tiny.CPU, 4, len, 10);
            long[] idx = {0, 1, 2, 3};
            float first = t.step(x, y, idx);
            float second = t.step(x, y, idx);
            assertTrue(second < first, "loss must fall on a fixed batch: " + first + " -> " + second);
        }
    }

    @Test
    void shortTrainingBeatsPredictingZero() throws Exception {
        // 30 windows of 400 samples, standardised: the reference architecture learns; on raw amplitudes it
        // collapses to predicting zero (see README), which is why --normalize exists.
        Layout l = new Layout(10, 31, 400);
        EqDataset d = new SyntheticGenerator(l, 4).generate();
        ModelConfig mc = new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(16, 2, 1, 64), new ModelConfig.Dropouts(0.0, 0.0), 400, true, 0, 0);
        Devices.seed(0);
        EqTransformer m = new EqTransformer(mc, Tiny.CPU, 0);
        m.setNormalization(Normalization.fit(d, 30));
        TrainConfig tc = TrainConfig.reference(60, 6, 1e-2, 0);
        Trainer.Result r;
        try (TrainLog log = new TrainLog(dir.resolve("log.jsonl"))) {
            r = new Trainer(m, tc, CPU).fit(d, 30, log, QUIET, false);
        }
        float[] truth = d.sourceWindows(0, 30);
        float[] pred = Inference.predict(m, d.stationWindows(0, 30), 30, 400);
        double zero = Metrics.mse(truth, new float[truth.length]);
        double model = Metrics.mse(truth, pred);
        assertTrue(model < 0.5 * zero, "train MSE " + model + " should be well below predicting zero " + zero);
        assertTrue(r.epochLosses().get(59) < r.epochLosses().get(0), "epoch losses should fall");
        assertEquals(60 * 5, r.batchLosses().size());
        long logged = Files.readAllLines(dir.resolve("log.jsonl")).stream().filter(s -> s.contains("\"epoch\",")).count();
        assertEquals(60, logged, "one epoch record per epoch in the JSON-lines log");
    }
}
