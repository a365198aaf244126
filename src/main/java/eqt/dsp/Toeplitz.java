package eqt.dsp;

import eqt.host.Shim;
import eqt.host.global.host;

/**
 * Solves symmetric Toeplitz systems by Levinson's recursion in O(n²) time and O(n) memory: a 4096-tap Wiener
 * filter is 17 M multiply-adds where Cholesky on the dense matrix is 23 G and 134 MB. Hand-written because no
 * maintained Java library on Maven Central offers it (Apache Commons Math and EJML solve dense systems only).
 *
 * <p>The recursion runs in native code where the host library loads (native/eqt_host_toeplitz.h: one pass over
 * memory per order, eight doubles a step; benchmarks/NOTES.md §33), else in the Java form below, which stays the
 * portable path and the reference the native one is tested against.
 */
public final class Toeplitz {

    /** Whether the native recursion is there (the host library is built for linux-x86_64). */
    static final boolean NATIVE = Shim.LOADED;

    private Toeplitz() {
    }

    /**
     * Solves {@code T x = b} where {@code T[i][j] = r[|i − j|] + (i == j ? diag : 0)}.
     *
     * <p>The classical anchors' tuning spent 80 % of its time here (benchmarks/NOTES.md §32, §33); see the array form.
     *
     * @throws ArithmeticException if a leading minor is not positive definite (a silent or constant record)
     */
    public static double[] solve(double[] r, double diag, double[] b) {
        return solve(r, diag, new double[][] {b})[0];
    }

    /**
     * Solves {@code T x_j = b_j} for every right-hand side {@code b_j} (all of one length) at once: the forward and
     * backward vectors depend on {@code T} only and are computed once (the least-squares FIR's leads share a
     * matrix and differ in their right-hand sides).
     */
    public static double[][] solve(double[] r, double diag, double[][] bs) {
        return NATIVE ? solveNative(r, diag, bs) : solveJava(r, diag, bs);
    }

    /** The native recursion (native/eqt_host_toeplitz.h): the same solutions to rounding, ≈ 3.7× faster. */
    static double[][] solveNative(double[] r, double diag, double[][] bs) {
        int n = bs[0].length;
        if (r.length < n) throw new IllegalArgumentException("r has " + r.length + " lags, the system " + n + " unknowns");
        double[] b = new double[bs.length * n];
        for (int j = 0; j < bs.length; j++) {
            if (bs[j].length != n) throw new IllegalArgumentException("right-hand sides of different lengths");
            System.arraycopy(bs[j], 0, b, j * n, n);
        }
        double[] x = new double[b.length];
        int status = host.eqt_host_toeplitz_solve(r, diag, n, bs.length, b, x);
        if (status > 0) throw new ArithmeticException("Toeplitz system is not positive definite (order " + status + ")");
        if (status < 0) throw new IllegalStateException("eqt_host_toeplitz_solve: bad arguments or no memory (n = " + n + ")");
        double[][] out = new double[bs.length][];
        for (int j = 0; j < bs.length; j++) out[j] = java.util.Arrays.copyOfRange(x, j * n, (j + 1) * n);
        return out;
    }

    /** Lets the native recursion use AVX-512 ({@code true}, the default) or forces its plain C loop; whether AVX-512 now runs. */
    static boolean allowVector(boolean allow) {
        return host.eqt_host_toeplitz_vector(allow ? 1 : 0) == 1;
    }

    /**
     * The recursion in Java, the portable path: 4 leads of 4 096 taps in 38 ms where 4 textbook solves took 67.
     * Every loop runs forward over contiguous memory: the backward vector (the forward one reversed, T being
     * symmetric) is kept as its own array, shifted by one, and updated by the same formula as the forward one, and
     * {@code r} is read reversed; the dot products keep four partial sums (one running sum waits on the previous
     * addition at every element). Results differ from the textbook form by rounding only (1e-14 on a 4 096-tap
     * filter of norm 0.5).
     */
    static double[][] solveJava(double[] r, double diag, double[][] bs) {
        int n = bs[0].length;
        double r0 = r[0] + diag;
        if (!(r0 > 0)) throw new ArithmeticException("Toeplitz system is not positive definite");
        double[] rev = new double[n + 1]; // rev[n − m + i] = r[m − i]: the dot products run forward
        for (int k = 1; k < n; k++) rev[k] = r[n - k];
        double[] f = new double[n + 1]; // forward vector of order m (T_m f = e_first), zero from m on
        double[] fNext = new double[n + 1];
        double[] back = new double[n + 1]; // backward vector (f reversed) shifted by one: back[0] = 0
        double[] backNext = new double[n + 1];
        double[][] x = new double[bs.length][n];
        f[0] = 1 / r0;
        back[1] = 1 / r0;
        for (int j = 0; j < bs.length; j++) x[j][0] = bs[j][0] / r0;
        for (int m = 1; m < n; m++) {
            int o = n - m;
            double ef = dot(rev, o, f, m);
            double den = 1 - ef * ef;
            if (!(den > 0)) throw new ArithmeticException("Toeplitz system is not positive definite");
            // f' = ([f; 0] − ef·[0; back]) / den and back' = ([0; back] − ef·[f; 0]) / den
            double inv = 1 / den;
            for (int i = 0; i <= m; i++) {
                double fi = f[i];
                double bi = back[i];
                fNext[i] = (fi - ef * bi) * inv;
                backNext[i + 1] = (bi - ef * fi) * inv;
            }
            double[] t = f;
            f = fNext;
            fNext = t;
            t = back;
            back = backNext;
            backNext = t;
            for (int j = 0; j < bs.length; j++) {
                double[] xj = x[j];
                double g = bs[j][m] - dot(rev, o, xj, m);
                for (int i = 0; i <= m; i++) xj[i] += g * back[i + 1]; // backward vector of order m + 1
            }
        }
        return x;
    }

    /** {@code Σ_{i<m} a[from + i]·v[i]} in four partial sums. */
    private static double dot(double[] a, int from, double[] v, int m) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < m; i += 4) {
            s0 += a[from + i] * v[i];
            s1 += a[from + i + 1] * v[i + 1];
            s2 += a[from + i + 2] * v[i + 2];
            s3 += a[from + i + 3] * v[i + 3];
        }
        for (; i < m; i++) s0 += a[from + i] * v[i];
        return (s0 + s1) + (s2 + s3);
    }
}
