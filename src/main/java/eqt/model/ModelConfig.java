package eqt.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import eqt.io.BadInputException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything needed to rebuild a model; stored in every checkpoint (as one flat JSON object, the layout older
 * checkpoints have).
 *
 * @param model     architecture
 * @param channels  input and output features per time step (one per station/source pair)
 * @param encoder   the Transformer's widths and depth
 * @param dropouts  dropout rates
 * @param maxLength longest window the model accepts (positional table length)
 * @param normalize standardise inputs and targets per channel with training statistics (kept in the model,
 *                  undone on output); the reference feeds raw amplitudes
 * @param patch     samples per token (0 for the reference, one token per sample); for {@link ModelKind#WIENER_CNN}
 *                  the width of its dilated convolutions (odd)
 * @param firTaps   length of the per-pair linear inverse filter ({@link ModelKind#FIR_TRANSFORMER}); for the
 *                  {@link WienerModel}s the room for it: lags {@code −firTaps/2 .. firTaps/2 − 1} (0 for the reference)
 *
 * <p>For {@link ModelKind#WIENER_CNN} the encoder's fields mean: {@code dModel} the convolutions' features,
 * {@code numLayers} the dilated residual blocks; {@code nHead} and {@code ffDim} are unused (1 and dModel).
 */
public record ModelConfig(ModelKind model, int channels, Encoder encoder, Dropouts dropouts, int maxLength,
                          boolean normalize, int patch, int firTaps) {

    /**
     * @param dModel    embedding width
     * @param nHead     attention heads; must divide {@code dModel}
     * @param numLayers encoder layers
     * @param ffDim     feed-forward width (PyTorch's default 2048 in the reference)
     */
    public record Encoder(int dModel, int nHead, int numLayers, int ffDim) {
    }

    /**
     * @param dropout   after the attention output, inside and after the feed-forward
     * @param attention on the attention weights (the reference uses {@code dropout}; 0 keeps CPU attention on
     *                  the fused kernel)
     */
    public record Dropouts(double dropout, double attention) {
    }

    /** The smallest {@code firTaps} of the default model: its spectral estimate's shortest segment. */
    public static final int MIN_WIENER_TAPS = 64;

    public static ModelConfig reference(int channels) {
        return new ModelConfig(ModelKind.REFERENCE, channels, new Encoder(64, 4, 2, 2048), new Dropouts(0.1, 0.1),
                1500, false, 0, 0);
    }

    /**
     * The default model: see {@link WienerModel} and {@link eqt.model.nn.PairConvNet}. 16 features, 8 blocks of
     * width-3 convolutions dilated 1..128: each output sees 255 samples (2.55 s at 100 Hz) either side. (32
     * features gained no more on validation and cost 3.5× the time: benchmarks/NOTES.md §20.)
     */
    public static ModelConfig wienerCnn(int channels) {
        return new ModelConfig(ModelKind.WIENER_CNN, channels, new Encoder(16, 1, 8, 16), new Dropouts(0, 0),
                1500, true, 3, 8192);
    }

    /** The previous default: a patch Transformer over all pairs, see {@link WienerModel}. */
    public static ModelConfig wienerTransformer(int channels) {
        return new ModelConfig(ModelKind.WIENER_TRANSFORMER, channels, new Encoder(128, 4, 4, 512), new Dropouts(0, 0),
                1500, true, 10, 8192);
    }

    /** A windowed linear path: see {@link FirTransformer}. */
    public static ModelConfig firTransformer(int channels) {
        return new ModelConfig(ModelKind.FIR_TRANSFORMER, channels, new Encoder(128, 4, 4, 512), new Dropouts(0, 0),
                1500, true, 10, 401);
    }

    /** The defaults of {@code model} for {@code channels} pairs. */
    public static ModelConfig defaults(ModelKind model, int channels) {
        return switch (model) {
            case REFERENCE -> reference(channels);
            case FIR_TRANSFORMER -> firTransformer(channels);
            case WIENER_CNN -> wienerCnn(channels);
            case WIENER_TRANSFORMER -> wienerTransformer(channels);
        };
    }

    /**
     * Checked when built, so a bad value is refused before any work. Messages name the setting as the command
     * line does (the only place these settings come from besides checkpoints, which hold valid ones).
     */
    public ModelConfig {
        if (model == null) throw new BadInputException("no model kind; valid: " + ModelKind.valid());
        positive("channels", channels);
        positive("{d_model}", encoder.dModel());
        positive("{n_head}", encoder.nHead());
        positive("{num_layers}", encoder.numLayers());
        positive("{dim_feedforward}", encoder.ffDim());
        positive("{max_length}", maxLength);
        if (encoder.dModel() % encoder.nHead() != 0) {
            throw BadInputException.setting("{d_model} " + encoder.dModel() + " is not divisible by {n_head} " + encoder.nHead());
        }
        if (encoder.dModel() % 2 != 0) {
            throw BadInputException.setting("{d_model} must be even (sin/cos positional encoding), got " + encoder.dModel());
        }
        if (!(dropouts.dropout() >= 0 && dropouts.dropout() < 1)) {
            throw BadInputException.setting("{dropout} must be in [0, 1), got " + dropouts.dropout());
        }
        if (!(dropouts.attention() >= 0 && dropouts.attention() < 1)) {
            throw BadInputException.setting("{attn_dropout} must be in [0, 1), got " + dropouts.attention());
        }
        if (model == ModelKind.REFERENCE && (patch != 0 || firTaps != 0)) {
            throw BadInputException.setting("{patch} and {fir_taps} do not apply to {model} " + ModelKind.REFERENCE);
        }
        if (model != ModelKind.REFERENCE) {
            positive("{patch}", patch);
            positive("{fir_taps}", firTaps);
            if (!normalize) throw BadInputException.setting("{model} " + model + " always standardises; drop {no-normalize}");
        }
        if (model == ModelKind.WIENER_CNN && patch % 2 != 1) {
            throw BadInputException.setting("{patch} is the convolution width of " + model + " and must be odd (centred), got " + patch);
        }
        if (wiener(model) && (firTaps % 2 != 0 || firTaps < MIN_WIENER_TAPS)) {
            throw BadInputException.setting("{fir_taps} must be even and at least " + MIN_WIENER_TAPS + " for "
                    + model + " (lags -n/2..n/2-1; its spectral estimate's shortest segment), got "
                    + firTaps);
        }
    }

    /** A model with a continuous linear path ({@link WienerModel}). */
    public boolean wiener() {
        return wiener(model);
    }

    // static: the compact constructor checks before the fields are assigned
    private static boolean wiener(ModelKind model) {
        return model == ModelKind.WIENER_CNN || model == ModelKind.WIENER_TRANSFORMER;
    }

    public int dModel() {
        return encoder.dModel();
    }

    public int nHead() {
        return encoder.nHead();
    }

    public int numLayers() {
        return encoder.numLayers();
    }

    public int ffDim() {
        return encoder.ffDim();
    }

    public double dropout() {
        return dropouts.dropout();
    }

    public double attnDropout() {
        return dropouts.attention();
    }

    /** One flat object, as checkpoints have always held it. */
    @JsonValue
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.id());
        m.put("channels", channels);
        m.put("dModel", dModel());
        m.put("nHead", nHead());
        m.put("numLayers", numLayers());
        m.put("ffDim", ffDim());
        m.put("dropout", dropout());
        m.put("attnDropout", attnDropout());
        m.put("maxLength", maxLength);
        m.put("normalize", normalize);
        m.put("patch", patch);
        m.put("firTaps", firTaps);
        return m;
    }

    /** Reads {@link #json()}'s layout; fields older checkpoints lack take their old meaning (0, false). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ModelConfig fromJson(JsonNode n) {
        return new ModelConfig(ModelKind.of(n.path("model").asText()), n.path("channels").asInt(),
                new Encoder(n.path("dModel").asInt(), n.path("nHead").asInt(), n.path("numLayers").asInt(),
                        n.path("ffDim").asInt()),
                new Dropouts(n.path("dropout").asDouble(), n.path("attnDropout").asDouble()),
                n.path("maxLength").asInt(), n.path("normalize").asBoolean(), n.path("patch").asInt(),
                n.path("firTaps").asInt());
    }

    /** Roughly how many numbers the model's parameters and buffers hold (for bounding untrusted configurations). */
    public long approximateSize() {
        long d = dModel();
        long layers = (long) numLayers() * (4 * d * d + 2 * d * ffDim() + ffDim() + 9 * d);
        if (model == ModelKind.REFERENCE) return layers + 2L * channels * d + d + channels + (long) maxLength * d;
        if (model == ModelKind.WIENER_CNN) return (long) numLayers() * (patch + 1) * d * d + 4 * d + (long) channels * firTaps;
        long tokens = (maxLength + patch - 1) / patch;
        return layers + 2L * channels * patch * d + tokens * d + (long) patch * channels * d + (long) channels * firTaps;
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw BadInputException.setting(name + " must be positive, got " + v);
    }
}
