package eqt.infer;

import eqt.model.Inference;
import eqt.model.ModelKind;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.model.Model;
import eqt.model.ModelConfig;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class LongRecordTest {

    static final Device CPU = new Device(torch.DeviceType.CPU);

    static Model tiny() {
        ModelConfig c = new ModelConfig(ModelKind.FIR_TRANSFORMER, 2, new ModelConfig.Encoder(16, 2, 1, 32), new ModelConfig.Dropouts(0, 0), 200, true, 10, 21);
        Model m = Model.create(c, CPU, 3);
        // The head starts at zero (output = filter); give it weights so the Transformer shapes the output too.
        try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
            m.parameters().get("head.weight").uniform_(-0.2, 0.2, new org.bytedeco.pytorch.GeneratorOptional());
        }
        return m;
    }

    static float[] signal(int samples, int ch) {
        float[] x = new float[samples * ch];
        for (int i = 0; i < x.length; i++) x[i] = (float) (Math.sin(0.013 * i) + 0.3 * Math.cos(0.29 * i));
        return x;
    }

    @Test
    void windowsCoverTheRecordAndTheTaperNeverVanishes() {
        Tiling tiling = new Tiling(200, 50, -1);
        long[] s = new long[(int) tiling.count(1000)];
        for (int i = 0; i < s.length; i++) s[i] = tiling.start(i, 1000);
        assertEquals(0, s[0]);
        assertEquals(800, s[s.length - 1]);
        for (int i = 1; i < s.length; i++) assertTrue(s[i] - s[i - 1] <= 150);
        for (float w : LongRecord.taper(200, 50)) assertTrue(w > 0 && w <= 1);
        assertEquals(1, tiling.count(50));
        assertEquals(-1, tiny().reach(), "a Transformer's windows: tapered");
    }

    @Test
    void aRecordOfOneWindowGivesWindowInference() {
        Model m = tiny();
        float[] x = signal(200, 2);
        assertArrayEquals(Inference.predict(m, x, 1, 200), LongRecord.invert(m, x, 200, 200, 50, n -> { }), 1e-6f);
    }

    @Test
    void shortRecordsArePaddedAndThePaddingRemoved() {
        Model m = tiny();
        float[] x = signal(120, 2);
        float[] padded = java.util.Arrays.copyOf(x, 400);
        float[] want = java.util.Arrays.copyOf(Inference.predict(m, padded, 1, 200), 240);
        float[] got = LongRecord.invert(m, x, 120, 200, 50, n -> { });
        assertEquals(240, got.length);
        assertArrayEquals(want, got, 1e-6f);
    }

    /**
     * Stitched output matches window-wise inference where one window alone covers a sample, and it has no seam:
     * the sample-to-sample step at window joins is no larger than the steps of window-wise inference itself.
     */
    @Test
    void stitchedResultHasNoSeams() {
        Model m = tiny();
        int n = 1000;
        float[] x = signal(n, 2);
        float[] y = LongRecord.invert(m, x, n, 200, 50, k -> { });
        // Samples 0..149 lie only in the first window (the second starts at 150).
        float[] first = Inference.predict(m, java.util.Arrays.copyOf(x, 400), 1, 200);
        for (int i = 0; i < 150 * 2; i++) assertEquals(first[i], y[i], 1e-5f, "sample " + i / 2);
        double maxStep = 0;
        for (int i = 2; i < y.length; i++) maxStep = Math.max(maxStep, Math.abs(y[i] - y[i - 2]));
        double ownStep = 0;
        for (int i = 2; i < 400; i++) ownStep = Math.max(ownStep, Math.abs(first[i] - first[i - 2]));
        assertTrue(maxStep <= 1.5 * ownStep, "largest step " + maxStep + " vs window-wise " + ownStep);
    }

    /** Chunks predicted on several threads are added in order: the result is the same, bit for bit. */
    @Test
    void parallelChunksGiveTheSequentialResult() {
        Model m = tiny();
        int n = 200 * 150; // 200 windows at a hop of 150: several chunks of 32
        float[] x = signal(n, 2);
        float[] one = LongRecord.invert(m, x, n, 200, 50, 1, k -> { });
        java.util.List<Long> seen = new java.util.ArrayList<>();
        float[] three = LongRecord.invert(m, x, n, 200, 50, 3, seen::add);
        assertArrayEquals(one, three);
        assertEquals(new Tiling(200, 50, -1).count(n), (long) seen.get(seen.size() - 1), "progress reaches every window");
        for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i) > seen.get(i - 1), "progress in order");
    }
}
