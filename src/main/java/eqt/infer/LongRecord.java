package eqt.infer;

import eqt.model.Model;
import java.util.function.LongConsumer;

/**
 * Inverts a station record of any length with a model trained on fixed windows: overlapping windows, each
 * prediction weighted by a Tukey taper (flat in the middle, cosine ramps over the overlap) and the weighted sum
 * divided by the summed weights. The ramps never reach zero, so every sample is covered, a sample covered by one
 * window gets that window's prediction unchanged, and window edges (where the model saw the least context) count
 * least, which removes the seams that butting windows together would leave. Records shorter than a window are
 * padded with zeros and the padding removed. Windows are processed in chunks, so memory stays bounded for a day
 * of data.
 */
public final class LongRecord {

    /** Windows predicted together. */
    static final int CHUNK = 32;

    private LongRecord() {
    }

    /**
     * Whole station records {@code [channel][sample]} → source estimate {@code [samples, channels]} row-major:
     * the model's {@link Model#inputs} are made from the continuous records (a linear path sees across window
     * edges), then cut into windows as {@link #invert(Model, float[], int, int, int, LongConsumer)} does.
     */
    public static float[] invert(Model model, float[][] stations, int window, int overlap, LongConsumer progress) {
        return invert(model, stations, window, overlap, 1, progress);
    }

    /**
     * As {@link #invert(Model, float[][], int, int, LongConsumer)}, with {@code workers} chunks of windows predicted
     * at once on as many threads (libtorch's intra-op threads should then be set to the cores per worker). The
     * chunks are added into the result in order, so the output does not depend on which finishes first.
     */
    public static float[] invert(Model model, float[][] stations, int window, int overlap, int workers,
                                 LongConsumer progress) {
        return invert(model, interleave(model.inputs(stations)), stations[0].length, window, overlap, workers, progress);
    }

    /** {@code [channel][sample]} → {@code [samples, channels]} row-major, the layout the model's windows take. */
    public static float[] interleave(float[][] records) {
        int ch = records.length;
        int n = records[0].length;
        float[] out = new float[n * ch];
        for (int c = 0; c < ch; c++) {
            float[] v = records[c];
            for (int t = 0; t < n; t++) out[t * ch + c] = v[t];
        }
        return out;
    }

    /**
     * {@code record}: the model's input {@code [samples, inputChannels]} row-major → source estimate
     * {@code [samples, channels]}.
     * {@code overlap}: samples shared by neighbouring windows, in {@code [0, window/2]}.
     * {@code progress} receives the number of windows done after each chunk.
     */
    public static float[] invert(Model model, float[] record, int samples, int window, int overlap,
                                 LongConsumer progress) {
        return invert(model, record, samples, window, overlap, 1, progress);
    }

    static float[] invert(Model model, float[] record, int samples, int window, int overlap, int workers,
                          LongConsumer progress) {
        int ch = model.config().channels();
        int inCh = model.inputChannels();
        if (record.length != (long) samples * inCh) throw new IllegalArgumentException("record is not samples x channels");
        if (overlap < 0 || overlap > window / 2) throw new IllegalArgumentException("overlap must be in [0, window/2]");
        int[] starts = starts(samples, window, window - overlap);
        float[] taper = taper(window, overlap);
        double[] sum = new double[samples * ch];
        double[] weight = new double[samples];
        java.util.concurrent.ExecutorService pool = workers > 1 ? java.util.concurrent.Executors.newFixedThreadPool(workers) : null;
        try {
            java.util.ArrayDeque<java.util.concurrent.Future<float[]>> inFlight = new java.util.ArrayDeque<>();
            int next = 0; // first window of the next chunk to submit
            for (int first = 0; first < starts.length; first += CHUNK) {
                while (next < starts.length && (pool == null ? next == first : inFlight.size() < workers)) {
                    int from = next;
                    java.util.concurrent.Callable<float[]> job = () -> predictChunk(model, record, samples, window, inCh, starts, from);
                    inFlight.add(pool == null ? java.util.concurrent.CompletableFuture.completedFuture(job.call()) : pool.submit(job));
                    next += CHUNK;
                }
                float[] y = inFlight.poll().get();
                int n = Math.min(CHUNK, starts.length - first);
                for (int w = 0; w < n; w++) {
                    int s = starts[first + w];
                    int len = Math.min(window, samples - s);
                    for (int t = 0; t < len; t++) {
                        double wt = taper[t];
                        weight[s + t] += wt;
                        int o = (s + t) * ch;
                        int i = (w * window + t) * ch;
                        for (int c = 0; c < ch; c++) sum[o + c] += wt * y[i + c];
                    }
                }
                progress.accept(first + n);
            }
        } catch (Exception e) {
            if (e instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e);
        } finally {
            if (pool != null) pool.shutdownNow();
        }
        float[] out = new float[samples * ch];
        for (int t = 0; t < samples; t++) {
            for (int c = 0; c < ch; c++) out[t * ch + c] = (float) (sum[t * ch + c] / weight[t]);
        }
        return out;
    }

    /** The predictions of the chunk of windows starting at window {@code first}. */
    private static float[] predictChunk(Model model, float[] record, int samples, int window, int inCh, int[] starts,
                                        int first) {
        int n = Math.min(CHUNK, starts.length - first);
        float[] x = new float[n * window * inCh];
        for (int w = 0; w < n; w++) {
            int s = starts[first + w];
            int len = Math.min(window, samples - s); // short records: the rest stays zero padding
            System.arraycopy(record, s * inCh, x, w * window * inCh, len * inCh);
        }
        return Inference.predict(model, x, n, window);
    }

    /** Number of windows {@link #invert} runs for a record of {@code samples}. */
    public static int windows(int samples, int window, int overlap) {
        return starts(samples, window, window - overlap).length;
    }

    /** Window starts every {@code hop} samples, the last moved back so it ends with the record. */
    static int[] starts(int samples, int window, int hop) {
        if (samples <= window) return new int[] {0};
        int n = (samples - window + hop - 1) / hop + 1;
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = Math.min(i * hop, samples - window);
        return s;
    }

    /** 1 in the middle, raised-cosine ramps over {@code overlap} samples at each end, never 0. */
    static float[] taper(int window, int overlap) {
        float[] w = new float[window];
        for (int t = 0; t < window; t++) {
            int edge = Math.min(t, window - 1 - t);
            w[t] = edge >= overlap ? 1f : (float) (0.5 - 0.5 * Math.cos(Math.PI * (edge + 0.5) / overlap));
        }
        return w;
    }
}
