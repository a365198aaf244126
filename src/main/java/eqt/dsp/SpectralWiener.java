package eqt.dsp;

import java.util.Locale;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Frequency-domain Wiener deconvolution with a water level: the transfer from station to source estimated from
 * the training pairs by Welch's method (Hann segments of {@code n} samples, half overlapping),
 * {@code G(f) = S_sy(f) / (S_yy(f) + λ·mean S_yy)}, then applied to the continuous record as the FIR filter
 * {@code irfft(G)} of {@code n} taps, half on past and half on future samples. The segment length (frequency
 * resolution, and so the longest echo it can undo) and the water level {@code λ} are chosen per pair on held-out
 * samples. Where the least-squares FIR fits every tap at once, this smooths the spectra first: it is the
 * deconvolution a seismologist applies to receiver functions.
 */
public final class SpectralWiener {

    public static final String NAME = "spectral-wiener";
    static final int[] SEGMENTS = {64, 128, 256, 512, 1024, 2048, 4096, 8192};
    static final double[] WATER_LEVELS = {1e-4, 1e-3, 1e-2, 1e-1};

    private SpectralWiener() {
    }

    /** The best filter within {@code maxLags} taps (segments of at most that many samples), chosen on {@code b}'s folds. */
    static Fitted fit(float[] y, float[] s, Blocks b, int maxLags) {
        if (Blocks.silent(y, b.fitFrom(), b.trainEnd())) return Fitted.silent(NAME, s, b);
        // too few segments to average, or too long
        int[] segments = java.util.Arrays.stream(SEGMENTS).filter(n -> n <= b.shortestFit() / 4 && n <= maxLags).toArray();
        if (segments.length == 0) throw new ArithmeticException("training block too short for a spectral estimate");
        return FoldChoice.choose(y, s, b, new FoldChoice.Grid() {
            @Override
            public int settings() {
                return segments.length * WATER_LEVELS.length;
            }

            @Override
            public FoldChoice.Estimate on(int[][] fit) {
                Welch[] welch = new Welch[segments.length]; // made when first asked for
                return k -> {
                    int i = k / WATER_LEVELS.length;
                    if (welch[i] == null) welch[i] = Welch.of(y, s, fit, segments[i]);
                    return welch[i].filter(WATER_LEVELS[k % WATER_LEVELS.length]);
                };
            }
        });
    }

    /** Averaged auto-spectrum of the station and cross-spectrum with the source, packed as JTransforms packs. */
    private record Welch(int n, double[] syy, double[] sys, double inputMean, double targetMean) {

        /** Over the ranges {@code fit}: segments within each range. */
        static Welch of(float[] y, float[] s, int[][] fit, int n) {
            double my = Blocks.mean(y, fit);
            double ms = Blocks.mean(s, fit);
            double[] hann = Fft.hann(n);
            DoubleFFT_1D fft = Fft.plan(n);
            double[] syy = new double[n];
            double[] sys = new double[n];
            double[] fy = new double[n];
            double[] fs = new double[n];
            for (int[] r : fit) for (int t0 = r[0]; t0 + n <= r[1]; t0 += n / 2) {
                for (int i = 0; i < n; i++) {
                    fy[i] = (y[t0 + i] - my) * hann[i];
                    fs[i] = (s[t0 + i] - ms) * hann[i];
                }
                fft.realForward(fy);
                fft.realForward(fs);
                Fft.addPower(fy, syy);
                sys[0] += fs[0] * fy[0];
                sys[1] += fs[1] * fy[1];
                for (int i = 2; i < n; i += 2) {
                    sys[i] += fs[i] * fy[i] + fs[i + 1] * fy[i + 1];     // S·conj(Y), real part
                    sys[i + 1] += fs[i + 1] * fy[i] - fs[i] * fy[i + 1]; // imaginary part
                }
            }
            return new Welch(n, syy, sys, my, ms);
        }

        LinearInverse filter(double level) {
            double mean = 0;
            mean += syy[0] + syy[1];
            for (int i = 2; i < n; i += 2) mean += 2 * syy[i];
            double floor = level * mean / n;
            double[] g = new double[n];
            g[0] = sys[0] / (syy[0] + floor);
            g[1] = sys[1] / (syy[1] + floor);
            for (int i = 2; i < n; i += 2) {
                double d = syy[i] + floor;
                g[i] = sys[i] / d;
                g[i + 1] = sys[i + 1] / d;
            }
            Fft.plan(n).realInverse(g, true);
            // ŝ[t] = Σ_m g[m]·y[t − m] (circular m): the tap on y[t + k] is g[−k mod n], for k in [−n/2, n/2).
            int past = n / 2;
            double[] taps = new double[n];
            for (int i = 0; i < n; i++) taps[i] = g[Math.floorMod(past - i, n)];
            return new LinearInverse(NAME, past, taps, inputMean, targetMean,
                    String.format(Locale.ROOT, "%d-sample segments, water level %s", n, level));
        }
    }
}
