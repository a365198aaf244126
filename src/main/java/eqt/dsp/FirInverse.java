package eqt.dsp;

import eqt.data.EqDataset;
import eqt.data.Split;
import java.util.Arrays;

/**
 * The classical baseline: per station/source pair, a least-squares FIR inverse filter
 * {@code ŝ[t] = Σ_{k=-past}^{future} h[k]·y[t+k]} from the station record {@code y} to the source {@code s},
 * fitted on the training windows only (Wiener–Hopf normal equations from auto- and cross-correlations, Tikhonov
 * regularised, solved by Cholesky). The filter is non-causal because the station lags the source by the travel
 * time. Its length and regularisation are chosen per pair on the validation windows (or, when a split has none,
 * on the last tenth of the training windows) and the chosen filter is then refitted on all training windows.
 *
 * <p>Applied window by window with zeros outside the window, so it sees exactly what the model sees.
 */
public final class FirInverse {

    static final int[] LENGTHS = {65, 129, 257, 401, 601, 801};
    static final double[] RIDGES = {1e-4, 1e-3, 1e-2, 1e-1};
    /** Share of the taps on future station samples: the path delays the source, so most of the filter leads. */
    static final double LEAD = 0.75;

    /** One pair's filter: {@code taps[i]} multiplies {@code y[t + i - past]}. */
    public record Filter(int past, double[] taps, double ridge) {
        public int length() {
            return taps.length;
        }
    }

    private final Filter[] filters;

    public FirInverse(Filter[] filters) {
        this.filters = filters.clone();
    }

    public Filter filter(int pair) {
        return filters[pair];
    }

    /** Taps on past station samples for a filter of {@code taps} taps. */
    public static int pastTaps(int taps) {
        return (int) Math.round(taps * (1 - LEAD));
    }

    /** Fits one filter per pair of {@code data} on the training windows of {@code split}, length chosen too. */
    public static FirInverse fit(EqDataset data, Split split) {
        return fit(data, split, LENGTHS);
    }

    /** As {@link #fit(EqDataset, Split)}, choosing the length among {@code lengths} only. */
    public static FirInverse fit(EqDataset data, Split split, int... lengths) {
        int len = data.layout().windowLength();
        int trainEnd = split.trainWindows() * len;
        int fitEnd = split.valWindows() > 0 ? trainEnd : (split.trainWindows() - Math.max(1, split.trainWindows() / 10)) * len;
        int valFrom = fitEnd;
        int valEnd = split.valWindows() > 0 ? split.testFrom() * len : trainEnd;
        Filter[] out = new Filter[data.channels()];
        java.util.stream.IntStream.range(0, data.channels()).parallel().forEach(c -> {
            float[] y = data.stationRecord(c);
            float[] s = data.sourceRecord(c);
            if (Blocks.silent(y, 0, trainEnd)) { // a dead station: no filter (zero taps), not a singular system
                int taps = lengths[0];
                out[c] = new Filter(pastTaps(taps), new double[taps], 0);
                System.err.println("eq: warning: station record " + c + " carries no signal in the training block; "
                        + "its linear inverse is zero");
                return;
            }
            double best = Double.POSITIVE_INFINITY;
            Filter chosen = null;
            for (int taps : lengths) {
                int past = pastTaps(taps);
                Normal ne = Normal.of(y, s, 0, fitEnd, past, taps);
                for (double ridge : RIDGES) {
                    double[] h = ne.solve(ridge);
                    double err = windowError(y, s, valFrom, valEnd, len, past, h);
                    if (err < best) {
                        best = err;
                        chosen = new Filter(past, h, ridge);
                    }
                }
            }
            out[c] = new Filter(chosen.past(), Normal.of(y, s, 0, trainEnd, chosen.past(), chosen.length())
                    .solve(chosen.ridge()), chosen.ridge());
        });
        return new FirInverse(out);
    }

    /** Station windows {@code [n, len, channels]} (flattened) → source estimates in the same layout. */
    public float[] apply(float[] stations, int n, int len) {
        int ch = filters.length;
        float[] out = new float[stations.length];
        for (int w = 0; w < n; w++) {
            for (int c = 0; c < ch; c++) {
                Filter f = filters[c];
                for (int t = 0; t < len; t++) {
                    double acc = 0;
                    int k0 = Math.max(0, f.past() - t);
                    int k1 = Math.min(f.length(), len - t + f.past());
                    for (int k = k0; k < k1; k++) acc += f.taps()[k] * stations[((w * len) + t + k - f.past()) * ch + c];
                    out[(w * len + t) * ch + c] = (float) acc;
                }
            }
        }
        return out;
    }

    /** Mean squared error of the filter applied window by window to the samples {@code [from, to)}. */
    private static double windowError(float[] y, float[] s, int from, int to, int len, int past, double[] h) {
        double sum = 0;
        for (int w0 = from; w0 + len <= to; w0 += len) {
            for (int t = 0; t < len; t++) {
                double acc = 0;
                int k0 = Math.max(0, past - t);
                int k1 = Math.min(h.length, len - t + past);
                for (int k = k0; k < k1; k++) acc += h[k] * y[w0 + t + k - past];
                double d = acc - s[w0 + t];
                sum += d * d;
            }
        }
        return sum / (to - from);
    }

    /** Toeplitz normal equations {@code (R + ridge·R[0]·I) h = r} over the samples {@code [from, to)}. */
    private record Normal(double[] autocorr, double[] cross) {

        static Normal of(float[] y, float[] s, int from, int to, int past, int taps) {
            double[] r = new double[taps];
            for (int m = 0; m < taps; m++) {
                double acc = 0;
                for (int t = from; t + m < to; t++) acc += (double) y[t] * y[t + m];
                r[m] = acc;
            }
            double[] x = new double[taps];
            for (int i = 0; i < taps; i++) {
                int k = i - past;
                double acc = 0;
                for (int t = Math.max(from, from - k); t < to && t + k < to; t++) acc += (double) s[t] * y[t + k];
                x[i] = acc;
            }
            return new Normal(r, x);
        }

        double[] solve(double ridge) {
            int n = cross.length;
            double[][] a = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) a[i][j] = autocorr[Math.abs(i - j)];
                a[i][i] += ridge * autocorr[0];
            }
            return Cholesky.solve(a, cross);
        }
    }

    /** Solves {@code a x = b} for symmetric positive-definite {@code a} (overwritten). */
    static final class Cholesky {
        private Cholesky() {
        }

        static double[] solve(double[][] a, double[] b) {
            int n = b.length;
            for (int j = 0; j < n; j++) {
                double[] aj = a[j];
                double d = aj[j];
                for (int k = 0; k < j; k++) d -= aj[k] * aj[k];
                if (!(d > 0)) throw new ArithmeticException("normal equations are not positive definite");
                d = Math.sqrt(d);
                aj[j] = d;
                for (int i = j + 1; i < n; i++) {
                    double[] ai = a[i];
                    double v = ai[j];
                    for (int k = 0; k < j; k++) v -= ai[k] * aj[k];
                    ai[j] = v / d;
                }
            }
            double[] x = Arrays.copyOf(b, n);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < i; k++) x[i] -= a[i][k] * x[k];
                x[i] /= a[i][i];
            }
            for (int i = n - 1; i >= 0; i--) {
                for (int k = i + 1; k < n; k++) x[i] -= a[k][i] * x[k];
                x[i] /= a[i][i];
            }
            return x;
        }
    }
}
