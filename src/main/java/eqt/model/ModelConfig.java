package eqt.model;

import eqt.io.BadInputException;

/**
 * Everything needed to rebuild a model; stored in every checkpoint.
 *
 * @param model       architecture name ({@code reference})
 * @param channels    input and output features per time step (one per station/source pair)
 * @param dModel      embedding width
 * @param nHead       attention heads; must divide {@code dModel}
 * @param numLayers   encoder layers
 * @param ffDim       feed-forward width (PyTorch's default 2048 in the reference)
 * @param dropout     dropout after attention output, inside and after the feed-forward
 * @param attnDropout dropout on the attention weights (the reference uses {@code dropout}; 0 keeps CPU attention
 *                    on the fused kernel)
 * @param maxLength   length of the positional-encoding table; windows may not be longer
 * @param normalize   standardise inputs and targets per channel with training statistics (kept in the model,
 *                    undone on output); the reference feeds raw amplitudes
 */
public record ModelConfig(String model, int channels, int dModel, int nHead, int numLayers, int ffDim,
                          double dropout, double attnDropout, int maxLength, boolean normalize) {

    public static final String REFERENCE = "reference";

    public static ModelConfig reference(int channels) {
        return new ModelConfig(REFERENCE, channels, 64, 4, 2, 2048, 0.1, 0.1, 1500, false);
    }

    public ModelConfig {
        if (!REFERENCE.equals(model)) throw new BadInputException("--model: unknown model '" + model + "'; valid: reference");
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
    }

    private static void positive(String name, int v) {
        if (v <= 0) throw new BadInputException(name + " must be positive, got " + v);
    }
}
