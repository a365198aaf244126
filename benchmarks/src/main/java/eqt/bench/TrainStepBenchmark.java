package eqt.bench;

import eqt.data.EqDataset;
import eqt.device.HostTuning;
import eqt.device.SelectedDevice;
import eqt.model.EqTransformer;
import eqt.ops.Tensors;
import eqt.train.BatchShards;
import eqt.train.TrainConfig;
import eqt.train.Trainer;
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
import org.openjdk.jmh.annotations.Warmup;

/** One optimiser step of the reference configuration (batch 9 × 1500 × 10): forward, backward, Adam, StepLR. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 20)
@Fork(1)
public class TrainStepBenchmark {

    @Param({"cpu"})
    String device;
    /** 0.1 is the reference (unfused CPU attention); 0 lets CPU attention take the fused kernel. */
    @Param({"0.1", "0"})
    double attnDropout;
    /** Batch shards: 1 (the whole batch, libtorch's threads) or "even" (the CLI's default, BatchShards.even). */
    @Param({"1", "even"})
    String shards;

    private Trainer trainer;
    private Tensor x;
    private Tensor y;
    private final long[] batch = {0, 1, 2, 3, 4, 5, 6, 7, 8};

    @Setup
    public void setUp() {
        SelectedDevice d = Fixtures.device(device);
        EqDataset data = Fixtures.data(9);
        int cores = Runtime.getRuntime().availableProcessors();
        int k = "even".equals(shards) ? BatchShards.even(batch.length, cores) : Integer.parseInt(shards);
        HostTuning.threads(BatchShards.threadsEach(cores, k)); // as `eq` shares the threads out among the shards
        trainer = new Trainer(new EqTransformer(Fixtures.reference(attnDropout), d.torch(), 0),
                TrainConfig.reference(1, 0), d).shards(k);
        x = Tensors.retain(Tensors.of(data.stationWindows(0, 9), d.torch(), 9, 1500, 10));
        y = Tensors.retain(Tensors.of(data.sourceWindows(0, 9), d.torch(), 9, 1500, 10));
    }

    @Benchmark
    public float step() {
        return trainer.step(x, y, batch);
    }
}
