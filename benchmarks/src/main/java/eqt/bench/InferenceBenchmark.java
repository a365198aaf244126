package eqt.bench;

import eqt.data.EqDataset;
import eqt.device.SelectedDevice;
import eqt.model.Inference;
import eqt.model.EqTransformer;
import java.util.concurrent.TimeUnit;
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

/** Inference of the reference model: one window (latency) and 32 windows at once (throughput ÷ 32). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class InferenceBenchmark {

    @Param({"cpu"})
    String device;
    @Param({"1", "32"})
    int windows;

    private EqTransformer model;
    private float[] stations;

    @Setup
    public void setUp() {
        SelectedDevice d = Fixtures.device(device);
        EqDataset data = Fixtures.data(windows);
        model = new EqTransformer(Fixtures.reference(0.1), d.torch(), 0);
        stations = data.stationWindows(0, windows);
    }

    @Benchmark
    public float[] predict() {
        return Inference.predict(model, stations, windows, 1500);
    }
}
