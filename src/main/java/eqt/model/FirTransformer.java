package eqt.model;

import eqt.ops.Tensors;

import eqt.dsp.FirInverse;
import eqt.data.EqDataset;
import eqt.data.Split;
import eqt.model.nn.PatchTransformer;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The previous default model: a windowed linear inverse filter plus a Transformer that learns what the filter
 * cannot. Its filter is short (401 taps, 75 % on future samples) and sees only its window, so it cannot undo a
 * long reverberation; {@link WienerModel} replaced it. Kept so its checkpoints load and studies compare.
 *
 * <ol>
 *   <li><b>Linear path</b>: a per-pair FIR filter of {@code firTaps} taps (depthwise, non-causal), initialised to
 *       the least-squares inverse filter of the training windows ({@link FirInverse}) and kept fixed. On its own
 *       it is the classical baseline.</li>
 *   <li><b>Tokens</b>: the standardised station samples and the filter's output, cut into patches of
 *       {@code patch} samples (1 500 samples → 150 tokens, so attention is 150² rather than 1 500²), linearly
 *       embedded, plus learned positions.</li>
 *   <li><b>Encoder</b>: {@code numLayers} pre-norm layers (GELU feed-forward), fused attention.</li>
 *   <li><b>Head</b>: a final layer norm and a linear map back to {@code patch} samples per token, initialised to
 *       zero, added to the filter's output: training starts exactly at the baseline and learns the correction
 *       (sharper pulse onsets, less filtered noise) that a linear filter cannot make.</li>
 * </ol>
 * Inputs and targets are standardised per channel (statistics in the checkpoint).
 */
public final class FirTransformer extends FunctionalModel {

    private final int past;
    private final Tensor firWeight;
    private final Tensor firBias;
    private final PatchTransformer network;

    public FirTransformer(ModelConfig config, Device device, long seed) {
        super(config, device);
        SplittableRandom rng = new SplittableRandom(seed);
        int c = config.channels();
        int k = config.firTaps();
        past = FirInverse.pastTaps(k);
        float[] delta = new float[c * k]; // until fitted, the filter passes the input through
        for (int ch = 0; ch < c; ch++) delta[ch * k + past] = 1f;
        firWeight = registry.buffer("fir.weight", delta, c, 1, k);
        firBias = registry.buffer("fir.bias", new float[c], c);
        network = patchTransformer(rng);
        standardizeWith();
    }

    @Override
    public void fitToTrainingData(EqDataset data, Split split) {
        Normalization n = Normalization.fit(data, split.trainWindows());
        setNormalization(n);
        setFilter(FirInverse.fit(data, split, config.firTaps()), n);
    }

    /**
     * Sets the linear path to {@code fir} (fitted on raw amplitudes), rescaled to the standardised units the
     * model works in, with {@code n} the statistics the model was given.
     */
    public void setFilter(FirInverse fir, Normalization n) {
        int c = config.channels();
        int k = config.firTaps();
        float[] w = new float[c * k];
        float[] b = new float[c];
        for (int ch = 0; ch < c; ch++) {
            FirInverse.Filter f = fir.filter(ch);
            if (f.length() != k || f.past() != past) {
                throw new IllegalArgumentException("filter of pair " + ch + " has " + f.length() + " taps, model " + k);
            }
            double sum = 0;
            for (int i = 0; i < k; i++) {
                w[ch * k + i] = (float) (f.taps()[i] * n.inputStd()[ch] / n.targetStd()[ch]);
                sum += f.taps()[i];
            }
            // Zero-padding outside the window makes the mean term exact only in the interior; means are ~0 here.
            b[ch] = (float) ((sum * n.inputMean()[ch] - n.targetMean()[ch]) / n.targetStd()[ch]);
        }
        try (NoGradGuard g = new NoGradGuard()) {
            firWeight.copy_(Tensors.of(w, device, c, 1, k));
            firBias.copy_(Tensors.of(b, device, c));
        }
    }

    @Override
    public Tensor forward(Tensor x, boolean train) {
        int c = config.channels();
        Tensor xn = standardise(x);
        Tensor padded = torch.constant_pad_nd(xn.transpose(1, 2), past, config.firTaps() - 1 - past);
        Tensor linear = torch.conv1d(padded, firWeight, new TensorOptional(firBias),
                new long[] {1}, new long[] {0}, new long[] {1}, c).transpose(1, 2); // [B, L, C]
        Tensor correction = network.correction(torch.cat(new org.bytedeco.pytorch.TensorVector(xn, linear), 2),
                dropout(train), attnDropout(train), train);
        return restore(linear.add(correction));
    }
}
