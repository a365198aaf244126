package eqt.train;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eqt.checkpoint.StoredRun;
import eqt.data.DataFingerprint;
import eqt.data.Layout;
import eqt.data.Split;
import eqt.data.SyntheticGenerator;
import eqt.io.BadInputException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a training run records about itself, in {@code config.json} and in every checkpoint: written by
 * {@link #json} and read back by the readers below, so the field names live here only. Older checkpoints lack
 * some fields; the readers give them the meaning they had then.
 *
 * @param train     the recipe
 * @param data      the data trained on
 * @param split     the windows held out
 * @param setup     where and how it ran
 * @param classical the classical inverses fitted for the linear path (method → choice error and filters), or null
 * @param outcome   what training has reached so far
 */
public record RunMetadata(TrainConfig train, Data data, Split split, Setup setup, Object classical, Outcome outcome) {

    /** @param dir as the user named it; {@code fingerprint} holds it normalised */
    public record Data(String dir, DataFingerprint fingerprint, Layout layout, double sampleRate, boolean rateFromData) {
    }

    public record Setup(String device, int worldSize, int batchShards, double trainMsePredictingZero) {
    }

    /** Null fields: not reached yet. */
    public record Outcome(Integer bestEpoch, Integer epochsDone, Double finalAvgLoss) {
        public static final Outcome NONE = new Outcome(null, null, null);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public RunMetadata withClassical(Object classical) {
        return new RunMetadata(train, data, split, setup, classical, outcome);
    }

    public RunMetadata withBestEpoch(int epoch) {
        return new RunMetadata(train, data, split, setup, classical,
                new Outcome(epoch, outcome.epochsDone(), outcome.finalAvgLoss()));
    }

    public RunMetadata withProgress(int epochsDone, Double finalAvgLoss) {
        return new RunMetadata(train, data, split, setup, classical, new Outcome(outcome.bestEpoch(), epochsDone,
                finalAvgLoss != null ? finalAvgLoss : outcome.finalAvgLoss()));
    }

    /** The flat object checkpoints have always held. */
    @JsonValue
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(TRAIN, train);
        m.put("data_dir", data.dir());
        m.put(DATA, data.fingerprint());
        m.put(LAYOUT, data.layout());
        m.put(SAMPLE_RATE, data.sampleRate());
        m.put(StoredRun.SAMPLE_RATE_FROM, data.rateFromData() ? "data" : "assumed");
        m.put(SPLIT, split);
        m.put("device", setup.device());
        m.put("world_size", setup.worldSize());
        m.put(StoredRun.BATCH_SHARDS, setup.batchShards());
        m.put("train_mse_predicting_zero", setup.trainMsePredictingZero());
        if (classical != null) m.put("classical", classical);
        if (outcome.bestEpoch() != null) m.put("best_epoch", outcome.bestEpoch());
        if (outcome.epochsDone() != null) m.put(EPOCHS_DONE, outcome.epochsDone());
        if (outcome.finalAvgLoss() != null) m.put("final_avg_loss", outcome.finalAvgLoss());
        return m;
    }

    private static final String TRAIN = "train";
    private static final String DATA = "data";
    private static final String LAYOUT = StoredRun.LAYOUT;
    private static final String SAMPLE_RATE = StoredRun.SAMPLE_RATE;
    private static final String SPLIT = StoredRun.SPLIT;
    private static final String EPOCHS_DONE = StoredRun.EPOCHS_DONE;

    /** The recipe a checkpoint was trained with. */
    public static TrainConfig train(JsonNode meta) {
        try {
            return JSON.treeToValue(meta.get(TRAIN), TrainConfig.class);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new BadInputException("training configuration unreadable (" + e.getMessage() + ")");
        }
    }

    /** The data a checkpoint was trained on, or null for one from before fingerprints. */
    public static DataFingerprint data(JsonNode meta) {
        return DataFingerprint.recorded(meta == null ? null : meta.get(DATA));
    }

}
