package eqt.eval;

import eqt.dsp.ErrorBars;
import java.util.ArrayList;
import java.util.List;

/**
 * How the model's calibrated intervals did on the held-out blocks: the share of samples whose true value lies inside
 * (the coverage, which should be the level), overall and per channel on test, and the mean half-width.
 *
 * @param level            the interval's nominal level, e.g. 0.9
 * @param stored           true when the checkpoint's own error bars were scored, false when they were fitted here
 *                         (an uncalibrated checkpoint: the same fit training's end makes)
 * @param validation       coverage on the validation block (calibrated there: ≈ level by construction)
 * @param test             coverage on the test block, never seen by the calibration
 * @param testChannels     coverage on test per channel
 * @param testHalfWidthRms the RMS of the half-widths on test, beside the model's test RMS error
 * @param testInGaps       coverage on test samples whose station record is missing there ({@link eqt.data.MergedGaps}:
 *                         dropouts merged as runs of one value), NaN where test has none
 * @param testOutsideGaps  coverage on the other test samples
 * @param testGapSamples   how many test samples (over all channels) lie in such runs
 * @param testSaturated    coverage on those of the missing test samples where the station record is held at full
 *                         scale (a clipped sensor: {@link eqt.data.MergedGaps#saturations}), NaN where test has none
 * @param testSaturatedSamples how many test samples lie in such runs
 */
public record Coverage(double level, boolean stored, double validation, double test, List<Double> testChannels,
                       double testHalfWidthRms, double testErrorRms, double testInGaps, double testOutsideGaps,
                       long testGapSamples, double testSaturated, long testSaturatedSamples) {

    /**
     * {@code estimate} and {@code truth}: whole records {@code [channel][sample]}; the validation block is
     * {@code [valFrom, testFrom)}, test {@code [testFrom, end)}.
     */
    static Coverage of(ErrorBars bars, boolean stored, double level, float[][] estimate, float[][] truth, int valFrom,
                       int testFrom, List<List<long[]>> missing, List<List<long[]>> saturated) {
        double[][] half = bars.halfWidths(estimate, level, missing);
        int ch = estimate.length;
        int end = estimate[0].length;
        long inVal = 0;
        long inTest = 0;
        double width = 0;
        double error = 0;
        List<Double> per = new ArrayList<>();
        long gapSamples = 0;
        long gapInside = 0;
        long fullScale = 0;
        long fullScaleInside = 0;
        boolean[][] gaps = ErrorBars.mask(missing, ch, end);
        boolean[][] clipped = ErrorBars.mask(saturated, ch, end);
        for (int c = 0; c < ch; c++) {
            boolean[] gap = gaps[c];
            long in = 0;
            for (int t = valFrom; t < end; t++) {
                double e = Math.abs(truth[c][t] - estimate[c][t]);
                boolean inside = e <= half[c][t];
                if (t < testFrom) {
                    if (inside) inVal++;
                } else {
                    if (inside) in++;
                    if (gap[t]) {
                        gapSamples++;
                        if (inside) gapInside++;
                    }
                    if (clipped[c][t]) {
                        fullScale++;
                        if (inside) fullScaleInside++;
                    }
                    width += half[c][t] * half[c][t];
                    error += e * e;
                }
            }
            inTest += in;
            per.add((double) in / (end - testFrom));
        }
        long nTest = (long) ch * (end - testFrom);
        return new Coverage(level, stored, testFrom > valFrom ? (double) inVal / ((long) ch * (testFrom - valFrom)) : Double.NaN,
                (double) inTest / nTest, per, Math.sqrt(width / nTest), Math.sqrt(error / nTest),
                gapSamples > 0 ? (double) gapInside / gapSamples : Double.NaN,
                (double) (inTest - gapInside) / (nTest - gapSamples), gapSamples,
                fullScale > 0 ? (double) fullScaleInside / fullScale : Double.NaN, fullScale);
    }
}
