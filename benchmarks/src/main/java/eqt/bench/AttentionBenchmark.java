package eqt.bench;

import eqt.device.SelectedDevice;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
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

/** Forward attention of the reference shape (9 × 4 heads × 1500 × 16): fused SDPA vs the explicit matrix. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class AttentionBenchmark {

    @Param({"cpu"})
    String device;

    private Tensor q;
    private Tensor k;
    private Tensor v;

    @Setup
    public void setUp() {
        SelectedDevice d = Fixtures.device(device);
        try (PointerScope s = new PointerScope()) {
            q = torch.randn(9, 4, 1500, 16).to(d.torch(), torch.ScalarType.Float);
            k = torch.randn(9, 4, 1500, 16).to(d.torch(), torch.ScalarType.Float);
            v = torch.randn(9, 4, 1500, 16).to(d.torch(), torch.ScalarType.Float);
            q.retainReference();
            k.retainReference();
            v.retainReference();
        }
    }

    @Benchmark
    public long fusedSdpa() {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            return torch.scaled_dot_product_attention(q, k, v, new TensorOptional(), 0.0, false,
                    new DoubleOptional(), false).numel();
        }
    }

    @Benchmark
    public long explicitMatrix() {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor w = torch.softmax(torch.matmul(q, k.transpose(-2, -1)).mul(new Scalar(0.25)), -1);
            return torch.matmul(w, v).numel();
        }
    }
}
