package eqt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import eqt.model.nn.PairConvNet;
import eqt.model.nn.Registry;
import eqt.ops.Autocast;
import eqt.ops.PairConvKernel;
import eqt.ops.Precision;
import eqt.ops.Tensors;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The default model's network: one set of weights for every pair, and a reach its dilations fix. */
class PairConvNetTest {

    private static final int PAIRS = 3;
    private static final int LEN = 64;
    private static final int BLOCKS = 3;

    /** A network with every weight drawn, the zero-initialised head included (so its output is not zero). */
    private static PairConvNet drawn(Registry r) {
        return drawn(r, 8, BLOCKS);
    }

    private static PairConvNet drawn(Registry r, int width, int blocks) {
        PairConvNet n = new PairConvNet(r, PAIRS, width, blocks, 3, new SplittableRandom(1));
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
        return input(seed, 1, LEN);
    }

    private static float[] input(long seed, int batch, int len) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] u = new float[batch * len * 2 * PAIRS];
        for (int i = 0; i < u.length; i++) u[i] = (float) rng.nextGaussian();
        return u;
    }

    private static float[] correction(PairConvNet n, float[] u) {
        return correction(n, u, 1, LEN);
    }

    /** Inference as eq invert runs it: no gradient, so at 16 features and more the fused native pass. */
    private static float[] correction(PairConvNet n, float[] u, int batch, int len) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            return Tensors.toArray(n.correction(Tensors.of(u, Tiny.CPU, batch, len, 2 * PAIRS), 0, 0, false));
        }
    }

    /** The same through libtorch's operations (a gradient wanted keeps the fused pass out). */
    private static float[] unfused(PairConvNet n, float[] u, int batch, int len) {
        try (PointerScope s = new PointerScope()) {
            return Tensors.toArray(n.correction(Tensors.of(u, Tiny.CPU, batch, len, 2 * PAIRS), 0, 0, false).detach());
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
        float[] want = viaConv1d(r.parameters(), u, 1, LEN, BLOCKS);
        float[] y = correction(n, u);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], y[i], 1e-5, "element " + i);
    }

    /**
     * The fused native pass (16 features and more, no gradient) against libtorch's conv1d and against the
     * network's own libtorch operations, on the AVX-512 path and on the plain C one, at a length that is not a
     * multiple of the sixteen steps a vector holds and with dilations up to 64 (wider than that length).
     */
    @ParameterizedTest
    @CsvSource({"16, true", "16, false", "32, true", "32, false"})
    void theFusedPassComputesWhatConv1dComputes(int width, boolean vector) {
        int batch = 2;
        int len = 101;
        int blocks = 7;
        Registry r = new Registry(Tiny.CPU);
        PairConvNet n = drawn(r, width, blocks);
        float[] u = input(6, batch, len);
        float[] want = viaConv1d(r.parameters(), u, batch, len, blocks);
        float[] ops = unfused(n, u, batch, len);
        int at = len / 2;
        int reach = PairConvNet.halfReach(blocks, 3);
        float[] changed = u.clone();
        changed[(batch - 1) * len * 2 * PAIRS + at * 2 * PAIRS + PAIRS + 1] += 1; // the last window's pair 1 estimate
        float[] y;
        float[] moved;
        boolean avx = PairConvKernel.allowVector(vector);
        try {
            y = correction(n, u, batch, len);
            moved = correction(n, changed, batch, len);
        } finally {
            PairConvKernel.allowVector(true);
        }
        assertTrue(avx || !vector || !cpuHasAvx512(), "AVX-512 path asked for on a CPU that has it");
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        assertTrue(scale > 0.1, "a correction worth comparing: " + scale);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], y[i], 2e-5 * scale, "element " + i + " against conv1d");
            assertEquals(ops[i], y[i], 2e-5 * scale, "element " + i + " against libtorch's operations");
        }
        // a changed sample moves exactly its receptive field, as the unfused network's does
        for (int i = 0; i < y.length; i++) {
            int b = i / (len * PAIRS);
            int t = i / PAIRS % len;
            boolean inReach = b == batch - 1 && i % PAIRS == 1 && Math.abs(t - at) <= reach;
            if (!inReach) assertEquals(y[i], moved[i], 0f, "element " + i + " is out of reach");
        }
        int last = (batch - 1) * len * PAIRS;
        for (int t : new int[] {0, at, len - 1}) { // the reach (127) spans the window: its ends move too
            assertNotEquals(y[last + t * PAIRS + 1], moved[last + t * PAIRS + 1], "sample " + t + " is in reach");
        }
    }

    /**
     * Under bf16 autocast the fused pass rounds the products' inputs to bf16, as autocast's own path through
     * libtorch (oneDNN's bf16 products) does: both err from float32 by bf16's precision, the fused one no more.
     */
    @Test
    void underBf16AutocastTheFusedPassErrsNoMoreThanLibtorchsBf16Path() {
        assumeTrue(Autocast.available() && PairConvKernel.hasBf16(), "no autocast or no AVX512-BF16");
        int batch = 2;
        int len = 101;
        int blocks = 7;
        Registry r = new Registry(Tiny.CPU);
        PairConvNet n = drawn(r, 16, blocks);
        float[] u = input(7, batch, len);
        float[] exact = viaConv1d(r.parameters(), u, batch, len, blocks);
        float[] fused;
        float[] lib;
        try (Autocast a = Autocast.open(Precision.BF16, Tiny.CPU)) {
            fused = correction(n, u, batch, len);
            try (PointerScope s = new PointerScope()) { // a gradient wanted: libtorch's operations under autocast
                lib = Tensors.toArray(n.correction(Tensors.of(u, Tiny.CPU, batch, len, 2 * PAIRS), 0, 0, false)
                        .detach().to(torch.ScalarType.Float));
            }
        }
        double fusedErr = relativeRms(fused, exact);
        double libErr = relativeRms(lib, exact);
        assertTrue(fusedErr > 1e-4, "the products really ran in bf16: " + fusedErr);
        assertTrue(libErr > 1e-4, "libtorch's path really ran in bf16: " + libErr);
        assertTrue(fusedErr < 1.5 * libErr, "fused bf16 errs " + fusedErr + ", libtorch's bf16 " + libErr);
    }

    private static double relativeRms(float[] y, float[] want) {
        double e = 0;
        double w = 0;
        for (int i = 0; i < want.length; i++) {
            e += (y[i] - want[i]) * (double) (y[i] - want[i]);
            w += want[i] * (double) want[i];
        }
        return Math.sqrt(e / w);
    }

    private static boolean cpuHasAvx512() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo")).contains(" avx512dq");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The network's layers through libtorch's conv1d: {@code [batch, len, 2·PAIRS]} → {@code [batch, len, PAIRS]}. */
    private static float[] viaConv1d(Map<String, Tensor> w, float[] u, int batch, int len, int blocks) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            // [batch, len, 2·PAIRS] → [batch·PAIRS, 2, len]
            Tensor x = Tensors.of(u, Tiny.CPU, batch, len, 2 * PAIRS).reshape(batch, len, 2, PAIRS).permute(0, 3, 2, 1)
                    .reshape(batch * PAIRS, 2, len).contiguous();
            Tensor h = conv(x, w, "conv_in", 1);
            for (int l = 0; l < blocks; l++) {
                Tensor inner = torch.gelu(conv(h, w, "blocks." + l + ".dilated", 1 << l));
                h = h.add(conv(inner, w, "blocks." + l + ".mix", 1));
            }
            return Tensors.toArray(conv(torch.gelu(h), w, "head", 1).reshape(batch, PAIRS, len).transpose(1, 2).contiguous());
        }
    }

    private static Tensor conv(Tensor x, Map<String, Tensor> w, String name, long dilation) {
        Tensor weight = w.get(name + ".weight");
        long pad = dilation * (weight.size(2) - 1) / 2;
        return torch.conv1d(x, weight, new TensorOptional(w.get(name + ".bias")), new long[] {1}, new long[] {pad},
                new long[] {dilation}, 1);
    }
}
