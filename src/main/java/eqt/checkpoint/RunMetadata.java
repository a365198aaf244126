package eqt.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import eqt.data.Layout;
import eqt.data.SyntheticGenerator;
import eqt.data.Split;
import eqt.io.BadInputException;

/**
 * What a checkpoint's metadata says about the run that wrote it (training writes it as {@code config.json}'s
 * {@code metadata} and into every checkpoint), read in one place, with the meaning older checkpoints had where
 * they lack a field.
 */
public final class RunMetadata {

    private RunMetadata() {
    }

    /** The windows the model was trained on; before the layout was recorded, the reference's 100 × 1 500. */
    public static Layout layout(JsonNode meta, int channels) {
        JsonNode l = meta.path("layout");
        try {
            if (!l.has("windows")) return new Layout(channels, 100, 1500);
            return new Layout(l.path("pairs").asInt(channels), l.path("windows").asInt(), l.path("windowLength").asInt());
        } catch (IllegalArgumentException e) {
            throw new BadInputException("checkpoint layout: " + e.getMessage());
        }
    }

    /** The split the checkpoint was trained with; checkpoints from before splits held out the last window. */
    public static Split split(JsonNode meta, Layout layout) {
        JsonNode s = meta.path("split");
        if (!s.has("testWindows")) return new Split(layout.windows(), 0, 1);
        if (s.path("windows").asInt() != layout.windows()) {
            throw new BadInputException("checkpoint was trained on records of " + s.path("windows").asInt()
                    + " windows, layout has " + layout.windows());
        }
        return new Split(layout.windows(), s.path("valWindows").asInt(), s.path("testWindows").asInt());
    }

    /** The sample rate of the training data (Hz); the reference's text layout carries none: the generator's. */
    public static double sampleRate(JsonNode meta) {
        return meta.path("sample_rate").asDouble(SyntheticGenerator.SAMPLE_RATE);
    }
}
