package eqt.infer;

import eqt.dsp.BarLevels;
import eqt.dsp.ErrorBars;
import eqt.io.SampleSink;
import java.util.List;

/**
 * An estimate streamed through to three sinks: the estimate itself and the lower and upper bounds of its calibrated
 * interval ({@link ErrorBars}). A sample's bounds need the estimate some samples ahead ({@link BarLevels}: half the
 * span, and half the shrinkage filter's), so everything comes out that much later; {@link #finish} writes the rest
 * once the record has ended. Samples the input record
 * misses ({@link Missing}: its gaps, when the estimate is written there, {@code --gaps fill}; dropouts merged as runs
 * of one value) get the bars for missing samples ({@link ErrorBars#missingHalfWidth}).
 */
final class IntervalSink implements SampleSink {

    private final ErrorBars bars;
    private final double[] scale; // per channel
    private final SampleSink estimate;
    private final SampleSink lower;
    private final SampleSink upper;
    private final BarLevels levels;
    private final double level;
    private final Missing missing;
    private long emitted;

    /** Which input samples are missing, asked of each channel's samples in order, once they have been read. */
    interface Missing {
        boolean at(int c, long t);

        /** Per channel, the runs {@code [from, to)} of missing samples, in order. */
        static Missing runs(List<List<long[]>> runs) {
            int[] next = new int[runs.size()]; // per channel, the first run that may still lie ahead
            return (c, t) -> {
                List<long[]> r = runs.get(c);
                while (next[c] < r.size() && r.get(next[c])[1] <= t) next[c]++;
                return next[c] < r.size() && r.get(next[c])[0] <= t;
            };
        }
    }

    IntervalSink(ErrorBars bars, double level, Missing missing, SampleSink estimate, SampleSink lower, SampleSink upper) {
        this.bars = bars;
        this.level = level;
        this.missing = missing;
        this.scale = new double[bars.channels()];
        for (int c = 0; c < scale.length; c++) scale[c] = bars.scale(c, level);
        this.estimate = estimate;
        this.lower = lower;
        this.upper = upper;
        this.levels = bars.levels();
    }

    @Override
    public void write(float[][] src, int off, int n) {
        bars.check(src.length);
        levels.push(src, off, n, this::emit);
    }

    /** The last samples, held back for the span ahead of them. */
    void finish() {
        levels.finish(this::emit);
    }

    private void emit(float[][] value, double[][] level, double[][] levelDiff, double[][] levelShrunk, int n) {
        int ch = value.length;
        float[][] lo = new float[ch][n];
        float[][] hi = new float[ch][n];
        for (int c = 0; c < ch; c++) {
            for (int t = 0; t < n; t++) {
                double half = scale[c] * bars.sigma(c, level, levelDiff, levelShrunk, t);
                if (missing.at(c, emitted + t)) half = bars.missingHalfWidth(c, this.level, half);
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
