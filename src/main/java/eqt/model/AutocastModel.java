package eqt.model;

import eqt.data.EqDataset;
import eqt.data.Split;
import eqt.dsp.LinearInverse;
import eqt.ops.Autocast;
import eqt.ops.Precision;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A trained model whose forward passes run at a reduced precision ({@code eq invert --precision bf16}, and
 * {@code eq evaluate}'s, which measures what that costs): each pass under bf16 autocast on the thread that runs it
 * (autocast is per thread, and inversion predicts on worker threads), its output back in float32. Everything
 * else is the model's own.
 */
public final class AutocastModel implements Model {

    private final Model inner;
    private final Precision precision;

    private AutocastModel(Model inner, Precision precision) {
        this.inner = inner;
        this.precision = precision;
    }

    /** {@code model} itself at fp32, else wrapped. */
    public static Model of(Model model, Precision precision) {
        return precision == Precision.FP32 ? model : new AutocastModel(model, precision);
    }

    @Override
    public Tensor forward(Tensor x, boolean train) {
        try (Autocast a = Autocast.open(precision, inner.device())) {
            Tensor y = inner.forward(x, train);
            return y.scalar_type().value == torch.ScalarType.Float.value ? y : y.to(torch.ScalarType.Float);
        }
    }

    @Override
    public ModelConfig config() {
        return inner.config();
    }

    @Override
    public Device device() {
        return inner.device();
    }

    @Override
    public Map<String, Tensor> parameters() {
        return inner.parameters();
    }

    @Override
    public Map<String, Tensor> state() {
        return inner.state();
    }

    @Override
    public int inputChannels() {
        return inner.inputChannels();
    }

    @Override
    public float[][] inputs(float[][] stations) {
        return inner.inputs(stations);
    }

    @Override
    public int reach() {
        return inner.reach();
    }

    @Override
    public List<LinearInverse> linearPath() {
        return inner.linearPath();
    }

    @Override
    public void fitToTrainingData(EqDataset data, Split split) {
        inner.fitToTrainingData(data, split);
    }
}
