package eqt.dist;

import eqt.model.ModelKind;

import static org.junit.jupiter.api.Assertions.*;

import eqt.data.EqDataset;
import eqt.data.Layout;
import eqt.data.SyntheticGenerator;
import eqt.device.Devices;
import eqt.device.SelectedDevice;
import eqt.io.BadInputException;
import eqt.model.EqTransformer;
import eqt.model.ModelConfig;
import eqt.ops.Tensors;
import eqt.train.TrainConfig;
import eqt.train.TrainLog;
import eqt.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Data parallelism over c10d gloo, two ranks as two threads of this JVM on loopback. */
class DataParallelTest {

    private static final SelectedDevice CPU = Devices.select("cpu");
    private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());
    private static final Layout LAYOUT = new Layout(10, 13, 200);
    private static final ModelConfig MODEL = new ModelConfig(ModelKind.REFERENCE, 10, new ModelConfig.Encoder(8, 2, 1, 16), new ModelConfig.Dropouts(0.0, 0.0), 200, false, 0, 0);

    /**
     * Dropout off, fixed seeds: 2 ranks with batch 2 each must follow 1 process with batch 4 on the same
     * permutation. Only float summation order differs; Adam normalises each update to about lr whatever the
     * gradient's size, so near-zero gradient components can flip and the parameter difference scales with lr,
     * which is kept small (3e-4) for a tight bound.
     */
    @Test
    void twoRanksEndWithTheParametersOfOneProcessOnTheUnionOfTheirBatches() throws Exception {
        assumeTrue(C10dSync.AVAILABLE, "gloo needs the default build's c10d binding (not -Psdaa)");
        EqDataset data = new SyntheticGenerator(LAYOUT, 21).generate();
        EqTransformer single = new EqTransformer(MODEL, CPU.torch(), 1);
        new Trainer(single, TrainConfig.reference(2, 4, 3e-4, 5), CPU).fit(data, 12, new TrainLog(null), QUIET, false);

        int port = freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<Map<String, float[]>>[] ranks = new Future[2];
        for (int r = 0; r < 2; r++) {
            int rank = r;
            ranks[r] = pool.submit(() -> {
                // rank 1 starts from other weights: the initial broadcast must replace them with rank 0's
                EqTransformer m = new EqTransformer(MODEL, CPU.torch(), rank == 0 ? 1 : 99);
                try (GradientSync sync = C10dSync.connect(new DistEnv(rank, rank, 2, 2, "127.0.0.1", port), "gloo", 30_000)) {
                    new Trainer(m, TrainConfig.reference(2, 2, 3e-4, 5), CPU, sync, rank)
                            .fit(data, 12, new TrainLog(null), QUIET, false);
                }
                return values(m);
            });
        }
        Map<String, float[]> r0 = ranks[0].get(120, TimeUnit.SECONDS);
        Map<String, float[]> r1 = ranks[1].get(120, TimeUnit.SECONDS);
        pool.shutdown();
        Map<String, float[]> one = values(single);
        double maxDiff = 0;
        for (String name : one.keySet()) {
            assertArrayEquals(r0.get(name), r1.get(name), name + ": ranks diverged");
            maxDiff = Math.max(maxDiff, maxAbsDiff(one.get(name), r0.get(name)));
        }
        System.out.println("data-parallel equivalence: max |param diff| = " + maxDiff);
        assertTrue(maxDiff < 1e-5, "2 ranks vs 1 process on the union: max abs diff " + maxDiff);
        assertFalse(Arrays.equals(one.get("output_layer.weight"), values(new EqTransformer(MODEL, CPU.torch(), 1))
                .get("output_layer.weight")), "training must have moved the weights");
    }

    /** Ranks started on other data refuse together, naming what differs, instead of training apart. */
    @Test
    void ranksThatDisagreeRefuseNamingTheFirstDifference() throws Exception {
        assumeTrue(C10dSync.AVAILABLE, "gloo needs the default build's c10d binding (not -Psdaa)");
        int port = freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<String>[] ranks = new Future[2];
        for (int r = 0; r < 2; r++) {
            int rank = r;
            ranks[r] = pool.submit(() -> {
                try (GradientSync sync = C10dSync.connect(new DistEnv(rank, rank, 2, 2, "127.0.0.1", port), "gloo", 30_000)) {
                    Map<String, String> items = new java.util.LinkedHashMap<>();
                    items.put("the model configuration", "same");
                    items.put("the data", rank == 0 ? "sha256 aaaa" : "sha256 bbbb");
                    items.put("the training flags", rank == 0 ? "x" : "y");
                    RankAgreement.check(sync, items);
                    return "agreed";
                } catch (eqt.io.BadInputException e) {
                    return e.getMessage();
                }
            });
        }
        for (Future<String> f : ranks) {
            String m = f.get(60, TimeUnit.SECONDS);
            assertTrue(m.startsWith("ranks disagree on the data: rank 1 differs from rank 0 (this rank: sha256 "), m);
        }
        pool.shutdown();
    }

    /** A job whose master is on loopback is not reachable from the network: the store listens on 127.0.0.1 only. */
    @Test
    void theStoreListensOnTheMasterAddressOnly() throws Exception {
        assumeTrue(C10dSync.AVAILABLE, "gloo needs the default build's c10d binding (not -Psdaa)");
        assumeTrue(java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/net/tcp")), "Linux /proc/net/tcp");
        int port = freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        java.util.concurrent.CountDownLatch joined = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.CountDownLatch inspected = new java.util.concurrent.CountDownLatch(1);
        List<Future<Object>> ranks = new java.util.ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int rank = r;
            ranks.add(pool.submit(() -> {
                try (GradientSync sync = C10dSync.connect(new DistEnv(rank, rank, 2, 2, "127.0.0.1", port), "gloo", 30_000)) {
                    joined.countDown();
                    inspected.await(30, TimeUnit.SECONDS);
                }
                return null;
            }));
        }
        assertTrue(joined.await(60, TimeUnit.SECONDS), "both ranks joined");
        String hexPort = String.format(":%04X", port);
        List<String> listening = new java.util.ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            java.nio.file.Path t = java.nio.file.Path.of(table);
            if (!java.nio.file.Files.isReadable(t)) continue;
            for (String line : java.nio.file.Files.readAllLines(t)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals("0A")) listening.add(f[1]); // 0A: LISTEN
            }
        }
        inspected.countDown();
        for (Future<Object> f : ranks) f.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        assertEquals(List.of("0100007F" + hexPort), listening, "bound to 127.0.0.1 only, not 0.0.0.0 or ::");
    }

    @Test
    void shardsCoverEveryWindowWithTheSamePermutationOnEveryRank() {
        ShardSampler r0 = new ShardSampler(11, 0, 2, 3);
        ShardSampler r1 = new ShardSampler(11, 1, 2, 3);
        int[] a = r0.indices(1);
        int[] b = r1.indices(1);
        assertEquals(6, a.length);
        assertEquals(6, b.length, "padded to equal length");
        boolean[] seen = new boolean[11];
        for (int i : a) seen[i] = true;
        for (int i : b) seen[i] = true;
        for (boolean s : seen) assertTrue(s);
        assertFalse(Arrays.equals(r0.indices(1), r0.indices(2)), "reshuffled every epoch");
    }

    @Test
    void unreachableMasterIsAClearError() throws Exception {
        assumeTrue(C10dSync.AVAILABLE, "gloo needs the default build's c10d binding (not -Psdaa)");
        int port = freePort();
        BadInputException e = assertThrows(BadInputException.class,
                () -> C10dSync.connect(new DistEnv(1, 1, 2, 2, "127.0.0.1", port), "gloo", 2_000));
        assertTrue(e.getMessage().contains("cannot reach the master at 127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void aTakenPortIsAClearError() throws Exception {
        assumeTrue(C10dSync.AVAILABLE, "gloo needs the default build's c10d binding (not -Psdaa)");
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            BadInputException e = assertThrows(BadInputException.class,
                    () -> C10dSync.connect(new DistEnv(0, 0, 2, 2, "127.0.0.1", port), "gloo", 2_000));
            assertTrue(e.getMessage().contains("cannot serve the rendezvous on port " + port), e.getMessage());
        }
    }

    @Test
    void environmentContracts() {
        Map<String, String> env = new HashMap<>();
        assertEquals(DistEnv.SINGLE, DistEnv.from(env));
        env.putAll(Map.of("RANK", "3", "LOCAL_RANK", "1", "WORLD_SIZE", "4", "LOCAL_WORLD_SIZE", "2",
                "MASTER_ADDR", "10.0.0.1", "MASTER_PORT", "29999"));
        assertEquals(new DistEnv(3, 1, 4, 2, "10.0.0.1", 29999), DistEnv.from(env));
        Map<String, String> slurm = Map.of("SLURM_PROCID", "5", "SLURM_NTASKS", "8", "SLURM_LOCALID", "1",
                "SLURM_NTASKS_PER_NODE", "4(x2)", "MASTER_PORT", "29501");
        assertEquals(new DistEnv(5, 1, 8, 4, "127.0.0.1", 29501), DistEnv.from(slurm));
        // what srun sets without --ntasks-per-node: the step's tasks per node, this task's node index
        Map<String, String> uneven = Map.of("SLURM_PROCID", "8", "SLURM_NTASKS", "9", "SLURM_LOCALID", "0",
                "SLURM_NODEID", "2", "SLURM_STEP_TASKS_PER_NODE", "4(x2),1", "SLURM_TASKS_PER_NODE", "5(x2)");
        assertEquals(new DistEnv(8, 0, 9, 1, "127.0.0.1", 29500), DistEnv.from(uneven));
        assertThrows(BadInputException.class, () -> DistEnv.from(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "2",
                "SLURM_NODEID", "3", "SLURM_TASKS_PER_NODE", "2")));
        assertThrows(BadInputException.class, () -> DistEnv.from(Map.of("RANK", "4", "WORLD_SIZE", "4")));
    }

    static Map<String, float[]> values(EqTransformer m) {
        Map<String, float[]> out = new HashMap<>();
        m.parameters().forEach((k, v) -> out.put(k, Tensors.toArray(v)));
        return out;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
