package eqt.train;

import eqt.model.ModelKind;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import eqt.model.EqTransformer;
import eqt.model.ModelConfig;
import eqt.ops.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class BatchShardsTest {

    private static final Device CPU = new Device(torch.DeviceType.CPU);

    private static EqTransformer model(double dropout) {
        return new EqTransformer(new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(8, 2, 2, 32), new ModelConfig.Dropouts(dropout, dropout), 256, false, 0, 0),
                CPU, 1);
    }

    private static Tensor random(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) (shape[0] * shape[1] * shape[2])];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Tensors.of(v, CPU, shape);
    }

    /** The loss sum and every parameter's gradient after one sharded forward and backward of {@code m}. */
    private static List<float[]> gradients(EqTransformer m, int shards, Tensor x, Tensor y) {
        return gradients(m, shards, Integer.MAX_VALUE, x, y);
    }

    /** As above, each shard in passes of at most {@code passRows} windows. */
    private static List<float[]> gradients(EqTransformer m, int shards, int passRows, Tensor x, Tensor y) {
        for (Tensor p : m.parameters().values()) if (p.grad().defined()) p.grad().zero_();
        List<Tensor> params = List.copyOf(m.parameters().values());
        double loss = new BatchShards(shards, passRows).run(x, y, params, (xs, ys) -> torch.mse_loss(m.forward(xs, true), ys));
        List<float[]> out = new ArrayList<>();
        out.add(new float[] {(float) loss});
        for (Tensor p : m.parameters().values()) out.add(Tensors.toArray(p.grad()));
        return out;
    }

    @Test
    void twoShardsGiveTheWholeBatchsLossAndGradients() {
        try (PointerScope s = new PointerScope()) {
            EqTransformer m = model(0);
            Tensor x = random(1, 5, 64, 10);
            Tensor y = random(2, 5, 64, 10);
            List<float[]> whole = gradients(m, 1, x, y);
            assertSame(whole, gradients(m, 2, x, y), "2 shards");
        }
    }

    /** The same loss and gradients within float32 rounding ({@code what} names the split in a failure). */
    private static void assertSame(List<float[]> whole, List<float[]> split, String what) {
        assertEquals(whole.get(0)[0], split.get(0)[0], 1e-6 * whole.get(0)[0], "loss, " + what);
        for (int i = 1; i < whole.size(); i++) {
            float[] a = whole.get(i);
            float max = 0;
            for (float v : a) max = Math.max(max, Math.abs(v));
            assertArrayEquals(a, split.get(i), 1e-5f * max + 1e-9f, "gradient " + i + ", " + what);
        }
    }

    /** Shards run as passes of fewer windows (one shard of 5 in 2 + 2 + 1; two of 3 + 2 in 2 + 1 and 1 + 1). */
    @Test
    void passesOfFewerWindowsGiveTheWholeBatchsLossAndGradients() {
        try (PointerScope s = new PointerScope()) {
            EqTransformer m = model(0);
            Tensor x = random(7, 5, 64, 10);
            Tensor y = random(8, 5, 64, 10);
            List<float[]> whole = gradients(m, 1, x, y);
            for (int[] split : new int[][] {{1, 2}, {2, 2}, {2, 1}}) {
                assertSame(whole, gradients(m, split[0], split[1], x, y), split[0] + " shard(s) in passes of " + split[1]);
            }
            assertThrows(IllegalArgumentException.class, () -> new BatchShards(2, 0));
        }
    }

    @Test
    void shardedDropoutRepeatsForTheSameSeed() {
        try (PointerScope s = new PointerScope()) {
            EqTransformer m = model(0.1);
            Tensor x = random(3, 6, 64, 10);
            Tensor y = random(4, 6, 64, 10);
            torch.manual_seed(5);
            List<float[]> a = gradients(m, 3, x, y);
            torch.manual_seed(5);
            List<float[]> b = gradients(m, 3, x, y);
            for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "entry " + i);
        }
    }

    @Test
    void aFailingShardFailsTheStepAfterTheOthersFinish() {
        try (PointerScope s = new PointerScope()) {
            Tensor x = random(5, 5, 8, 10);
            x.requires_grad_(true); // the first shard's backward succeeds
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new BatchShards(2).run(x, x,
                    List.of(), (xs, ys) -> {
                        if (xs.size(0) == 3) throw new IllegalStateException("shard of 3 failed");
                        return xs.sum();
                    }));
            assertEquals("shard of 3 failed", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new BatchShards(0));
        }
    }

    @Test
    void defaultShardsSplitTheBatchEvenlyWithAtLeastOnePerThread() {
        assertEquals(3, BatchShards.even(9, 2)); // the reference on 2 cores: 3 + 3 + 3, not 5 + 4
        assertEquals(2, BatchShards.even(16, 2));
        assertEquals(9, BatchShards.even(9, 16)); // more threads than windows: one window each
        assertEquals(7, BatchShards.even(7, 2));
        assertEquals(1, BatchShards.even(4, 1)); // a launcher worker with one thread does not split
    }
}
