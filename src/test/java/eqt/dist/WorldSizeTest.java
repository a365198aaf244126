package eqt.dist;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.SyntheticGenerator;
import eqt.device.Devices;
import eqt.device.SelectedDevice;
import eqt.io.BadInputException;
import eqt.model.EqTransformer;
import eqt.model.ModelConfig;
import eqt.model.ModelKind;
import eqt.ops.Tensors;
import eqt.train.TrainConfig;
import eqt.train.TrainLog;
import eqt.train.Trainer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Data parallelism at every world size, not only the two ranks it was first written for: gloo on loopback, one
 * thread per rank in this JVM. 12 training windows do not divide by 5 or 8, so those sizes train on
 * DistributedSampler's padded shards.
 */
class WorldSizeTest {

    private static final SelectedDevice CPU = Devices.select("cpu");
    private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());
    private static final Layout LAYOUT = new Layout(10, 13, 200);
    private static final int TRAIN = 12;
    private static final int BATCH = 2;
    private static final ModelConfig MODEL = new ModelConfig(ModelKind.REFERENCE, 10,
            new ModelConfig.Encoder(8, 2, 1, 16), new ModelConfig.Dropouts(0.0, 0.0), 200, false, 0, 0);

    /**
     * Each rank trains one epoch with batch 2 on its shard; the reference is one process stepping on the union of
     * the ranks' batches, padding included (what DistributedSampler feeds the ranks). Dropout off, fixed seeds:
     * only the order of float summation differs, so the bound is the two-rank test's (1e-5 at lr 3e-4).
     */
    @ParameterizedTest(name = "{0} rank(s)")
    @ValueSource(ints = {1, 2, 3, 4, 5, 8})
    void ranksEndIdenticalAndEqualOneProcessOnTheUnionOfTheirBatches(int world) throws Exception {
        assumeTrue(C10dSync.AVAILABLE, "gloo needs the default build's c10d binding (not -Psdaa)");
        EqDataset data = new SyntheticGenerator(LAYOUT, 21).generate();
        TrainConfig cfg = TrainConfig.reference(1, BATCH, 3e-4, 5);
        List<Map<String, float[]>> ranks = onRanks(world, (rank, sync) -> {
            // every rank but 0 starts from other weights: the first broadcast must replace them with rank 0's
            EqTransformer m = new EqTransformer(MODEL, CPU.torch(), rank == 0 ? 1 : 99 + rank);
            new Trainer(m, cfg, CPU, sync, rank).fit(data, TRAIN, new TrainLog(null), QUIET, false);
            return DataParallelTest.values(m);
        });
        Map<String, float[]> one = unionReference(data, world, cfg);
        double maxDiff = 0;
        for (String name : one.keySet()) {
            for (int r = 1; r < world; r++) {
                assertArrayEquals(ranks.get(0).get(name), ranks.get(r).get(name), name + ": rank " + r + " diverged");
            }
            maxDiff = Math.max(maxDiff, maxAbsDiff(one.get(name), ranks.get(0).get(name)));
        }
        System.out.printf("data-parallel equivalence, %d rank(s): max |param diff| = %.3g%n", world, maxDiff);
        assertTrue(maxDiff < 1e-5, world + " ranks vs 1 process on the union: max abs diff " + maxDiff);
        assertTrue(maxAbsDiff(one.get("output_layer.weight"),
                DataParallelTest.values(new EqTransformer(MODEL, CPU.torch(), 1)).get("output_layer.weight")) > 1e-5,
                "training must have moved the weights");
    }

    /** Identical flags agree at sizes whose hash sums float32 used to round (3 ranks were refused at start). */
    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {3, 5, 8})
    void identicalRanksAgreeAndOneOddRankIsNamed(int world) throws Exception {
        assumeTrue(C10dSync.AVAILABLE, "gloo needs the default build's c10d binding (not -Psdaa)");
        int odd = world - 2;
        List<String> results = onRanks(world, (rank, sync) -> {
            Map<String, String> same = new LinkedHashMap<>();
            same.put("the model configuration", "ModelConfig[model=reference, d_model=64, ...]");
            same.put("the data", "10x100x1500 sha256 " + "9f".repeat(32));
            RankAgreement.check(sync, same); // must pass
            Map<String, String> items = new LinkedHashMap<>(same);
            items.put("the training flags", rank == odd ? "lr=0.02" : "lr=0.01");
            try {
                RankAgreement.check(sync, items);
                return "agreed";
            } catch (BadInputException e) {
                return e.getMessage();
            }
        });
        for (String m : results) {
            assertTrue(m.startsWith("ranks disagree on the training flags: rank " + odd + " differs from rank 0 (this rank: lr=0.0"), m);
        }
    }

    interface RankBody<T> {
        T run(int rank, GradientSync sync) throws Exception;
    }

    /** Runs {@code body} on {@code world} ranks joined over gloo; the results in rank order. */
    static <T> List<T> onRanks(int world, RankBody<T> body) throws Exception {
        int port = DataParallelTest.freePort();
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    if (world == 1) return body.run(0, GradientSync.NONE);
                    try (GradientSync sync = C10dSync.connect(new DistEnv(rank, rank, world, world, "127.0.0.1", port),
                            "gloo", 60_000)) {
                        return body.run(rank, sync);
                    }
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) out.add(f.get(300, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One process, batch = world × 2: at step b, the windows every rank's shard holds at batch b. */
    private static Map<String, float[]> unionReference(EqDataset data, int world, TrainConfig cfg) {
        EqTransformer m = new EqTransformer(MODEL, CPU.torch(), 1);
        Trainer t = new Trainer(m, cfg.withBatches(new TrainConfig.Batches(BATCH * world, TrainConfig.Sampling.WINDOWS)), CPU);
        int len = LAYOUT.windowLength();
        Tensor x = Tensors.of(data.stationWindows(0, TRAIN), CPU.torch(), TRAIN, len, data.inputChannels());
        Tensor y = Tensors.of(data.sourceWindows(0, TRAIN), CPU.torch(), TRAIN, len, data.channels());
        IntFunction<int[]> shard = r -> new ShardSampler(TRAIN, r, world, cfg.seed()).indices(1);
        int perRank = new ShardSampler(TRAIN, 0, world, cfg.seed()).perRank();
        for (int from = 0; from < perRank; from += BATCH) {
            int to = Math.min(perRank, from + BATCH);
            long[] idx = new long[(to - from) * world];
            int k = 0;
            for (int r = 0; r < world; r++) {
                int[] mine = shard.apply(r);
                for (int i = from; i < to; i++) idx[k++] = mine[i];
            }
            t.step(x, y, idx);
        }
        return DataParallelTest.values(m);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }
}
