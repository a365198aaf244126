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
 * @param patch     samples per token (0 for the reference, one token per sample)
 * @param firTaps   length of the per-pair linear inverse filter ({@link ModelKind#FIR_TRANSFORMER}); for
 *                  {@link ModelKind#WIENER_TRANSFORMER} the room for it: lags {@code −firTaps/2 .. firTaps/2 − 1}
 *                  (0 for the reference)
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

    /** The default model: see {@link WienerTransformer}. */
    public static ModelConfig wienerTransformer(int channels) {
        return new ModelConfig(ModelKind.WIENER_TRANSFORMER, channels, new Encoder(128, 4, 4, 512), new Dropouts(0, 0),
                1500, true, 10, 8192);
    }

    /** The previous default: see {@link FirTransformer}. */
    public static ModelConfig firTransformer(int channels) {
        return new ModelConfig(ModelKind.FIR_TRANSFORMER, channels, new Encoder(128, 4, 4, 512), new Dropouts(0, 0),
                1500, true, 10, 401);
    }

    /** The defaults of {@code model} for {@code channels} pairs. */
    public static ModelConfig defaults(ModelKind model, int channels) {
        return switch (model) {
            case REFERENCE -> reference(channels);
            case FIR_TRANSFORMER -> firTransformer(channels);
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
            throw BadInputException.setting("{patch} and {fir_taps} apply to {model} " + ModelKind.WIENER_TRANSFORMER + " and "
                    + ModelKind.FIR_TRANSFORMER + " only");
        }
        if (model != ModelKind.REFERENCE) {
            positive("{patch}", patch);
            positive("{fir_taps}", firTaps);
            if (!normalize) throw BadInputException.setting("{model} " + model + " always standardises; drop {no-normalize}");
        }
        if (model == ModelKind.WIENER_TRANSFORMER && (firTaps % 2 != 0 || firTaps < MIN_WIENER_TAPS)) {
            throw BadInputException.setting("{fir_taps} must be even and at least " + MIN_WIENER_TAPS + " for "
                    + ModelKind.WIENER_TRANSFORMER + " (lags -n/2..n/2-1; its spectral estimate's shortest segment), got "
                    + firTaps);
        }
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
        long tokens = (maxLength + patch - 1) / patch;
        return layers + 2L * channels * patch * d + tokens * d + (long) patch * channels * d + (long) channels * firTaps;
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw BadInputException.setting(name + " must be positive, got " + v);
    }
}
