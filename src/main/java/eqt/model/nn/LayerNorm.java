package eqt.model.nn;

import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** {@code nn.LayerNorm} over the last dimension, eps 1e-5: {@code name.weight} (ones) and {@code name.bias} (zeros). */
public final class LayerNorm {

    private final Tensor weight;
    private final Tensor bias;

    public LayerNorm(Registry r, String name, int d) {
        float[] ones = new float[d];
        Arrays.fill(ones, 1f);
        weight = r.parameter(name + ".weight", ones, d);
        bias = r.parameter(name + ".bias", new float[d], d);
    }

    public Tensor forward(Tensor x) {
        return torch.layer_norm(x, new long[] {x.size(x.dim() - 1)}, new TensorOptional(weight),
                new TensorOptional(bias), 1e-5, false);
    }
}
