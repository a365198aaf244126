package eqt.dsp;

import java.util.Locale;

/**
 * The least-squares (Wiener–Hopf) FIR inverse from a station record to its source, on the continuous record:
 * minimises {@code Σ_t (s[t] − Σ_k h[k]·y[t+k])²} over the fitting block. Correlations by FFT, the Toeplitz
 * normal equations (Tikhonov ridge on the diagonal) by Levinson's recursion, so 4096 taps cost a fraction of a
 * second. Length, the share of taps on future samples, and the ridge are chosen on held-out samples per pair.
 */
public final class WienerHopf {

    public static final String NAME = "wiener-hopf";
    static final int[] LENGTHS = {32, 64, 128, 256, 512, 1024, 2048, 4096};
    /** Share of the taps on the sample itself and later ones; a reverberating path wants most on the past. */
    static final double[] LEADS = {0.1, 0.25, 0.5, 0.75};
    /** Ridge as a share of the station's energy per sample (R[0]). */
    static final double[] RIDGES = {1e-5, 1e-4, 1e-3, 1e-2, 1e-1};

    private WienerHopf() {
    }

    /**
     * The best filter from station {@code y} to source {@code s} within lags {@code [−maxLags/2, maxLags/2)},
     * and its error on the choice block. Filters longer than a quarter of the fitting block are not tried.
     */
    static Fitted fit(float[] y, float[] s, Blocks b, int maxLags) {
        if (Blocks.silent(y, 0, b.fitEnd())) return Fitted.silent(NAME, s, b);
        int[] lengths = java.util.Arrays.stream(LENGTHS).filter(k -> k <= b.fitEnd() / 4 && k <= maxLags).toArray();
        if (lengths.length == 0) throw new ArithmeticException("training block too short for a " + NAME + " filter");
        Fitted best = null;
        double bestRidge = 0;
        Normal ne = Normal.of(y, s, 0, b.fitEnd(), max(lengths));
        for (int k : lengths) {
            for (double lead : LEADS) {
                int past = (int) Math.round(k * (1 - lead));
                if (past > maxLags / 2 || k - past > maxLags / 2) continue;
                for (double ridge : RIDGES) {
                    LinearInverse f = ne.solve(k, past, ridge);
                    double err = b.error(f, y, s);
                    if (best == null || err < best.error()) {
                        best = new Fitted(f, err);
                        bestRidge = ridge;
                    }
                }
            }
        }
        if (!b.refit()) return best;
        LinearInverse f = best.filter();
        return new Fitted(Normal.of(y, s, 0, b.trainEnd(), f.length()).solve(f.length(), f.past(), bestRidge),
                best.error());
    }

    private static int max(int[] v) {
        int m = 0;
        for (int x : v) m = Math.max(m, x);
        return m;
    }

    /** Auto- and cross-correlations of one fitting block, enough for every filter up to {@code maxTaps}. */
    private record Normal(double[] auto, double[] cross, int maxLag, double inputMean, double targetMean) {

        static Normal of(float[] y, float[] s, int from, int to, int maxTaps) {
            double my = Blocks.mean(y, from, to);
            double ms = Blocks.mean(s, from, to);
            double[] r = Fft.correlate(y, my, y, my, from, to, maxTaps);
            double[] auto = new double[maxTaps];
            System.arraycopy(r, maxTaps, auto, 0, maxTaps); // lags 0 .. maxTaps−1
            return new Normal(auto, Fft.correlate(s, ms, y, my, from, to, maxTaps), maxTaps, my, ms);
        }

        LinearInverse solve(int taps, int past, double ridge) {
            double[] rhs = new double[taps];
            for (int i = 0; i < taps; i++) rhs[i] = cross[i - past + maxLag]; // Σ_t s[t]·y[t + i − past]
            double[] h = Toeplitz.solve(auto, ridge * auto[0], rhs);
            return new LinearInverse(NAME, past, h, inputMean, targetMean, String.format(Locale.ROOT,
                    "%d taps, %.0f %% on future samples, ridge %s", taps, 100.0 * (taps - past) / taps, ridge));
        }
    }
}
