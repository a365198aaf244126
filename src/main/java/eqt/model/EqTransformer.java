package eqt.model;

import eqt.data.EqDataset;
import eqt.data.Split;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The reference architecture: Linear+ReLU embedding, fixed sinusoidal positions, {@code numLayers} post-norm
 * encoder layers (PyTorch's {@code nn.TransformerEncoderLayer}, batch-first, no mask), Linear output.
 *
 * <p>Written as a function over named tensors rather than with the C++-frontend module classes: the frontend's
 * {@code TransformerEncoder} materialises the {@code [B·h, L, L]} attention matrix, whereas this layer calls
 * the fused {@code scaled_dot_product_attention}; and the names here are exactly those of the reference's
 * PyTorch {@code state_dict}, so checkpoints can cross to Python.
 */
public final class EqTransformer extends FunctionalModel {

    private final Tensor positions;

    /** A freshly initialised model (PyTorch's default initialisers), deterministic in {@code seed}. */
    public EqTransformer(ModelConfig config, Device device, long seed) {
        super(config, device);
        SplittableRandom rng = new SplittableRandom(seed);
        int d = config.dModel();
        linear(rng, "embedding.0", config.channels(), d);
        for (int l = 0; l < config.numLayers(); l++) {
            String p = LAYERS + l + ".";
            attention(rng, p + "self_attn", d);
            linear(rng, p + "linear1", d, config.ffDim());
            linear(rng, p + "linear2", config.ffDim(), d);
            layerNorm(p + "norm1", d);
            layerNorm(p + "norm2", d);
        }
        linear(rng, "output_layer", d, config.channels());
        positions = Tensors.retain(Tensors.of(sinusoid(config.maxLength(), d), device, config.maxLength(), d));
        if (config.normalize()) identityNormalization();
    }

    @Override
    public void fitToTrainingData(EqDataset data, Split split) {
        if (config.normalize()) setNormalization(Normalization.fit(data, split.trainWindows()));
    }

    @Override
    public Tensor forward(Tensor x, boolean train) {
        long len = x.size(1);
        Tensor z = torch.relu(lin(standardise(x), "embedding.0"));
        z = z.add(positions.narrow(0, 0, len));
        for (int l = 0; l < config.numLayers(); l++) {
            Tensor in = z;
            String n = LAYERS + l + ".";
            z = Tensors.scoped(() -> encoderLayer(in, n, train)); // frees what the layer made and autograd won't keep
        }
        return restore(lin(z, "output_layer"));
    }

    /** One post-norm encoder layer, {@code [B, T, d]} → {@code [B, T, d]}. */
    private Tensor encoderLayer(Tensor z, String n, boolean train) {
        double p = train ? config.dropout() : 0;
        Tensor a = selfAttention(z, n + "self_attn", train ? config.attnDropout() : 0);
        z = norm(z.add(Dropout.apply(a, p, train)), n + "norm1");
        // dropout(relu(.)) in linear1's own 2-D output (a 3-D linear returns a view, which in-place ops would
        // make autograd copy), its 1 / (1 - p) folded into linear2's weight (see Dropout.reluInPlace)
        Tensor h = Dropout.reluInPlace(lin(z.reshape(-1, z.size(2)), n + "linear1"), p, train);
        Tensor w2 = param(n + "linear2.weight");
        if (Dropout.active(p, train)) w2 = w2.mul(new Scalar(1 / (1 - p)));
        Tensor f = torch.linear(h, w2, new TensorOptional(param(n + "linear2.bias"))).view(z.size(0), z.size(1), z.size(2));
        return norm(z.add(Dropout.apply(f, p, train)), n + "norm2");
    }

    /** sin on even features, cos on odd ones, frequencies 10000^(-2i/d). */
    static float[] sinusoid(int len, int d) {
        float[] pe = new float[len * d];
        for (int pos = 0; pos < len; pos++) {
            for (int i = 0; i < d; i += 2) {
                double angle = pos * Math.exp(-Math.log(10000.0) * i / d);
                pe[pos * d + i] = (float) Math.sin(angle);
                if (i + 1 < d) pe[pos * d + i + 1] = (float) Math.cos(angle);
            }
        }
        return pe;
    }
}
