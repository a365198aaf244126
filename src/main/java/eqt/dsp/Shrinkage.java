package eqt.dsp;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * The filter behind the error bars' third level (NOTES §44): where an inverse shrinks a band in which the record is
 * poor (a notch of the path), it keeps a fraction ρ(f) of the source there and leaves an error whose power is a
 * steady multiple of the estimate's own power in that band ({@code (1 − ρ)/ρ} for a Wiener inverse). The estimate's
 * broadband level does not see a source that grows inside such a band; the estimate passed through a filter of gain
 * {@code √(P_error(f) / P_estimate(f))} does. On a real-source world without any change, a source 33× louder in a
 * notch of its path tripled one channel's error, and that channel's 90 % bars covered 64 % of test.
 *
 * <p>The two power spectra are Welch averages over the fitted block ({@value #SEGMENT}-sample Hann segments, half
 * overlapped; segments that touch a missing sample are left out); the filter is zero-phase, {@code SEGMENT + 1}
 * taps under a Hann window, its gain clipped at {@value #MAX_GAIN}.
 */
public final class Shrinkage {

    /** Welch segment and the filter's span: the notches of the study's paths are ≈ 0.01 cycles/sample wide. */
    public static final int SEGMENT = 1024;

    /** A band the estimate nearly drops (its power ≈ 0) says nothing of how much it keeps: the gain stops here. */
    static final double MAX_GAIN = 10;

    private Shrinkage() {
    }

    /**
     * The zero-phase taps ({@code SEGMENT + 1}, the zero lag in the middle) for one channel, from its estimate and
     * truth over {@code [from, to)}, {@code gap[t]} marking samples to leave out. All zeros where no whole segment
     * is there to measure (the level is then the floor everywhere and the residual model ignores it).
     */
    public static double[] taps(float[] estimate, float[] truth, boolean[] gap, int from, int to) {
        int n = SEGMENT;
        double[] window = Fft.hann(n);
        double[] pe = new double[n]; // packed as the spectra are (Fft)
        double[] pu = new double[n];
        double[] e = new double[n];
        double[] u = new double[n];
        DoubleFFT_1D fft = Fft.plan(n);
        int segments = 0;
        for (int s = from; s + n <= to; s += n / 2) {
            if (touches(gap, s, s + n)) continue;
            for (int i = 0; i < n; i++) {
                e[i] = window[i] * ((double) truth[s + i] - estimate[s + i]);
                u[i] = window[i] * estimate[s + i];
            }
            fft.realForward(e);
            fft.realForward(u);
            Fft.addPower(e, pe);
            Fft.addPower(u, pu);
            segments++;
        }
        double[] h = new double[n + 1];
        if (segments == 0) return h;
        double[] g = new double[n]; // the gain, packed: real, its imaginary slots stay 0
        g[0] = gain(pe[0], pu[0]);
        g[1] = gain(pe[1], pu[1]);
        for (int i = 2; i < n; i += 2) g[i] = gain(pe[i], pu[i]);
        fft.realInverse(g, true); // the filter at lag m is g[m mod n], even in m
        int half = n / 2;
        for (int m = 0; m <= half; m++) {
            double taper = 0.5 + 0.5 * Math.cos(Math.PI * m / (half + 1)); // a Hann window over the 2·half + 1 taps
            h[half + m] = h[half - m] = g[m] * taper;
        }
        return h;
    }

    /** {@code √(error power / estimate power)} in one band, clipped at {@link #MAX_GAIN}. */
    private static double gain(double error, double estimate) {
        return estimate > 0 ? Math.min(MAX_GAIN, Math.sqrt(error / estimate)) : error > 0 ? MAX_GAIN : 0;
    }

    private static boolean touches(boolean[] gap, int from, int to) {
        for (int t = from; t < to; t++) if (gap[t]) return true;
        return false;
    }
}
