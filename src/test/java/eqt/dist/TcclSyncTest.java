package eqt.dist;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import eqt.ops.Tensors;
import eqt.sdaa.global.sdaa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TCCL path of data parallelism against a TEST-ONLY stand-in libtccl.so (src/test/native), which performs a
 * real all-reduce between the threads of this JVM: proves the unique-id exchange over the c10d store, the bucket
 * flattening, the pointers and counts handed to the shim and the averaging. No SDAA device is involved.
 */
class TcclSyncTest {

    @TempDir
    Path dir;

    @Test
    void twoRanksAverageGradientsAndBroadcastWeightsThroughTccl() throws Exception {
        Loader.load(sdaa.class);
        sdaa.eqt_sdaa_set_extra_dir(compileStandIn().toString());
        int port = DataParallelTest.freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<float[][]>[] results = new Future[2];
        for (int r = 0; r < 2; r++) {
            int rank = r;
            results[r] = pool.submit(() -> {
                Tensor w = Tensor.create(new float[] {rank + 10f, rank + 20f, rank + 30f}, 3).requires_grad_(true);
                Tensor v = Tensor.create(new float[] {5f * (rank + 1)}, 1).requires_grad_(true);
                // loss = sum(w * (2 * rank + 1)) + v * (rank + 1): rank 0's grads are 1s, rank 1's are 3s / 2
                w.mul(new org.bytedeco.pytorch.Scalar(2.0 * rank + 1)).sum()
                        .add(v.mul(new org.bytedeco.pytorch.Scalar(rank + 1.0)).sum()).backward();
                try (GradientSync sync = C10dSync.connect(new DistEnv(rank, rank, 2, 2, "127.0.0.1", port), "tccl", 30_000)) {
                    sync.broadcast(List.of(w, v));
                    sync.averageGradients(List.of(w, v));
                    double mean = sync.average(rank == 0 ? 1.0 : 4.0);
                    return new float[][] {Tensors.toArray(w), Tensors.toArray(w.grad()), Tensors.toArray(v.grad()),
                            {(float) mean}};
                }
            });
        }
        for (Future<float[][]> f : results) {
            float[][] got = f.get(60, TimeUnit.SECONDS);
            assertArrayEquals(new float[] {10f, 20f, 30f}, got[0], "weights broadcast from rank 0");
            assertArrayEquals(new float[] {2f, 2f, 2f}, got[1], "mean of 1 and 3");
            assertArrayEquals(new float[] {1.5f}, got[2], "mean of 1 and 2");
            assertEquals(2.5f, got[3][0], "mean of the logged scalar");
        }
        pool.shutdown();
        assertEquals(111000000, sdaa.eqt_tccl_version(), "tcclGetVersion read at load (the stand-in's 1.11.0)");
    }

    /** The TCCL stand-in and the runtime stand-in it counts synchronisations of, in one directory. */
    private Path compileStandIn() throws IOException, InterruptedException {
        cc(Path.of("test/native/tccl_standin.c"), "libtccl.so");
        cc(Path.of("../presets/src/test/native/sdaart_standin.c"), "libsdaart.so");
        return dir;
    }

    private void cc(Path src, String lib) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("cc", "-shared", "-fPIC", "-pthread", "-o", dir.resolve(lib).toString(),
                    src.toString(), "-ldl").inheritIO().start();
        } catch (IOException e) {
            assumeTrue(false, "no C compiler (cc) to build the stand-in: " + e.getMessage());
            throw e;
        }
        assertEquals(0, p.waitFor(), "cc failed on " + src);
    }
}
