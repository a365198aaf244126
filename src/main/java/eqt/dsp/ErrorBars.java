package eqt.dsp;

import java.util.Arrays;
import java.util.List;
import java.util.stream.DoubleStream;

/**
 * Calibrated error bars for an estimate of source records: at each sample {@code estimate ± q(P) · σ(t)}.
 *
 * <p>{@code σ(t)} is a residual model, per channel: {@code log σ = a + b log(rms + f) + c log(rmsDiff + g)
 * + d log(rmsShrunk + k)}, where {@code rms}, {@code rmsDiff} and {@code rmsShrunk} are the RMS over a centred span of
 * {@link #SPAN} samples of the estimate, of its first difference, and of the estimate passed through the channel's
 * shrinkage filter ({@link Shrinkage}, {@link BarLevels}), fitted by least squares to the log of the residual's
 * local RMS on one block (the training block). The estimate's level says how large the error can be; its
 * difference's says how much of it is high-frequency, which an inverse recovers worst (NOTES §21: with the level
 * alone, the real-source world whose test block holds an aftershock sequence covered 87 %); the shrunk estimate's
 * says how much source the inverse is holding back in the bands it shrinks (NOTES §44: a source grown inside a notch
 * of its path left one channel's bars at 64 %). {@code q(P)} is the P-quantile of
 * {@code |truth − estimate| / σ} over a second block (validation) that the residual model did not see: split
 * conformal calibration, so on data like that block the intervals cover P of the samples whatever the residual
 * model gets wrong; taken on each third of the block, the widest third's ({@link #PARTS}), since a record's
 * character moves and the block's samples are not all alike. The bars are symmetric.
 *
 * <p>Where the station record is missing (a telemetry dropout; {@link Missing}) the estimate's own level says nothing
 * of the error: the estimate falls towards zero there while the source goes on. Those samples are left out of the
 * residual model and of {@code q(P)}, and get bars of their own: the source's RMS on the fitted block, scaled by
 * quantiles calibrated on missing samples only (split conformal by group), or the level's bars where wider.
 *
 * @param span         samples in each local RMS (odd)
 * @param floors       per channel {f, g, k}: a millionth of each level's RMS on the fitted block, so a silent
 *                     stretch has a finite logarithm ({f, g} in bars without a shrinkage filter)
 * @param coefficients per channel {a, b, c, d} ({a, b, c} in bars without a shrinkage filter)
 * @param quantiles    q(P) at P = {@link #MIN_LEVEL}, + {@link #STEP}, …, {@link #MAX_LEVEL}
 * @param missing      the bars where the station record is missing; null in bars fitted before they existed (those
 *                     samples then get the others' bars)
 * @param channelQuantiles per channel, q(P) calibrated on that channel's samples alone (split conformal by channel:
 *                     a pooled quantile lets a channel whose residual model is off cover far from P, as one did at
 *                     76 % on a world with a change, NOTES §28a); null in older bars and for a channel with fewer than
 *                     {@link #MIN_CHANNEL} calibration samples, which use the pooled {@code quantiles}
 * @param shrinkage    per channel, the shrinkage filter's zero-phase taps ({@link Shrinkage}); null in bars fitted
 *                     before it existed (NOTES §44), whose σ reads the first two levels only
 */
public record ErrorBars(int span, double[][] floors, double[][] coefficients, double[] quantiles, Missing missing,
                        double[][] channelQuantiles, double[][] shrinkage) {

    public static final int SPAN = 201;
    public static final double MIN_LEVEL = 0.5;
    public static final double MAX_LEVEL = 0.99;
    public static final double STEP = 0.005;
    private static final int LEVELS = (int) Math.round((MAX_LEVEL - MIN_LEVEL) / STEP) + 1;

    /**
     * The missing samples' quantiles come from those of the fitted and the calibration block together: one
     * validation block holds a few dropouts, which may all fall in quiet stretches (NOTES §28a: 0.03 × the source's
     * RMS, and 83 % covered on test), while the training block holds ten times as many; the model saw that block,
     * but inside a dropout it has nothing to fit. Fewer than this many in both: the missing estimate is taken to
     * know nothing, and the quantiles are those of {@code |truth| / σ} over the whole calibration block.
     */
    static final int MIN_MISSING = 200;

    /** Fewer calibration samples than this on a channel: it takes the pooled quantiles. */
    static final int MIN_CHANNEL = 1000;

    /**
     * Bars where the station record is missing: {@code estimate ± q(P) · sigma[c]}.
     *
     * @param sigma     per channel, the source's RMS on the fitted block (its samples with a record)
     * @param quantiles q(P) at the same levels as the bars', calibrated on missing samples
     * @param from      where those quantiles came from: {@code "fitted and calibration"} (their missing samples)
     *                  or {@code "source level"} ({@link #MIN_MISSING})
     */
    public record Missing(double[] sigma, double[] quantiles, String from) {
    }

    public ErrorBars {
        if (floors.length != coefficients.length || quantiles.length != LEVELS
                || missing != null && (missing.sigma().length != coefficients.length || missing.quantiles().length != LEVELS)) {
            throw new IllegalArgumentException("error bars: " + floors.length + " floors, " + coefficients.length
                    + " channels of coefficients, " + quantiles.length + " quantiles (expected " + LEVELS + ")"
                    + (missing == null ? "" : ", " + missing.sigma().length + " missing-sample σ and "
                    + missing.quantiles().length + " quantiles"));
        }
        if (channelQuantiles != null && channelQuantiles.length != coefficients.length) {
            throw new IllegalArgumentException("error bars: quantiles for " + channelQuantiles.length + " channels, "
                    + coefficients.length + " channels of coefficients");
        }
        if (shrinkage != null && shrinkage.length != coefficients.length) {
            throw new IllegalArgumentException("error bars: shrinkage filters for " + shrinkage.length + " channels, "
                    + coefficients.length + " channels of coefficients");
        }
        int levels = shrinkage == null ? 2 : 3;
        for (int c = 0; c < coefficients.length; c++) {
            if (floors[c].length != levels || coefficients[c].length != levels + 1) {
                throw new IllegalArgumentException("error bars: channel " + c + " has " + floors[c].length + " floors and "
                        + coefficients[c].length + " coefficients for " + levels + " levels");
            }
        }
    }

    /** Bars with pooled quantiles and no rule of their own for missing samples (as fitted before there were). */
    public ErrorBars(int span, double[][] floors, double[][] coefficients, double[] quantiles) {
        this(span, floors, coefficients, quantiles, null, null, null);
    }

    /** Bars whose σ reads the estimate's level and its difference's only (as fitted before NOTES §44). */
    public ErrorBars(int span, double[][] floors, double[][] coefficients, double[] quantiles, Missing missing,
                     double[][] channelQuantiles) {
        this(span, floors, coefficients, quantiles, missing, channelQuantiles, null);
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
        return fit(estimate, truth, from, fitTo, calFrom, calTo, java.util.Collections.nCopies(estimate.length, List.of()));
    }

    /**
     * As above, each channel's residual model fitted from its own first sample {@code fitFrom[c]}: where its
     * station–source relation was taken to begin, as errors from before a change say nothing of those after it.
     * {@code missing}: per channel, the runs {@code [from, to)} of samples whose station record is missing.
     */
    public static ErrorBars fit(float[][] estimate, float[][] truth, int[] fitFroms, int fitTo, int calFrom, int calTo,
                                List<List<long[]>> missing) {
        return fit(estimate, truth, fitFroms, fitTo, calFrom, calTo, missing, true);
    }

    /** As above; {@code shrinkage} false fits the bars as before NOTES §44, on the first two levels only. */
    static ErrorBars fit(float[][] estimate, float[][] truth, int[] fitFroms, int fitTo, int calFrom, int calTo,
                         List<List<long[]>> missing, boolean shrinkage) {
        int ch = estimate.length;
        int n = estimate[0].length;
        int latest = Arrays.stream(fitFroms).max().orElse(0);
        if (fitFroms.length != ch || fitTo <= latest || calTo <= calFrom || fitTo > n || calTo > n
                || Arrays.stream(fitFroms).min().orElse(0) < 0) {
            throw new IllegalArgumentException("error bars need a fitting and a calibration block inside the record");
        }
        boolean[][] gap = mask(missing, ch, n);
        float[][] residual = new float[ch][n];
        for (int c = 0; c < ch; c++) for (int t = 0; t < n; t++) residual[c][t] = Math.abs(truth[c][t] - estimate[c][t]);
        double[][] taps = shrinkage ? new double[ch][] : null;
        for (int c = 0; shrinkage && c < ch; c++) taps[c] = Shrinkage.taps(estimate[c], truth[c], gap[c], fitFroms[c], fitTo);
        double[][][] est = BarLevels.of(estimate, SPAN, taps);
        int levels = shrinkage ? 3 : 2;
        double[][] resRms = LocalRms.of(residual, SPAN)[0];
        double[][] floors = new double[ch][];
        double[][] coef = new double[ch][];
        int k = levels + 1; // the intercept and one coefficient per level
        for (int c = 0; c < ch; c++) {
            int fitFrom = fitFroms[c];
            floors[c] = new double[levels];
            for (int l = 0; l < levels; l++) floors[c][l] = floor(est[l][c], fitFrom, fitTo);
            double eps = 1e-3 * Math.max(rms(resRms[c], fitFrom, fitTo), Double.MIN_NORMAL);
            double[][] a = new double[k][k];
            double[] b = new double[k];
            for (int t = fitFrom; t < fitTo; t++) {
                if (gap[c][t]) continue;
                double[] x = features(est[0][c][t], est[1][c][t], shrinkage ? est[2][c][t] : 0, floors[c]);
                double y = Math.log(resRms[c][t] + eps);
                for (int i = 0; i < k; i++) {
                    b[i] += x[i] * y;
                    for (int j = 0; j < k; j++) a[i][j] += x[i] * x[j];
                }
            }
            // A whisper of ridge keeps a channel whose features are constant (a dead station) solvable.
            double trace = 0;
            for (int i = 0; i < k; i++) trace += a[i][i];
            double ridge = 1e-9 * trace + 1e-12;
            for (int i = 0; i < k; i++) a[i][i] += ridge;
            coef[c] = FirInverse.Cholesky.solve(a, b);
        }
        ErrorBars shape = new ErrorBars(SPAN, floors, coef, new double[LEVELS], null, null, taps);
        double[][] scores = new double[ch][]; // per channel, its calibration samples' scores in time order
        double[][] perChannel = new double[ch][];
        for (int c = 0; c < ch; c++) {
            DoubleStream.Builder own = DoubleStream.builder();
            for (int t = calFrom; t < calTo; t++) {
                if (!gap[c][t]) own.add(residual[c][t] / shape.sigma(c, est, t));
            }
            scores[c] = own.build().toArray();
            if (scores[c].length >= MIN_CHANNEL) perChannel[c] = widestPart(List.of(scores[c]));
        }
        double[] pooled = widestPart(Arrays.asList(scores));
        for (int c = 0; c < ch; c++) if (perChannel[c] == null) perChannel[c] = pooled;
        return new ErrorBars(SPAN, floors, coef, pooled, missingBars(residual, truth, gap, fitFroms, fitTo, calFrom, calTo),
                perChannel, taps);
    }

    /** {@link Missing}: the source's level per channel, quantiles from the missing samples there are. */
    private static Missing missingBars(float[][] residual, float[][] truth, boolean[][] gap, int[] fitFroms, int fitTo,
                                       int calFrom, int calTo) {
        int ch = truth.length;
        double[] sigma = new double[ch];
        for (int c = 0; c < ch; c++) {
            double s = 0;
            long k = 0;
            for (int t = fitFroms[c]; t < fitTo; t++) {
                if (gap[c][t]) continue;
                s += (double) truth[c][t] * truth[c][t];
                k++;
            }
            sigma[c] = Math.max(Math.sqrt(s / Math.max(1, k)), Double.MIN_NORMAL);
        }
        DoubleStream.Builder found = DoubleStream.builder();
        for (int c = 0; c < ch; c++) {
            for (int t = fitFroms[c]; t < fitTo; t++) if (gap[c][t]) found.add(residual[c][t] / sigma[c]);
            for (int t = calFrom; t < calTo; t++) if (gap[c][t]) found.add(residual[c][t] / sigma[c]);
        }
        double[] scores = found.build().toArray();
        String from = "fitted and calibration";
        if (scores.length < MIN_MISSING) {
            from = "source level";
            DoubleStream.Builder level = DoubleStream.builder();
            for (int c = 0; c < ch; c++) for (int t = calFrom; t < calTo; t++) level.add(Math.abs(truth[c][t]) / sigma[c]);
            scores = level.build().toArray();
        }
        return new Missing(sigma, quantiles(scores), from);
    }

    /**
     * The calibration block is cut into this many contiguous parts and each level takes the widest part's quantile.
     * Split-conformal quantiles of the whole block cover P of test only where test is like that block; on records
     * of real events a pair's error moves along the record while its estimate's level does not, and bars from the
     * whole validation block covered 83.7 % of test, one channel 52.7 % (real-change-tune, NOTES §38). Parts that
     * disagree say the record's character moves, and the bars hedge with the widest; on a stationary record they
     * agree within the noise of a part (real-tune: 91 → 93 % in NOTES §39's check; fifths went past 93 %).
     */
    static final int PARTS = 3;

    /**
     * Per level, the widest of the {@link #PARTS} contiguous parts' quantiles, the parts taken along each of
     * {@code series} (channels, in time order) and pooled across them; a part with fewer than {@code MIN_CHANNEL /
     * PARTS} samples is too few to say, and where every part is, the quantiles of all the scores.
     */
    private static double[] widestPart(List<double[]> series) {
        double[] widest = null;
        for (int k = 0; k < PARTS; k++) {
            DoubleStream.Builder part = DoubleStream.builder();
            for (double[] s : series) for (int i = s.length * k / PARTS; i < s.length * (k + 1) / PARTS; i++) part.add(s[i]);
            double[] scores = part.build().toArray();
            if (scores.length < MIN_CHANNEL / PARTS) continue;
            double[] q = quantiles(scores);
            if (widest == null) widest = q;
            else for (int i = 0; i < LEVELS; i++) widest[i] = Math.max(widest[i], q[i]);
        }
        return widest != null ? widest : quantiles(series.stream().flatMapToDouble(DoubleStream::of).toArray());
    }

    /** The split-conformal quantiles of {@code scores} at every stored level. */
    private static double[] quantiles(double[] scores) {
        double[] s = scores.clone();
        Arrays.sort(s);
        if (s.length == 0) throw new IllegalArgumentException("error bars: no sample to calibrate on");
        double[] q = new double[LEVELS];
        for (int i = 0; i < LEVELS; i++) {
            double p = MIN_LEVEL + i * STEP;
            q[i] = s[Math.min(s.length - 1, Math.max(0, (int) Math.ceil(p * s.length) - 1))];
        }
        return q;
    }

    /** Per channel {@code [channel][sample]} of {@code n}, true where the runs {@code [from, to)} say the record is missing. */
    public static boolean[][] mask(List<List<long[]>> missing, int ch, int n) {
        if (missing.size() != ch) throw new IllegalArgumentException("missing-sample runs for " + missing.size() + " channels, estimate has " + ch);
        boolean[][] gap = new boolean[ch][n];
        for (int c = 0; c < ch; c++) {
            for (long[] r : missing.get(c)) {
                int from = (int) Math.max(0, Math.min(r[0], n));
                Arrays.fill(gap[c], from, (int) Math.max(from, Math.min(r[1], n)), true);
            }
        }
        return gap;
    }

    /** {@code q(P)} pooled over the channels: the half-width of the P interval in units of σ, between stored levels linearly. */
    public double scale(double level) {
        return interpolate(quantiles, level);
    }

    /** Channel {@code c}'s {@code q(P)}: its own where calibrated by channel, else the pooled one. */
    public double scale(int c, double level) {
        return channelQuantiles == null ? scale(level) : interpolate(channelQuantiles[c], level);
    }

    /**
     * The half-width of the P interval at a missing sample of channel {@code c}, given {@code otherwise}, the
     * half-width the estimate's level gives there: the wider of the two (near a dropout's edges the estimate still
     * carries the source, and its level speaks; a dropout in a loud stretch is wider than the source's typical
     * level, which the missing samples of a quiet validation block calibrate: NOTES §28a). Bars without a rule of
     * their own give {@code otherwise}.
     */
    public double missingHalfWidth(int c, double level, double otherwise) {
        return missing == null ? otherwise : Math.max(otherwise, interpolate(missing.quantiles(), level) * missing.sigma()[c]);
    }

    /**
     * Half-widths of the P interval at every sample of whole channels {@code [channel][sample]}; samples in the
     * {@code missing} runs (per channel, {@code [from, to)}) get {@link #missingHalfWidth}.
     */
    public double[][] halfWidths(float[][] estimate, double level, List<List<long[]>> missing) {
        double[][] s = sigma(estimate);
        boolean[][] gap = mask(missing, s.length, s.length == 0 ? 0 : s[0].length);
        for (int c = 0; c < s.length; c++) {
            double q = scale(c, level);
            for (int t = 0; t < s[c].length; t++) s[c][t] = gap[c][t] ? missingHalfWidth(c, level, q * s[c][t]) : q * s[c][t];
        }
        return s;
    }

    private static double interpolate(double[] quantiles, double level) {
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

    /**
     * σ at one sample of channel {@code c}, from the estimate's local RMS, its difference's and the shrunk
     * estimate's there ({@link BarLevels}; the last is not read by bars without a shrinkage filter).
     */
    public double sigma(int c, double rms, double rmsDiff, double rmsShrunk) {
        double[] x = features(rms, rmsDiff, rmsShrunk, floors[c]);
        double[] k = coefficients[c];
        double s = 0;
        for (int i = 0; i < k.length; i++) s += k[i] * x[i];
        return Math.exp(s);
    }

    /** σ at sample {@code t} of channel {@code c}, from the levels as {@link BarLevels#of} gives them. */
    double sigma(int c, double[][][] levels, int t) {
        return sigma(c, levels[0], levels[1], levels[2], t);
    }

    /**
     * σ at sample {@code t} of channel {@code c}, from the levels {@code [channel][sample]} as {@link BarLevels}
     * streams them ({@code rmsShrunk} null without a filter).
     */
    public double sigma(int c, double[][] rms, double[][] rmsDiff, double[][] rmsShrunk, int t) {
        return sigma(c, rms[c][t], rmsDiff[c][t], rmsShrunk == null ? 0 : rmsShrunk[c][t]);
    }

    /** The levels σ reads, forward a block at a time, for a streamed estimate. */
    public BarLevels levels() {
        return new BarLevels(channels(), span, shrinkage);
    }

    /** σ at every sample of whole channels {@code [channel][sample]}. */
    public double[][] sigma(float[][] estimate) {
        check(estimate.length);
        double[][][] e = BarLevels.of(estimate, span, shrinkage);
        double[][] s = new double[estimate.length][estimate[0].length];
        for (int c = 0; c < s.length; c++) for (int t = 0; t < s[c].length; t++) s[c][t] = sigma(c, e, t);
        return s;
    }

    /** Refuses an estimate with other channels than the bars were fitted on. */
    public void check(int channels) {
        if (channels != channels()) {
            throw new IllegalArgumentException("error bars fitted on " + channels() + " channels, estimate has " + channels);
        }
    }

    /** The intercept and the levels' logarithms; the shrunk estimate's only where {@code floor} has a third entry. */
    private static double[] features(double rms, double rmsDiff, double rmsShrunk, double[] floor) {
        if (floor.length == 2) return new double[] {1, Math.log(rms + floor[0]), Math.log(rmsDiff + floor[1])};
        return new double[] {1, Math.log(rms + floor[0]), Math.log(rmsDiff + floor[1]), Math.log(rmsShrunk + floor[2])};
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
