package eqt.cli;

import eqt.model.ModelConfig;
import eqt.model.ModelKind;
import picocli.CommandLine.Option;

/** The top-level command's model flags: which architecture, and its size where the defaults do not suit. */
final class ModelOptions {

    @Option(names = "--model", defaultValue = "wiener-cnn",
            description = "wiener-cnn (default: the best classical inverse on the continuous record + one dilated "
                    + "convolutional network shared by all pairs on its residual), wiener-transformer (the same linear "
                    + "path + a patch Transformer over all pairs, the previous default), fir-transformer (windowed "
                    + "401-tap filter) or reference (the original's architecture and recipe). Flags left out take the "
                    + "model's defaults.")
    String model;
    @Option(names = {"--d_model", "--d-model"}, description = "Embedding width (128; reference 64); for wiener-cnn its "
            + "features (16).")
    Integer dModel;
    @Option(names = {"--n_head", "--n-head"}, description = "Attention heads (4).")
    Integer nHead;
    @Option(names = {"--num_layers", "--num-layers"}, description = "Encoder layers (4; reference 2); for wiener-cnn its "
            + "dilated blocks (8: dilations 1..128).")
    Integer numLayers;
    @Option(names = {"--dim_feedforward", "--dim-feedforward"}, description = "Feed-forward width (512; reference 2048, PyTorch's).")
    Integer ffDim;
    @Option(names = "--dropout", description = "Dropout (0; reference 0.1).")
    Double dropout;
    @Option(names = {"--attn_dropout", "--attn-dropout"},
            description = "Dropout on attention weights (default: --dropout, as the reference; 0 keeps CPU attention fused).")
    Double attnDropout;
    @Option(names = {"--max_length", "--max-length"}, description = "Longest window the model takes (1500).")
    Integer maxLength;
    @Option(names = "--normalize", negatable = true, description = "Standardise inputs and targets per channel with "
            + "training statistics (stored in the checkpoint, undone on output). Always on for the patch Transformers; off "
            + "for reference, as in the original.")
    Boolean normalize;
    @Option(names = "--patch", description = "Samples per token (wiener- and fir-transformer; 10); for wiener-cnn the "
            + "convolution width (3, odd).")
    Integer patch;
    @Option(names = {"--fir_taps", "--fir-taps"}, description = "Taps of the linear inverse filter (fir-transformer; 401), "
            + "or the lags it may span (wiener-cnn, wiener-transformer; 8192, half past, half future).")
    Integer firTaps;

    ModelKind kind() {
        return ModelKind.of(model);
    }

    ModelConfig modelConfig(int channels) {
        ModelKind model = kind();
        ModelConfig d = ModelConfig.defaults(model, channels);
        double drop = or(dropout, d.dropout());
        return new ModelConfig(model, channels, new ModelConfig.Encoder(or(dModel, d.dModel()), or(nHead, d.nHead()), or(numLayers, d.numLayers()), or(ffDim, d.ffDim())), new ModelConfig.Dropouts(drop, attnDropout != null ? attnDropout : dropout != null ? drop : d.attnDropout()), or(maxLength, d.maxLength()), or(normalize, d.normalize()), or(patch, d.patch()), or(firTaps, d.firTaps()));
    }

    static <T> T or(T given, T fallback) {
        return given != null ? given : fallback;
    }
}
