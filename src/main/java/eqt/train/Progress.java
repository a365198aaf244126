package eqt.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Where training stands, exactly enough to continue it: the epoch under way (1-based), the next batch of that
 * epoch, the optimiser steps taken, the running loss sum of the unfinished epoch, and the loss history for logs
 * and the plot, and the epoch with the lowest validation loss so far (0: before training; null without
 * validation, or in checkpoints from before it was kept). Saved in every checkpoint; a fresh run starts from
 * {@link #start()}.
 */
public record Progress(int epoch, int batch, long steps, double epochLossSum, List<Float> batchLosses,
                       List<Double> epochLosses, Integer bestEpoch, Double bestValLoss) {

    public static Progress start() {
        return new Progress(1, 0, 0, 0, new ArrayList<>(), new ArrayList<>(), null, null);
    }

    /** Completed epochs. */
    public int epochsDone() {
        return epoch - 1;
    }
}
