package eqt.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eqt.dsp.ErrorBars;
import eqt.io.SampleSink;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The bounds {@code eq invert} streams out are the bars' half-widths over the whole record, gaps included. */
class IntervalSinkTest {

    @Test
    void streamedBoundsEqualTheWholeRecordsHalfWidthsInsideAndOutsideGaps() {
        int n = 12_000;
        float[][] est = new float[2][n];
        float[][] truth = new float[2][n];
        SplittableRandom rng = new SplittableRandom(9);
        List<List<long[]>> gaps = List.of(List.of(new long[] {0, 40}, new long[] {5_000, 5_600}), List.of(new long[] {11_990, 12_000}));
        boolean[][] gap = ErrorBars.mask(gaps, 2, n);
        for (int c = 0; c < 2; c++) {
            for (int t = 0; t < n; t++) {
                truth[c][t] = (float) (Math.sin(0.01 * t * (c + 1)) * ((t / 700) % 2 == 0 ? 1 : 0.1) + 0.05 * rng.nextGaussian());
                est[c][t] = gap[c][t] ? 0 : truth[c][t] + (float) (0.05 * rng.nextGaussian()); // a dropout reads zero
            }
        }
        ErrorBars bars = ErrorBars.fit(est, truth, new int[2], n / 2, n / 2, n, gaps);
        double[][] half = bars.halfWidths(est, 0.9, gaps);
        Collect e = new Collect(n);
        Collect lo = new Collect(n);
        Collect hi = new Collect(n);
        IntervalSink sink = new IntervalSink(bars, 0.9, IntervalSink.Missing.runs(gaps), e, lo, hi);
        for (int at = 0, step = 1; at < n; at += step, step = step * 3 % 1_001 + 1) {
            int m = Math.min(step, n - at);
            float[][] part = new float[2][m];
            for (int c = 0; c < 2; c++) System.arraycopy(est[c], at, part[c], 0, m);
            sink.write(part, 0, m);
        }
        sink.finish();
        int widerInGaps = 0;
        for (int c = 0; c < 2; c++) {
            for (int t = 0; t < n; t++) {
                assertEquals(est[c][t], e.v[c][t], 0, "estimate at " + c + "/" + t);
                assertEquals(half[c][t], hi.v[c][t] - est[c][t], 1e-5 * (1 + half[c][t]), "upper at " + c + "/" + t);
                assertEquals(half[c][t], est[c][t] - lo.v[c][t], 1e-5 * (1 + half[c][t]), "lower at " + c + "/" + t);
            }
        }
        for (int t = 5_000; t < 5_600; t++) {
            double byLevel = bars.scale(0, 0.9) * bars.sigma(est)[0][t];
            assertEquals(bars.missingHalfWidth(0, 0.9, byLevel), half[0][t], 0, "the missing samples' bars at " + t);
            if (half[0][t] > byLevel) widerInGaps++;
        }
        assertTrue(widerInGaps > 100, "wider than the level's bars inside the gap: " + widerInGaps);
        assertTrue(half[0][4_999] == bars.scale(0, 0.9) * bars.sigma(est)[0][4_999], "the sample before the gap does not");
    }

    private static final class Collect implements SampleSink {
        final float[][] v;
        int at;

        Collect(int n) {
            v = new float[2][n];
        }

        @Override
        public void write(float[][] src, int off, int n) {
            for (int c = 0; c < v.length; c++) System.arraycopy(src[c], off, v[c], at, n);
            at += n;
        }
    }
}
