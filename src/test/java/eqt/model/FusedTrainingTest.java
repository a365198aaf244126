package eqt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.model.nn.PairConvNet;
import eqt.model.nn.Registry;
import eqt.ops.PairConvKernel;
import eqt.ops.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The default network's native training pass (native/eqt_host_convgrad.h) against libtorch autograd on the same
 * weights: the same correction, and the same gradient of every weight, on the AVX-512 path and the plain C one;
 * a backward pass with a term left out is caught.
 */
class FusedTrainingTest {

    private static final int PAIRS = 3;

    /** Every weight drawn (the head too, which starts at zero), so every gradient is non-trivial. */
    private static PairConvNet drawn(Registry r, int width, int blocks) {
        PairConvNet n = new PairConvNet(r, PAIRS, width, blocks, 3, new SplittableRandom(1));
        SplittableRandom rng = new SplittableRandom(2);
        try (NoGradGuard g = new NoGradGuard()) {
            for (Tensor t : r.parameters().values()) {
                t.copy_(Tensors.of(Registry.uniform(rng, (int) t.numel(), 0.4), Tiny.CPU, t.sizes().vec().get()));
            }
        }
        return n;
    }

    private static Tensor gaussian(long seed, long... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        long n = 1;
        for (long s : shape) n *= s;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return Tensors.of(v, Tiny.CPU, shape);
    }

    /** Every parameter's gradient after {@code backward}, by name; the gradients are then cleared. */
    private static Map<String, float[]> gradients(Registry r, Supplier<Tensor> loss) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (PointerScope s = new PointerScope()) {
            for (Tensor p : r.parameters().values()) if (p.grad().defined()) p.grad().zero_();
            loss.get().backward();
            for (Map.Entry<String, Tensor> e : r.parameters().entrySet()) {
                out.put(e.getKey(), Tensors.toArray(e.getValue().grad()));
                e.getValue().grad().zero_();
            }
        }
        return out;
    }

    /** The names whose gradients differ from autograd's by more than float rounding (1e-4 of their largest). */
    private static List<String> mismatched(Map<String, float[]> want, Map<String, float[]> got) {
        List<String> bad = new ArrayList<>();
        for (String name : want.keySet()) {
            float[] w = want.get(name);
            float[] g = got.get(name);
            double scale = 1e-6;
            for (float v : w) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < w.length; i++) {
                if (Math.abs(w[i] - g[i]) > 1e-4 * scale) {
                    bad.add(name + "[" + i + "] " + w[i] + " vs " + g[i]);
                    break;
                }
            }
        }
        return bad;
    }

    /**
     * At a length that is not a multiple of a vector's sixteen steps, with dilations up to 64 (wider than the
     * window), two windows: every weight's gradient of {@code Σ dOut · correction} as autograd computes it through
     * the network's libtorch operations.
     */
    @ParameterizedTest
    @CsvSource({"16, true", "16, false", "32, true", "32, false"})
    void nativeGradientsAreAutogradsOnTheSameWeights(int width, boolean vector) {
        int batch = 2;
        int len = 101;
        Registry r = new Registry(Tiny.CPU);
        PairConvNet n = drawn(r, width, 7);
        Tensor u = Tensors.retain(gaussian(3, batch, len, 2 * PAIRS));
        Tensor dOut = Tensors.retain(gaussian(4, batch, len, PAIRS));
        assertTrue(n.trainsFused(u, 0));
        Map<String, float[]> want = gradients(r, () -> n.correction(u, 0, 0, true).mul(dOut).sum());
        float[] wantOut;
        try (PointerScope s = new PointerScope()) {
            wantOut = Tensors.toArray(n.correction(u, 0, 0, true).detach());
        }
        PairConvKernel.allowVector(vector);
        Map<String, float[]> got;
        float[][] out = new float[1][];
        try {
            got = gradients(r, () -> {
                PairConvNet.FusedPass pass = n.fusedTraining(u, torch.zeros_like(dOut), dOut);
                out[0] = Tensors.toArray(pass.correction());
                return pass.gradientCarrier();
            });
        } finally {
            PairConvKernel.allowVector(true);
        }
        double scale = 0;
        for (float v : wantOut) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < wantOut.length; i++) assertEquals(wantOut[i], out[0][i], 2e-5 * scale, "correction " + i);
        assertEquals(r.parameters().size(), got.size());
        for (float[] g : want.values()) {
            double m = 0;
            for (float v : g) m = Math.max(m, Math.abs(v));
            assertTrue(m > 1e-3, "every weight has a gradient worth comparing");
        }
        assertEquals(List.of(), mismatched(want, got));
    }

    /** A backward pass that leaves out the dilated convolutions' share of the residual gradient is caught. */
    @ParameterizedTest
    @CsvSource({"true", "false"})
    void aBackwardPassWithATermLeftOutIsCaught(boolean vector) {
        Registry r = new Registry(Tiny.CPU);
        PairConvNet n = drawn(r, 16, 4);
        Tensor u = Tensors.retain(gaussian(5, 1, 80, 2 * PAIRS));
        Tensor dOut = Tensors.retain(gaussian(6, 1, 80, PAIRS));
        Map<String, float[]> want = gradients(r, () -> n.correction(u, 0, 0, true).mul(dOut).sum());
        PairConvKernel.allowVector(vector);
        PairConvKernel.injectGradientFault(true);
        Map<String, float[]> got;
        try {
            got = gradients(r, () -> n.fusedTraining(u, torch.zeros_like(dOut), dOut).gradientCarrier());
        } finally {
            PairConvKernel.injectGradientFault(false);
            PairConvKernel.allowVector(true);
        }
        List<String> bad = mismatched(want, got);
        assertTrue(bad.stream().anyMatch(s -> s.startsWith("conv_in.")), "the input map's gradient is wrong: " + bad);
        assertTrue(bad.stream().noneMatch(s -> s.startsWith("head.")), "the head's is not (the fault is upstream): " + bad);
    }

    /** The default model with every weight drawn. */
    private static WienerModel drawnModel(ModelConfig c) {
        WienerModel m = new WienerModel(c, Tiny.CPU, 0);
        SplittableRandom rng = new SplittableRandom(7);
        try (NoGradGuard g = new NoGradGuard()) {
            for (Tensor t : m.parameters().values()) {
                t.copy_(Tensors.of(Registry.uniform(rng, (int) t.numel(), 0.3), Tiny.CPU, t.sizes().vec().get()));
            }
        }
        return m;
    }

    /**
     * The default model's training loss (one native pass, the loss's gradient found as {@code dA·c + dB}) has the
     * value and the gradients of its forward pass through libtorch, for the trainer's two losses: the mean squared
     * error, and the one weighted by 0/1 per sample (a pair's samples before its loss starts count 0).
     */
    @ParameterizedTest
    @CsvSource({"false", "true"})
    void theDefaultModelsTrainingLossIsItsForwardPasss(boolean weighted) {
        ModelConfig c = ModelConfig.wienerCnn(4);
        WienerModel m = drawnModel(c);
        int len = 200;
        Tensor x = Tensors.retain(gaussian(8, 2, len, m.inputChannels()));
        Tensor y = Tensors.retain(gaussian(9, 2, len, c.channels()));
        Tensor w = Tensors.retain(gaussian(10, 2, len, c.channels()).gt(new org.bytedeco.pytorch.Scalar(0.0))
                .to(torch.ScalarType.Float));
        java.util.function.UnaryOperator<Tensor> loss = out -> {
            if (!weighted) return torch.mse_loss(out, y);
            Tensor d = out.sub(y);
            return d.mul(d).mul(w).sum().div(w.sum());
        };
        double[] value = new double[2];
        Map<String, float[]> want = new LinkedHashMap<>();
        Map<String, float[]> got = new LinkedHashMap<>();
        for (int pass = 0; pass < 2; pass++) {
            boolean fused = pass == 1;
            try (PointerScope s = new PointerScope()) {
                for (Tensor p : m.parameters().values()) if (p.grad().defined()) p.grad().zero_();
                Tensor l = fused ? m.trainingLoss(x, loss) : loss.apply(m.forward(x, true));
                value[pass] = l.item_float();
                l.backward();
                for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) {
                    (fused ? got : want).put(e.getKey(), Tensors.toArray(e.getValue().grad()));
                }
            }
        }
        assertEquals(value[0], value[1], 1e-6 * Math.abs(value[0]));
        assertEquals(want.keySet(), got.keySet());
        assertEquals(List.of(), mismatched(want, got));
    }

    /** A loss that is not a weighted sum of squares (its gradient is not affine in the output) is refused. */
    @Test
    void aLossOfAnotherFormIsRefusedNotTrainedWrongly() {
        ModelConfig c = ModelConfig.wienerCnn(4);
        WienerModel m = drawnModel(c);
        Tensor x = Tensors.retain(gaussian(11, 1, 120, m.inputChannels()));
        Tensor y = Tensors.retain(gaussian(12, 1, 120, c.channels()));
        try (PointerScope s = new PointerScope()) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> m.trainingLoss(x, out -> out.sub(y).abs().mean()));
            assertTrue(e.getMessage().contains("not a weighted sum of squares"), e.getMessage());
            // and the squared error of the same output is accepted
            assertTrue(Double.isFinite(m.trainingLoss(x, out -> torch.mse_loss(out, y)).item_double()));
        }
    }
}
