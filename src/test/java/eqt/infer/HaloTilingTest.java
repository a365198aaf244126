package eqt.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.data.EqDataset;
import eqt.data.Split;
import eqt.dsp.LinearInverse;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.model.ModelKind;
import eqt.ops.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Halo chunks ({@link Tiling}) against what they must equal: the model run over the whole record as one window,
 * through libtorch's own operations (gradients on, so not the fused kernel the chunks run on).
 */
class HaloTilingTest {

    static final Device CPU = new Device(torch.DeviceType.CPU);
    static final int PAIRS = 2;

    /** A wiener-cnn of 5 blocks (reach 31) whose head is not zero, so the network shapes the output. */
    static Model cnn() {
        ModelConfig c = new ModelConfig(ModelKind.WIENER_CNN, PAIRS, new ModelConfig.Encoder(16, 1, 5, 16),
                new ModelConfig.Dropouts(0, 0), 300, true, 3, 64);
        Model m = Model.create(c, CPU, 5);
        try (NoGradGuard g = new NoGradGuard()) {
            m.parameters().get("head.weight").uniform_(-0.5, 0.5, new GeneratorOptional());
        }
        return m;
    }

    static float[][] record(int samples) {
        float[][] s = new float[PAIRS][samples];
        java.util.Random r = new java.util.Random(7);
        for (float[] row : s) for (int t = 0; t < samples; t++) row[t] = (float) (Math.sin(0.021 * t) + 0.5 * r.nextGaussian());
        return s;
    }

    /** The whole record through the model as one window, by libtorch's operations. */
    static float[] whole(Model m, float[][] stations) {
        int n = stations[0].length;
        float[] x = LongRecord.interleave(m.inputs(stations));
        Tensor y = m.forward(Tensors.of(x, CPU, 1, n, m.inputChannels()), false);
        return Tensors.toArray(y);
    }

    @Test
    void theDefaultModelReaches255AndIsTiledInHaloChunks() {
        Model m = Model.create(ModelConfig.wienerCnn(10), CPU, 1);
        assertEquals(255, m.reach());
        Tiling t = Tiling.of(m, 8_640_000, 1500, 375);
        assertTrue(t.halo());
        assertEquals(Tiling.HALO_CHUNK, t.window());
        assertEquals(510, t.overlap());
        assertEquals(-1, Model.create(ModelConfig.wienerTransformer(10), CPU, 1).reach(), "attention: windows");
        assertTrue(!Tiling.of(m, 1500, 1500, 375).halo(), "a record of one window stays that window");
    }

    @Test
    void chunksGiveTheWholeRecordInOnePass() {
        Model m = cnn();
        int n = 3 * Tiling.HALO_CHUNK + 1234;
        float[][] rec = record(n);
        Tiling t = Tiling.of(m, n, 300, 75);
        assertTrue(t.halo() && t.count(n) == 4, t.toString());
        float[] want = whole(m, rec);
        assertArrayEquals(want, LongRecord.invert(m, rec, 300, 75, 1, k -> { }), 5e-6f);
        List<Long> seen = new ArrayList<>();
        assertArrayEquals(want, LongRecord.invert(m, rec, 300, 75, 3, seen::add), 5e-6f, "three workers");
        assertEquals(t.count(n), (long) seen.get(seen.size() - 1), "progress reaches every chunk");
    }

    /** A halo half as wide as the reach leaves each chunk's edge effect in the output: the comparisons above catch it. */
    @Test
    void aReachTooShortIsCaught() {
        Model m = cnn();
        int n = 2 * Tiling.HALO_CHUNK + 500;
        float[][] rec = record(n);
        float[] want = whole(m, rec);
        float[] got = LongRecord.invert(new WithReach(m, m.reach() / 2), rec, 300, 75, 1, k -> { });
        double worst = 0;
        for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
        // The comparisons above allow 5e-6 (the correct halo is within 1e-6 of the whole pass). One sample short
        // is not a fault they can see: only the outermost tap of the widest block meets the padding (≈ 1e-5).
        assertTrue(worst > 100 * 5e-6, "edge effect " + worst);
    }

    /**
     * Against tapered windows (the same model told it has no reach): equal wherever one window's flat middle,
     * at least the reach from its edges, gave the sample alone; elsewhere the windows' own edge effects.
     */
    @Test
    void equalsTaperedWindowsWhereAWindowSawTheWholeReach() {
        Model m = cnn();
        int n = Tiling.HALO_CHUNK + 2000;
        float[][] rec = record(n);
        float[] halo = LongRecord.invert(m, rec, 300, 75, 1, k -> { });
        float[] windows = LongRecord.invert(new WithReach(m, -1), rec, 300, 75, 1, k -> { });
        Tiling w = new Tiling(300, 75, -1);
        int compared = 0;
        for (long k = 0; k + 2 < w.count(n); k++) { // the last window, moved back, overlaps more
            long s = w.start(k, n);
            for (long t = s + 75; t < s + 225; t++) { // one window alone; ≥ 75 > reach 31 from its edges
                for (int c = 0; c < PAIRS; c++) assertEquals(windows[(int) t * PAIRS + c], halo[(int) t * PAIRS + c], 5e-6f);
                compared++;
            }
        }
        assertTrue(compared > n / 3, compared + " samples compared");
    }

    /** The model with another reach: everything else its own. */
    private record WithReach(Model inner, int reach) implements Model {
        public ModelConfig config() {
            return inner.config();
        }

        public Device device() {
            return inner.device();
        }

        public Map<String, Tensor> parameters() {
            return inner.parameters();
        }

        public Map<String, Tensor> state() {
            return inner.state();
        }

        public Tensor forward(Tensor x, boolean train) {
            return inner.forward(x, train);
        }

        public int inputChannels() {
            return inner.inputChannels();
        }

        public List<LinearInverse> linearPath() {
            return inner.linearPath();
        }

        public void fitToTrainingData(EqDataset data, Split split) {
            inner.fitToTrainingData(data, split);
        }
    }
}
