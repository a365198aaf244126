package eqt.train;

import eqt.data.EqDataset;
import eqt.device.SelectedDevice;
import eqt.dist.GradientSync;
import eqt.dist.ShardSampler;
import eqt.data.Split;
import eqt.model.Inference;
import eqt.dsp.Metrics;
import eqt.ops.Autocast;
import eqt.ops.Precision;
import eqt.model.Model;
import eqt.ops.Tensors;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a model on the training block of a {@link Split} with a {@link TrainConfig} recipe: the reference's
 * (fixed windows, Adam, StepLR) or the default model's (random crops, AdamW, one-cycle). Every step runs inside
 * a {@link PointerScope}, so the step's tensors are freed when it ends and native memory stays flat. With
 * validation windows, their loss is reported after every epoch.
 *
 * <p>Data-parallel when given a {@link GradientSync} over several ranks: rank 0's weights are broadcast first,
 * each rank trains on its {@link ShardSampler} shard with batches of {@code batchSize}, gradients are averaged
 * before every optimiser step, and logged losses are averaged over ranks. With {@link GradientSync#NONE} it is
 * the single-process reference.
 *
 * <p>Resumable: {@link #resume} restores optimiser, scheduler and dropout-generator state and the position in
 * the epoch, so a run continued from a checkpoint follows the uninterrupted run step for step. {@link #requestStop}
 * (from a signal handler) ends training after the current step, on every rank at the same step.
 */
public final class Trainer {

    /** Per-batch losses in order, per-epoch mean losses, mean wall time of a step, and whether it was stopped. */
    public record Result(Progress progress, double secondsPerStep, boolean stopped) {
        public List<Float> batchLosses() {
            return progress.batchLosses();
        }

        public List<Double> epochLosses() {
            return progress.epochLosses();
        }
    }

    /** Called with the progress after every {@code saveEvery}-th epoch, after the last, and on an early stop. */
    public interface Checkpointer {
        void save(Progress progress);

        /** The model's weights now are the best on validation so far (epoch 0: before any step). */
        default void best(int epoch) {
        }
    }

    private final Model model;
    private final TrainConfig cfg;
    private final SelectedDevice device;
    private final Optimizer optimizer;
    private final GradientSync sync;
    private final int rank;
    private final List<Tensor> params;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private BatchShards shards = new BatchShards(1);
    /** Per pair, the first training sample its loss counts (null: every sample, the plain MSE). */
    private int[] lossFrom;
    private Progress progress = Progress.start();
    private final BestWeights best;

    public Trainer(Model model, TrainConfig cfg, SelectedDevice device) {
        this(model, cfg, device, GradientSync.NONE, 0);
    }

    public Trainer(Model model, TrainConfig cfg, SelectedDevice device, GradientSync sync, int rank) {
        this.model = model;
        this.cfg = cfg;
        this.device = device;
        this.sync = sync;
        this.rank = rank;
        this.best = new BestWeights(model);
        this.params = List.copyOf(model.parameters().values());
        TensorVector p = new TensorVector(params.toArray(new Tensor[0]));
        if (cfg.optimization().optimizer() == TrainConfig.Optimizer.ADAMW) {
            AdamWOptions o = new AdamWOptions(cfg.lr());
            o.weight_decay().put(cfg.optimization().weightDecay());
            this.optimizer = new AdamW(p, o);
        } else {
            this.optimizer = new Adam(p, new AdamOptions(cfg.lr()));
        }
    }

    /**
     * Per pair, the first sample of the training block whose loss counts: where the pair's linear path was fitted
     * from, after a change in its station–source relation ({@link eqt.dsp.Classical.Result#fitFrom}). Crops before
     * it are drawn as ever (the shared network keeps learning from the other pairs) but that pair's samples there
     * weigh nothing. Null, or all zero: the plain MSE, bit for bit.
     */
    public Trainer lossFrom(int[] from) {
        boolean any = from != null && java.util.Arrays.stream(from).anyMatch(f -> f > 0);
        this.lossFrom = any ? from.clone() : null;
        return this;
    }

    /**
     * Splits every batch into {@code k} shards trained at once on {@code k} threads (see {@link BatchShards});
     * libtorch's intra-op threads should then be set to the cores per shard. 1 (the default) does not split. On a
     * CPU each shard runs as passes of at most {@value #CPU_PASS_WINDOWS} windows, to bound the activations kept.
     */
    public Trainer shards(int k) {
        shards = new BatchShards(k, device.torch().is_cpu() ? CPU_PASS_WINDOWS : Integer.MAX_VALUE);
        return this;
    }

    /** Windows per forward and backward pass on a CPU (NOTES §28c: the activations of 8 are most of a run's peak). */
    static final int CPU_PASS_WINDOWS = 4;

    /** Asks training to stop after the step under way (safe to call from any thread). */
    public void requestStop() {
        stopRequested.set(true);
    }

    /** Trains on windows {@code [0, trainWindows)} and holds out nothing for validation. */
    public Result fit(EqDataset data, int trainWindows, TrainLog log, PrintStream out, boolean progressBar) {
        return fit(data, new Split(trainWindows + 1, 0, 1), log, out, progressBar, Integer.MAX_VALUE, p -> { });
    }

    public Result fit(EqDataset data, Split split, TrainLog log, PrintStream out, boolean progressBar,
                      int saveEvery, Checkpointer checkpointer) {
        int len = data.layout().windowLength();
        int ch = data.channels();
        int in = data.inputChannels();
        int trainWindows = split.trainWindows();
        boolean crops = cfg.sampling() == TrainConfig.Sampling.CROPS;
        Tensor x = crops ? null : Tensors.retain(Tensors.of(data.stationWindows(0, trainWindows), device.torch(), trainWindows, len, in));
        Tensor y = crops ? null : Tensors.retain(Tensors.of(data.sourceWindows(0, trainWindows), device.torch(), trainWindows, len, ch));
        // Rank 0's weights and buffers (statistics, linear path) for all: a resumed run already holds them.
        if (progress.steps() == 0) sync.broadcast(List.copyOf(model.state().values()));
        ShardSampler sampler = new ShardSampler(trainWindows, rank, sync.worldSize(), cfg.seed());
        int perRank = sampler.perRank();
        int batches = (perRank + cfg.batchSize() - 1) / cfg.batchSize();
        long totalSteps = (long) batches * cfg.epochs();
        List<Float> batchLosses = new ArrayList<>(progress.batchLosses());
        List<Double> epochLosses = new ArrayList<>(progress.epochLosses());
        long steps = progress.steps();
        boolean agreedStop = false;
        boolean keepBest = split.valWindows() > 0;
        Integer bestEpoch = progress.bestEpoch();
        Double bestVal = progress.bestValLoss();
        if (keepBest && steps == 0 && bestEpoch == null) {
            bestVal = validationLoss(data, split);
            bestEpoch = 0;
            best.take();
            checkpointer.best(0);
            Map<String, Object> e = event("epoch", 0);
            e.put("val_loss", bestVal);
            log.write(e);
            out.printf(Locale.ROOT, "epoch 0 (before training) validation loss %.6g%n", bestVal);
        }
        double stepSeconds = 0;
        int timed = 0;
        try (ProgressBar bar = progressBar ? new ProgressBarBuilder().setTaskName("train")
                .setInitialMax((long) batches * cfg.epochs()).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).continuousUpdate().build() : null) {
            if (bar != null) bar.stepTo(steps);
            for (int epoch = progress.epoch(); epoch <= cfg.epochs(); epoch++) {
                int[] order = sampler.indices(epoch);
                int first = epoch == progress.epoch() ? progress.batch() : 0;
                double sum = epoch == progress.epoch() ? progress.epochLossSum() : 0;
                long epochStart = System.nanoTime();
                List<Double> epochSteps = new ArrayList<>();
                for (int b = first; b < batches; b++) {
                    int from = b * cfg.batchSize();
                    int to = Math.min(perRank, from + cfg.batchSize());
                    long[] idx = new long[to - from];
                    for (int i = from; i < to; i++) idx[i - from] = order[i];
                    long t0 = System.nanoTime();
                    setLr(cfg.lrAt(steps, totalSteps));
                    float loss = crops ? cropStep(data, trainWindows * len, epoch, b, idx.length) : step(x, y, idx);
                    if (!Float.isFinite(loss)) throw diverged(epoch, b + 1, loss);
                    double dt = (System.nanoTime() - t0) / 1e9;
                    stepSeconds += dt;
                    if (timed++ > 0) epochSteps.add(dt); // the run's first step warms up allocators and JIT
                    steps++;
                    sum += loss;
                    batchLosses.add(loss);
                    if (bar != null) {
                        bar.step();
                        bar.setExtraMessage(String.format(Locale.ROOT, "epoch %d loss %.5f", epoch, loss));
                    }
                    if ((b + 1) % cfg.logEvery() == 0 || b + 1 == batches) {
                        Map<String, Object> e = event("batch", epoch);
                        e.put("batch", b + 1);
                        e.put("total_batches", batches);
                        e.put("loss", loss);
                        e.put("lr", optimizer.param_groups().get(0).options().get_lr());
                        e.put("step_s", dt);
                        e.put("step", steps);
                        e.put("process_memory_mb", device.memory().processBytes() >> 20); // RSS on cpu
                        log.write(e);
                        if (bar == null) {
                            out.printf(Locale.ROOT, "epoch %d batch %d/%d loss %.6f (%.2f s/step)%n",
                                    epoch, b + 1, batches, loss, dt);
                        }
                    }
                    // Every rank must stop at the same step, or the others would wait in the next all-reduce.
                    boolean stop = agreeToStop(out);
                    agreedStop = stop;
                    if (stop && b + 1 < batches) {
                        progress = new Progress(epoch, b + 1, steps, sum, batchLosses, epochLosses, bestEpoch, bestVal);
                        checkpointer.save(progress);
                        return new Result(progress, timed == 0 ? 0 : stepSeconds / timed, true);
                    }
                    // At the last batch a stop agreed by every rank finishes the epoch's bookkeeping below first.
                }
                double avg = sum / batches;
                epochLosses.add(avg);
                double secs = (System.nanoTime() - epochStart) / 1e9;
                Map<String, Object> e = event("epoch", epoch);
                e.put("avg_loss", avg);
                e.put("epoch_s", secs);
                if (!epochSteps.isEmpty()) e.put("median_step_s", median(epochSteps));
                String line = String.format(Locale.ROOT, "epoch %d/%d average loss %.6f (%.1f s)", epoch,
                        cfg.epochs(), avg, secs);
                boolean patienceOut = false;
                if (keepBest) {
                    double val = validationLoss(data, split);
                    e.put("val_loss", val);
                    line += String.format(Locale.ROOT, ", validation loss %.6g", val);
                    if (bestVal == null || val < bestVal) {
                        bestVal = val;
                        bestEpoch = epoch;
                        best.take();
                        checkpointer.best(epoch);
                        line += " (best)";
                    }
                    // Every rank validates the same weights on the same windows, so all reach this decision together.
                    patienceOut = cfg.patience() > 0 && epoch < cfg.epochs() && epoch - bestEpoch >= cfg.patience();
                    if (patienceOut) {
                        e.put("early_stop", true);
                        line += String.format(Locale.ROOT, "%nstopped early: no lower validation loss in the last %d "
                                + "epochs (--patience)", cfg.patience());
                    }
                    if (epoch == cfg.epochs() || patienceOut) {
                        String kept = best.keep(bestEpoch, epoch, val, bestVal);
                        e.put("kept_epoch", bestEpoch);
                        line += "\n" + kept;
                    }
                }
                log.write(e);
                if (bar != null) bar.setExtraMessage(line);
                else out.println(line);
                // An early stop is the end of training: a resume finds nothing left to do, as after the last epoch.
                progress = new Progress(patienceOut ? cfg.epochs() + 1 : epoch + 1, 0, steps, 0, batchLosses,
                        epochLosses, bestEpoch, bestVal);
                // The agreed decision, never the local flag: a signal that arrived after the last agreement is
                // agreed at the next step, or one rank would return while the others wait in the next all-reduce.
                boolean stopping = agreedStop && epoch < cfg.epochs();
                if (epoch % saveEvery == 0 || stopping || patienceOut || epoch == cfg.epochs()) checkpointer.save(progress);
                if (stopping) return new Result(progress, timed == 0 ? 0 : stepSeconds / timed, true);
                if (patienceOut) break;
            }
        }
        return new Result(progress, timed == 0 ? 0 : stepSeconds / timed, false);
    }

    /**
     * A non-finite loss (too high a learning rate, bf16 overflow, a bad sample) stops training at once, before a
     * later checkpoint could replace the last finite one: exit 2 with one line, as the remedy is a flag.
     */
    private static eqt.io.BadInputException diverged(int epoch, int batch, float loss) {
        return eqt.io.BadInputException.setting(String.format(Locale.ROOT, "training diverged: loss %s in epoch %d, "
                + "batch %d; stopped without saving (the last checkpoint holds the last finite weights); lower {lr} "
                + "or use {precision} fp32", loss, epoch, batch));
    }

    /** Gives a resumed run the best weights it had saved (see {@link Checkpointer#best}). */
    public void restoreBest(Map<String, float[]> weights) {
        best.set(weights);
    }

    /**
     * Whether any rank asked to stop (a signal, or its launcher gone): every rank's flag is gathered, so a rank
     * that stops because of another says which one.
     */
    private boolean agreeToStop(PrintStream out) {
        byte[][] flags = sync.gatherBytes(new byte[] {(byte) (stopRequested.get() ? 1 : 0)});
        List<Integer> asked = new ArrayList<>();
        for (int r = 0; r < flags.length; r++) if (flags[r][0] != 0) asked.add(r);
        if (!asked.isEmpty() && !stopRequested.get()) {
            out.println("rank " + asked.get(0) + (asked.size() > 1 ? " and " + (asked.size() - 1) + " other(s)" : "")
                    + " stopped (a signal, or its launcher is gone): finishing this step, then saving a checkpoint");
        }
        return !asked.isEmpty();
    }

    /** One optimisation step on the windows {@code idx}; returns the batch's loss (mean over ranks). */
    public float step(Tensor x, Tensor y, long[] idx) {
        try (PointerScope scope = new PointerScope()) {
            Tensor index = Tensor.create(idx).to(device.torch(), torch.ScalarType.Long);
            Tensor xb = x.index_select(0, index);
            Tensor yb = y.index_select(0, index);
            return update(xb, yb);
        }
    }

    /** One step on random crops from the first {@code trainSamples} samples of every record. */
    private float cropStep(EqDataset data, int trainSamples, int epoch, int batch, int size) {
        // Seeded by (seed, rank, epoch, batch), so a resumed run draws the same crops as an uninterrupted one.
        SplittableRandom rng = new SplittableRandom(cfg.seed() * 1_000_003L + ((long) rank << 40) + ((long) epoch << 20) + batch);
        int len = data.layout().windowLength();
        int[] offsets = new int[size];
        for (int i = 0; i < size; i++) offsets[i] = rng.nextInt(trainSamples - len + 1);
        try (PointerScope scope = new PointerScope()) {
            Tensor xb = Tensors.of(data.stationCrops(offsets), device.torch(), size, len, data.inputChannels());
            float[] targets = data.sourceCrops(offsets);
            Tensor yb = lossFrom == null ? Tensors.of(targets, device.torch(), size, len, data.channels())
                    : Tensors.of(withWeights(targets, offsets, len, data.channels()), device.torch(), size, len, 2 * data.channels());
            return update(xb, yb);
        }
    }

    /** {@code [size, len, ch]} targets with {@code ch} weight channels after them: 0 before a pair's {@link #lossFrom}. */
    private float[] withWeights(float[] targets, int[] offsets, int len, int ch) {
        float[] out = new float[targets.length * 2];
        for (int b = 0; b < offsets.length; b++) {
            for (int t = 0; t < len; t++) {
                int src = (b * len + t) * ch;
                int dst = (b * len + t) * 2 * ch;
                System.arraycopy(targets, src, out, dst, ch);
                for (int c = 0; c < ch; c++) out[dst + ch + c] = offsets[b] + t >= lossFrom[c] ? 1f : 0f;
            }
        }
        return out;
    }

    private float update(Tensor xb, Tensor yb) {
        optimizer.zero_grad();
        double loss = shards.run(xb, yb, params, this::loss);
        sync.averageGradients(params);
        optimizer.step();
        return (float) sync.average(loss);
    }

    /** The MSE of the model on {@code xb} (a batch, or a shard of one) against {@code yb}. */
    private Tensor loss(Tensor xb, Tensor yb) {
        // float32: the model may run its pass natively (Model.trainingLoss); under autocast it runs as libtorch ops
        if (cfg.precision() == Precision.FP32) return model.trainingLoss(xb, out -> lossOf(out, yb));
        Tensor out;
        try (Autocast a = Autocast.open(cfg.precision(), device.torch())) {
            out = model.forward(xb, true);
        }
        return lossOf(out, yb);
    }

    /** The MSE of one pass's output (see {@link #loss}). */
    private Tensor lossOf(Tensor out, Tensor yb) {
        Tensor o = out.to(torch.ScalarType.Float);
        if (yb.size(2) == o.size(2)) return torch.mse_loss(o, yb);
        // Weighted (see lossFrom): the mean squared error over the samples that count. A shard with none counts 0.
        long ch = o.size(2);
        Tensor w = yb.narrow(2, ch, ch);
        Tensor d = o.sub(yb.narrow(2, 0, ch));
        return d.mul(d).mul(w).sum().div(w.sum().clamp_min(new Scalar(1.0)));
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        java.util.Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private void setLr(double lr) {
        optimizer.param_groups().get(0).options().set_lr(lr);
    }

    /** MSE over the validation windows, with dropout off. */
    private double validationLoss(EqDataset data, Split split) {
        int len = data.layout().windowLength();
        float[] truth = data.sourceWindows(split.valFrom(), split.valWindows());
        float[] pred = Inference.predict(model, data.stationWindows(split.valFrom(), split.valWindows()),
                split.valWindows(), len);
        return Metrics.mse(truth, pred);
    }

    /** The optimiser's state (Adam moments and step counts) in libtorch's archive format. */
    public byte[] optimizerState() {
        return TrainingState.save(optimizer);
    }

    /** The CPU generator's state (dropout masks are drawn from it). */
    public static byte[] rngState() {
        return TrainingState.cpuGenerator();
    }

    /**
     * Continues from a checkpoint: optimiser moments, the learning rate where the schedule had taken it, the
     * dropout generator (null: keep the one seeded at start) and the position in the epoch.
     */
    public void resume(Progress at, byte[] optimizerState, byte[] rng) {
        TrainingState.load(optimizer, optimizerState);
        // The learning rate is set from the step count before every step, so there is no schedule to replay.
        if (rng != null) TrainingState.setCpuGenerator(rng);
        progress = at;
    }

    private static Map<String, Object> event(String kind, int epoch) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", kind);
        e.put("time", java.time.Instant.now().toString());
        e.put("epoch", epoch);
        return e;
    }
}
