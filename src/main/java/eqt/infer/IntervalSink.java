package eqt.infer;

import eqt.dsp.ErrorBars;
import eqt.dsp.LocalRms;
import eqt.io.SampleSink;
import java.util.List;

/**
 * An estimate streamed through to three sinks: the estimate itself and the lower and upper bounds of its calibrated
 * interval ({@link ErrorBars}). A sample's bounds need the estimate {@code span / 2} samples ahead, so everything
 * comes out that much later; {@link #finish} writes the rest once the record has ended. Samples the input record
 * misses (its gaps, when the estimate is written there: {@code --gaps fill}) get the bars for missing samples
 * ({@link ErrorBars#missingHalfWidth}).
 */
final class IntervalSink implements SampleSink {

    private final ErrorBars bars;
    private final double[] scale; // per channel
    private final SampleSink estimate;
    private final SampleSink lower;
    private final SampleSink upper;
    private final LocalRms rms;
    private final double level;
    private final List<List<long[]>> missing;
    private final int[] nextRun; // per channel, the first run that may still lie ahead
    private long emitted;

    /** {@code missing}: per channel, the runs {@code [from, to)} of input samples that are missing, in order. */
    IntervalSink(ErrorBars bars, double level, List<List<long[]>> missing, SampleSink estimate, SampleSink lower,
                 SampleSink upper) {
        this.bars = bars;
        this.level = level;
        this.missing = missing;
        this.nextRun = new int[bars.channels()];
        if (missing.size() != bars.channels()) {
            throw new IllegalArgumentException("gaps for " + missing.size() + " channels, error bars for " + bars.channels());
        }
        this.scale = new double[bars.channels()];
        for (int c = 0; c < scale.length; c++) scale[c] = bars.scale(c, level);
        this.estimate = estimate;
        this.lower = lower;
        this.upper = upper;
        this.rms = new LocalRms(bars.channels(), bars.span());
    }

    @Override
    public void write(float[][] src, int off, int n) {
        bars.check(src.length);
        rms.push(src, off, n, this::emit);
    }

    /** The last samples, held back for the span ahead of them. */
    void finish() {
        rms.finish(this::emit);
    }

    private void emit(float[][] value, double[][] level, double[][] levelDiff, int n) {
        int ch = value.length;
        float[][] lo = new float[ch][n];
        float[][] hi = new float[ch][n];
        for (int c = 0; c < ch; c++) {
            List<long[]> runs = missing.get(c);
            for (int t = 0; t < n; t++) {
                double half = scale[c] * bars.sigma(c, level[c][t], levelDiff[c][t]);
                long at = emitted + t;
                while (nextRun[c] < runs.size() && runs.get(nextRun[c])[1] <= at) nextRun[c]++;
                if (nextRun[c] < runs.size() && runs.get(nextRun[c])[0] <= at) half = bars.missingHalfWidth(c, this.level, half);
                lo[c][t] = (float) (value[c][t] - half);
                hi[c][t] = (float) (value[c][t] + half);
            }
        }
        emitted += n;
        estimate.write(value, 0, n);
        lower.write(lo, 0, n);
        upper.write(hi, 0, n);
    }
}
