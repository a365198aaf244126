package eqt.ops;

import eqt.model.Tiny;
import eqt.model.Model;
import eqt.model.EqTransformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.TestData;
import eqt.data.EqDataset;
import eqt.data.SyntheticGenerator;
import eqt.device.Devices;
import eqt.io.BadInputException;
import eqt.train.TrainConfig;
import eqt.train.Trainer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** --precision bf16: autocast really engages, stays close to fp32, is undone on close, and training still learns. */
class AutocastTest {

    static float[] input(int n) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void bf16ForwardIsCloseToFp32ButNotIdenticalAndTheGuardRestoresState() {
        assumeTrue(AutocastApi.AVAILABLE, "this build's libtorch preset binds no autocast (-Psdaa)");
        Model m = new EqTransformer(Tiny.config(0), Tiny.CPU, 3);
        float[] x = input(2 * 256 * 10);
        float[] fp32;
        float[] bf16;
        assertFalse(AutocastApi.enabled(torch.DeviceType.CPU));
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor t = Tensors.of(x, Tiny.CPU, 2, 256, 10);
            fp32 = Tensors.toArray(m.forward(t, false));
            try (Autocast a = Autocast.open(Precision.BF16, Tiny.CPU)) {
                assertTrue(AutocastApi.enabled(torch.DeviceType.CPU));
                Tensor y = m.forward(t, false);
                assertEquals("BFloat16", y.scalar_type().toString(), "the output layer ran in bf16");
                bf16 = Tensors.toArray(y);
            }
        }
        assertFalse(AutocastApi.enabled(torch.DeviceType.CPU), "closing the guard restores the state");
        double err = 0;
        double norm = 0;
        for (int i = 0; i < x.length; i++) {
            err += (bf16[i] - fp32[i]) * (double) (bf16[i] - fp32[i]);
            norm += fp32[i] * (double) fp32[i];
        }
        double rel = Math.sqrt(err / norm);
        assertTrue(rel > 0, "bf16 must actually change the arithmetic");
        assertTrue(rel < 0.05, "bf16 relative error " + rel);
    }

    @Test
    void bf16TrainingStepsLowerTheLoss() {
        assumeTrue(AutocastApi.AVAILABLE, "this build's libtorch preset binds no autocast (-Psdaa)");
        EqDataset d = new SyntheticGenerator(TestData.TINY, 2).generate();
        EqTransformer m = new EqTransformer(Tiny.config(0.0), Tiny.CPU, 1);
        TrainConfig tc = new TrainConfig(1, new TrainConfig.Batches(4, TrainConfig.Sampling.WINDOWS), 1, 11, new TrainConfig.Optimization(TrainConfig.Optimizer.ADAM, 3e-3, 0), new TrainConfig.LrSchedule(TrainConfig.Schedule.STEP, 0, 1000, 0.5), new TrainConfig.Holdout(0, 1), Precision.BF16);
        Trainer t = new Trainer(m, tc, Devices.select("cpu"));
        try (PointerScope s = new PointerScope()) {
            int len = TestData.TINY.windowLength();
            Tensor x = Tensors.of(d.stationWindows(0, 4), Tiny.CPU, 4, len, 10);
            Tensor y = Tensors.of(d.sourceWindows(0, 4), Tiny.CPU, 4, len, 10);
            long[] idx = {0, 1, 2, 3};
            float first = t.step(x, y, idx);
            float second = t.step(x, y, idx);
            float third = t.step(x, y, idx);
            assertTrue(third < first, "loss must fall on a fixed batch: " + first + " -> " + second + " -> " + third);
        }
        assertFalse(AutocastApi.enabled(torch.DeviceType.CPU));
    }

    @Test
    void fp32NeedsNoGuardAndUnknownPrecisionsAreRefused() {
        assertNull(Autocast.open(Precision.FP32, Tiny.CPU));
        if (!AutocastApi.AVAILABLE) {
            assertTrue(assertThrows(BadInputException.class, () -> Autocast.open(Precision.BF16, Tiny.CPU)).getMessage()
                    .contains("bf16 precision needs the default build"));
        }
        assertTrue(assertThrows(BadInputException.class, () -> Precision.of("fp8")).getMessage()
                .contains("unknown precision 'fp8'; valid: fp32, bf16"));
    }
}
