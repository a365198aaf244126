package eqt.bench;

import eqt.checkpoint.Checkpoint;
import eqt.infer.Tiling;
import eqt.model.Model;
import eqt.model.ModelConfig;
import eqt.model.ModelKind;
import eqt.train.TrainConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The float32 compute floor of inverting a record with a checkpoint's model on this machine: the network's
 * multiply-adds per window, counted from its weights ({@link #multiplyAddsPerWindow}), divided by the dense sgemm
 * rate measured here in the same run (a 2048² float32 product on all cores), for the work that cannot be avoided:
 * for {@code wiener-cnn}, a convolution, every sample of the record through the network once ("floor"); for every
 * model, also the tapered windows the Transformers need ("windows floor", overlapping by a quarter window). What is not the network
 * (windowing, the linear path, I/O, start-up) is what a measured time spends above this floor.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar eqt.bench.Floor CHECKPOINT HOURS... </pre>
 */
public final class Floor {

    private Floor() {
    }

    public static void main(String[] args) {
        Path ckpt = Path.of(args[0]);
        Model m = Checkpoint.load(ckpt, new Device(torch.DeviceType.CPU));
        ModelConfig c = m.config();
        int window = c.maxLength();
        double macs = multiplyAddsPerWindow(m);
        double gflopPerWindow = 2 * macs / 1e9;
        double rate = sgemmRate();
        System.out.printf(Locale.ROOT, "model %s: window %d, d %d, %d layers; %.3f GFLOP per window%n",
                c.model().id(), window, c.dModel(), c.numLayers(), gflopPerWindow);
        System.out.printf(Locale.ROOT, "sgemm 2048^2 float32, %d threads: %.1f GFLOP/s%n", torch.get_num_threads(),
                rate / 1e9);
        if (c.model() == ModelKind.WIENER_CNN) {
            // Training: forward and backward ≈ 3 × the forward's multiply-adds over a batch of the recipe's windows.
            int batch = TrainConfig.defaults(ModelKind.WIENER_CNN, 0).batchSize();
            double step = 3 * batch * gflopPerWindow;
            System.out.printf(Locale.ROOT, "step floor: batch %d x %d samples x %d pairs, %.1f GFLOP, %.4f s%n", batch,
                    window, c.channels(), step, step * 1e9 / rate);
            // A halo chunk: only the samples it keeps cannot be avoided (the halo is computed again next door).
            int kept = Tiling.HALO_CHUNK - 2 * m.reach();
            double chunk = gflopPerWindow * kept / window;
            System.out.printf(Locale.ROOT, "chunk floor: %d kept samples of %d x %d pairs, %.3f GFLOP, %.4f s%n", kept,
                    Tiling.HALO_CHUNK, c.channels(), chunk, chunk * 1e9 / rate);
        }
        for (int i = 1; i < args.length; i++) {
            double hours = Double.parseDouble(args[i]);
            long samples = Math.round(hours * 3600 * 100);
            long windows = new Tiling(window, window / 4, -1).count(samples);
            System.out.printf(Locale.ROOT, "windows floor %s h: %d windows of %d overlapping by %d, %.2f s%n", args[i],
                    windows, window, window / 4, windows * gflopPerWindow * 1e9 / rate);
            if (c.model() == ModelKind.WIENER_CNN) { // a convolution: every sample through the network once
                System.out.printf(Locale.ROOT, "floor %s h: every sample once, %.2f s%n", args[i],
                        (double) samples / window * gflopPerWindow * 1e9 / rate);
            }
        }
    }

    /**
     * The network's multiply-adds for one window. wiener-cnn: every convolution weight {@code [out, in, kernel]}
     * is applied at each sample of each pair (the network is shared by the pairs). The Transformers: every 2-D
     * weight once per token, and attention's scores and weighted sum, 2·T²·d per layer. The linear path (an FFT
     * per block of the record) is not the network and is left out.
     */
    static double multiplyAddsPerWindow(Model m) {
        ModelConfig c = m.config();
        int window = c.maxLength();
        double macs = 0;
        if (c.model() == ModelKind.WIENER_CNN) {
            for (Tensor w : m.parameters().values()) if (w.dim() == 3) macs += w.numel();
            return macs * window * c.channels();
        }
        int tokens = c.patch() > 0 ? window / c.patch() : window;
        for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) {
            Tensor w = e.getValue();
            if (w.dim() == 2 && !e.getKey().contains("pos")) macs += w.numel();
        }
        return macs * tokens + 2.0 * c.numLayers() * tokens * tokens * c.dModel();
    }

    /** FLOP/s of a 2048 x 2048 float32 product, the best of five after a warm-up. */
    static double sgemmRate() {
        torch.set_num_threads(Runtime.getRuntime().availableProcessors()); // every core, whatever libtorch guessed
        int n = 2048;
        Tensor a = torch.randn(n, n);
        Tensor b = torch.randn(n, n);
        torch.mm(a, b);
        double best = 0;
        for (int r = 0; r < 5; r++) {
            long t0 = System.nanoTime();
            Tensor p = torch.mm(a, b);
            p.data_ptr(); // the product is done when its storage is read
            double s = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, 2.0 * n * n * n / s);
        }
        return best;
    }
}
