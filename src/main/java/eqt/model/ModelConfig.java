package eqt.model;

import eqt.io.BadInputException;

/**
 * Everything needed to rebuild a model; stored in every checkpoint.
 *
 * @param model       architecture: {@value #WIENER_TRANSFORMER} (the default), {@value #FIR_TRANSFORMER} (its
 *                    predecessor, windowed linear path) or {@value #REFERENCE} (the original's)
 * @param channels    input and output features per time step (one per station/source pair)
 * @param dModel      embedding width
 * @param nHead       attention heads; must divide {@code dModel}
 * @param numLayers   encoder layers
 * @param ffDim       feed-forward width (PyTorch's default 2048 in the reference)
 * @param dropout     dropout after attention output, inside and after the feed-forward
 * @param attnDropout dropout on the attention weights (the reference uses {@code dropout}; 0 keeps CPU attention
 *                    on the fused kernel)
 * @param maxLength   longest window the model accepts (positional table length)
 * @param normalize   standardise inputs and targets per channel with training statistics (kept in the model,
 *                    undone on output); the reference feeds raw amplitudes
 * @param patch       samples per token (0 for the reference, one token per sample)
 * @param firTaps     length of the per-pair linear inverse filter ({@value #FIR_TRANSFORMER}); for
 *                    {@value #WIENER_TRANSFORMER} the room for it: lags {@code −firTaps/2 .. firTaps/2 − 1}
 *                    (0 for the reference)
 */
public record ModelConfig(String model, int channels, int dModel, int nHead, int numLayers, int ffDim,
                          double dropout, double attnDropout, int maxLength, boolean normalize, int patch,
                          int firTaps) {

    public static final String REFERENCE = "reference";
    public static final String FIR_TRANSFORMER = "fir-transformer";
    public static final String WIENER_TRANSFORMER = "wiener-transformer";

    public static ModelConfig reference(int channels) {
        return new ModelConfig(REFERENCE, channels, 64, 4, 2, 2048, 0.1, 0.1, 1500, false);
    }

    /** The default model: see {@link WienerTransformer}. */
    public static ModelConfig wienerTransformer(int channels) {
        return new ModelConfig(WIENER_TRANSFORMER, channels, 128, 4, 4, 512, 0.0, 0.0, 1500, true, 10, 8192);
    }

    /** The previous default: see {@link FirTransformer}. */
    public static ModelConfig firTransformer(int channels) {
        return new ModelConfig(FIR_TRANSFORMER, channels, 128, 4, 4, 512, 0.0, 0.0, 1500, true, 10, 401);
    }

    /** The defaults of {@code model} for {@code channels} pairs. */
    public static ModelConfig defaults(String model, int channels) {
        return switch (model) {
            case REFERENCE -> reference(channels);
            case FIR_TRANSFORMER -> firTransformer(channels);
            case WIENER_TRANSFORMER -> wienerTransformer(channels);
            default -> throw unknown(model);
        };
    }

    /** A reference-architecture configuration (no patches, no filter). */
    public ModelConfig(String model, int channels, int dModel, int nHead, int numLayers, int ffDim, double dropout,
                       double attnDropout, int maxLength, boolean normalize) {
        this(model, channels, dModel, nHead, numLayers, ffDim, dropout, attnDropout, maxLength, normalize, 0, 0);
    }

    public ModelConfig {
        if (!REFERENCE.equals(model) && !FIR_TRANSFORMER.equals(model) && !WIENER_TRANSFORMER.equals(model)) {
            throw unknown(model);
        }
        positive("channels", channels);
        positive("--d_model", dModel);
        positive("--n_head", nHead);
        positive("--num_layers", numLayers);
        positive("feed-forward width", ffDim);
        positive("--max_length", maxLength);
        if (dModel % nHead != 0) {
            throw new BadInputException("--d_model " + dModel + " is not divisible by --n_head " + nHead);
        }
        if (dModel % 2 != 0) throw new BadInputException("--d_model must be even (sin/cos positional encoding), got " + dModel);
        if (!(dropout >= 0 && dropout < 1)) throw new BadInputException("--dropout must be in [0, 1), got " + dropout);
        if (!(attnDropout >= 0 && attnDropout < 1)) {
            throw new BadInputException("--attn_dropout must be in [0, 1), got " + attnDropout);
        }
        if (REFERENCE.equals(model) && (patch != 0 || firTaps != 0)) {
            throw new BadInputException("--patch and --fir_taps apply to --model " + WIENER_TRANSFORMER + " and "
                    + FIR_TRANSFORMER + " only");
        }
        if (!REFERENCE.equals(model)) {
            positive("--patch", patch);
            positive("--fir_taps", firTaps);
            if (!normalize) throw new BadInputException("--model " + model + " always standardises; drop --no-normalize");
        }
        if (WIENER_TRANSFORMER.equals(model) && firTaps % 2 != 0) {
            throw new BadInputException("--fir_taps must be even for " + WIENER_TRANSFORMER + " (lags -n/2..n/2-1), got " + firTaps);
        }
    }

    /** Roughly how many numbers the model's parameters and buffers hold (for bounding untrusted configurations). */
    public long approximateSize() {
        long d = dModel;
        long layers = (long) numLayers * (4 * d * d + 2 * d * ffDim + ffDim + 9 * d);
        if (REFERENCE.equals(model)) return layers + 2L * channels * d + d + channels + (long) maxLength * d;
        long tokens = (maxLength + patch - 1) / patch;
        return layers + 2L * channels * patch * d + tokens * d + (long) patch * channels * d + (long) channels * firTaps;
    }

    private static BadInputException unknown(String model) {
        return new BadInputException("--model: unknown model '" + model + "'; valid: " + WIENER_TRANSFORMER + ", "
                + FIR_TRANSFORMER + ", " + REFERENCE);
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new BadInputException(name + " must be positive, got " + v);
    }
}
