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
        int k = taps.length;
        // Blocks of up to BLOCK samples, fewer for a short span, never shorter than twice the filter.
        int size = Math.max(Fft.nextPow2(2L * k), Math.min(BLOCK, Fft.nextPow2((long) to - from + k)));
        int hop = size - k + 1; // outputs per block (overlap-save)
        DoubleFFT_1D fft = new DoubleFFT_1D(size);
        // As a convolution with g, the taps reversed: ŝ[t] = Σ_j g[j]·x[t + k − 1 − past − j], x = y − inputMean.
        double[] g = new double[size];
        for (int j = 0; j < k; j++) g[j] = taps[k - 1 - j];
        fft.realForward(g);
        float[] out = new float[to - from];
        double[] buf = new double[size];
        for (int t0 = from; t0 < to; t0 += hop) {
            // Block input x[t0 − past + m]; the circular convolution's index k − 1 + i is then ŝ[t0 + i], free of
            // wrap-around for i < hop.
            int base = t0 - past;
            for (int m = 0; m < size; m++) {
                int t = base + m;
                buf[m] = t >= 0 && t < y.length ? y[t] - inputMean : 0;
            }
            fft.realForward(buf);
            Fft.times(buf, g);
            fft.realInverse(buf, true);
            int n = Math.min(hop, to - t0);
            for (int i = 0; i < n; i++) out[t0 - from + i] = (float) (buf[k - 1 + i] + targetMean);
        }
        return out;
    }
}
