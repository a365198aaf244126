package eqt.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import eqt.data.Layout;
import eqt.data.Split;
import eqt.data.SyntheticGenerator;
import eqt.io.BadInputException;

/**
 * What a checkpoint's metadata says about the data it was trained on, for the commands that use a trained model
 * (inversion, evaluation) without knowing how training records it ({@code train.RunMetadata} writes it, under
 * these names). Fields older checkpoints lack take their old meaning.
 */
public final class StoredRun {

    public static final String LAYOUT = "layout";
    public static final String SAMPLE_RATE = "sample_rate";
    /** {@code "data"} where the training data carried their rate; else the rate was assumed (the reference layout). */
    public static final String SAMPLE_RATE_FROM = "sample_rate_from";
    public static final String SPLIT = "split";
    public static final String EPOCHS_DONE = "epochs_done";
    public static final String BATCH_SHARDS = "batch_shards";

    private StoredRun() {
    }

    /** The windows the model was trained on; before the layout was recorded, the reference's 100 × 1 500. */
    public static Layout layout(JsonNode meta, int channels) {
        JsonNode l = meta.path(LAYOUT);
        try {
            if (!l.has("windows")) return new Layout(channels, 100, 1500);
            return new Layout(l.path("pairs").asInt(channels), l.path("windows").asInt(), l.path("windowLength").asInt());
        } catch (IllegalArgumentException e) {
            throw new BadInputException("checkpoint layout: " + e.getMessage());
        }
    }

    /** The split the checkpoint was trained with; checkpoints from before splits held out the last window. */
    public static Split split(JsonNode meta, Layout layout) {
        JsonNode s = meta.path(SPLIT);
        if (!s.has("testWindows")) return new Split(layout.windows(), 0, 1);
        if (s.path("windows").asInt() != layout.windows()) {
            throw new BadInputException("checkpoint was trained on records of " + s.path("windows").asInt()
                    + " windows, layout has " + layout.windows());
        }
        return new Split(layout.windows(), s.path("valWindows").asInt(), s.path("testWindows").asInt());
    }

    /** The sample rate of the training data (Hz); the reference's text layout carries none: the generator's. */
    public static double sampleRate(JsonNode meta) {
        return meta.path(SAMPLE_RATE).asDouble(SyntheticGenerator.SAMPLE_RATE);
    }

    /**
     * Whether the training data carried the sample rate {@link #sampleRate} gives (an archive does; the reference
     * layout, and so every older checkpoint, does not): only then is a record at another rate refused.
     */
    public static boolean rateFromData(JsonNode meta) {
        return meta.path(SAMPLE_RATE_FROM).asText("").equals("data");
    }

    /**
     * How many batch shards the run split each batch into (their gradients summed in this order), or 0 when the
     * checkpoint does not say: a resumed run keeps it, so that it sums as the run it continues did.
     */
    public static int batchShards(JsonNode meta) {
        return meta.path(BATCH_SHARDS).asInt(0);
    }

    /** Epochs a checkpoint has completed, or -1 when it does not say. */
    public static int epochsDone(JsonNode meta) {
        return meta.path(EPOCHS_DONE).asInt(-1);
    }

    /**
     * Per pair, the first training sample its linear path was fitted on (where its station–source relation was taken
     * to begin, {@code classical.linear_path[p].fitted_from_sample}); all zero for a run that recorded none.
     */
    public static int[] linearPathFrom(JsonNode meta, int channels) {
        JsonNode path = meta == null ? null : meta.path("classical").path("linear_path");
        int[] from = new int[channels];
        if (path == null || !path.isArray() || path.size() != channels) return from;
        for (int p = 0; p < channels; p++) from[p] = Math.max(0, path.get(p).path("fitted_from_sample").asInt(0));
        return from;
    }
}
