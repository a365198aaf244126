package eqt.model.nn;

import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** {@code nn.Linear}: {@code name.weight [out, in]} and {@code name.bias [out]}. */
public final class Linear {

    public final Tensor weight;
    public final Tensor bias;

    /** nn.Linear's default initialisation: weight and bias uniform in ±1/sqrt(in) (kaiming_uniform, a = sqrt(5)). */
    public Linear(Registry r, String name, int in, int out, SplittableRandom rng) {
        this(r, name, in, out, rng, false);
    }

    /**
     * As nn.Linear, with the bias set to zero afterwards when {@code zeroBias} (as nn.MultiheadAttention does for
     * its output projection): the bias's draws are still taken, so the generator moves on as PyTorch's does.
     */
    public Linear(Registry r, String name, int in, int out, SplittableRandom rng, boolean zeroBias) {
        double bound = 1 / Math.sqrt(in);
        weight = r.parameter(name + ".weight", Registry.uniform(rng, out * in, bound), out, in);
        float[] b = Registry.uniform(rng, out, bound);
        bias = r.parameter(name + ".bias", zeroBias ? new float[out] : b, out);
    }

    /** Zero weight and bias (a head that starts by adding nothing). */
    public static Linear zeros(Registry r, String name, int in, long out) {
        return new Linear(r.parameter(name + ".weight", new float[(int) (out * in)], out, in),
                r.parameter(name + ".bias", new float[(int) out], out));
    }

    private Linear(Tensor weight, Tensor bias) {
        this.weight = weight;
        this.bias = bias;
    }

    public Tensor forward(Tensor x) {
        return torch.linear(x, weight, new TensorOptional(bias));
    }
}
