package eqt.model.nn;

import eqt.model.Normalization;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Per-channel statistics a model standardises its input with and restores its output with, as buffers
 * {@code normalization.input_mean}, {@code input_std}, {@code target_mean}, {@code target_std}.
 */
public final class Standardizer {

    private static final String NAME = "normalization.";
    private final Registry registry;
    private final int channels;
    private Tensor inputMean;
    private Tensor inputStd;
    private Tensor targetMean;
    private Tensor targetStd;

    /** Identity statistics until {@link #set} (a model has its buffers before they are fitted). */
    public Standardizer(Registry r, int channels) {
        this.registry = r;
        this.channels = channels;
        float[] zeros = new float[channels];
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        set(new Normalization(zeros, ones, zeros, ones));
    }

    public void set(Normalization n) {
        inputMean = registry.buffer(NAME + "input_mean", n.inputMean(), channels);
        inputStd = registry.buffer(NAME + "input_std", n.inputStd(), channels);
        targetMean = registry.buffer(NAME + "target_mean", n.targetMean(), channels);
        targetStd = registry.buffer(NAME + "target_std", n.targetStd(), channels);
    }

    public Tensor standardise(Tensor x) {
        return x.sub(inputMean).div(inputStd);
    }

    /**
     * {@code [.., 2·channels]}: station features then source-unit features, standardised in one pass with the
     * input statistics and then the target statistics (one elementwise pass instead of two slices, two passes
     * and a concatenation).
     */
    public Tensor standardiseStationsAndTargets(Tensor x) {
        Tensor mean = torch.cat(new TensorVector(inputMean, targetMean));
        Tensor std = torch.cat(new TensorVector(inputStd, targetStd));
        return x.sub(mean).div(std);
    }

    public Tensor restore(Tensor y) {
        return y.mul(targetStd).add(targetMean);
    }
}
