package eqt.model.nn;

import eqt.ops.Dropout;
import eqt.ops.Tensors;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code nn.MultiheadAttention} as self-attention, batch first: the packed {@code in_proj_weight}/{@code _bias}
 * (xavier-uniform, zeros) and {@code out_proj} (zero bias), as PyTorch initialises them.
 */
public final class SelfAttention {

    private final Tensor inProjWeight;
    private final Tensor inProjBias;
    private final Linear outProj;
    private final int d;
    private final int heads;

    public SelfAttention(Registry r, String name, int d, int heads, SplittableRandom rng) {
        this.d = d;
        this.heads = heads;
        inProjWeight = r.parameter(name + ".in_proj_weight", Registry.uniform(rng, 3 * d * d, Math.sqrt(6.0 / (4 * d))), 3 * d, d);
        inProjBias = r.parameter(name + ".in_proj_bias", new float[3 * d], 3 * d);
        outProj = new Linear(r, name + ".out_proj", d, d, rng, true);
    }

    /**
     * {@code z} {@code [B, T, d]}. Without dropout on the attention weights it is the fused kernel. With it,
     * libtorch's CPU attention can only take its unfused path, so the same arithmetic is written out here (as
     * PyTorch's math path and torch 1.13's {@code _scaled_dot_product_attention} do it), with the mask drawn by
     * {@link Dropout} as one boolean tensor and its 1 / (1 - p) applied to {@code v} instead of the
     * {@code [B, h, T, T]} weights.
     */
    public Tensor forward(Tensor z, double attnDropout) {
        long b = z.size(0);
        long len = z.size(1);
        Tensor qkv = torch.linear(z, inProjWeight, new TensorOptional(inProjBias)).view(b, len, 3, heads, d / heads)
                .permute(2, 0, 3, 1, 4);
        Tensor q = qkv.select(0, 0);
        Tensor k = qkv.select(0, 1);
        Tensor v = qkv.select(0, 2);
        Tensor a;
        if (attnDropout > 0 && z.device().is_cpu()) {
            // One window at a time: the [h, T, T] temporaries of forward and backward stay small and warm in
            // cache, where [B, h, T, T] ones are hundreds of MB each.
            Tensor qs = q.mul(new Scalar(1 / Math.sqrt(d / heads)));
            Tensor vs = v.mul(new Scalar(1 / (1 - attnDropout)));
            TensorVector parts = new TensorVector();
            for (long i = 0; i < b; i++) {
                long w = i;
                parts.push_back(Tensors.scoped(() -> { // frees each window's scores at once (Tensors.scoped)
                    Tensor weights = torch.softmax(torch.matmul(qs.select(0, w), k.select(0, w).transpose(-2, -1)), -1);
                    return torch.matmul(Dropout.unscaled(weights, attnDropout), vs.select(0, w));
                }));
            }
            a = torch.stack(parts);
        } else {
            a = torch.scaled_dot_product_attention(q, k, v, new TensorOptional(), attnDropout, false,
                    new DoubleOptional(), false);
        }
        return outProj.forward(a.transpose(1, 2).reshape(b, len, d));
    }
}
