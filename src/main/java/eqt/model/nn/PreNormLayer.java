package eqt.model.nn;

import eqt.ops.Dropout;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** A pre-norm encoder layer with a GELU feed-forward: {@code x + attn(norm1(x))}, then {@code + ff(norm2(.))}. */
public final class PreNormLayer {

    private final LayerNorm norm1;
    private final SelfAttention attention;
    private final LayerNorm norm2;
    private final Linear linear1;
    private final Linear linear2;

    /** Registered as {@code name.norm1}, {@code name.self_attn}, {@code name.norm2}, {@code name.linear1}, {@code name.linear2}. */
    public PreNormLayer(Registry r, String name, int d, int heads, int ff, SplittableRandom rng) {
        norm1 = new LayerNorm(r, name + ".norm1", d);
        attention = new SelfAttention(r, name + ".self_attn", d, heads, rng);
        norm2 = new LayerNorm(r, name + ".norm2", d);
        linear1 = new Linear(r, name + ".linear1", d, ff, rng);
        linear2 = new Linear(r, name + ".linear2", ff, d, rng);
    }

    public Tensor forward(Tensor x, double dropout, double attnDropout, boolean train) {
        Tensor r = x.add(Dropout.apply(attention.forward(norm1.forward(x), attnDropout), dropout, train));
        Tensor f = linear2.forward(Dropout.apply(torch.gelu(linear1.forward(norm2.forward(r))), dropout, train));
        return r.add(Dropout.apply(f, dropout, train));
    }
}
