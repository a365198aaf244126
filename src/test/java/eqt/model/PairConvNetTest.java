package eqt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.model.nn.PairConvNet;
import eqt.model.nn.Registry;
import eqt.ops.Tensors;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** The default model's network: one set of weights for every pair, and a reach its dilations fix. */
class PairConvNetTest {

    private static final int PAIRS = 3;
    private static final int LEN = 64;
    private static final int BLOCKS = 3;

    /** A network with every weight drawn, the zero-initialised head included (so its output is not zero). */
    private static PairConvNet drawn(Registry r) {
        PairConvNet n = new PairConvNet(r, PAIRS, 8, BLOCKS, 3, new SplittableRandom(1));
        SplittableRandom rng = new SplittableRandom(2);
        try (NoGradGuard g = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : r.parameters().entrySet()) {
                if (!e.getKey().startsWith("head.")) continue;
                Tensor t = e.getValue();
                t.copy_(Tensors.of(Registry.uniform(rng, (int) t.numel(), 0.5), Tiny.CPU, t.sizes().vec().get()));
            }
        }
        return n;
    }

    /** {@code [1, LEN, 2·PAIRS]}: stations then estimates, sample-major. */
    private static float[] input(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] u = new float[LEN * 2 * PAIRS];
        for (int i = 0; i < u.length; i++) u[i] = (float) rng.nextGaussian();
        return u;
    }

    private static float[] correction(PairConvNet n, float[] u) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            return Tensors.toArray(n.correction(Tensors.of(u, Tiny.CPU, 1, LEN, 2 * PAIRS), 0, 0, false));
        }
    }

    @Test
    void everyPairIsCorrectedByTheSameWeightsAndOnlyFromItsOwnTraces() {
        PairConvNet n = drawn(new Registry(Tiny.CPU));
        float[] u = input(3);
        float[] y = correction(n, u);
        // swap pairs 0 and 2 (station and estimate alike): their corrections swap, pair 1's stays
        float[] swapped = u.clone();
        for (int t = 0; t < LEN; t++) {
            for (int half = 0; half < 2; half++) {
                int a = t * 2 * PAIRS + half * PAIRS;
                swapped[a] = u[a + 2];
                swapped[a + 2] = u[a];
            }
        }
        float[] ys = correction(n, swapped);
        for (int t = 0; t < LEN; t++) {
            assertEquals(y[t * PAIRS], ys[t * PAIRS + 2], 1e-5, "sample " + t);
            assertEquals(y[t * PAIRS + 1], ys[t * PAIRS + 1], 1e-5, "sample " + t);
            assertEquals(y[t * PAIRS + 2], ys[t * PAIRS], 1e-5, "sample " + t);
        }
        // new traces for pair 1 change pair 1 only
        float[] other = u.clone();
        for (int t = 0; t < LEN; t++) {
            other[t * 2 * PAIRS + 1] += 1;
            other[t * 2 * PAIRS + PAIRS + 1] -= 1;
        }
        float[] yo = correction(n, other);
        double changed = 0;
        for (int t = 0; t < LEN; t++) {
            assertEquals(y[t * PAIRS], yo[t * PAIRS], 0f, "pair 0, sample " + t);
            assertEquals(y[t * PAIRS + 2], yo[t * PAIRS + 2], 0f, "pair 2, sample " + t);
            changed = Math.max(changed, Math.abs(y[t * PAIRS + 1] - yo[t * PAIRS + 1]));
        }
        assertTrue(changed > 1e-3, "pair 1 moved by " + changed);
    }

    @Test
    void oneSampleReachesExactlyTheReceptiveFieldOnEitherSide() {
        PairConvNet n = drawn(new Registry(Tiny.CPU));
        int reach = PairConvNet.halfReach(BLOCKS, 3);
        assertEquals(7, reach, "kernel 3, dilations 1, 2, 4");
        float[] u = input(4);
        float[] y = correction(n, u);
        int at = LEN / 2;
        u[at * 2 * PAIRS] += 1; // pair 0's station sample
        float[] yp = correction(n, u);
        for (int t = 0; t < LEN; t++) {
            float d = Math.abs(y[t * PAIRS] - yp[t * PAIRS]);
            if (Math.abs(t - at) > reach) assertEquals(0f, d, "sample " + t + " is out of reach");
        }
        assertNotEquals(0f, y[(at - reach) * PAIRS] - yp[(at - reach) * PAIRS], "the reach's first sample");
        assertNotEquals(0f, y[(at + reach) * PAIRS] - yp[(at + reach) * PAIRS], "the reach's last sample");
    }

    /** The weights mean what nn.Conv1d's mean: the network equals the same layers run through libtorch's conv1d. */
    @Test
    void itComputesWhatConv1dComputesWithTheSameWeights() {
        Registry r = new Registry(Tiny.CPU);
        PairConvNet n = drawn(r);
        float[] u = input(5);
        float[] y = correction(n, u);
        Map<String, Tensor> w = r.parameters();
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            // [1, LEN, 2·PAIRS] → [PAIRS, 2, LEN]
            Tensor x = Tensors.of(u, Tiny.CPU, 1, LEN, 2 * PAIRS).reshape(LEN, 2, PAIRS).permute(2, 1, 0).contiguous();
            Tensor h = conv(x, w, "conv_in", 1);
            for (int l = 0; l < BLOCKS; l++) {
                Tensor inner = torch.gelu(conv(h, w, "blocks." + l + ".dilated", 1 << l));
                h = h.add(conv(inner, w, "blocks." + l + ".mix", 1));
            }
            float[] want = Tensors.toArray(conv(torch.gelu(h), w, "head", 1).reshape(PAIRS, LEN).transpose(0, 1));
            for (int i = 0; i < want.length; i++) assertEquals(want[i], y[i], 1e-5, "element " + i);
        }
    }

    private static Tensor conv(Tensor x, Map<String, Tensor> w, String name, long dilation) {
        Tensor weight = w.get(name + ".weight");
        long pad = dilation * (weight.size(2) - 1) / 2;
        return torch.conv1d(x, weight, new TensorOptional(w.get(name + ".bias")), new long[] {1}, new long[] {pad},
                new long[] {dilation}, 1);
    }
}
