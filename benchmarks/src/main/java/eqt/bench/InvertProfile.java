package eqt.bench;

import eqt.checkpoint.Checkpoint;
import eqt.device.HostTuning;
import eqt.dsp.LinearInverse;
import eqt.infer.LongRecord;
import eqt.infer.Tiling;
import eqt.io.SampleSink;
import eqt.io.SampleSource;
import eqt.model.Inference;
import eqt.model.Model;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * Where inverting a long record spends its time, part by part, on a random record of {@code HOURS} (speed does
 * not depend on the values): the network alone on as many windows ({@code workers} threads, libtorch
 * single-threaded in each, as {@code eq invert} runs it), the linear path's FFT blocks alone, and the whole
 * streamed inversion; what the whole takes beyond the first two is window assembly and overlap-add.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar eqt.bench.InvertProfile CHECKPOINT HOURS [WORKERS]</pre>
 */
public final class InvertProfile {

    private InvertProfile() {
    }

    public static void main(String[] args) throws Exception {
        Model m = Checkpoint.load(Path.of(args[0]), new Device(torch.DeviceType.CPU));
        double hours = Double.parseDouble(args[1]);
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        HostTuning.threads(workers > 1 ? 1 : Runtime.getRuntime().availableProcessors());
        int overlap = m.config().maxLength() / 4;
        int samples = (int) Math.round(hours * 3600 * 100);
        Tiling tiling = Tiling.of(m, samples, m.config().maxLength(), overlap);
        int window = tiling.window(); // a halo chunk's length for a model with a reach
        int ch = m.config().channels();
        float[][] rec = new float[ch][samples];
        Random r = new Random(1);
        for (float[] row : rec) for (int i = 0; i < samples; i++) row[i] = (float) r.nextGaussian();
        long windows = tiling.count(samples);
        int chunk = 32;
        float[] x = new float[chunk * window * m.inputChannels()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        Inference.predict(m, x, chunk, window); // warm-up
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        long t0 = System.nanoTime();
        List<Future<?>> jobs = new ArrayList<>();
        for (long w = 0; w < windows; w += chunk) {
            int n = (int) Math.min(chunk, windows - w);
            jobs.add(pool.submit(() -> Inference.predict(m, x, n, window)));
        }
        for (Future<?> f : jobs) f.get();
        double net = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        List<LinearInverse> path = m.linearPath();
        double lin = 0;
        if (!path.isEmpty()) {
            float[] out = new float[samples];
            t0 = System.nanoTime();
            for (int c = 0; c < path.size(); c++) {
                LinearInverse.Blocks b = path.get(c).blocks(samples);
                for (long s = 0; s < samples; s += b.hop()) {
                    int n = (int) Math.min(b.hop(), samples - s);
                    b.apply(rec[c], 0, samples, s, n, out, 0);
                }
            }
            lin = (System.nanoTime() - t0) / 1e9;
        }
        t0 = System.nanoTime();
        LongRecord.invert(m, SampleSource.of(rec), new SampleSink() {
            @Override
            public void write(float[][] src, int off, int n) {
            }
        }, m.config().maxLength(), overlap, workers, n -> { });
        double whole = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%s h, %d %s, %d workers: network %.2f s, linear path %.2f s (one thread), "
                + "whole streamed inversion %.2f s%n", args[1], windows, tiling.describe(), workers, net, lin, whole);
    }
}
