package eqt.train;

import eqt.data.EqDataset;
import eqt.device.SelectedDevice;
import eqt.dist.GradientSync;
import eqt.dist.ShardSampler;
import eqt.model.EqTransformer;
import eqt.model.Tensors;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.StepLR;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a model on the first {@code trainWindows} windows with the reference recipe. Every step runs inside a
 * {@link PointerScope}, so the step's tensors are freed when it ends and native memory stays flat.
 *
 * <p>Data-parallel when given a {@link GradientSync} over several ranks: rank 0's weights are broadcast first,
 * each rank trains on its {@link ShardSampler} shard with batches of {@code batchSize}, gradients are averaged
 * before every optimiser step, and logged losses are averaged over ranks. With {@link GradientSync#NONE} it is
 * the single-process reference.
 */
public final class Trainer {

    /** Per-batch losses in order, per-epoch mean losses, and the mean wall time of a step. */
    public record Result(List<Float> batchLosses, List<Double> epochLosses, double secondsPerStep) {
    }

    private final EqTransformer model;
    private final TrainConfig cfg;
    private final SelectedDevice device;
    private final Adam optimizer;
    private final StepLR scheduler;
    private final GradientSync sync;
    private final int rank;
    private final List<Tensor> params;

    public Trainer(EqTransformer model, TrainConfig cfg, SelectedDevice device) {
        this(model, cfg, device, GradientSync.NONE, 0);
    }

    public Trainer(EqTransformer model, TrainConfig cfg, SelectedDevice device, GradientSync sync, int rank) {
        this.model = model;
        this.cfg = cfg;
        this.device = device;
        this.sync = sync;
        this.rank = rank;
        this.params = List.copyOf(model.parameters().values());
        this.optimizer = new Adam(new TensorVector(params.toArray(new Tensor[0])), new AdamOptions(cfg.lr()));
        this.scheduler = new StepLR(optimizer, cfg.stepSize(), cfg.gamma());
    }

    public Result fit(EqDataset data, int trainWindows, TrainLog log, PrintStream out, boolean progressBar) {
        int len = data.layout().windowLength();
        int ch = data.channels();
        Tensor x = Tensors.retain(Tensors.of(data.stationWindows(0, trainWindows), device.torch(), trainWindows, len, ch));
        Tensor y = Tensors.retain(Tensors.of(data.sourceWindows(0, trainWindows), device.torch(), trainWindows, len, ch));
        sync.broadcast(params);
        ShardSampler sampler = new ShardSampler(trainWindows, rank, sync.worldSize(), cfg.seed());
        int perRank = sampler.perRank();
        int batches = (perRank + cfg.batchSize() - 1) / cfg.batchSize();
        List<Float> batchLosses = new ArrayList<>();
        List<Double> epochLosses = new ArrayList<>();
        double stepSeconds = 0;
        int steps = 0;
        try (ProgressBar bar = progressBar ? new ProgressBarBuilder().setTaskName("train")
                .setInitialMax((long) batches * cfg.epochs()).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).continuousUpdate().build() : null) {
            for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
                int[] order = sampler.indices(epoch);
                double sum = 0;
                long epochStart = System.nanoTime();
                for (int b = 0; b < batches; b++) {
                    int from = b * cfg.batchSize();
                    int to = Math.min(perRank, from + cfg.batchSize());
                    long[] idx = new long[to - from];
                    for (int i = from; i < to; i++) idx[i - from] = order[i];
                    long t0 = System.nanoTime();
                    float loss = step(x, y, idx);
                    double dt = (System.nanoTime() - t0) / 1e9;
                    stepSeconds += dt;
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
                        log.write(e);
                        if (bar == null) {
                            out.printf(Locale.ROOT, "epoch %d batch %d/%d loss %.6f (%.2f s/step)%n",
                                    epoch, b + 1, batches, loss, dt);
                        }
                    }
                }
                double avg = sum / batches;
                epochLosses.add(avg);
                double secs = (System.nanoTime() - epochStart) / 1e9;
                Map<String, Object> e = event("epoch", epoch);
                e.put("avg_loss", avg);
                e.put("epoch_s", secs);
                log.write(e);
                String line = String.format(Locale.ROOT, "epoch %d/%d average loss %.6f (%.1f s)", epoch,
                        cfg.epochs(), avg, secs);
                if (bar != null) bar.setExtraMessage(line);
                else out.println(line);
            }
        }
        return new Result(batchLosses, epochLosses, steps == 0 ? 0 : stepSeconds / steps);
    }

    /** One optimisation step on the windows {@code idx}; returns the batch's loss. */
    public float step(Tensor x, Tensor y, long[] idx) {
        try (PointerScope scope = new PointerScope()) {
            Tensor index = Tensor.create(idx).to(device.torch(), torch.ScalarType.Long);
            Tensor xb = x.index_select(0, index);
            Tensor yb = y.index_select(0, index);
            optimizer.zero_grad();
            Tensor loss = torch.mse_loss(model.forward(xb, true), yb);
            loss.backward();
            sync.averageGradients(params);
            optimizer.step();
            scheduler.step();
            return (float) sync.average(loss.item_float());
        }
    }

    private static Map<String, Object> event(String kind, int epoch) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", kind);
        e.put("time", java.time.Instant.now().toString());
        e.put("epoch", epoch);
        return e;
    }
}
