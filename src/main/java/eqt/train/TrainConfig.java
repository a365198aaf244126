package eqt.train;

import eqt.data.Split;
import eqt.io.BadInputException;
import eqt.model.Autocast;

/**
 * The training recipe and the data split it holds out.
 *
 * @param epochs      passes; with {@code crops}, an epoch is as many random crops as there are training windows
 * @param batchSize   windows per step and rank
 * @param lr          peak learning rate
 * @param stepSize    StepLR period in steps ({@code schedule = step})
 * @param gamma       StepLR factor ({@code schedule = step})
 * @param seed        weights, shuffling, crops and dropout
 * @param logEvery    log every N-th batch
 * @param optimizer   {@code adam} (the reference) or {@code adamw}
 * @param weightDecay AdamW's decoupled weight decay
 * @param schedule    {@code step} (the reference's StepLR per batch) or {@code onecycle} (linear warm-up over
 *                    {@code warmup} of all steps, then cosine decay to zero)
 * @param warmup      share of the steps spent warming up ({@code onecycle})
 * @param sampling    {@code windows} (the reference's fixed windows, shuffled) or {@code crops} (random-offset
 *                    crops of the continuous training block of each record)
 * @param valWindows  windows before the test block held out for validation (loss reported every epoch);
 *                    {@value #TENTH}: a tenth of the windows
 * @param testWindows windows at the end of each record held out for test (the reference: 1, window 99);
 *                    {@value #TENTH}: a tenth of the windows
 * @param precision   {@code fp32}, or {@code bf16}: forward passes under bf16 autocast (fp32 weights and loss)
 */
public record TrainConfig(int epochs, int batchSize, double lr, int stepSize, double gamma, long seed, int logEvery,
                          String optimizer, double weightDecay, String schedule, double warmup, String sampling,
                          int valWindows, int testWindows, String precision) {

    public static final String ADAM = "adam";
    public static final String ADAMW = "adamw";
    public static final String STEP = "step";
    public static final String ONE_CYCLE = "onecycle";
    public static final String WINDOWS = "windows";
    public static final String CROPS = "crops";
    /** A held-out block of a tenth of the windows (at least one), whatever the data set's size. */
    public static final int TENTH = -1;

    /** The reference: Adam 1e-2, StepLR(1000, 0.5) stepped per batch, batch 9, windows 0..98, test window 99. */
    public static TrainConfig reference(int epochs, long seed) {
        return new TrainConfig(epochs, 9, 1e-2, 1000, 0.5, seed, 11);
    }

    /** The reference recipe with another batch size, learning rate and StepLR. */
    public TrainConfig(int epochs, int batchSize, double lr, int stepSize, double gamma, long seed, int logEvery) {
        this(epochs, batchSize, lr, stepSize, gamma, seed, logEvery, ADAM, 0, STEP, 0, WINDOWS, 0, 1, Autocast.FP32);
    }

    public TrainConfig {
        if (precision == null) precision = Autocast.FP32; // checkpoints from before --precision
        Autocast.check(precision);
        if (epochs < 1) throw new BadInputException("--epochs must be >= 1, got " + epochs);
        if (batchSize < 1) throw new BadInputException("--batch_size must be >= 1, got " + batchSize);
        if (!(lr > 0 && Double.isFinite(lr))) throw new BadInputException("--lr must be a positive number, got " + lr);
        if (stepSize < 1) throw new BadInputException("--lr_step must be >= 1, got " + stepSize);
        if (!(gamma > 0 && gamma <= 1)) throw new BadInputException("--lr_gamma must be in (0, 1], got " + gamma);
        if (logEvery < 1) throw new BadInputException("log interval must be >= 1, got " + logEvery);
        oneOf("--optimizer", optimizer, ADAM, ADAMW);
        oneOf("--schedule", schedule, STEP, ONE_CYCLE);
        oneOf("--sampling", sampling, WINDOWS, CROPS);
        if (!(weightDecay >= 0 && weightDecay < 1)) {
            throw new BadInputException("--weight_decay must be in [0, 1), got " + weightDecay);
        }
        if (!(warmup >= 0 && warmup < 1)) throw new BadInputException("--warmup must be in [0, 1), got " + warmup);
        if (valWindows < TENTH) throw new BadInputException("--val_windows must be >= 0, got " + valWindows);
        if (testWindows < 1 && testWindows != TENTH) {
            throw new BadInputException("--test_windows must be >= 1, got " + testWindows);
        }
    }

    /** The windows held out, for a record of {@code windows} windows. */
    public Split split(int windows) {
        return new Split(windows, resolve(valWindows, windows), resolve(testWindows, windows));
    }

    /** Learning rate for the step that follows {@code done} completed steps of {@code total}. */
    public double lrAt(long done, long total) {
        if (STEP.equals(schedule)) return lr * Math.pow(gamma, done / stepSize);
        long warm = Math.max(1, Math.round(warmup * total));
        if (done < warm) return lr * (done + 1) / warm;
        double progress = Math.min(1, (double) (done - warm) / Math.max(1, total - warm));
        return lr * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    private static int resolve(int held, int windows) {
        return held == TENTH ? Math.max(1, windows / 10) : held;
    }

    private static void oneOf(String flag, String value, String... valid) {
        for (String v : valid) if (v.equals(value)) return;
        throw new BadInputException(flag + ": unknown value '" + value + "'; valid: " + String.join(", ", valid));
    }
}
