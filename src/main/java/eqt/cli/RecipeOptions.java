package eqt.cli;

import eqt.io.Choices;
import eqt.model.ModelKind;
import eqt.ops.Precision;
import eqt.train.TrainConfig;
import picocli.CommandLine.Option;

/** The top-level command's training recipe flags; left out, each takes the model's recipe ({@link TrainConfig#defaults}). */
final class RecipeOptions {

    @Option(names = {"--batch_size", "--batch-size"}, description = "Batch size (16; reference 9).")
    Integer batchSize;
    @Option(names = "--epochs", description = "Training epochs (300; reference 100).")
    Integer epochs;
    @Option(names = "--patience", description = "Stop when this many epochs bring no lower validation loss; the "
            + "best epoch is kept either way (40; 0: never; reference: never).")
    Integer patience;
    @Option(names = "--lr", description = "Peak learning rate (1e-3; reference 0.01).")
    Double lr;
    @Option(names = "--optimizer", description = "adamw (the default) or adam (reference).")
    String optimizer;
    @Option(names = {"--weight_decay", "--weight-decay"}, description = "AdamW weight decay (0.01).")
    Double weightDecay;
    @Option(names = "--schedule", description = "onecycle: warm-up then cosine (the default); step: StepLR(1000, 0.5) per batch (reference).")
    String schedule;
    @Option(names = "--warmup", description = "Share of steps warming up with onecycle (0.05).")
    Double warmup;
    @Option(names = "--sampling", description = "crops: random-offset crops of the training block (the default); "
            + "windows: the fixed windows, shuffled (reference).")
    String sampling;
    @Option(names = {"--val_windows", "--val-windows"}, description = "Windows held out for validation, reported every epoch (a tenth: 10 of 100; reference 0).")
    Integer valWindows;
    @Option(names = {"--test_windows", "--test-windows"}, description = "Windows held out at the end of each record for test (a tenth: 10 of 100; reference 1, window 99).")
    Integer testWindows;
    @Option(names = "--precision", defaultValue = "fp32", description = "fp32 (default) or bf16: forward passes under "
            + "bf16 autocast, weights and loss in fp32 (fast on CPUs with AMX/AVX512-BF16 and on cuda).")
    String precision;
    @Option(names = "--seed", defaultValue = "0", description = "Seed for weights, shuffling and dropout (default ${DEFAULT-VALUE}).")
    long seed;

    /** The model's recipe ({@link TrainConfig#defaults}) with what the command line changes. */
    TrainConfig trainConfig(ModelKind kind) {
        TrainConfig d = TrainConfig.defaults(kind, seed);
        TrainConfig.Optimization o = d.optimization();
        TrainConfig.LrSchedule s = d.schedule();
        return d.withEpochs(ModelOptions.or(epochs, d.epochs()))
                .withPatience(ModelOptions.or(patience, d.patience()))
                .withBatches(new TrainConfig.Batches(ModelOptions.or(batchSize, d.batchSize()),
                        sampling != null ? Choices.of("sampling", "value", TrainConfig.Sampling.values(), sampling, TrainConfig.Sampling::id) : d.sampling()))
                .withOptimization(new TrainConfig.Optimization(
                        optimizer != null ? Choices.of("optimizer", "value", TrainConfig.Optimizer.values(), optimizer, TrainConfig.Optimizer::id) : o.optimizer(),
                        ModelOptions.or(lr, o.lr()), ModelOptions.or(weightDecay, o.weightDecay())))
                .withSchedule(new TrainConfig.LrSchedule(
                        schedule != null ? Choices.of("schedule", "value", TrainConfig.Schedule.values(), schedule, TrainConfig.Schedule::id) : s.kind(),
                        ModelOptions.or(warmup, s.warmup()), s.stepSize(), s.gamma()))
                .withHoldout(new TrainConfig.Holdout(ModelOptions.or(valWindows, d.holdout().valWindows()), ModelOptions.or(testWindows, d.holdout().testWindows())))
                .withPrecision(Choices.of("precision", "value", Precision.values(), precision, Precision::id));
    }
}
