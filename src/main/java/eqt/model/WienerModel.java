package eqt.model;

import eqt.ops.Tensors;

import eqt.data.EqDataset;
import eqt.data.Split;
import eqt.dsp.Classical;
import eqt.dsp.LinearInverse;
import eqt.model.nn.Correction;
import eqt.model.nn.PairConvNet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The models with a continuous linear path ({@code wiener-cnn}, {@code wiener-transformer}): the best classical
 * inverse, applied to the continuous record, plus a network that learns what it cannot do.
 *
 * <ol>
 *   <li><b>Linear path</b> ({@link #inputs}): per pair, the classical inverse chosen on the validation block
 *       ({@link Classical}: least-squares FIR or spectral Wiener, up to {@code firTaps} lags, any lead), fitted
 *       on the training block and applied to the whole record before it is cut into windows, so it sees across
 *       window edges as it would on its own. Kept fixed; stored in the checkpoint as {@code linear.taps}
 *       (lag {@code k} at column {@code firTaps/2 + k}) and {@code linear.means}.</li>
 *   <li><b>Correction</b>, added to the linear estimate: for {@code wiener-cnn} one dilated convolutional
 *       network shared by all pairs ({@link PairConvNet}); for {@code wiener-transformer} a patch Transformer
 *       over all pairs at once ({@link eqt.model.nn.PatchTransformer}). Its last map starts at zero, so training
 *       starts exactly at the classical method, and the epoch kept is the one with the lowest validation loss,
 *       epoch 0 (the linear path alone) included.</li>
 * </ol>
 */
public final class WienerModel extends FunctionalModel {

    private Classical.Result fitted;
    private final Tensor taps;
    private final Tensor means;
    private final Correction network;
    /** Per pair, the share of the network's correction kept ({@link #setGates}); null: all of it. */
    private Tensor gates;

    public WienerModel(ModelConfig config, Device device, long seed) {
        super(config, device);
        SplittableRandom rng = new SplittableRandom(seed);
        int c = config.channels();
        float[] delta = new float[c * config.firTaps()]; // until fitted, the linear path passes the input through
        for (int ch = 0; ch < c; ch++) delta[ch * config.firTaps() + config.firTaps() / 2] = 1f;
        taps = registry.buffer("linear.taps", delta, c, config.firTaps());
        means = registry.buffer("linear.means", new float[2 * c], c, 2);
        network = config.model() == ModelKind.WIENER_CNN
                ? new PairConvNet(registry, c, config.dModel(), config.numLayers(), config.patch(), rng)
                : patchTransformer(rng);
        standardizeWith();
    }

    @Override
    public void fitToTrainingData(EqDataset data, Split split) {
        setNormalization(Normalization.fit(data, split.trainWindows()));
        fitted = Classical.fit(data, split, config.firTaps());
        setLinear(fitted.linearPath());
        for (int c = 0; c < config.channels(); c++) {
            if (fitted.linearPath().get(c).silent()) {
                System.err.println("eq: warning: station record " + c + " carries no signal in the training block; "
                        + "its linear path predicts the source mean");
            }
        }
    }

    /** The classical methods as fitted by {@link #fitToTrainingData} (null for a model loaded from a file). */
    public Classical.Result classical() {
        return fitted;
    }

    /** Sets the linear path, one inverse per pair; each must fit within {@code firTaps} lags. */
    public void setLinear(List<LinearInverse> filters) {
        int c = config.channels();
        int k = config.firTaps();
        float[] taps = new float[c * k];
        float[] means = new float[2 * c];
        for (int ch = 0; ch < c; ch++) {
            LinearInverse f = filters.get(ch);
            int first = k / 2 - f.past(); // column of the filter's first tap
            if (first < 0 || first + f.length() > k) {
                throw new IllegalArgumentException("filter of pair " + ch + " (" + f.detail() + ") needs more than "
                        + k + " lags");
            }
            for (int i = 0; i < f.length(); i++) taps[ch * k + first + i] = (float) f.taps()[i];
            means[2 * ch] = (float) f.inputMean();
            means[2 * ch + 1] = (float) f.targetMean();
        }
        try (NoGradGuard g = new NoGradGuard()) {
            this.taps.copy_(Tensors.of(taps, device, c, k));
            this.means.copy_(Tensors.of(means, device, c, 2));
        }
    }

    @Override
    public int inputChannels() {
        return 2 * config.channels();
    }

    /** The station records, then their linear estimates (source units). */
    @Override
    public List<LinearInverse> linearPath() {
        int c = config.channels();
        int k = config.firTaps();
        float[] taps = Tensors.toArray(this.taps);
        float[] means = Tensors.toArray(this.means);
        List<LinearInverse> out = new ArrayList<>();
        for (int ch = 0; ch < c; ch++) {
            double[] h = new double[k];
            for (int i = 0; i < k; i++) h[i] = taps[ch * k + i];
            out.add(new LinearInverse("stored", k / 2, h, means[2 * ch], means[2 * ch + 1], ""));
        }
        return out;
    }

    /**
     * Per pair, the share {@code g ∈ [0, 1]} of the network's correction added to its linear path (chosen on the
     * validation block after training, {@code eqt.infer.Gates}; stored beside the weights, not in the state_dict, so
     * every older checkpoint still loads). Null: all of it, as during training. The estimate restored to source
     * units is {@code linear + g·correction} there too, as the restoring map is affine per pair.
     */
    public void setGates(double[] g) {
        if (g == null) {
            gates = null;
            return;
        }
        if (g.length != config.channels()) throw new IllegalArgumentException(g.length + " gates for " + config.channels() + " pairs");
        float[] f = new float[g.length];
        for (int i = 0; i < g.length; i++) f[i] = (float) g[i];
        gates = Tensors.retain(Tensors.of(f, device, g.length));
    }

    /**
     * wiener-cnn: its network's reach ({@link PairConvNet#halfReach}); standardising, gating and restoring are
     * per sample, and the linear path is applied to the whole record before. wiener-transformer: −1.
     */
    @Override
    public int reach() {
        return config.model() == ModelKind.WIENER_CNN ? PairConvNet.halfReach(config.numLayers(), config.patch()) : -1;
    }

    /**
     * With the default network on a CPU in float32 and no dropout, its forward and backward passes run natively in
     * one pass per pair ({@link PairConvNet#fusedTraining}; NOTES §31). The loss is a weighted sum of squares of the
     * output ({@link Model#trainingLoss}) and the output is affine in the correction, so the loss's gradient with
     * respect to the correction is {@code dA·c + dB}: found from two cheap evaluations at {@code c = 0} and
     * {@code c = 1} before the pass, and checked against autograd's at the pass's own correction after it (a loss
     * of another form is refused, not trained wrongly). The network holds every parameter of this model, so the
     * returned loss (its value, plus the weights' gradient carrier) is all the backward pass needs.
     */
    @Override
    public Tensor trainingLoss(Tensor x, UnaryOperator<Tensor> loss) {
        if (!(network instanceof PairConvNet net) || !GradMode.is_enabled() || !net.trainsFused(x, dropout(true))) {
            return super.trainingLoss(x, loss);
        }
        int c = config.channels();
        Tensor standardised = standardizer().standardiseStationsAndTargets(x);
        Tensor linear = standardised.narrow(2, c, c);
        UnaryOperator<Tensor> at = corr -> loss.apply(restore(linear.add(gates == null ? corr : corr.mul(gates))));
        Tensor dB = gradient(at, torch.zeros_like(linear));
        Tensor dA = gradient(at, torch.ones_like(linear)).sub(dB);
        PairConvNet.FusedPass pass = net.fusedTraining(standardised, dA, dB);
        Tensor correction = pass.correction().requires_grad_(true);
        Tensor l = at.apply(correction);
        Tensor dOut = torch.grad(new TensorVector(l), new TensorVector(correction), new TensorVector(),
                new BoolOptional(false), false, false).get(0);
        double scale = dOut.abs().max().item_double();
        double off = dOut.sub(dA.mul(correction.detach()).add(dB)).abs().max().item_double();
        if (!(off <= 1e-4 * scale + 1e-30)) {
            throw new IllegalStateException("the training loss is not a weighted sum of squares of the output (its "
                    + "gradient is off the affine form by " + off + " of " + scale + "); the native pass cannot run it");
        }
        return l.detach().add(pass.gradientCarrier());
    }

    /** The gradient of {@code loss} with respect to the correction at {@code c}. */
    private static Tensor gradient(UnaryOperator<Tensor> loss, Tensor c) {
        c.requires_grad_(true);
        return torch.grad(new TensorVector(loss.apply(c)), new TensorVector(c), new TensorVector(),
                new BoolOptional(false), false, false).get(0);
    }

    @Override
    public Tensor forward(Tensor x, boolean train) {
        int c = config.channels();
        Tensor standardised = standardizer().standardiseStationsAndTargets(x);
        Tensor linear = standardised.narrow(2, c, c);
        Tensor correction = network.correction(standardised, dropout(train), attnDropout(train), train);
        return restore(linear.add(gates == null ? correction : correction.mul(gates)));
    }
}
