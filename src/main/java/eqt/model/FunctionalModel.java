package eqt.model;

import eqt.model.nn.PatchTransformer;
import eqt.model.nn.Registry;
import java.util.SplittableRandom;
import eqt.model.nn.Standardizer;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * What the models share: their modules' tensors under PyTorch state_dict names ({@link Registry}) and, when the
 * configuration standardises, the per-channel statistics ({@link Standardizer}). Each model builds its modules
 * in its constructor and calls them in {@code forward}; no tensor is looked up by name there.
 */
public abstract class FunctionalModel implements Model {

    protected final ModelConfig config;
    protected final Device device;
    protected final Registry registry;
    /** Present when the configuration standardises; its buffers are registered when the model asks for them. */
    private Standardizer standardizer;

    protected FunctionalModel(ModelConfig config, Device device) {
        this.config = config;
        this.device = device;
        this.registry = new Registry(device);
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
        return registry.parameters();
    }

    @Override
    public Map<String, Tensor> state() {
        return registry.state();
    }

    /** The network of both patch models, sized by the configuration (registered now, drawing from {@code rng}). */
    protected PatchTransformer patchTransformer(SplittableRandom rng) {
        return new PatchTransformer(registry, config.channels(), config.patch(), config.dModel(), config.nHead(),
                config.ffDim(), config.numLayers(), config.maxLength(), rng);
    }

    /** Registers the standardisation buffers (identity statistics until {@link #setNormalization}). */
    protected void standardizeWith() {
        standardizer = new Standardizer(registry, config.channels());
    }

    /** Per-channel statistics the model standardises its input with and restores its output with. */
    public void setNormalization(Normalization n) {
        if (standardizer == null) throw new IllegalStateException("model was built without normalisation");
        standardizer.set(n);
    }

    protected Standardizer standardizer() {
        return standardizer;
    }

    protected Tensor standardise(Tensor x) {
        return standardizer != null ? standardizer.standardise(x) : x;
    }

    protected Tensor restore(Tensor y) {
        return standardizer != null ? standardizer.restore(y) : y;
    }

    /** Dropout in effect: the configured rate while training, none otherwise. */
    protected double dropout(boolean train) {
        return train ? config.dropout() : 0;
    }

    protected double attnDropout(boolean train) {
        return train ? config.attnDropout() : 0;
    }
}
