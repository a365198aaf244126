package eqt.model;

import eqt.data.EqDataset;
import eqt.data.Split;
import eqt.dsp.LinearInverse;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
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

    /**
     * A training pass's loss: {@code loss} of {@code forward(x, true)}, where {@code loss} is a weighted sum of
     * squares of the output less targets (the trainer's mean squared errors). A model may compute it otherwise
     * (natively, for example, using that form) as long as the value and the gradients that reach its parameters are
     * the same.
     */
    default Tensor trainingLoss(Tensor x, UnaryOperator<Tensor> loss) {
        return loss.apply(forward(x, true));
    }

    /** Features per time step of {@link #forward}'s input: the channels, unless {@link #inputs} adds some. */
    default int inputChannels() {
        return config().channels();
    }

    /**
     * What the network sees, made from whole station records {@code [channel][sample]} before they are cut into
     * windows: the records themselves, or (for {@link WienerModel}) the records followed by their
     * continuous linear inverse, which reads across window edges. {@code [inputChannel][sample]}.
     */
    default float[][] inputs(float[][] stations) {
        List<LinearInverse> path = linearPath();
        if (path.isEmpty()) return stations;
        int c = stations.length;
        if (path.size() != c) throw new IllegalArgumentException(c + " records for " + path.size() + " channels");
        float[][] out = new float[2 * c][];
        IntStream.range(0, c).parallel().forEach(ch -> {
            out[ch] = stations[ch];
            out[c + ch] = path.get(ch).apply(stations[ch]);
        });
        return out;
    }

    /**
     * The fixed linear inverse per channel whose continuous output {@link #inputs} appends to the records (one
     * per channel), or none: a streaming caller applies it block by block ({@link LinearInverse#blocks}).
     */
    default List<LinearInverse> linearPath() {
        return List.of();
    }

    /**
     * Samples on either side of an output sample that the output depends on, for a model that is one
     * convolution over the whole record once its inputs are made (its outputs away from a window's edges do not
     * depend on where the window lies), so a long record can run through it in chunks that overlap by twice this
     * and no sample is computed twice ({@link eqt.infer.Tiling}); −1 for models whose output depends on the
     * window it is in (attention over a window, positions in a window).
     */
    default int reach() {
        return -1;
    }

    /**
     * Takes from the training windows what the model fixes before gradient descent: per-channel statistics,
     * and for {@link FirTransformer} its linear inverse filter. Never looks at validation or test windows.
     */
    void fitToTrainingData(EqDataset data, Split split);

    /** Builds the architecture {@code config} names, freshly initialised (deterministic in {@code seed}). */
    static Model create(ModelConfig config, Device device, long seed) {
        return switch (config.model()) {
            case REFERENCE -> new EqTransformer(config, device, seed);
            case FIR_TRANSFORMER -> new FirTransformer(config, device, seed);
            case WIENER_CNN, WIENER_TRANSFORMER -> new WienerModel(config, device, seed);
        };
    }
}
