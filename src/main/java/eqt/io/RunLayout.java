package eqt.io;

import java.nio.file.Path;

/**
 * The names inside a training run's directory, in one place:
 * <pre>
 * RUN/config.json                  the model and training configuration
 * RUN/train_log.jsonl              one JSON object per logged batch and per epoch
 * RUN/model_transf/model.eqt       the checkpoint (the reference's folder name)
 * RUN/model_transf/best.eqt        the weights of the best validation epoch so far
 * RUN/loss_visible/plt_loss.png    the loss curve (the reference's folder and file names)
 * </pre>
 */
public record RunLayout(Path root) {

    public static final String CHECKPOINT_DIR = "model_transf";
    public static final String CONFIG = "config.json";

    /** The run a checkpoint at {@code RUN/model_transf/model.eqt} belongs to (as given: relative stays relative). */
    public static RunLayout ofCheckpoint(Path checkpoint) {
        return new RunLayout(checkpoint.getParent().getParent());
    }

    public Path config() {
        return root.resolve(CONFIG);
    }

    public Path log() {
        return root.resolve("train_log.jsonl");
    }

    public Path checkpoint() {
        return root.resolve(CHECKPOINT_DIR).resolve("model.eqt");
    }

    public Path lossPlot() {
        return root.resolve("loss_visible").resolve("plt_loss.png");
    }

    /** The best-epoch weights kept beside a checkpoint. */
    public static Path bestBeside(Path checkpoint) {
        return checkpoint.resolveSibling("best.eqt");
    }
}
