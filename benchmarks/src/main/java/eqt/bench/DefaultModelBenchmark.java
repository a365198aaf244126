package eqt.bench;

import eqt.device.HostTuning;
import eqt.device.SelectedDevice;
import eqt.infer.Tiling;
import eqt.model.Inference;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.model.ModelKind;
import eqt.ops.Tensors;
import eqt.train.BatchShards;
import eqt.train.TrainConfig;
import eqt.train.Trainer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The default model (wiener-cnn, 10 pairs) as `eq` runs it: {@link #step}, one training step of the default recipe
 * (batch 16 × 1 500 samples, forward, backward, AdamW, the CLI's batch shards and threads); {@link #chunk}, one
 * halo chunk ({@link Tiling#HALO_CHUNK} samples, every pair) through the network for inference on one core.
 * The values are random: the time does not depend on them. {@code benchmarks/floor.sh} sets both against their
 * float32 floors.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class DefaultModelBenchmark {

    /** The recipe's batch. */
    static final int BATCH = TrainConfig.defaults(ModelKind.WIENER_CNN, 0).batchSize();

    @Param({"cpu"})
    String device;

    private Trainer trainer;
    private Model model;
    private Tensor x;
    private Tensor y;
    private float[] chunk;
    private final long[] batch = new long[BATCH];

    @Setup
    public void setUp() {
        SelectedDevice d = Fixtures.device(device);
        ModelConfig c = ModelConfig.wienerCnn(10);
        model = Model.create(c, d.torch(), 0);
        int len = c.maxLength();
        int in = model.inputChannels();
        SplittableRandom r = new SplittableRandom(1);
        x = Tensors.retain(Tensors.of(random(r, BATCH * len * in), d.torch(), BATCH, len, in));
        y = Tensors.retain(Tensors.of(random(r, BATCH * len * c.channels()), d.torch(), BATCH, len, c.channels()));
        for (int i = 0; i < BATCH; i++) batch[i] = i;
        chunk = random(r, Tiling.HALO_CHUNK * in);
        int cores = Runtime.getRuntime().availableProcessors();
        int k = d.torch().is_cpu() ? BatchShards.even(BATCH, cores) : 1;
        HostTuning.threads(BatchShards.threadsEach(cores, k)); // as `eq` shares the threads out among the shards
        trainer = new Trainer(model, TrainConfig.defaults(ModelKind.WIENER_CNN, 0), d).shards(k);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    @Benchmark
    public float step() {
        return trainer.step(x, y, batch);
    }

    /**
     * As `eq invert` runs chunks on a CPU: one chunk per core at once, libtorch single-threaded in each (JMH's
     * score is then the time per chunk on one core).
     */
    @Benchmark
    @Threads(Threads.MAX)
    public float[] chunk() {
        HostTuning.threads(1);
        return Inference.predict(model, chunk, 1, Tiling.HALO_CHUNK);
    }
}
