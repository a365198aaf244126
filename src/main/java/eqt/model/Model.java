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

    /**
     * {@code x}: {@code [B, L, inputChannels]} windows of what {@link #inputs} makes of the station records →
     * {@code [B, L, channels]} source estimates; {@code train} enables dropout.
     */
    Tensor forward(Tensor x, boolean train);

    /** Features per time step of {@link #forward}'s input: the channels, unless {@link #inputs} adds some. */
    default int inputChannels() {
        return config().channels();
    }

    /**
     * What the network sees, made from whole station records {@code [channel][sample]} before they are cut into
     * windows: the records themselves, or (for {@link WienerTransformer}) the records followed by their
     * continuous linear inverse, which reads across window edges. {@code [inputChannel][sample]}.
     */
    default float[][] inputs(float[][] stations) {
        return stations;
    }

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
            case ModelConfig.WIENER_TRANSFORMER -> new WienerTransformer(config, device, seed);
            default -> throw new IllegalArgumentException(config.model());
        };
    }
}
