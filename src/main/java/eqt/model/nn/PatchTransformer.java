package eqt.model.nn;

import eqt.ops.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The network of both patch models: each token's {@code 2·channels·patch} numbers (standardised stations and
 * linear estimate) linearly embedded, learned positions, pre-norm layers, a final layer norm and a head back to
 * {@code patch} samples per channel, initialised to zero so training starts at the linear path.
 */
public final class PatchTransformer implements Correction {

    private final Linear embedding;
    private final Tensor position;
    private final List<PreNormLayer> layers = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Linear head;
    private final int channels;
    private final int patch;

    /**
     * Registered as {@code embedding}, {@code position}, {@code transformer_encoder.layers.N}, {@code final_norm},
     * {@code head}.
     */
    public PatchTransformer(Registry r, int channels, int patch, int d, int heads, int ff, int numLayers,
                            int maxLength, SplittableRandom rng) {
        this.channels = channels;
        this.patch = patch;
        embedding = new Linear(r, "embedding", 2 * channels * patch, d, rng);
        int tokens = tokens(maxLength);
        position = r.parameter("position", Registry.uniform(rng, tokens * d, 0.02 * Math.sqrt(3)), tokens, d);
        for (int l = 0; l < numLayers; l++) layers.add(new PreNormLayer(r, Registry.ENCODER_LAYERS + l, d, heads, ff, rng));
        finalNorm = new LayerNorm(r, "final_norm", d);
        head = Linear.zeros(r, "head", d, (long) patch * channels);
    }

    /** Tokens for {@code len} samples: one per {@code patch} samples, the last padded. */
    public int tokens(int len) {
        return (len + patch - 1) / patch;
    }

    /**
     * The correction in standardised units {@code [B, len, channels]} for {@code u} {@code [B, len, 2·channels]}
     * (standardised stations, then the standardised linear estimate).
     */
    @Override
    public Tensor correction(Tensor u, double dropout, double attnDropout, boolean train) {
        long batch = u.size(0);
        long len = u.size(1);
        long tokens = tokens((int) len);
        Tensor padded = torch.constant_pad_nd(u, 0, 0, 0, tokens * patch - len);
        Tensor z = embedding.forward(padded.reshape(batch, tokens, 2L * channels * patch)).add(position.narrow(0, 0, tokens));
        for (PreNormLayer layer : layers) {
            Tensor in = z;
            z = Tensors.scoped(() -> layer.forward(in, dropout, attnDropout, train)); // frees what autograd won't keep
        }
        return head.forward(finalNorm.forward(z)).reshape(batch, tokens * patch, channels).narrow(1, 0, len);
    }
}
