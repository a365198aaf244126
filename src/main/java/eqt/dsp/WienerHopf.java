package eqt.dsp;

import java.util.ArrayList;
import java.util.List;
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
     * The best filter from station {@code y} to source {@code s} within lags {@code [−maxLags/2, maxLags/2)}, chosen
     * on {@code b}'s folds. Filters longer than a quarter of the shortest fitting block are not tried.
     */
    static Fitted fit(float[] y, float[] s, Blocks b, int maxLags) {
        if (Blocks.silent(y, b.fitFrom(), b.trainEnd())) return Fitted.silent(NAME, s, b);
        int[] lengths = java.util.Arrays.stream(LENGTHS).filter(k -> k <= b.shortestFit() / 4 && k <= maxLags).toArray();
        if (lengths.length == 0) throw new ArithmeticException("training block too short for a " + NAME + " filter");
        int perLength = LEADS.length * RIDGES.length;
        return FoldChoice.choose(y, s, b, new FoldChoice.Grid() {
            @Override
            public int settings() {
                return lengths.length * perLength;
            }

            @Override
            public FoldChoice.Estimate on(int[][] fit) {
                Normal ne = Normal.of(y, s, fit, max(lengths));
                // one length's filters, every lead and ridge: the leads of one length and ridge share a matrix,
                // solved once for all of them (Toeplitz.solve with several right-hand sides)
                LinearInverse[][] ofLength = new LinearInverse[1][];
                int[] solvedLength = {-1};
                return k -> {
                    int length = k / perLength;
                    int taps = lengths[length];
                    int lead = k % perLength / RIDGES.length;
                    if (!fits(taps, lead, maxLags)) return null;
                    if (solvedLength[0] != length) {
                        ofLength[0] = new LinearInverse[perLength];
                        List<Integer> leads = new ArrayList<>();
                        for (int l = 0; l < LEADS.length; l++) if (fits(taps, l, maxLags)) leads.add(l);
                        int[] pasts = leads.stream().mapToInt(l -> pastTaps(taps, l)).toArray();
                        for (int r = 0; r < RIDGES.length; r++) {
                            LinearInverse[] f = ne.solve(taps, pasts, RIDGES[r]);
                            for (int i = 0; i < f.length; i++) ofLength[0][leads.get(i) * RIDGES.length + r] = f[i];
                        }
                        solvedLength[0] = length;
                    }
                    return ofLength[0][k % perLength];
                };
            }
        });
    }

    /**
     * One least-squares FIR from {@code input} to {@code target}, fitted on the ranges {@code fit} at one setting
     * (no choice): {@code taps} taps, {@code past} of them on earlier samples, the ridge as a share of R[0].
     */
    static LinearInverse fitOne(float[] input, float[] target, int[][] fit, int taps, int past, double ridge) {
        return Normal.of(input, target, fit, taps).solve(taps, new int[] {past}, ridge)[0];
    }

    /** Whether a {@code taps}-long filter with lead {@code LEADS[lead]} stays within lags {@code [−maxLags/2, maxLags/2)}. */
    private static boolean fits(int taps, int lead, int maxLags) {
        int past = pastTaps(taps, lead);
        return past <= maxLags / 2 && taps - past <= maxLags / 2;
    }

    /** Taps on past samples of a {@code taps}-long filter with lead {@code LEADS[lead]}. */
    private static int pastTaps(int taps, int lead) {
        return (int) Math.round(taps * (1 - LEADS[lead]));
    }

    private static int max(int[] v) {
        int m = 0;
        for (int x : v) m = Math.max(m, x);
        return m;
    }

    /** Auto- and cross-correlations of one fitting block, enough for every filter up to {@code maxTaps}. */
    private record Normal(double[] auto, double[] cross, int maxLag, double inputMean, double targetMean) {

        /** Over the ranges {@code fit}: correlations within each range, summed; means over all of them. */
        static Normal of(float[] y, float[] s, int[][] fit, int maxTaps) {
            double my = Blocks.mean(y, fit);
            double ms = Blocks.mean(s, fit);
            double[] auto = new double[maxTaps];
            double[] cross = new double[2 * maxTaps + 1];
            for (int[] r : fit) {
                double[] a = Fft.correlate(y, my, y, my, r[0], r[1], maxTaps);
                for (int i = 0; i < maxTaps; i++) auto[i] += a[maxTaps + i]; // lags 0 .. maxTaps−1
                double[] c = Fft.correlate(s, ms, y, my, r[0], r[1], maxTaps);
                for (int i = 0; i < c.length; i++) cross[i] += c[i];
            }
            return new Normal(auto, cross, maxTaps, my, ms);
        }

        /** The filters of {@code taps} taps with each of {@code pasts} on past samples, one ridge: one matrix. */
        LinearInverse[] solve(int taps, int[] pasts, double ridge) {
            double[][] rhs = new double[pasts.length][taps];
            for (int j = 0; j < pasts.length; j++) {
                for (int i = 0; i < taps; i++) rhs[j][i] = cross[i - pasts[j] + maxLag]; // Σ_t s[t]·y[t + i − past]
            }
            double[][] h = Toeplitz.solve(auto, ridge * auto[0], rhs);
            LinearInverse[] out = new LinearInverse[pasts.length];
            for (int j = 0; j < pasts.length; j++) {
                int past = pasts[j];
                out[j] = new LinearInverse(NAME, past, h[j], inputMean, targetMean, String.format(Locale.ROOT,
                        "%d taps, %.0f %% on future samples, ridge %s", taps, 100.0 * (taps - past) / taps, ridge));
            }
            return out;
        }
    }
}
