package eqt.infer;

import eqt.model.Inference;
import eqt.dsp.LinearInverse;
import eqt.io.SampleSink;
import eqt.io.SampleSource;
import eqt.model.Model;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/**
 * Inverts a station record of any length with a model trained on fixed windows. A model that is one convolution
 * over the record ({@link Model#reach()}, the default wiener-cnn) runs in halo chunks ({@link Tiling}): each
 * chunk's output is kept where it saw the model's whole reach, so every sample has full context and only the halo
 * is computed twice. Any other model: overlapping windows, each
 * prediction weighted by a Tukey taper (flat in the middle, cosine ramps over the overlap) and the weighted sum
 * divided by the summed weights. The ramps never reach zero, so every sample is covered, a sample covered by one
 * window gets that window's prediction unchanged, and window edges (where the model saw the least context) count
 * least, which removes the seams that butting windows together would leave. Records shorter than a window are
 * padded with zeros and the padding removed.
 *
 * <p>The record streams through: read forward from a {@link SampleSource}, the model's linear path applied in its
 * FFT blocks, windows predicted in chunks, and each sample written to the {@link SampleSink} as soon as the last
 * window over it is added. Only a few chunks and one FFT block are held, so memory does not grow with the
 * record's length; a record held in memory goes through the same code and gets the same numbers bit for bit.
 */
public final class LongRecord {

    /** Windows predicted together. */
    static final int CHUNK = 32;

    /** Samples a job of halo chunks holds at most (as many as {@link #CHUNK} default windows of 1 500). */
    static final int JOB_SAMPLES = CHUNK * 1500;

    private LongRecord() {
    }

    /**
     * Whole station records {@code [channel][sample]} → source estimate {@code [samples, channels]} row-major;
     * {@code workers} chunks of windows are predicted at once on as many threads (libtorch's intra-op threads
     * should then be set to the cores per worker).
     */
    public static float[] invert(Model model, float[][] stations, int window, int overlap, int workers,
                                 LongConsumer progress) {
        Interleaved out = new Interleaved(model.config().channels(), stations[0].length);
        invert(model, SampleSource.of(stations), model.linearPath(), out, window, overlap, workers, progress);
        return out.data;
    }

    public static float[] invert(Model model, float[][] stations, int window, int overlap, LongConsumer progress) {
        return invert(model, stations, window, overlap, 1, progress);
    }

    /**
     * A record streamed from {@code in} to {@code out} (the model's channels, in order): the model's linear path
     * is applied here, block by block.
     */
    public static void invert(Model model, SampleSource in, SampleSink out, int window, int overlap, int workers,
                              LongConsumer progress) {
        invert(model, in, model.linearPath(), out, window, overlap, workers, progress);
    }

    /**
     * {@code record}: the model's input already made, {@code [samples, inputChannels]} row-major → source estimate
     * {@code [samples, channels]}. {@code overlap}: samples shared by neighbouring windows, in {@code [0, window/2]}.
     */
    public static float[] invert(Model model, float[] record, int samples, int window, int overlap,
                                 LongConsumer progress) {
        return invert(model, record, samples, window, overlap, 1, progress);
    }

    static float[] invert(Model model, float[] record, int samples, int window, int overlap, int workers,
                          LongConsumer progress) {
        int inCh = model.inputChannels();
        if (record.length != (long) samples * inCh) throw new IllegalArgumentException("record is not samples x channels");
        float[][] features = deinterleave(record, inCh);
        Interleaved out = new Interleaved(model.config().channels(), samples);
        invert(model, SampleSource.of(features), List.of(), out, window, overlap, workers, progress);
        return out.data;
    }

    /** {@code [samples, channels]} row-major → {@code [channel][sample]}: the inverse of {@link #interleave}. */
    public static float[][] deinterleave(float[] interleaved, int ch) {
        int n = interleaved.length / ch;
        float[][] out = new float[ch][n];
        for (int t = 0; t < n; t++) for (int c = 0; c < ch; c++) out[c][t] = interleaved[t * ch + c];
        return out;
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
     * The one pass: {@code in} holds the model's input channels but those {@code path} appends (one filtered
     * copy of each of the first {@code path.size()} channels).
     */
    private static void invert(Model model, SampleSource in, List<LinearInverse> path, SampleSink out, int window,
                               int overlap, int workers, LongConsumer progress) {
        int ch = model.config().channels();
        int inCh = model.inputChannels();
        if (in.channels() + path.size() != inCh) {
            throw new IllegalArgumentException(in.channels() + " channels read and " + path.size()
                    + " filtered for a model that takes " + inCh);
        }
        if (overlap < 0 || overlap > window / 2) throw new IllegalArgumentException("overlap must be in [0, window/2]");
        new Pass(model, in, path, out, Tiling.of(model, in.samples(), window, overlap), workers).run(progress);
    }

    /** The state of one streamed inversion; see {@link LongRecord}. */
    private static final class Pass {
        private final Model model;
        private final SampleSource in;
        private final SampleSink sink;
        private final Tiling tiling;
        private final int window;
        private final int perJob; // windows predicted together
        private final long samples;
        private final long windows;
        private final int ch;
        private final int inCh;
        private final float[] taper;
        private final int workers;
        private final List<LinearInverse.Blocks> blocks;
        private final Sliding stations; // what `in` gives, as far as read
        private final Sliding linear;   // the linear path's output, as far as filtered
        private final Sliding sum;      // weighted predictions (channels) and, last, the summed weights
        private final float[][] readBuf;
        private final float[][] filtered; // one FFT block of the linear path
        private final float[][] out;      // samples on their way to the sink
        private final ArrayDeque<Slot> free = new ArrayDeque<>();
        private long written;

        Pass(Model model, SampleSource in, List<LinearInverse> path, SampleSink sink, Tiling tiling, int workers) {
            this.model = model;
            this.in = in;
            this.sink = sink;
            this.tiling = tiling;
            this.window = tiling.window();
            // Halo chunks are longer than windows: fewer per job keeps a job's samples (and the buffers) alike.
            this.perJob = tiling.halo() ? Math.max(1, JOB_SAMPLES / window) : CHUNK;
            this.samples = in.samples();
            this.windows = tiling.count(samples);
            this.ch = model.config().channels();
            this.inCh = model.inputChannels();
            this.taper = tiling.halo() ? null : taper(window, tiling.overlap());
            this.workers = Math.max(1, workers);
            this.blocks = path.stream().map(f -> f.blocks(samples)).toList();
            if (path.stream().mapToInt(LinearInverse::length).distinct().count() > 1
                    || path.stream().mapToInt(LinearInverse::past).distinct().count() > 1) {
                throw new IllegalArgumentException("the linear path's filters differ in length or lead");
            }
            int ahead = (this.workers + 1) * perJob * tiling.hop() + window;
            this.stations = new Sliding(in.channels(), ahead + (blocks.isEmpty() ? 0 : 2 * blocks.get(0).hop()));
            this.linear = new Sliding(path.size(), ahead + (blocks.isEmpty() ? 0 : blocks.get(0).hop()));
            this.sum = new Sliding(ch + 1, ahead);
            this.readBuf = new float[in.channels()][1 << 14];
            this.filtered = new float[path.size()][blocks.isEmpty() ? 0 : blocks.get(0).hop()];
            this.out = new float[ch][1 << 14];
        }

        void run(LongConsumer progress) {
            ExecutorService pool = workers > 1 ? Executors.newFixedThreadPool(workers) : null;
            try {
                ArrayDeque<Future<Slot>> inFlight = new ArrayDeque<>();
                long next = 0; // first window of the next chunk to submit
                for (long first = 0; first < windows; first += perJob) {
                    while (next < windows && (pool == null ? next == first : inFlight.size() < workers)) {
                        Slot slot = free.isEmpty() ? new Slot() : free.pop();
                        int n = (int) Math.min(perJob, windows - next);
                        chunkInput(next, n, slot.x);
                        Callable<Slot> job = () -> {
                            Inference.predict(model, slot.x, n, window, slot.y);
                            return slot;
                        };
                        inFlight.add(pool == null ? CompletableFuture.completedFuture(job.call()) : pool.submit(job));
                        next += perJob;
                        forgetInputsBefore(next < windows ? start(next) : samples);
                    }
                    int n = (int) Math.min(perJob, windows - first);
                    Slot done = inFlight.poll().get();
                    add(first, n, done.y);
                    free.push(done); // its arrays serve a later chunk: no Java heap churn per chunk
                    emit(first + n < windows ? start(first + n) : samples);
                    progress.accept(first + n);
                }
            } catch (Exception e) {
                if (e instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IllegalStateException(e);
            } finally {
                if (pool != null) pool.shutdownNow();
            }
        }

        /** One chunk's model input and output, reused from chunk to chunk. */
        private final class Slot {
            final float[] x = new float[perJob * window * inCh];
            final float[] y = new float[perJob * window * ch];
        }

        private long start(long w) {
            return tiling.start(w, samples);
        }

        /** Writes the model's input for the {@code n} windows from {@code first} into {@code x}: {@code [n, window, inCh]}. */
        private void chunkInput(long first, int n, float[] x) {
            long end = Math.min(samples, start(first + n - 1) + window);
            readTo(end);
            filterTo(end);
            if (samples < window) java.util.Arrays.fill(x, 0f); // the zero padding of a short record
            int sc = in.channels();
            for (int w = 0; w < n; w++) {
                long s = start(first + w);
                int len = (int) Math.min(window, samples - s); // short records: the rest stays zero padding
                for (int c = 0; c < sc; c++) {
                    double[] row = stations.row(c);
                    int at = stations.index(s);
                    for (int t = 0; t < len; t++) x[(w * window + t) * inCh + c] = (float) row[at + t];
                }
                for (int c = 0; c < blocks.size(); c++) {
                    double[] row = linear.row(c);
                    int at = linear.index(s);
                    for (int t = 0; t < len; t++) x[(w * window + t) * inCh + sc + c] = (float) row[at + t];
                }
            }
        }

        /** Reads the record up to sample {@code end}. */
        private void readTo(long end) {
            end = Math.min(end, samples);
            while (stations.end() < end) {
                int n = (int) Math.min(readBuf[0].length, end - stations.end());
                in.read(readBuf, 0, n);
                stations.append(readBuf, 0, n);
            }
        }

        /** Runs the linear path's FFT blocks (the blocks of the whole record, from sample 0) up to {@code end}. */
        private void filterTo(long end) {
            if (blocks.isEmpty()) return;
            end = Math.min(end, samples);
            while (linear.end() < end) {
                long t0 = linear.end();
                LinearInverse.Blocks b0 = blocks.get(0);
                int n = (int) Math.min(b0.hop(), samples - t0);
                readTo(b0.endInput(t0));
                IntStream.range(0, blocks.size()).parallel().forEach(c -> blocks.get(c).apply(stations.row(c),
                        stations.index(0), samples, t0, n, filtered[c], 0));
                linear.append(filtered, 0, n);
            }
        }

        /** Forgets what no window from sample {@code from} on, and no FFT block still to run, reads. */
        private void forgetInputsBefore(long from) {
            long keep = from;
            if (!blocks.isEmpty() && linear.end() < samples) keep = Math.min(keep, blocks.get(0).firstInput(linear.end()));
            stations.dropBefore(keep);
            linear.dropBefore(from);
        }

        /** Adds the predictions {@code y} of the {@code n} windows from {@code first} into the weighted sum. */
        private void add(long first, int n, float[] y) {
            for (int w = 0; w < n; w++) {
                long s = start(first + w);
                int len = (int) Math.min(window, samples - s);
                sum.extendTo(s + len);
                double[] weight = sum.row(ch);
                int at = sum.index(s);
                for (int t = 0; t < len; t++) {
                    double wt = taper != null ? taper[t] : kept(s + t, t) ? 1 : 0;
                    if (wt == 0) continue;
                    weight[at + t] += wt;
                    int i = (w * window + t) * ch;
                    for (int c = 0; c < ch; c++) sum.row(c)[at + t] += wt * y[i + c];
                }
            }
        }

        /**
         * Halo chunks: whether sample {@code t}, at {@code inChunk} in its chunk, is kept from that chunk: it saw
         * the model's whole reach on both sides, or lies within the reach of the record's own start or end (where
         * every chunk sees the record's edge as the windows did).
         */
        private boolean kept(long t, int inChunk) {
            int r = tiling.reach();
            return (inChunk >= r && inChunk < window - r) || t < r || t >= samples - r;
        }

        /** Writes the samples before {@code end}, which no window still to come covers, and forgets their sums. */
        private void emit(long end) {
            while (written < end) {
                int n = (int) Math.min(out[0].length, end - written);
                double[] weight = sum.row(ch);
                int at = sum.index(written);
                for (int c = 0; c < ch; c++) {
                    double[] row = sum.row(c);
                    for (int i = 0; i < n; i++) out[c][i] = (float) (row[at + i] / weight[at + i]);
                }
                sink.write(out, 0, n);
                written += n;
                sum.dropBefore(written);
            }
        }
    }

    /** Collects a streamed estimate as {@code [samples, channels]} row-major. */
    private static final class Interleaved implements SampleSink {
        final float[] data;
        private final int ch;
        private int at;

        Interleaved(int ch, int samples) {
            this.ch = ch;
            this.data = new float[samples * ch];
        }

        @Override
        public void write(float[][] src, int off, int n) {
            for (int i = 0; i < n; i++) for (int c = 0; c < ch; c++) data[(at + i) * ch + c] = src[c][off + i];
            at += n;
        }
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
