package eqt.dsp;

import java.util.Arrays;

/**
 * Calibrated error bars for an estimate of source records: at each sample {@code estimate ± q(P) · σ(t)}.
 *
 * <p>{@code σ(t)} is a residual model, per channel: {@code log σ = a + b log(rms + f) + c log(rmsDiff + g)}, where
 * {@code rms} and {@code rmsDiff} are the estimate's and its first difference's RMS over a centred span of
 * {@link #SPAN} samples ({@link LocalRms}), fitted by least squares to the log of the residual's local RMS on one
 * block (the training block). The estimate's level says how large the error can be; its difference's says how
 * much of it is high-frequency, which an inverse recovers worst (NOTES §21: with the level alone, the real-source
 * world whose test block holds an aftershock sequence covered 87 %). {@code q(P)} is the P-quantile of
 * {@code |truth − estimate| / σ} over a second block (validation) that the residual model did not see: split
 * conformal calibration, so on data like that block the intervals cover P of the samples whatever the residual
 * model gets wrong. The bars are symmetric.
 *
 * @param span         samples in each local RMS (odd)
 * @param floors       per channel {f, g}: a millionth of the estimate's and its difference's RMS on the fitted block,
 *                     so a silent stretch has a finite logarithm
 * @param coefficients per channel {a, b, c}
 * @param quantiles    q(P) at P = {@link #MIN_LEVEL}, + {@link #STEP}, …, {@link #MAX_LEVEL}
 */
public record ErrorBars(int span, double[][] floors, double[][] coefficients, double[] quantiles) {

    public static final int SPAN = 201;
    public static final double MIN_LEVEL = 0.5;
    public static final double MAX_LEVEL = 0.99;
    public static final double STEP = 0.005;
    private static final int LEVELS = (int) Math.round((MAX_LEVEL - MIN_LEVEL) / STEP) + 1;

    public ErrorBars {
        if (floors.length != coefficients.length || quantiles.length != LEVELS) {
            throw new IllegalArgumentException("error bars: " + floors.length + " floors, " + coefficients.length
                    + " channels of coefficients, " + quantiles.length + " quantiles (expected " + LEVELS + ")");
        }
    }

    public int channels() {
        return coefficients.length;
    }

    /**
     * Fits the residual model on samples {@code [fitFrom, fitTo)} and calibrates it on {@code [calFrom, calTo)}
     * (blocks that should not overlap); {@code estimate} and {@code truth} are {@code [channel][sample]}.
     */
    public static ErrorBars fit(float[][] estimate, float[][] truth, int fitFrom, int fitTo, int calFrom, int calTo) {
        int[] from = new int[estimate.length];
        Arrays.fill(from, fitFrom);
        return fit(estimate, truth, from, fitTo, calFrom, calTo);
    }

    /**
     * As above, each channel's residual model fitted from its own first sample {@code fitFrom[c]}: where its
     * station–source relation was taken to begin, as errors from before a change say nothing of those after it.
     */
    public static ErrorBars fit(float[][] estimate, float[][] truth, int[] fitFroms, int fitTo, int calFrom, int calTo) {
        int ch = estimate.length;
        int n = estimate[0].length;
        int latest = Arrays.stream(fitFroms).max().orElse(0);
        if (fitFroms.length != ch || fitTo <= latest || calTo <= calFrom || fitTo > n || calTo > n
                || Arrays.stream(fitFroms).min().orElse(0) < 0) {
            throw new IllegalArgumentException("error bars need a fitting and a calibration block inside the record");
        }
        float[][] residual = new float[ch][n];
        for (int c = 0; c < ch; c++) for (int t = 0; t < n; t++) residual[c][t] = Math.abs(truth[c][t] - estimate[c][t]);
        double[][][] est = LocalRms.of(estimate, SPAN);
        double[][] resRms = LocalRms.of(residual, SPAN)[0];
        double[][] floors = new double[ch][];
        double[][] coef = new double[ch][];
        for (int c = 0; c < ch; c++) {
            int fitFrom = fitFroms[c];
            floors[c] = new double[] {floor(est[0][c], fitFrom, fitTo), floor(est[1][c], fitFrom, fitTo)};
            double eps = 1e-3 * Math.max(rms(resRms[c], fitFrom, fitTo), Double.MIN_NORMAL);
            double[][] a = new double[3][3];
            double[] b = new double[3];
            for (int t = fitFrom; t < fitTo; t++) {
                double[] x = features(est[0][c][t], est[1][c][t], floors[c]);
                double y = Math.log(resRms[c][t] + eps);
                for (int i = 0; i < 3; i++) {
                    b[i] += x[i] * y;
                    for (int j = 0; j < 3; j++) a[i][j] += x[i] * x[j];
                }
            }
            // A whisper of ridge keeps a channel whose features are constant (a dead station) solvable.
            double ridge = 1e-9 * (a[0][0] + a[1][1] + a[2][2]) + 1e-12;
            for (int i = 0; i < 3; i++) a[i][i] += ridge;
            coef[c] = FirInverse.Cholesky.solve(a, b);
        }
        ErrorBars shape = new ErrorBars(SPAN, floors, coef, new double[LEVELS]);
        double[] scores = new double[(calTo - calFrom) * ch];
        int k = 0;
        for (int c = 0; c < ch; c++) {
            for (int t = calFrom; t < calTo; t++) {
                double s = shape.sigma(c, est[0][c][t], est[1][c][t]);
                scores[k++] = residual[c][t] / s;
            }
        }
        Arrays.sort(scores);
        double[] q = new double[LEVELS];
        for (int i = 0; i < LEVELS; i++) {
            double p = MIN_LEVEL + i * STEP;
            q[i] = scores[Math.min(scores.length - 1, Math.max(0, (int) Math.ceil(p * scores.length) - 1))];
        }
        return new ErrorBars(SPAN, floors, coef, q);
    }

    /** {@code q(P)}: the half-width of the P interval in units of σ, between stored levels linearly. */
    public double scale(double level) {
        checkLevel(level);
        double i = (level - MIN_LEVEL) / STEP;
        int lo = Math.min(LEVELS - 2, (int) Math.floor(i + 1e-9));
        double w = Math.max(0, Math.min(1, i - lo));
        return quantiles[lo] * (1 - w) + quantiles[lo + 1] * w;
    }

    /** Refuses a level the bars were not calibrated for. */
    public static void checkLevel(double level) {
        if (!(level >= MIN_LEVEL - 1e-12 && level <= MAX_LEVEL + 1e-12)) {
            throw new IllegalArgumentException("interval level must be in [" + MIN_LEVEL + ", " + MAX_LEVEL + "], got " + level);
        }
    }

    /** σ at one sample of channel {@code c}, from the estimate's local RMS and its difference's there. */
    public double sigma(int c, double rms, double rmsDiff) {
        double[] x = features(rms, rmsDiff, floors[c]);
        double[] k = coefficients[c];
        return Math.exp(k[0] * x[0] + k[1] * x[1] + k[2] * x[2]);
    }

    /** σ at every sample of whole channels {@code [channel][sample]}. */
    public double[][] sigma(float[][] estimate) {
        check(estimate.length);
        double[][][] e = LocalRms.of(estimate, span);
        double[][] s = new double[estimate.length][estimate[0].length];
        for (int c = 0; c < s.length; c++) for (int t = 0; t < s[c].length; t++) s[c][t] = sigma(c, e[0][c][t], e[1][c][t]);
        return s;
    }

    /** Refuses an estimate with other channels than the bars were fitted on. */
    public void check(int channels) {
        if (channels != channels()) {
            throw new IllegalArgumentException("error bars fitted on " + channels() + " channels, estimate has " + channels);
        }
    }

    private static double[] features(double rms, double rmsDiff, double[] floor) {
        return new double[] {1, Math.log(rms + floor[0]), Math.log(rmsDiff + floor[1])};
    }

    private static double floor(double[] v, int from, int to) {
        return Math.max(1e-6 * rms(v, from, to), Double.MIN_NORMAL);
    }

    private static double rms(double[] v, int from, int to) {
        double s = 0;
        for (int t = from; t < to; t++) s += v[t] * v[t];
        return Math.sqrt(s / (to - from));
    }
}
