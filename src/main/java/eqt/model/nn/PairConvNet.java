package eqt.model.nn;

import eqt.ops.Autocast;
import eqt.ops.Dropout;
import eqt.ops.PairConvKernel;
import eqt.ops.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * One small dilated 1-D convolutional network shared by every station–source pair: each pair's two standardised
 * traces (station record, linear estimate) are one sample of width 2, so the network sees {@code channels} times
 * the data per weight and cannot memorise a pair. That is the point: on worlds whose sources are real seismograms
 * there is little structure left once the linear path has done its work, and a network that could learn each pair
 * apart (the Transformer, whose embedding mixes all pairs) over-fits the training block instead.
 *
 * <p>Layout: a 1×1 map from the 2 traces to {@code width} features; {@code blocks} residual blocks, block
 * {@code l} a {@code kernel}-wide convolution dilated by {@code 2^l} (centred: the correction may look ahead, as
 * the linear path does), GELU and a 1×1 map back; GELU and a 1×1 head to one trace, initialised to zero. Receptive
 * field {@code 1 + (kernel − 1)·(2^blocks − 1)} samples.
 *
 * <p>Every convolution is computed as a matrix product over the features of {@code kernel} shifted copies of its
 * input (channels last), not by {@code conv1d}: libtorch's oneDNN convolution on CPU returned non-finite gradients
 * now and then for these shapes (same weights, same input, a NaN after tens to thousands of identical steps, at 4
 * and 8 features; never with oneDNN disabled), which stopped training with "loss NaN". The products go to BLAS.
 * Weights keep nn.Conv1d's layout ({@code [out, in, kernel]}), so a PyTorch Conv1d loads them as they are.
 */
public final class PairConvNet implements Correction {

    private final int channels;
    private final Conv in;
    private final List<Conv[]> blocks = new ArrayList<>();
    private final Conv head;

    /** Registered as {@code conv_in}, {@code blocks.N.dilated}, {@code blocks.N.mix}, {@code head}. */
    public PairConvNet(Registry r, int channels, int width, int numBlocks, int kernel, SplittableRandom rng) {
        if (kernel % 2 != 1) throw new IllegalArgumentException("kernel width must be odd (centred), got " + kernel);
        this.channels = channels;
        in = new Conv(r, "conv_in", 2, width, 1, 1, rng, false);
        for (int l = 0; l < numBlocks; l++) {
            blocks.add(new Conv[] {new Conv(r, "blocks." + l + ".dilated", width, width, kernel, 1 << l, rng, false),
                    new Conv(r, "blocks." + l + ".mix", width, width, 1, 1, rng, false)});
        }
        head = new Conv(r, "head", width, 1, 1, 1, rng, true);
    }

    /** Samples one output sees on either side of itself. */
    public static int halfReach(int numBlocks, int kernel) {
        return (kernel - 1) / 2 * ((1 << numBlocks) - 1);
    }

    @Override
    public Tensor correction(Tensor u, double dropout, double attnDropout, boolean train) {
        if (!train && fusable(u)) return fused(u);
        long batch = u.size(0);
        long len = u.size(1);
        // [B, len, 2C] → [B·C, len, 2]: pair c's station is feature c, its estimate feature C + c
        Tensor pairs = u.reshape(batch, len, 2, channels).permute(0, 3, 1, 2).reshape(batch * channels, len, 2);
        Tensor h = in.forward(pairs);
        for (Conv[] b : blocks) {
            Tensor x = h;
            h = Tensors.scoped(() -> x.add(b[1].forward(Dropout.apply(torch.gelu(b[0].forward(x)), dropout, train))));
        }
        Tensor out = head.forward(torch.gelu(h)); // [B·C, len, 1]
        return out.reshape(batch, channels, len).transpose(1, 2);
    }

    /**
     * Whether {@link #fused} can run: no gradient wanted, a float32 input on the CPU, a width of 16 features or a
     * multiple, and the native library loaded (it is built for linux-x86_64).
     */
    private boolean fusable(Tensor u) {
        return !GradMode.is_enabled() && u.device().is_cpu() && u.scalar_type().value == torch.ScalarType.Float.value
                && in.weight.size(0) % 16 == 0 && !blocks.isEmpty() && PairConvKernel.LOADED
                && (!Autocast.bf16OnCpu() || PairConvKernel.hasBf16());
    }

    /**
     * Inference in one native pass per pair ({@link PairConvKernel}): each pair's activations stay in a core's
     * cache through every block instead of crossing memory between a dozen libtorch operations (benchmarks/
     * NOTES.md §23). Same numbers to float rounding; under bf16 autocast the convolutions' products run in bf16,
     * as autocast's matrix products would.
     */
    private Tensor fused(Tensor u) {
        return Tensors.scoped(() -> PairConvKernel.forward(u, channels, blocks.size(), blocks.get(0)[0].kernel,
                in.weight, in.bias, cat(b -> b[0].weight), cat(b -> b[0].bias), cat(b -> b[1].weight),
                cat(b -> b[1].bias), head.weight, head.bias, Autocast.bf16OnCpu()));
    }

    /**
     * Whether {@link #fusedTraining} can run: as {@link #fused}, but for a training pass without dropout and without
     * bf16 autocast (the native backward is float32 only).
     */
    public boolean trainsFused(Tensor u, double dropout) {
        return dropout == 0 && u.device().is_cpu() && u.scalar_type().value == torch.ScalarType.Float.value
                && in.weight.size(0) % 16 == 0 && !blocks.isEmpty() && PairConvKernel.LOADED && !Autocast.bf16OnCpu();
    }

    /**
     * One training pass run natively: the correction (no graph) and a scalar that is 0 and whose gradient with
     * respect to each weight is the loss's ({@code Σ_w (w · g_w)} less itself detached, {@code g_w} the native
     * gradient): added to a loss whose graph stops at the correction, its backward pass reaches the weights as if
     * autograd had run the network.
     */
    public record FusedPass(Tensor correction, Tensor gradientCarrier) {
    }

    /**
     * Training in one native pass per pair (native/eqt_host_convgrad.h, NOTES §31): the forward pass, then the
     * backward from the loss's gradient with respect to the correction, {@code dA·correction + dB} (elementwise, as
     * for a weighted sum of squares; {@code dA = 0, dB = dOut}: the gradient of {@code Σ dOut · correction}).
     * Needs {@link #trainsFused}.
     */
    public FusedPass fusedTraining(Tensor u, Tensor dA, Tensor dB) {
        List<Tensor> weights = parameters();
        PairConvKernel.Trained t;
        try (NoGradGuard g = new NoGradGuard()) {
            t = PairConvKernel.train(u, dA, dB, channels, blocks.size(), blocks.get(0)[0].kernel, in.weight, in.bias,
                    cat(b -> b[0].weight), cat(b -> b[0].bias), cat(b -> b[1].weight), cat(b -> b[1].bias),
                    head.weight, head.bias);
        }
        // Σ_w (w · g_w) as one dot product of the weights laid flat with the native gradient (one term per weight
        // was some 160 small libtorch operations a pass)
        Tensor flat = torch.cat(new TensorVector(weights.stream().map(w -> w.reshape(-1)).toArray(Tensor[]::new)), 0);
        if (flat.size(0) != t.gradient().size(0)) {
            throw new IllegalStateException("native gradient of " + t.gradient().size(0) + " floats for " + flat.size(0) + " weights");
        }
        Tensor sum = flat.dot(t.gradient());
        return new FusedPass(t.correction(), sum.sub(sum.detach()));
    }

    /**
     * The weights in the native gradient's order: the input map, every block's dilated weights then their biases,
     * every block's mix weights then biases, the head.
     */
    private List<Tensor> parameters() {
        List<Tensor> w = new ArrayList<>(List.of(in.weight, in.bias));
        for (Conv[] b : blocks) w.add(b[0].weight);
        for (Conv[] b : blocks) w.add(b[0].bias);
        for (Conv[] b : blocks) w.add(b[1].weight);
        for (Conv[] b : blocks) w.add(b[1].bias);
        w.add(head.weight);
        w.add(head.bias);
        return w;
    }

    /** One weight or bias of every block, laid one block after another. */
    private Tensor cat(java.util.function.Function<Conv[], Tensor> part) {
        return torch.cat(new TensorVector(blocks.stream().map(part).toArray(Tensor[]::new)), 0).contiguous();
    }

    /**
     * {@code nn.Conv1d} with {@code padding = dilation·(kernel − 1)/2} ({@code name.weight [out, in, kernel]},
     * {@code name.bias}), applied to channels-last input {@code [N, len, in]} → {@code [N, len, out]}.
     */
    private static final class Conv {
        final Tensor weight;
        final Tensor bias;
        final int kernel;
        final long dilation;
        final long pad;

        /** nn.Conv1d's default initialisation (uniform in ±1/sqrt(in·kernel)), or zeros. */
        Conv(Registry r, String name, int inCh, int outCh, int kernel, int dilation, SplittableRandom rng, boolean zero) {
            double bound = 1 / Math.sqrt((double) inCh * kernel);
            int n = outCh * inCh * kernel;
            weight = r.parameter(name + ".weight", zero ? new float[n] : Registry.uniform(rng, n, bound), outCh, inCh, kernel);
            bias = r.parameter(name + ".bias", zero ? new float[outCh] : Registry.uniform(rng, outCh, bound), outCh);
            this.kernel = kernel;
            this.dilation = dilation;
            this.pad = (long) dilation * (kernel - 1) / 2;
        }

        Tensor forward(Tensor x) {
            // [out, in, k] → [out, k·in], matching the shifted copies laid side by side (tap j's features at j·in)
            Tensor w = weight.permute(0, 2, 1).reshape(weight.size(0), kernel * weight.size(1));
            if (kernel == 1) return torch.linear(x, w, new TensorOptional(bias));
            long len = x.size(1);
            Tensor padded = torch.constant_pad_nd(x, new long[] {0, 0, pad, pad});
            Tensor[] taps = new Tensor[kernel];
            for (int j = 0; j < kernel; j++) taps[j] = padded.narrow(1, j * dilation, len);
            return torch.linear(torch.cat(new TensorVector(taps), 2), w, new TensorOptional(bias));
        }
    }
}
