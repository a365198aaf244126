package eqt.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DoubleOptional;
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
public final class EqTransformer {

    private static final String LAYER = "transformer_encoder.layers.";
    private static final String NORM = "normalization.";

    private final ModelConfig config;
    private final Device device;
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Tensor positions;

    /** A freshly initialised model (PyTorch's default initialisers), deterministic in {@code seed}. */
    public EqTransformer(ModelConfig config, Device device, long seed) {
        this.config = config;
        this.device = device;
        SplittableRandom rng = new SplittableRandom(seed);
        int d = config.dModel();
        linear(rng, "embedding.0", config.channels(), d);
        for (int l = 0; l < config.numLayers(); l++) {
            String p = LAYER + l + ".";
            add(p + "self_attn.in_proj_weight", xavier(rng, 3 * d, d), 3 * d, d);
            add(p + "self_attn.in_proj_bias", new float[3 * d], 3 * d);
            linear(rng, p + "self_attn.out_proj", d, d);
            add(p + "self_attn.out_proj.bias", new float[d], d); // MultiheadAttention zeroes this bias
            linear(rng, p + "linear1", d, config.ffDim());
            linear(rng, p + "linear2", config.ffDim(), d);
            layerNorm(p + "norm1", d);
            layerNorm(p + "norm2", d);
        }
        linear(rng, "output_layer", d, config.channels());
        positions = Tensors.retain(Tensors.of(sinusoid(config.maxLength(), d), device, config.maxLength(), d));
        if (config.normalize()) {
            float[] zeros = new float[config.channels()];
            float[] ones = new float[config.channels()];
            java.util.Arrays.fill(ones, 1f);
            setNormalization(new Normalization(zeros, ones, zeros, ones));
        }
    }

    /** Per-channel statistics the model standardises its input with and restores its output with. */
    public void setNormalization(Normalization n) {
        if (!config.normalize()) throw new IllegalStateException("model was built without normalisation");
        int c = config.channels();
        buffers.put(NORM + "input_mean", Tensors.retain(Tensors.of(n.inputMean(), device, c)));
        buffers.put(NORM + "input_std", Tensors.retain(Tensors.of(n.inputStd(), device, c)));
        buffers.put(NORM + "target_mean", Tensors.retain(Tensors.of(n.targetMean(), device, c)));
        buffers.put(NORM + "target_std", Tensors.retain(Tensors.of(n.targetStd(), device, c)));
    }

    /** Parameters and non-trained buffers (normalisation statistics): everything a checkpoint must hold. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> all = new LinkedHashMap<>(params);
        all.putAll(buffers);
        return Collections.unmodifiableMap(all);
    }

    public ModelConfig config() {
        return config;
    }

    public Device device() {
        return device;
    }

    /** Parameters by their PyTorch state_dict name, in registration order. */
    public Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /**
     * {@code x}: {@code [B, L, channels]} station windows → {@code [B, L, channels]} source estimate.
     * {@code train} switches dropout on.
     */
    public Tensor forward(Tensor x, boolean train) {
        long b = x.size(0);
        long len = x.size(1);
        int d = config.dModel();
        int h = config.nHead();
        if (config.normalize()) x = x.sub(buffers.get(NORM + "input_mean")).div(buffers.get(NORM + "input_std"));
        Tensor z = torch.relu(lin(x, "embedding.0"));
        z = z.add(positions.narrow(0, 0, len));
        double p = train ? config.dropout() : 0;
        double pa = train ? config.attnDropout() : 0;
        for (int l = 0; l < config.numLayers(); l++) {
            String n = LAYER + l + ".";
            Tensor qkv = lin(z, n + "self_attn.in_proj_weight", n + "self_attn.in_proj_bias").view(b, len, 3, h, d / h).permute(2, 0, 3, 1, 4);
            Tensor a = torch.scaled_dot_product_attention(qkv.select(0, 0), qkv.select(0, 1), qkv.select(0, 2),
                    new TensorOptional(), pa, false, new DoubleOptional(), false);
            a = lin(a.transpose(1, 2).reshape(b, len, d), n + "self_attn.out_proj");
            z = norm(z.add(torch.dropout(a, p, train)), n + "norm1");
            Tensor f = lin(torch.dropout(torch.relu(lin(z, n + "linear1")), p, train), n + "linear2");
            z = norm(z.add(torch.dropout(f, p, train)), n + "norm2");
        }
        Tensor y = lin(z, "output_layer");
        if (config.normalize()) y = y.mul(buffers.get(NORM + "target_std")).add(buffers.get(NORM + "target_mean"));
        return y;
    }

    private Tensor lin(Tensor x, String name) {
        return lin(x, name + ".weight", name + ".bias");
    }

    private Tensor lin(Tensor x, String weight, String bias) {
        return torch.linear(x, params.get(weight), new TensorOptional(params.get(bias)));
    }

    private Tensor norm(Tensor x, String name) {
        return torch.layer_norm(x, new long[] {config.dModel()}, new TensorOptional(params.get(name + ".weight")),
                new TensorOptional(params.get(name + ".bias")), 1e-5, false);
    }

    /** nn.Linear's default: weight and bias uniform in ±1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5)). */
    private void linear(SplittableRandom rng, String name, int in, int out) {
        double bound = 1 / Math.sqrt(in);
        add(name + ".weight", uniform(rng, out * in, bound), out, in);
        add(name + ".bias", uniform(rng, out, bound), out);
    }

    private void layerNorm(String name, int d) {
        float[] ones = new float[d];
        java.util.Arrays.fill(ones, 1f);
        add(name + ".weight", ones, d);
        add(name + ".bias", new float[d], d);
    }

    private static float[] xavier(SplittableRandom rng, int out, int in) {
        return uniform(rng, out * in, Math.sqrt(6.0 / (in + out)));
    }

    private static float[] uniform(SplittableRandom rng, int n, double bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        return v;
    }

    private void add(String name, float[] values, long... shape) {
        Tensor t = Tensors.retain(Tensors.of(values, device, shape));
        t.requires_grad_(true);
        params.put(name, t);
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
