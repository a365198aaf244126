package eqt.model;

import eqt.ops.Tensors;

import eqt.data.EqDataset;
import eqt.data.Split;
import eqt.model.nn.Linear;
import eqt.model.nn.PostNormLayer;
import eqt.model.nn.Registry;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The reference architecture: Linear+ReLU embedding, fixed sinusoidal positions, {@code numLayers} post-norm
 * encoder layers (PyTorch's {@code nn.TransformerEncoderLayer}, batch-first, no mask), Linear output.
 *
 * <p>Built from this project's modules rather than the C++-frontend's: the frontend's {@code TransformerEncoder}
 * materialises the {@code [B·h, L, L]} attention matrix, whereas {@link eqt.model.nn.SelfAttention} calls the
 * fused {@code scaled_dot_product_attention}; and the names are exactly those of the reference's PyTorch
 * {@code state_dict}, so checkpoints can cross to Python.
 */
public final class EqTransformer extends FunctionalModel {

    private final Linear embedding;
    private final List<PostNormLayer> layers = new ArrayList<>();
    private final Linear output;
    private final Tensor positions;

    /** A freshly initialised model (PyTorch's default initialisers), deterministic in {@code seed}. */
    public EqTransformer(ModelConfig config, Device device, long seed) {
        super(config, device);
        SplittableRandom rng = new SplittableRandom(seed);
        int d = config.dModel();
        embedding = new Linear(registry, "embedding.0", config.channels(), d, rng);
        for (int l = 0; l < config.numLayers(); l++) {
            layers.add(new PostNormLayer(registry, Registry.ENCODER_LAYERS + l, d, config.nHead(), config.ffDim(), rng));
        }
        output = new Linear(registry, "output_layer", d, config.channels(), rng);
        positions = Tensors.retain(Tensors.of(sinusoid(config.maxLength(), d), device, config.maxLength(), d));
        if (config.normalize()) standardizeWith();
    }

    @Override
    public void fitToTrainingData(EqDataset data, Split split) {
        if (config.normalize()) setNormalization(Normalization.fit(data, split.trainWindows()));
    }

    @Override
    public Tensor forward(Tensor x, boolean train) {
        long len = x.size(1);
        Tensor z = torch.relu(embedding.forward(standardise(x)));
        z = z.add(positions.narrow(0, 0, len));
        for (PostNormLayer layer : layers) {
            Tensor in = z; // frees what the layer made and autograd won't keep
            z = Tensors.scoped(() -> layer.forward(in, dropout(train), attnDropout(train), train));
        }
        return restore(output.forward(z));
    }

    /** sin on even features, cos on odd ones, frequencies 10000^(-2i/d). */
    public static float[] sinusoid(int len, int d) {
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
