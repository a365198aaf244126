package eqt.model.nn;

import eqt.ops.Tensors;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * A model's tensors under their PyTorch state_dict names, in the order modules register them (the order
 * checkpoints, optimiser state and collectives follow). Modules keep their own tensors as fields and use those
 * in {@code forward}; the names exist only here, for checkpoints and interchange.
 */
public final class Registry {

    /** Prefix of the encoder layers' names, as nn.TransformerEncoder names them. */
    public static final String ENCODER_LAYERS = "transformer_encoder.layers.";

    private final Device device;
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();

    public Registry(Device device) {
        this.device = device;
    }

    public Device device() {
        return device;
    }

    /** A trained tensor (gradient on) holding {@code values}. */
    public Tensor parameter(String name, float[] values, long... shape) {
        Tensor t = Tensors.retain(Tensors.of(values, device, shape));
        t.requires_grad_(true);
        params.put(name, t); // a name registered again keeps its first place, as a state_dict's would
        return t;
    }

    /** A fixed tensor (no gradient) holding {@code values}, saved with the model. */
    public Tensor buffer(String name, float[] values, long... shape) {
        Tensor t = Tensors.retain(Tensors.of(values, device, shape));
        buffers.put(name, t);
        return t;
    }

    public Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /** Parameters, then buffers. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> all = new LinkedHashMap<>(params);
        all.putAll(buffers);
        return Collections.unmodifiableMap(all);
    }

    /** {@code n} values uniform in ±{@code bound}, drawn from {@code rng} (PyTorch's initialisers' ranges). */
    public static float[] uniform(SplittableRandom rng, int n, double bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        return v;
    }
}
