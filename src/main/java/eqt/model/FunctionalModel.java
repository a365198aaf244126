package eqt.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * What the models share: named parameters and buffers (PyTorch state_dict names), PyTorch's default
 * initialisers drawn from a seeded generator, linear / layer-norm helpers, and per-channel standardisation.
 */
public abstract class FunctionalModel implements Model {

    /** Prefix of the encoder layers' state_dict names, as nn.TransformerEncoder names them. */
    static final String LAYERS = "transformer_encoder.layers.";
    private static final String NORM = "normalization.";

    protected final ModelConfig config;
    protected final Device device;
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();

    protected FunctionalModel(ModelConfig config, Device device) {
        this.config = config;
        this.device = device;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(params);
    }

    @Override
    public Map<String, Tensor> state() {
        Map<String, Tensor> all = new LinkedHashMap<>(params);
        all.putAll(buffers);
        return Collections.unmodifiableMap(all);
    }

    /** Per-channel statistics the model standardises its input with and restores its output with. */
    public void setNormalization(Normalization n) {
        if (!config.normalize()) throw new IllegalStateException("model was built without normalisation");
        int c = config.channels();
        buffer(NORM + "input_mean", n.inputMean(), c);
        buffer(NORM + "input_std", n.inputStd(), c);
        buffer(NORM + "target_mean", n.targetMean(), c);
        buffer(NORM + "target_std", n.targetStd(), c);
    }

    /** Identity statistics, so a model built with normalisation has its buffers before they are fitted. */
    protected void identityNormalization() {
        float[] zeros = new float[config.channels()];
        float[] ones = new float[config.channels()];
        Arrays.fill(ones, 1f);
        setNormalization(new Normalization(zeros, ones, zeros, ones));
    }

    protected Tensor standardise(Tensor x) {
        return config.normalize() ? x.sub(buffers.get(NORM + "input_mean")).div(buffers.get(NORM + "input_std")) : x;
    }

    /**
     * {@code [.., 2·channels]}: station features then source-unit features, standardised in one pass with the input
     * statistics and then the target statistics (one elementwise pass instead of two slices, two passes and a
     * concatenation).
     */
    protected Tensor standardiseStationsAndTargets(Tensor x) {
        Tensor mean = torch.cat(new TensorVector(buffers.get(NORM + "input_mean"), buffers.get(NORM + "target_mean")));
        Tensor std = torch.cat(new TensorVector(buffers.get(NORM + "input_std"), buffers.get(NORM + "target_std")));
        return x.sub(mean).div(std);
    }

    protected Tensor restore(Tensor y) {
        return config.normalize() ? y.mul(buffers.get(NORM + "target_std")).add(buffers.get(NORM + "target_mean")) : y;
    }

    protected Tensor param(String name) {
        return params.get(name);
    }

    protected Tensor buffer(String name) {
        return buffers.get(name);
    }

    protected Tensor lin(Tensor x, String name) {
        return lin(x, name + ".weight", name + ".bias");
    }

    protected Tensor lin(Tensor x, String weight, String bias) {
        return torch.linear(x, params.get(weight), new TensorOptional(params.get(bias)));
    }

    protected Tensor norm(Tensor x, String name) {
        return torch.layer_norm(x, new long[] {x.size(x.dim() - 1)}, new TensorOptional(params.get(name + ".weight")),
                new TensorOptional(params.get(name + ".bias")), 1e-5, false);
    }

    /** nn.Linear's default: weight and bias uniform in ±1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5)). */
    protected void linear(SplittableRandom rng, String name, int in, int out) {
        double bound = 1 / Math.sqrt(in);
        add(name + ".weight", uniform(rng, out * in, bound), out, in);
        add(name + ".bias", uniform(rng, out, bound), out);
    }

    protected void layerNorm(String name, int d) {
        float[] ones = new float[d];
        Arrays.fill(ones, 1f);
        add(name + ".weight", ones, d);
        add(name + ".bias", new float[d], d);
    }

    /** nn.MultiheadAttention's parameters: xavier-uniform packed projection, zero biases. */
    protected void attention(SplittableRandom rng, String name, int d) {
        add(name + ".in_proj_weight", uniform(rng, 3 * d * d, Math.sqrt(6.0 / (4 * d))), 3 * d, d);
        add(name + ".in_proj_bias", new float[3 * d], 3 * d);
        linear(rng, name + ".out_proj", d, d);
        add(name + ".out_proj.bias", new float[d], d);
    }

    /**
     * Multi-head self-attention; {@code z} is {@code [B, T, d]}. Without dropout on the attention weights it is
     * the fused kernel. With it, libtorch's CPU attention can only take its unfused path, so the same arithmetic
     * is written out here (as PyTorch's math path and torch 1.13's {@code _scaled_dot_product_attention} do it),
     * with the mask drawn by {@link Dropout} as one boolean tensor and its 1 / (1 - p) applied to {@code v}
     * instead of the {@code [B, h, T, T]} weights.
     */
    protected Tensor selfAttention(Tensor z, String name, double attnDropout) {
        long b = z.size(0);
        long len = z.size(1);
        int d = config.dModel();
        int h = config.nHead();
        Tensor qkv = lin(z, name + ".in_proj_weight", name + ".in_proj_bias").view(b, len, 3, h, d / h)
                .permute(2, 0, 3, 1, 4);
        Tensor q = qkv.select(0, 0);
        Tensor k = qkv.select(0, 1);
        Tensor v = qkv.select(0, 2);
        Tensor a;
        if (attnDropout > 0 && device.is_cpu()) {
            // One window at a time: the [h, T, T] temporaries of forward and backward stay small and warm in
            // cache, where [B, h, T, T] ones are hundreds of MB each.
            Tensor qs = q.mul(new Scalar(1 / Math.sqrt(d / h)));
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
                    new org.bytedeco.pytorch.DoubleOptional(), false);
        }
        return lin(a.transpose(1, 2).reshape(b, len, d), name + ".out_proj");
    }

    /**
     * The network both patch models share ({@link FirTransformer}, {@link WienerTransformer}): a linear embedding of
     * each token's {@code 2·channels·patch} numbers (station and linear estimate), learned positions, the pre-norm
     * layers, a final layer norm and a head back to {@code patch} samples per channel, initialised to zero so
     * training starts at the linear path.
     */
    protected void patchTransformer(SplittableRandom rng) {
        int c = config.channels();
        int d = config.dModel();
        int p = config.patch();
        linear(rng, "embedding", 2 * c * p, d);
        int tokens = patchTokens(config.maxLength());
        add("position", uniform(rng, tokens * d, 0.02 * Math.sqrt(3)), tokens, d);
        preNormLayers(rng);
        layerNorm("final_norm", d);
        add("head.weight", new float[p * c * d], (long) p * c, d);
        add("head.bias", new float[p * c], (long) p * c);
    }

    /**
     * {@link #patchTransformer}'s correction, in standardised units {@code [B, len, channels]}, for {@code u}
     * {@code [B, len, 2·channels]} (standardised stations, then the standardised linear estimate).
     */
    protected Tensor patchCorrection(Tensor u, boolean train) {
        long batch = u.size(0);
        long len = u.size(1);
        int c = config.channels();
        int p = config.patch();
        long tokens = patchTokens((int) len);
        Tensor padded = torch.constant_pad_nd(u, 0, 0, 0, tokens * p - len);
        Tensor z = lin(padded.reshape(batch, tokens, 2L * c * p), "embedding").add(param("position").narrow(0, 0, tokens));
        z = preNormEncoder(z, train);
        return lin(norm(z, "final_norm"), "head").reshape(batch, tokens * p, c).narrow(1, 0, len);
    }

    /** Tokens for {@code len} samples: one per {@code patch} samples, the last padded. */
    protected int patchTokens(int len) {
        return (len + config.patch() - 1) / config.patch();
    }

    /** The pre-norm encoder layers ({@code numLayers}, GELU feed-forward) of the patch Transformers. */
    protected void preNormLayers(SplittableRandom rng) {
        int d = config.dModel();
        for (int l = 0; l < config.numLayers(); l++) {
            String n = LAYERS + l + ".";
            layerNorm(n + "norm1", d);
            attention(rng, n + "self_attn", d);
            layerNorm(n + "norm2", d);
            linear(rng, n + "linear1", d, config.ffDim());
            linear(rng, n + "linear2", config.ffDim(), d);
        }
    }

    /** Runs {@link #preNormLayers} on {@code z} {@code [B, T, d]}. */
    protected Tensor preNormEncoder(Tensor z, boolean train) {
        double drop = train ? config.dropout() : 0;
        double attnDrop = train ? config.attnDropout() : 0;
        for (int l = 0; l < config.numLayers(); l++) {
            String n = LAYERS + l + ".";
            Tensor in = z;
            z = Tensors.scoped(() -> { // frees what the layer made and autograd won't keep
                Tensor r = in.add(Dropout.apply(selfAttention(norm(in, n + "norm1"), n + "self_attn", attnDrop), drop, train));
                Tensor f = lin(Dropout.apply(torch.gelu(lin(norm(r, n + "norm2"), n + "linear1")), drop, train), n + "linear2");
                return r.add(Dropout.apply(f, drop, train));
            });
        }
        return z;
    }

    protected static float[] uniform(SplittableRandom rng, int n, double bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        return v;
    }

    protected void add(String name, float[] values, long... shape) {
        Tensor t = Tensors.retain(Tensors.of(values, device, shape));
        t.requires_grad_(true);
        params.put(name, t);
    }

    protected void buffer(String name, float[] values, long... shape) {
        buffers.put(name, Tensors.retain(Tensors.of(values, device, shape)));
    }
}
