package eqt.model;

import eqt.ops.Precision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.Split;
import eqt.data.SyntheticGenerator;
import eqt.device.Devices;
import eqt.device.SelectedDevice;
import eqt.infer.LongRecord;
import eqt.io.BadInputException;
import eqt.train.TrainConfig;
import eqt.train.TrainLog;
import eqt.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The default model starts at its continuous classical inverse and never ends worse on validation. */
class WienerModelTest {

    private static final SelectedDevice CPU = Devices.select("cpu");
    private static final Layout LAYOUT = new Layout(3, 20, 300);
    private static final Split SPLIT = new Split(20, 2, 2);

    private static WienerModel fitted(EqDataset d) {
        return fitted(d, ModelKind.WIENER_TRANSFORMER);
    }

    private static WienerModel fitted(EqDataset d, ModelKind kind) {
        ModelConfig c = kind == ModelKind.WIENER_CNN
                ? new ModelConfig(kind, 3, new ModelConfig.Encoder(8, 1, 3, 8), new ModelConfig.Dropouts(0, 0), 300, true, 3, 512)
                : new ModelConfig(kind, 3, new ModelConfig.Encoder(16, 2, 1, 32), new ModelConfig.Dropouts(0, 0), 300, true, 10, 512);
        WienerModel m = new WienerModel(c, Tiny.CPU, 0);
        m.fitToTrainingData(d, SPLIT);
        return m;
    }

    private static float[] interleaved(float[][] r) {
        float[] out = new float[r[0].length * r.length];
        for (int c = 0; c < r.length; c++) for (int t = 0; t < r[0].length; t++) out[t * r.length + c] = r[c][t];
        return out;
    }

    /** Before training, inverting a record through windows gives exactly the linear path's inverse of the record. */
    @ParameterizedTest
    @EnumSource(value = ModelKind.class, names = {"WIENER_CNN", "WIENER_TRANSFORMER"})
    void untrainedItIsTheBestClassicalInverseOfTheWholeRecord(ModelKind kind) {
        EqDataset d = new SyntheticGenerator(LAYOUT, 3, SyntheticGenerator.Physics.FAMILIES.get("reverb")).generate();
        WienerModel m = fitted(d, kind);
        float[] want = interleaved(eqt.infer.Gates.linearOnly(m.classical().linearPath(), d.stationRecords()));
        float[] got = LongRecord.invert(m, d.stationRecords(), 300, 75, n -> { });
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4 * scale, "sample " + i);
        assertEquals(6, m.inputChannels(), "stations, then their linear estimates");
    }

    /** A run that only gets worse on validation keeps epoch 0: the linear path, unchanged. */
    @Test
    void aRunThatOnlyGetsWorseKeepsTheLinearPath() {
        EqDataset d = new SyntheticGenerator(LAYOUT, 4).generate();
        WienerModel m = fitted(d);
        float[] before = LongRecord.invert(m, d.stationRecords(), 300, 75, n -> { });
        // A learning rate of 5 wrecks the correction from the first step.
        TrainConfig tc = new TrainConfig(2, new TrainConfig.Batches(4, TrainConfig.Sampling.CROPS), 0, 11, new TrainConfig.Optimization(TrainConfig.Optimizer.ADAM, 5.0, 0), new TrainConfig.LrSchedule(TrainConfig.Schedule.STEP, 0, 1000, 0.5), new TrainConfig.Holdout(2, 2), Precision.FP32);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Devices.seed(0);
        Trainer.Result r = new Trainer(m, tc, CPU).fit(d.withInputs(m.inputs(d.stationRecords())), SPLIT,
                new TrainLog(null), new PrintStream(log), false, 1, p -> { });
        assertEquals(0, r.progress().bestEpoch(), log.toString());
        assertTrue(log.toString().contains("kept epoch 0 (the linear path, before training)"), log.toString());
        float[] after = LongRecord.invert(m, d.stationRecords(), 300, 75, n -> { });
        for (int i = 0; i < before.length; i++) assertEquals(before[i], after[i], 0f, "sample " + i);
    }

    /**
     * With a patience of 2, a run that only gets worse stops after epoch 2 of 10 (two epochs past the best, epoch
     * 0), keeps epoch 0, saves once as finished (a resume finds nothing left) and says why.
     */
    @Test
    void aRunOutOfPatienceStopsEarlyAndKeepsTheBestEpoch() {
        EqDataset d = new SyntheticGenerator(LAYOUT, 4).generate();
        WienerModel m = fitted(d);
        float[] before = LongRecord.invert(m, d.stationRecords(), 300, 75, n -> { });
        TrainConfig tc = new TrainConfig(10, new TrainConfig.Batches(4, TrainConfig.Sampling.CROPS), 0, 11, new TrainConfig.Optimization(TrainConfig.Optimizer.ADAM, 5.0, 0), new TrainConfig.LrSchedule(TrainConfig.Schedule.STEP, 0, 1000, 0.5), new TrainConfig.Holdout(2, 2), Precision.FP32, 2);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Integer> saved = new java.util.ArrayList<>();
        Devices.seed(0);
        Trainer.Result r = new Trainer(m, tc, CPU).fit(d.withInputs(m.inputs(d.stationRecords())), SPLIT,
                new TrainLog(null), new PrintStream(log), false, 100, p -> saved.add(p.epoch()));
        assertFalse(r.stopped(), "an early stop is the end of training, not an interruption");
        assertEquals(0, r.progress().bestEpoch(), log.toString());
        assertEquals(2, r.progress().epochLosses().size(), "epochs 1 and 2 trained, 3-10 not: " + log);
        assertEquals(List.of(11), saved, "one save, marked finished");
        assertTrue(log.toString().contains("stopped early: no lower validation loss in the last 2 epochs"), log.toString());
        assertTrue(log.toString().contains("kept epoch 0"), log.toString());
        float[] after = LongRecord.invert(m, d.stationRecords(), 300, 75, n -> { });
        for (int i = 0; i < before.length; i++) assertEquals(before[i], after[i], 0f, "sample " + i);
    }

    @Test
    void aNonFiniteLossStopsTrainingWithOneLine() {
        EqDataset d = new SyntheticGenerator(LAYOUT, 5).generate();
        WienerModel m = fitted(d);
        float[][] in = m.inputs(d.stationRecords());
        in[0] = in[0].clone();
        java.util.Arrays.fill(in[0], Float.NaN); // a corrupt station record reaches training
        TrainConfig tc = new TrainConfig(1, new TrainConfig.Batches(4, TrainConfig.Sampling.CROPS), 0, 11, new TrainConfig.Optimization(TrainConfig.Optimizer.ADAMW, 1e-3, 0), new TrainConfig.LrSchedule(TrainConfig.Schedule.STEP, 0, 1000, 0.5), new TrainConfig.Holdout(2, 2), Precision.FP32);
        List<Integer> saved = new java.util.ArrayList<>();
        BadInputException e = assertThrows(BadInputException.class, () -> new Trainer(m, tc, CPU).fit(
                d.withInputs(in), SPLIT, new TrainLog(null), new PrintStream(new ByteArrayOutputStream()), false, 1,
                p -> saved.add(p.epoch())));
        assertTrue(e.getMessage().startsWith("training diverged: loss NaN in epoch 1, batch 1"), e.getMessage());
        assertEquals(List.of(), saved, "nothing saved over the last finite checkpoint");
    }

    private static TrainConfig oneEpoch(double lr) {
        return new TrainConfig(1, new TrainConfig.Batches(4, TrainConfig.Sampling.CROPS), 0, 11,
                new TrainConfig.Optimization(TrainConfig.Optimizer.ADAM, lr, 0),
                new TrainConfig.LrSchedule(TrainConfig.Schedule.STEP, 0, 1000, 0.5), new TrainConfig.Holdout(2, 2), Precision.FP32);
    }

    /** Trains {@code m} one epoch on the first 16 windows of {@code d} (nothing held out, so nothing rolled back). */
    private static void trainOneEpoch(WienerModel m, EqDataset d, int[] lossFrom) {
        Devices.seed(0);
        new Trainer(m, oneEpoch(0.05), CPU).lossFrom(lossFrom).fit(d.withInputs(m.inputs(d.stationRecords())), 16,
                new TrainLog(null), new PrintStream(new ByteArrayOutputStream()), false);
    }

    /**
     * A pair's loss counts only from where its relation begins: wrecking pair 0's sources before that sample leaves
     * the trained weights bit for bit the same; without the start, the same wreck changes them.
     */
    @Test
    void theLossCountsAPairOnlyFromWhereItsRelationBegins() {
        EqDataset d = new SyntheticGenerator(LAYOUT, 7).generate();
        float[][] src = new float[3][];
        float[][] sta = new float[3][];
        for (int c = 0; c < 3; c++) {
            src[c] = d.sourceRecord(c).clone();
            sta[c] = d.stationRecord(c);
        }
        for (int t = 0; t < 2400; t++) src[0][t] = 10 * src[0][t] + 5;
        EqDataset wrecked = new EqDataset(LAYOUT, src, sta);
        int[] from = {2400, 0, 0};
        WienerModel clean = fitted(d, ModelKind.WIENER_CNN);
        WienerModel masked = fitted(d, ModelKind.WIENER_CNN);
        WienerModel plain = fitted(d, ModelKind.WIENER_CNN);
        trainOneEpoch(clean, d, from);
        trainOneEpoch(masked, wrecked, from);
        trainOneEpoch(plain, wrecked, null);
        boolean plainDiffers = false;
        for (String k : clean.state().keySet()) {
            float[] a = eqt.ops.Tensors.toArray(clean.state().get(k));
            assertArrayEquals(a, eqt.ops.Tensors.toArray(masked.state().get(k)), k);
            plainDiffers |= !java.util.Arrays.equals(a, eqt.ops.Tensors.toArray(plain.state().get(k)));
        }
        assertTrue(plainDiffers, "without lossFrom the wrecked samples must move the weights (or the test proves nothing)");
    }

    /**
     * Gates keep their share of the correction: stored beside the weights, a loaded model inverts as
     * {@code linear + g·(network − linear)} per pair; error bars stored without gates remove them.
     */
    @Test
    void gatesKeepTheirShareOfTheCorrectionAndTravelInTheCheckpoint(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        EqDataset d = new SyntheticGenerator(LAYOUT, 8).generate();
        WienerModel m = fitted(d, ModelKind.WIENER_CNN);
        trainOneEpoch(m, d, null);
        float[] network = LongRecord.invert(m, d.stationRecords(), 300, 75, n -> { });
        float[][] linear = eqt.infer.Gates.linearOnly(m.linearPath(), d.stationRecords());
        double moved = 0;
        double scale = 0;
        for (int i = 0; i < network.length; i++) {
            moved = Math.max(moved, Math.abs(network[i] - linear[i % 3][i / 3]));
            scale = Math.max(scale, Math.abs(network[i]));
        }
        assertTrue(moved > 1e-3 * scale, "the trained correction must be non-zero: " + moved);
        java.nio.file.Path ckpt = dir.resolve("m.eqt");
        eqt.checkpoint.Checkpoint.save(m, java.util.Map.of(), ckpt);
        double[] gates = {0, 1, 0.5};
        double[] q = new double[99];
        for (int i = 0; i < q.length; i++) q[i] = 1 + eqt.dsp.ErrorBars.MIN_LEVEL + i * eqt.dsp.ErrorBars.STEP;
        double[][] floors = {{1e-9, 1e-9}, {1e-9, 1e-9}, {1e-9, 1e-9}};
        double[][] coef = {{-2, 0, 0}, {-2, 0, 0}, {-2, 0, 0}};
        eqt.checkpoint.Checkpoint.addCalibration(ckpt, gates, new eqt.dsp.ErrorBars(eqt.dsp.ErrorBars.SPAN, floors, coef, q));
        assertArrayEquals(gates, eqt.checkpoint.Checkpoint.read(ckpt).gates());
        float[] want = new eqt.infer.Gates.Choice(gates, null, null, null).apply(network, linear);
        float[] got = LongRecord.invert(eqt.checkpoint.Checkpoint.load(ckpt, Tiny.CPU), d.stationRecords(), 300, 75, n -> { });
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5 * scale, "sample " + i);
        eqt.checkpoint.Checkpoint.addErrorBars(ckpt, new eqt.dsp.ErrorBars(eqt.dsp.ErrorBars.SPAN, floors, coef, q));
        assertEquals(null, eqt.checkpoint.Checkpoint.read(ckpt).gates(), "bars calibrated without gates remove them");
    }
}
