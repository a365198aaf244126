package eqt.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import eqt.data.Split;
import eqt.io.BadInputException;
import eqt.io.Choices;
import eqt.model.ModelKind;
import eqt.ops.Precision;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The training recipe and the data split it holds out. Stored in checkpoints as one flat JSON object (the layout
 * older checkpoints have); {@link #defaults} gives each model's recipe, the withers change one part.
 *
 * @param epochs       passes; with {@link Sampling#CROPS}, an epoch is as many random crops as there are
 *                     training windows
 * @param batches      windows per step and rank, and how they are drawn
 * @param seed         weights, shuffling, crops and dropout
 * @param logEvery     log every N-th batch
 * @param optimization optimiser, peak learning rate, weight decay
 * @param schedule     the learning rate over the steps
 * @param holdout      windows held out for validation and test
 * @param precision    of the forward pass
 * @param patience     stop when this many epochs pass without a lower validation loss (0: never; needs
 *                     validation windows); the epoch kept is the best either way
 */
public record TrainConfig(int epochs, Batches batches, long seed, int logEvery, Optimization optimization,
                          LrSchedule schedule, Holdout holdout, Precision precision, int patience) {

    /** Epochs without a better validation loss after which the default recipes stop (benchmarks/NOTES.md §24). */
    public static final int DEFAULT_PATIENCE = 40;

    /** Without early stopping (a configuration saved before it existed reads as this too). */
    public TrainConfig(int epochs, Batches batches, long seed, int logEvery, Optimization optimization,
                       LrSchedule schedule, Holdout holdout, Precision precision) {
        this(epochs, batches, seed, logEvery, optimization, schedule, holdout, precision, 0);
    }

    /** How a batch's windows are drawn. */
    public enum Sampling {
        /** The reference's fixed windows, shuffled. */
        WINDOWS,
        /** Random-offset crops of the continuous training block of each record. */
        CROPS;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public String toString() {
            return id();
        }
    }

    public enum Optimizer {
        /** The reference's. */
        ADAM,
        /** Decoupled weight decay. */
        ADAMW;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public String toString() {
            return id();
        }
    }

    public enum Schedule {
        /** The reference's StepLR, stepped per batch. */
        STEP,
        /** Linear warm-up, then cosine decay to zero. */
        ONE_CYCLE;

        public String id() {
            return this == STEP ? "step" : "onecycle";
        }

        @Override
        public String toString() {
            return id();
        }
    }

    /** @param size windows per step and rank */
    public record Batches(int size, Sampling sampling) {
    }

    /** @param lr peak learning rate; @param weightDecay AdamW's decoupled weight decay */
    public record Optimization(Optimizer optimizer, double lr, double weightDecay) {
    }

    /**
     * @param warmup   share of the steps spent warming up ({@link Schedule#ONE_CYCLE})
     * @param stepSize StepLR period in steps ({@link Schedule#STEP})
     * @param gamma    StepLR factor ({@link Schedule#STEP})
     */
    public record LrSchedule(Schedule kind, double warmup, int stepSize, double gamma) {
    }

    /**
     * @param valWindows  windows before the test block held out for validation (loss reported every epoch);
     *                    {@value #TENTH}: a tenth of the windows
     * @param testWindows windows at the end of each record held out for test (the reference: 1, window 99);
     *                    {@value #TENTH}: a tenth of the windows
     */
    public record Holdout(int valWindows, int testWindows) {
    }

    /** A held-out block of a tenth of the windows (at least one), whatever the data set's size. */
    public static final int TENTH = -1;

    /**
     * Each model's recipe. The reference: Adam 1e-2, StepLR(1000, 0.5) per batch, batch 9, fixed windows, windows
     * 0..98 trained, window 99 tested, 100 epochs. The others: AdamW 1e-3 (decay 0.01), one-cycle with 5 % warm-up,
     * batch 16, random crops, a tenth held out for validation and a tenth for test, 300 epochs.
     */
    public static TrainConfig defaults(ModelKind model, long seed) {
        return model == ModelKind.REFERENCE ? reference(100, seed)
                : new TrainConfig(300, new Batches(16, Sampling.CROPS), seed, 11,
                new Optimization(Optimizer.ADAMW, 1e-3, 0.01), new LrSchedule(Schedule.ONE_CYCLE, 0.05, 1000, 0.5),
                new Holdout(TENTH, TENTH), Precision.FP32, DEFAULT_PATIENCE);
    }

    /** The reference recipe for {@code epochs}. */
    public static TrainConfig reference(int epochs, long seed) {
        return new TrainConfig(epochs, new Batches(9, Sampling.WINDOWS), seed, 11, new Optimization(Optimizer.ADAM, 1e-2, 0),
                new LrSchedule(Schedule.STEP, 0, 1000, 0.5), new Holdout(0, 1), Precision.FP32);
    }

    /** The reference recipe with another batch size and learning rate (tests' small runs). */
    public static TrainConfig reference(int epochs, int batchSize, double lr, long seed) {
        TrainConfig r = reference(epochs, seed);
        return r.withBatches(new Batches(batchSize, Sampling.WINDOWS)).withOptimization(new Optimization(Optimizer.ADAM, lr, 0));
    }

    public TrainConfig {
        if (epochs < 1) throw BadInputException.setting("{epochs} must be >= 1, got " + epochs);
        if (batches.size() < 1) throw BadInputException.setting("{batch_size} must be >= 1, got " + batches.size());
        double lr = optimization.lr();
        if (!(lr > 0 && Double.isFinite(lr))) throw BadInputException.setting("{lr} must be a positive number, got " + lr);
        if (schedule.stepSize() < 1) throw new BadInputException("StepLR's step size must be >= 1, got " + schedule.stepSize());
        if (!(schedule.gamma() > 0 && schedule.gamma() <= 1)) {
            throw new BadInputException("StepLR's gamma must be in (0, 1], got " + schedule.gamma());
        }
        if (logEvery < 1) throw new BadInputException("log interval must be >= 1, got " + logEvery);
        double wd = optimization.weightDecay();
        if (!(wd >= 0 && wd < 1)) throw BadInputException.setting("{weight_decay} must be in [0, 1), got " + wd);
        double warm = schedule.warmup();
        if (!(warm >= 0 && warm < 1)) throw BadInputException.setting("{warmup} must be in [0, 1), got " + warm);
        if (patience < 0) throw BadInputException.setting("{patience} must be >= 0, got " + patience);
        if (holdout.valWindows() < TENTH) throw BadInputException.setting("{val_windows} must be >= 0, got " + holdout.valWindows());
        if (holdout.testWindows() < 1 && holdout.testWindows() != TENTH) {
            throw BadInputException.setting("{test_windows} must be >= 1, got " + holdout.testWindows());
        }
    }

    public int batchSize() {
        return batches.size();
    }

    public Sampling sampling() {
        return batches.sampling();
    }

    public double lr() {
        return optimization.lr();
    }

    public TrainConfig withEpochs(int epochs) {
        return new TrainConfig(epochs, batches, seed, logEvery, optimization, schedule, holdout, precision, patience);
    }

    public TrainConfig withBatches(Batches batches) {
        return new TrainConfig(epochs, batches, seed, logEvery, optimization, schedule, holdout, precision, patience);
    }

    public TrainConfig withOptimization(Optimization optimization) {
        return new TrainConfig(epochs, batches, seed, logEvery, optimization, schedule, holdout, precision, patience);
    }

    public TrainConfig withSchedule(LrSchedule schedule) {
        return new TrainConfig(epochs, batches, seed, logEvery, optimization, schedule, holdout, precision, patience);
    }

    public TrainConfig withHoldout(Holdout holdout) {
        return new TrainConfig(epochs, batches, seed, logEvery, optimization, schedule, holdout, precision, patience);
    }

    public TrainConfig withPatience(int patience) {
        return new TrainConfig(epochs, batches, seed, logEvery, optimization, schedule, holdout, precision, patience);
    }

    public TrainConfig withPrecision(Precision precision) {
        return new TrainConfig(epochs, batches, seed, logEvery, optimization, schedule, holdout, precision, patience);
    }

    /** The windows held out, for a record of {@code windows} windows. */
    public Split split(int windows) {
        return new Split(windows, resolve(holdout.valWindows(), windows), resolve(holdout.testWindows(), windows));
    }

    /** Learning rate for the step that follows {@code done} completed steps of {@code total}. */
    public double lrAt(long done, long total) {
        double lr = optimization.lr();
        if (schedule.kind() == Schedule.STEP) return lr * Math.pow(schedule.gamma(), done / schedule.stepSize());
        long warm = Math.max(1, Math.round(schedule.warmup() * total));
        if (done < warm) return lr * (done + 1) / warm;
        double progress = Math.min(1, (double) (done - warm) / Math.max(1, total - warm));
        return lr * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    private static int resolve(int held, int windows) {
        return held == TENTH ? Math.max(1, windows / 10) : held;
    }

    /** One flat object, as checkpoints have always held it. */
    @JsonValue
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("batchSize", batches.size());
        m.put("lr", optimization.lr());
        m.put("stepSize", schedule.stepSize());
        m.put("gamma", schedule.gamma());
        m.put("seed", seed);
        m.put("logEvery", logEvery);
        m.put("optimizer", optimization.optimizer().id());
        m.put("weightDecay", optimization.weightDecay());
        m.put("schedule", schedule.kind().id());
        m.put("warmup", schedule.warmup());
        m.put("sampling", batches.sampling().id());
        m.put("valWindows", holdout.valWindows());
        m.put("testWindows", holdout.testWindows());
        m.put("precision", precision.id());
        return m;
    }

    /** Reads {@link #json()}'s layout (a checkpoint from before {@code --precision} trained in fp32). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static TrainConfig fromJson(JsonNode n) {
        return new TrainConfig(n.path("epochs").asInt(),
                new Batches(n.path("batchSize").asInt(), Choices.of("sampling", "value", Sampling.values(), n.path("sampling").asText(), Sampling::id)),
                n.path("seed").asLong(), n.path("logEvery").asInt(),
                new Optimization(Choices.of("optimizer", "value", Optimizer.values(), n.path("optimizer").asText(), Optimizer::id),
                        n.path("lr").asDouble(), n.path("weightDecay").asDouble()),
                new LrSchedule(Choices.of("schedule", "value", Schedule.values(), n.path("schedule").asText(), Schedule::id),
                        n.path("warmup").asDouble(), n.path("stepSize").asInt(), n.path("gamma").asDouble()),
                new Holdout(n.path("valWindows").asInt(), n.path("testWindows").asInt()),
                n.hasNonNull("precision") ? Precision.of(n.get("precision").asText()) : Precision.FP32);
    }
}
