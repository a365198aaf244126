package eqt.dsp;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * A linear inverse for one station/source pair, applied to a continuous record:
 * {@code ŝ[t] = targetMean + Σ_{i} taps[i]·(y[t + i − past] − inputMean)}, with the record's mean outside it
 * (so the sum starts and ends cleanly). {@code past} taps look at earlier station samples, the rest at the
 * sample itself and later ones: the station lags the source by the travel time, and a reverberating path needs
 * a long memory of past samples to cancel its echoes.
 *
 * @param method     which classical method made it ({@link WienerHopf#NAME}, {@link SpectralWiener#NAME})
 * @param past       taps on station samples before {@code t}
 * @param taps       the filter
 * @param inputMean  station mean removed before filtering (training block)
 * @param targetMean source mean added after (training block)
 * @param detail     how it was chosen, for reports (e.g. "4096 taps, 25 % lead, ridge 1e-3")
 */
public record LinearInverse(String method, int past, double[] taps, double inputMean, double targetMean,
                            String detail) {

    /** Samples per FFT block when filtering long records: memory stays bounded for a day or a week. */
    private static final int BLOCK = 1 << 16;

    public int length() {
        return taps.length;
    }

    /** No filter at all: the station carried no signal to fit one to, so the estimate is the source mean. */
    public boolean silent() {
        for (double t : taps) if (t != 0) return false;
        return true;
    }

    /** The whole record filtered, same length. */
    public float[] apply(float[] y) {
        return apply(y, 0, y.length);
    }

    /** Samples {@code [from, to)} of the filtered record (the filter reads the record beyond them as needed). */
    public float[] apply(float[] y, int from, int to) {
        Blocks b = new Blocks(to - from, true); // used here, in this thread only: its plan may be the thread's
        float[] out = new float[to - from];
        for (int t0 = from; t0 < to; t0 += b.hop()) b.apply(y, 0, y.length, t0, Math.min(b.hop(), to - t0), out, t0 - from);
        return out;
    }

    /**
     * The FFT blocks {@link #apply(float[], int, int)} filters a span of {@code span} samples in, for a caller that
     * holds only part of the record at a time: called at the same block starts, it computes the same samples bit
     * for bit (a record streamed from block {@code 0} gets exactly what {@link #apply(float[])} returns).
     */
    public Blocks blocks(long span) {
        return new Blocks(span, false);
    }

    /** Overlap-save FFT blocks; not thread-safe (one scratch buffer). */
    public final class Blocks {
        private final int size;
        private final DoubleFFT_1D fft;
        private final double[] g;
        private final double[] buf;

        /** {@code threadPlan}: the blocks stay in the calling thread, so they may share its cached FFT plan. */
        private Blocks(long span, boolean threadPlan) {
            int k = taps.length;
            // Blocks of up to BLOCK samples, fewer for a short span, never shorter than twice the filter.
            size = Math.max(Fft.nextPow2(2L * k), Math.min(BLOCK, Fft.nextPow2(span + k)));
            fft = threadPlan ? Fft.plan(size) : new DoubleFFT_1D(size);
            // As a convolution with g, the taps reversed: ŝ[t] = Σ_j g[j]·x[t + k − 1 − past − j], x = y − inputMean.
            g = new double[size];
            for (int j = 0; j < k; j++) g[j] = taps[k - 1 - j];
            fft.realForward(g);
            buf = new double[size];
        }

        /** Outputs per block (overlap-save). */
        public int hop() {
            return size - taps.length + 1;
        }

        /** First station sample block {@code t0} reads (may be negative: zero before the record). */
        public long firstInput(long t0) {
            return t0 - past;
        }

        /** One past the last station sample block {@code t0} reads (may pass the record's end: zero there). */
        public long endInput(long t0) {
            return t0 - past + size;
        }

        /**
         * {@code n ≤ hop()} filtered samples from {@code t0} into {@code out[off..]}. The record has {@code total}
         * samples; {@code seg[i]} holds sample {@code segStart + i}, and must hold every sample of
         * {@code [firstInput(t0), endInput(t0))} inside the record.
         */
        public void apply(float[] seg, long segStart, long total, long t0, int n, float[] out, int off) {
            // Block input x[t0 − past + m]; the circular convolution's index k − 1 + i is then ŝ[t0 + i], free of
            // wrap-around for i < hop.
            long base = t0 - past;
            for (int m = 0; m < size; m++) {
                long t = base + m;
                buf[m] = t >= 0 && t < total ? seg[(int) (t - segStart)] - inputMean : 0;
            }
            filter(n, out, off);
        }

        /** As {@link #apply(float[], long, long, long, int, float[], int)}, sample {@code t} at {@code seg[t + shift]}. */
        public void apply(double[] seg, long shift, long total, long t0, int n, float[] out, int off) {
            long base = t0 - past;
            for (int m = 0; m < size; m++) {
                long t = base + m;
                buf[m] = t >= 0 && t < total ? seg[(int) (t + shift)] - inputMean : 0;
            }
            filter(n, out, off);
        }

        private void filter(int n, float[] out, int off) {
            fft.realForward(buf);
            Fft.times(buf, g);
            fft.realInverse(buf, true);
            int k = taps.length;
            for (int i = 0; i < n; i++) out[off + i] = (float) (buf[k - 1 + i] + targetMean);
        }
    }
}
