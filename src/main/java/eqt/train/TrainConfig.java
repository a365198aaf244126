package eqt.train;

import eqt.io.BadInputException;

/**
 * The training recipe. Defaults are the reference's: Adam lr 1e-2, StepLR(1000, 0.5) stepped every batch,
 * MSE, batch 9, shuffled every epoch.
 */
public record TrainConfig(int epochs, int batchSize, double lr, int stepSize, double gamma, long seed, int logEvery) {

    public static TrainConfig reference(int epochs, long seed) {
        return new TrainConfig(epochs, 9, 1e-2, 1000, 0.5, seed, 11);
    }

    public TrainConfig {
        if (epochs < 1) throw new BadInputException("--epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new BadInputException("--batch_size must be >= 1, got " + batchSize);
        if (!(lr > 0 && Double.isFinite(lr))) throw new BadInputException("--lr must be a positive number, got " + lr);
        if (stepSize < 1) throw new BadInputException("--lr_step must be >= 1, got " + stepSize);
        if (!(gamma > 0 && gamma <= 1)) throw new BadInputException("--lr_gamma must be in (0, 1], got " + gamma);
        if (logEvery < 1) throw new BadInputException("log interval must be >= 1, got " + logEvery);
    }
}
