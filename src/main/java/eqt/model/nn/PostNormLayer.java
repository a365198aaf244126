package eqt.model.nn;

import eqt.ops.Dropout;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** PyTorch's {@code nn.TransformerEncoderLayer} (post-norm, ReLU feed-forward, batch first, no mask). */
public final class PostNormLayer {

    private final SelfAttention attention;
    private final Linear linear1;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;

    /** Registered in nn.TransformerEncoderLayer's order: self_attn, linear1, linear2, norm1, norm2. */
    public PostNormLayer(Registry r, String name, int d, int heads, int ff, SplittableRandom rng) {
        attention = new SelfAttention(r, name + ".self_attn", d, heads, rng);
        linear1 = new Linear(r, name + ".linear1", d, ff, rng);
        linear2 = new Linear(r, name + ".linear2", ff, d, rng);
        norm1 = new LayerNorm(r, name + ".norm1", d);
        norm2 = new LayerNorm(r, name + ".norm2", d);
    }

    /** {@code [B, T, d]} → {@code [B, T, d]}. */
    public Tensor forward(Tensor z, double p, double attnDropout, boolean train) {
        Tensor a = attention.forward(z, attnDropout);
        z = norm1.forward(z.add(Dropout.apply(a, p, train)));
        // dropout(relu(.)) in linear1's own 2-D output (a 3-D linear returns a view, which in-place ops would
        // make autograd copy), its 1 / (1 - p) folded into linear2's weight (see Dropout.reluInPlace)
        Tensor h = Dropout.reluInPlace(linear1.forward(z.reshape(-1, z.size(2))), p, train);
        Tensor w2 = linear2.weight;
        if (Dropout.active(p, train)) w2 = w2.mul(new Scalar(1 / (1 - p)));
        Tensor f = torch.linear(h, w2, new TensorOptional(linear2.bias)).view(z.size(0), z.size(1), z.size(2));
        return norm2.forward(z.add(Dropout.apply(f, p, train)));
    }
}
