package eqt.train;

import eqt.data.Layout;
import eqt.model.ModelConfig;
import java.nio.file.Path;

/**
 * A training run as a command asks for it, parsed and checked there: how it starts (a {@link Fresh} run with its
 * model and recipe, or a {@link Resume}d one, whose checkpoint holds both), the data, where the outputs go, and how
 * batches are split.
 *
 * @param start       a fresh run or a resumed one
 * @param data        the data set and its windows
 * @param output      where rank 0 writes
 * @param batchShards shards each batch is split into on this rank
 */
public record TrainRequest(Start start, Data data, Output output, int batchShards) {

    /** How a run starts. */
    public sealed interface Start permits Fresh, Resume {
    }

    /** A new run: its model and recipe. */
    public record Fresh(ModelConfig model, TrainConfig train) implements Start {
    }

    /**
     * @param checkpoint     the resumable checkpoint
     * @param epochs         the new total of epochs, or null to keep the recorded one
     * @param allowOtherData go on although the data differ from those the run was trained on
     */
    public record Resume(Path checkpoint, Integer epochs, boolean allowOtherData) implements Start {
    }

    /**
     * @param dir          the data directory
     * @param dirGiven     named by the user (a resumed run otherwise reads the directory it recorded)
     * @param layout       windows per record and their length
     * @param layoutGiven  named by the user (a resumed run otherwise keeps its recorded windows)
     */
    public record Data(Path dir, boolean dirGiven, Layout layout, boolean layoutGiven) {
    }

    /**
     * @param dir       the run directory, or null for a new one under {@code runs/} (a resumed run: its own)
     * @param overwrite write into an existing non-empty {@code dir}
     * @param saveEvery a resumable checkpoint every N epochs
     */
    public record Output(Path dir, boolean overwrite, int saveEvery) {
    }
}
