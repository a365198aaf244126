package eqt.dsp;

import java.util.HashMap;
import java.util.Map;
import org.jtransforms.fft.DoubleFFT_1D;
import pl.edu.icm.jlargearrays.ConcurrencyUtils;

/**
 * The FFT work of the classical inverses, over JTransforms' real transforms (packed layout: {@code a[0]} the DC
 * term, {@code a[1]} the Nyquist term, then {@code re, im} pairs): correlations over a span of two records, and
 * complex products of packed spectra.
 */
final class Fft {

    /**
     * Plans of power-of-two sizes, one set per thread: building one computes its twiddle tables (a 65 536-point
     * plan costs more than the transforms a short span needs), and the anchors' tuning made ≈ 10⁴ of a handful of
     * sizes — 29 % of `evaluate`'s Java time (benchmarks/NOTES.md §33). Per thread because a plan's use is not
     * documented as thread-safe; the sizes are powers of two up to the record's, so each thread holds a few.
     */
    private static final ThreadLocal<Map<Integer, DoubleFFT_1D>> PLANS = ThreadLocal.withInitial(HashMap::new);

    static {
        // Every caller here already runs one transform per core (pairs, folds and settings in parallel), so
        // JTransforms' own splitting of transforms over 8 192 points into two pool threads only made the callers
        // wait on each other: the tuning kept 2 cores 68 % busy (benchmarks/NOTES.md §33).
        ConcurrencyUtils.setNumberOfThreads(1);
    }

    private Fft() {
    }

    /** A plan for real transforms of {@code size} points, shared within the calling thread when a power of two. */
    static DoubleFFT_1D plan(int size) {
        if (Integer.bitCount(size) != 1) return new DoubleFFT_1D(size);
        return PLANS.get().computeIfAbsent(size, DoubleFFT_1D::new);
    }

    static int nextPow2(long n) {
        int m = 1;
        while (m < n) m <<= 1;
        return m;
    }

    /**
     * {@code c[k + maxLag] = Σ_t a[t]·b[t+k]} for {@code k ∈ [−maxLag, maxLag]}, over the {@code t} with both
     * {@code t} and {@code t+k} in {@code [from, to)}; {@code a} and {@code b} with their means {@code ma},
     * {@code mb} removed.
     */
    static double[] correlate(float[] a, double ma, float[] b, double mb, int from, int to, int maxLag) {
        int n = to - from;
        int size = nextPow2((long) n + maxLag + 1);
        double[] fa = new double[size];
        double[] fb = new double[size];
        for (int t = 0; t < n; t++) {
            fa[t] = a[from + t] - ma;
            fb[t] = b[from + t] - mb;
        }
        DoubleFFT_1D fft = plan(size);
        fft.realForward(fa);
        fft.realForward(fb);
        conjTimes(fa, fb); // conj(A)·B → Σ_t a[t] b[t+k] at index k (mod size)
        fft.realInverse(fa, true);
        double[] c = new double[2 * maxLag + 1];
        for (int k = -maxLag; k <= maxLag; k++) c[k + maxLag] = fa[Math.floorMod(k, size)];
        return c;
    }

    /** The periodic Hann window of {@code n} points, for Welch segments. */
    static double[] hann(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
        return w;
    }

    /** Adds the power of packed real spectrum {@code a} to {@code p}, packed the same way (imaginary slots left alone). */
    static void addPower(double[] a, double[] p) {
        p[0] += a[0] * a[0];
        p[1] += a[1] * a[1];
        for (int i = 2; i < a.length; i += 2) p[i] += a[i] * a[i] + a[i + 1] * a[i + 1];
    }

    /** {@code a ← conj(a)·b}, both packed real spectra of one size. */
    static void conjTimes(double[] a, double[] b) {
        a[0] *= b[0];
        a[1] *= b[1];
        for (int i = 2; i < a.length; i += 2) {
            double re = a[i] * b[i] + a[i + 1] * b[i + 1];
            double im = a[i] * b[i + 1] - a[i + 1] * b[i];
            a[i] = re;
            a[i + 1] = im;
        }
    }

    /** {@code a ← a·b}, both packed real spectra of one size. */
    static void times(double[] a, double[] b) {
        a[0] *= b[0];
        a[1] *= b[1];
        for (int i = 2; i < a.length; i += 2) {
            double re = a[i] * b[i] - a[i + 1] * b[i + 1];
            double im = a[i] * b[i + 1] + a[i + 1] * b[i];
            a[i] = re;
            a[i + 1] = im;
        }
    }
}
