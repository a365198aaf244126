package eqt.model;

import eqt.data.EqDataset;
import eqt.data.Split;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/** A source-waveform inversion model: station windows in, source windows out, state named as in PyTorch. */
public interface Model {

    ModelConfig config();

    Device device();

    /** Trainable parameters by their state_dict name, in registration order. */
    Map<String, Tensor> parameters();

    /** Parameters plus non-trained buffers: everything a checkpoint must hold. */
    Map<String, Tensor> state();

    /** {@code x}: {@code [B, L, channels]} station windows → {@code [B, L, channels]}; {@code train} enables dropout. */
    Tensor forward(Tensor x, boolean train);

    /**
     * Takes from the training windows what the model fixes before gradient descent: per-channel statistics,
     * and for {@link FirTransformer} its linear inverse filter. Never looks at validation or test windows.
     */
    void fitToTrainingData(EqDataset data, Split split);

    /** Builds the architecture {@code config} names, freshly initialised (deterministic in {@code seed}). */
    static Model create(ModelConfig config, Device device, long seed) {
        return switch (config.model()) {
            case ModelConfig.REFERENCE -> new EqTransformer(config, device, seed);
            case ModelConfig.FIR_TRANSFORMER -> new FirTransformer(config, device, seed);
            default -> throw new IllegalArgumentException(config.model());
        };
    }
}
