package eqt.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class DropoutTest {

    private static final double P = 0.1;

    /** 1 000 001 values in [-1, 1) (odd length: the generator's last, unpaired element is covered too). */
    private static float[] values() {
        float[] v = new float[1_000_001];
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    @Test
    void keepsOneMinusPAndScalesTheKeptOnes() {
        try (PointerScope s = new PointerScope()) {
            float[] x = values();
            torch.manual_seed(1);
            float[] y = Tensors.toArray(Dropout.apply(Tensors.of(x, null, x.length), P, true));
            int kept = 0;
            for (int i = 0; i < x.length; i++) {
                if (y[i] != 0) {
                    kept++;
                    assertEquals(x[i] / (1 - P), y[i], 1e-6, "element " + i);
                }
            }
            // Binomial(1e6, 0.9): standard deviation 300, so 0.9 ± 0.0015 is five of them.
            assertEquals(0.9, kept / (double) x.length, 0.0015);
        }
    }

    /** The documented generator, written out: SplitMix64 of key + (i / 2) · golden gamma, low half for even i. */
    private static boolean kept(long key, int i, double p) {
        long z = key + (long) (i >> 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        long u = i % 2 == 0 ? z & 0xFFFFFFFFL : z >>> 32;
        return u >= (long) Math.ceil(p * 4294967296.0);
    }

    @Test
    void masksAreTheCounterBasedGeneratorKeyedByOneDrawFromTheSeed() {
        try (PointerScope s = new PointerScope()) {
            float[] ones = new float[1001];
            Arrays.fill(ones, 1f);
            torch.manual_seed(7);
            long key = Dropout.drawKey();
            torch.manual_seed(7);
            float[] dropped = Tensors.toArray(Dropout.unscaled(Tensors.of(ones, null, ones.length), 0.5));
            torch.manual_seed(7);
            float[] inPlace = Tensors.toArray(Dropout.reluInPlace(Tensors.of(ones, null, ones.length), 0.5, true));
            for (int i = 0; i < ones.length; i++) {
                float expected = kept(key, i, 0.5) ? 1f : 0f;
                assertEquals(expected, dropped[i], 0f, "mask element " + i);
                assertEquals(expected, inPlace[i], 0f, "in-place element " + i);
            }
        }
    }

    @Test
    void masksFollowTheSeedAndDifferBetweenCalls() {
        try (PointerScope s = new PointerScope()) {
            Tensor x = Tensors.of(values(), null, 1_000_001);
            torch.manual_seed(7);
            float[] a = Tensors.toArray(Dropout.apply(x, P, true));
            float[] b = Tensors.toArray(Dropout.apply(x, P, true));
            torch.manual_seed(7);
            float[] again = Tensors.toArray(Dropout.apply(x, P, true));
            assertArrayEquals(a, again);
            assertFalse(Arrays.equals(a, b), "two calls drew the same mask");
        }
    }

    @Test
    void reluInPlaceIsReluTimesTheMaskWithoutTheScale() {
        try (PointerScope s = new PointerScope()) {
            float[] x = values();
            Tensor t = Tensors.of(x, null, x.length);
            torch.manual_seed(2);
            Tensor target = t.clone();
            Tensor h = Dropout.reluInPlace(target, P, true);
            assertEquals(target.data_ptr().address(), h.data_ptr().address(), "not computed in place");
            float[] y = Tensors.toArray(h);
            int positive = 0;
            int kept = 0;
            for (int i = 0; i < x.length; i++) {
                if (x[i] <= 0) assertEquals(0f, y[i], 0f, "non-positive element " + i);
                else {
                    positive++;
                    if (y[i] != 0) {
                        kept++;
                        assertEquals(x[i], y[i], "kept element " + i);
                    }
                }
            }
            assertEquals(0.9, kept / (double) positive, 0.002);
            // the same elements as the boolean mask of the same draw
            torch.manual_seed(2);
            assertArrayEquals(Tensors.toArray(torch.relu(Dropout.unscaled(t, P))), y, 0f);
            assertArrayEquals(Tensors.toArray(torch.relu(t)), Tensors.toArray(Dropout.reluInPlace(t.clone(), P, false)));
        }
    }

    @Test
    void reluInPlaceGradientIsZeroWhereDroppedOrNotPositive() {
        try (PointerScope s = new PointerScope()) {
            Tensor t = Tensors.of(values(), null, 1_000_001);
            t.requires_grad_(true);
            Tensor h = Dropout.reluInPlace(t.mul(new org.bytedeco.pytorch.Scalar(2.0)), P, true);
            h.sum().backward();
            float[] out = Tensors.toArray(h);
            float[] grad = Tensors.toArray(t.grad());
            int kept = 0;
            for (int i = 0; i < out.length; i++) {
                assertEquals(out[i] > 0 ? 2f : 0f, grad[i], 0f, "element " + i);
                if (out[i] > 0) kept++;
            }
            assertEquals(0.45, kept / (double) out.length, 0.003); // half positive, 0.9 of those kept
        }
    }

    @Test
    void reluInPlaceFallsBackToLibtorchMasksForOtherTypes() {
        try (PointerScope s = new PointerScope()) {
            float[] x = values();
            Tensor d = Tensors.of(x, null, x.length).to(torch.ScalarType.Double);
            float[] y = Tensors.toArray(Dropout.reluInPlace(d, P, true));
            int positive = 0;
            int kept = 0;
            for (int i = 0; i < x.length; i++) {
                if (x[i] > 0) {
                    positive++;
                    if (y[i] != 0) kept++;
                }
                assertTrue(y[i] == 0 || y[i] == x[i], "element " + i);
            }
            assertEquals(0.9, kept / (double) positive, 0.002);
        }
    }

    @Test
    void gradientIsTheMaskTimesTheScale() {
        try (PointerScope s = new PointerScope()) {
            float[] x = values();
            Tensor t = Tensors.of(x, null, x.length);
            t.requires_grad_(true);
            Tensor y = Dropout.apply(t, P, true);
            y.sum().backward();
            float[] out = Tensors.toArray(y);
            float[] grad = Tensors.toArray(t.grad());
            for (int i = 0; i < x.length; i++) {
                assertEquals(out[i] == 0 ? 0 : 1 / (1 - P), grad[i], 1e-6, "element " + i);
            }
        }
    }

    @Test
    void evaluationAndZeroPLeaveTheInputAlone() {
        try (PointerScope s = new PointerScope()) {
            Tensor x = Tensors.of(values(), null, 1_000_001);
            assertSame(x, Dropout.apply(x, P, false));
            assertSame(x, Dropout.apply(x, 0, true));
            assertTrue(Tensors.toArray(Dropout.apply(x, 1, true))[0] == 0f);
        }
    }
}
